"""Warm-ups: "+ Warm-ups" on a barbell's card plans the lifter's ramp (bar × 10, 40 % × 5,
60 % × 3, 80 % × 2 unless they changed it) as warm-up rows, each rounded to a weight the
plates load; each is logged once with its tap, numbered apart, and left out of records."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from sessions_app.models import ExerciseRecord, LifterProfile, Set, Workout
from sessions_app.models.units import LB_PER_KG
from sessions_app.warmups import DEFAULT_RAMP, RampStep, ramp_from_text, warmup_weights
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def kilos(text_weights):
    return [(Decimal(weight), reps) for weight, reps in text_weights]


@pytest.mark.parametrize(
    ("unit", "working", "expected"),
    [
        ("kg", "100", [("20", 10), ("40", 5), ("60", 3), ("80", 2)]),
        # Rounded to the plates: 61.5 is 62.5 (20 + 2 × 21.25), 82 is 82.5.
        ("kg", "102.5", [("20", 10), ("40", 5), ("62.5", 3), ("82.5", 2)]),
        # 40 % of 40 is under the bar: left out.
        ("kg", "40", [("20", 10), ("25", 3), ("32.5", 2)]),
        # 80 % of 25 rounds to the bar, which is there already: once.
        ("kg", "25", [("20", 10)]),
        ("kg", "20", []),
        ("lb", "225", [("45", 10), ("90", 5), ("135", 3), ("180", 2)]),
    ],
)
def test_the_ramp_is_rounded_to_loadable_weights_once_each(unit, working, expected):
    bar_and_plates = LifterProfile(weight_unit=unit).bar_and_plates()
    assert warmup_weights(Decimal(working), bar_and_plates, DEFAULT_RAMP) == kilos(expected)


def test_a_ramp_reads_as_the_lifter_writes_it():
    assert ramp_from_text("bar x 12; 50% × 5, 75%*2") == (
        RampStep(None, 12),
        RampStep(50, 5),
        RampStep(75, 2),
    )


@pytest.fixture
def squat_day(alice, lower1):
    """Alice (kilograms) at a Lower 1 workout, her squat 100 kg × 5 last time."""
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    earlier = Workout.start(alice, lower1, datetime.date(2026, 1, 5))
    for _ in range(3):
        earlier.log_set("Back Squat", "100", "5")
    earlier.complete()
    return Workout.start(alice, lower1)


def squat_card(client, workout):
    page = client.get(workout.get_absolute_url()).content.decode()
    start = page.index('data-exercise="Back Squat"')
    return page[start : page.index("</details>", start)]


def warmup_rows(card):
    """(weight, reps) of the card's planned warm-up rows, in order."""
    rows = []
    for chunk in card.split('<form class="set-row planned log-set warmup')[1:]:
        weight = chunk.split('name="weight" value="')[1].split('"')[0]
        reps = chunk.split('name="reps" value="')[1].split('"')[0]
        rows.append((weight, reps))
    return rows


def add_warmups(client, workout, weight="100", **headers):
    data = {"exercise": "Back Squat", "weight": weight}
    return client.post(reverse("add_warmups", args=[workout.pk]), data, **headers)


def tick_warmup(client, workout, weight, reps):
    """What a planned warm-up row's ✓ sends (no set number: numbered apart)."""
    data = {
        "exercise": "Back Squat",
        "weight": weight,
        "reps": reps,
        "key": str(uuid.uuid4()),
        "unit": "kg",
        "set_type": "warmup",
        "set_number": "",
        "needs_weight": "on",
    }
    return client.post(reverse("log_set", args=[workout.pk]), data)


def test_warmups_are_planned_logged_once_each_and_numbered_apart(alice_client, squat_day):
    card = squat_card(alice_client, squat_day)
    assert 'name="weight" value="100"' in card and "+ Warm-ups" in card
    assert warmup_rows(card) == []

    response = add_warmups(alice_client, squat_day)
    assert response.status_code == 302
    card = squat_card(alice_client, squat_day)
    assert warmup_rows(card) == [("20", "10"), ("40", "5"), ("60", "3"), ("80", "2")]
    assert "+ Warm-ups" not in card  # asked once
    # Before the working rows, and each shows its plates.
    assert card.index("log-set warmup") < card.index('name="set_number" value="1"')
    assert ">20 kg bar + 10 each side</p>" in card
    assert 'class="more-toggle" checked' not in card  # rows of one line, the ⋯ closed

    for weight, reps in [("20", "10"), ("40", "5")]:
        assert tick_warmup(alice_client, squat_day, weight, reps).status_code == 302
    card = squat_card(alice_client, squat_day)
    assert warmup_rows(card) == [("60", "3"), ("80", "2")]
    for weight, reps in [("60", "3"), ("80", "2")]:
        tick_warmup(alice_client, squat_day, weight, reps)
    assert warmup_rows(squat_card(alice_client, squat_day)) == []
    squat_day.log_set("Back Squat", "100", "5", set_number=1)

    sets = Set.objects.filter(workout=squat_day).order_by("set_type", "set_number")
    assert [(s.set_type, s.set_number, s.weight, s.reps) for s in sets] == [
        ("warmup", 1, "20", "10"),
        ("warmup", 2, "40", "5"),
        ("warmup", 3, "60", "3"),
        ("warmup", 4, "80", "2"),
        ("working", 1, "100", "5"),
    ]


def test_warmups_are_not_in_records(alice, alice_client, squat_day):
    add_warmups(alice_client, squat_day, weight="100")
    for weight, reps in [("20", "10"), ("40", "5"), ("60", "3"), ("80", "2")]:
        tick_warmup(alice_client, squat_day, weight, reps)
    squat_day.log_set("Back Squat", "50", "3")  # a light day: warm-ups reach higher
    squat_day.complete()
    workout_row = ExerciseRecord.objects.get(exercise__name="Back Squat").workouts.get(
        workout=squat_day
    )
    assert workout_row.heaviest_lb == (Decimal(50) * LB_PER_KG).quantize(Decimal("0.01"))
    assert (workout_row.most_reps, workout_row.total_reps) == (3, 3)


def test_a_warmup_logged_before_asking_does_not_use_up_a_step(alice_client, squat_day):
    squat_day.log_set("Back Squat", "20", "5", set_type="warmup")
    add_warmups(alice_client, squat_day)
    assert len(warmup_rows(squat_card(alice_client, squat_day))) == 4


def test_with_htmx_only_the_warmup_rows_come_back(alice_client, squat_day):
    response = add_warmups(alice_client, squat_day, weight="102.5", headers=HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    # The rows alone (the rows typed into stay as typed), and the button goes.
    assert "<html" not in fragment and "<details" not in fragment
    assert fragment.count("<form") == 4
    assert warmup_rows(fragment) == [("20", "10"), ("40", "5"), ("62.5", "3"), ("82.5", "2")]
    assert 'hx-swap-oob="delete"' in fragment


def test_the_lifters_own_ramp_from_settings(alice, alice_client, squat_day):
    response = alice_client.post(reverse("choose_warmup_ramp"), {"ramp": "bar×5, 50%x5, 70%x3"})
    assert response.status_code == 302
    assert LifterProfile.objects.get(user=alice).warmup_ramp == "bar×5, 50%×5, 70%×3"
    add_warmups(alice_client, squat_day)
    assert warmup_rows(squat_card(alice_client, squat_day)) == [
        ("20", "5"),
        ("50", "5"),
        ("70", "3"),
    ]


@pytest.mark.parametrize(
    ("ramp", "message"),
    [
        ("", "This field is required."),
        ("bar×10, lots", "“lots” is no step: write “bar×10” or “60%×3”."),
        ("120%×3", "“120%×3” is no step"),
        ("0%×3", "A warm-up is 1 to 99 % of the working weight: “0%×3”."),
        ("50%×0", "1 to 30 reps a step: “50%×0”."),
        (", ".join(["50%×1"] * 9), "8 steps at most."),
    ],
)
def test_settings_refuse_a_ramp_that_makes_no_sense(alice, alice_client, ramp, message):
    response = alice_client.post(reverse("choose_warmup_ramp"), {"ramp": ramp})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LifterProfile.objects.filter(user=alice).exclude(warmup_ramp="").exists()


def test_asking_without_a_weight_or_for_a_finished_workout_plans_nothing(alice_client, squat_day):
    response = add_warmups(alice_client, squat_day, weight="")
    assert response.status_code == 302
    squat_day.refresh_from_db()
    assert squat_day.planned_warmups == {}
    squat_day.complete()
    response = add_warmups(alice_client, squat_day)
    assert response.status_code == 302
    squat_day.refresh_from_db()
    assert squat_day.planned_warmups == {}


def test_another_lifters_workout_is_404(bob_client, squat_day):
    assert add_warmups(bob_client, squat_day).status_code == 404
    squat_day.refresh_from_db()
    assert squat_day.planned_warmups == {}
