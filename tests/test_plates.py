"""Plates: what goes on the bar for a weight, per side, with the lifter's bar and plates
(another bar for an exercise that has one); a weight that cannot be loaded is rounded to
the nearest that can, and says so. The page (plates.js) and the server (plates.py) agree."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from sessions_app.models import Exercise, LifterProfile, Workout
from sessions_app.plates import DEFAULT_PLATES, load, nearest_loadable
from tests.browser import PHONE

pytestmark = pytest.mark.django_db

KG, LB = DEFAULT_PLATES["kg"], DEFAULT_PLATES["lb"]
PLATES_JS = Path(__file__).resolve().parent.parent / "sessions_app/static/sessions_app/plates.js"

# (weight typed, bar, plates, unit, what the lifter reads)
CASES = [
    ("100", "20", KG, "kg", "20 kg bar + 25 + 15 each side"),
    ("102.5", "20", KG, "kg", "20 kg bar + 25 + 15 + 1.25 each side"),
    ("60", "20", KG, "kg", "20 kg bar + 20 each side"),
    ("20", "20", KG, "kg", "20 kg bar alone"),
    (
        "102,3",
        "20",
        KG,
        "kg",
        "102.3 kg cannot be loaded · 102.5 kg: 20 kg bar + 25 + 15 + 1.25 each side",
    ),
    # Halfway between two loadable weights: the lighter.
    (
        "101.25",
        "20",
        KG,
        "kg",
        "101.25 kg cannot be loaded · 100 kg: 20 kg bar + 25 + 15 each side",
    ),
    # Under the bar: the lifter is told where a lighter bar is set.
    ("15", "20", KG, "kg", "15 kg is under the 20 kg bar (a lighter one: the exercise's page)"),
    ("40", "45", LB, "lb", "40 lb is under the 45 lb bar (a lighter one: the exercise's page)"),
    ("225", "45", LB, "lb", "45 lb bar + 45 + 45 each side"),
    ("315", "45", LB, "lb", "45 lb bar + 45 + 45 + 45 each side"),
    ("190", "45", LB, "lb", "45 lb bar + 45 + 25 + 2.5 each side"),
    ("137", "45", LB, "lb", "137 lb cannot be loaded · 135 lb: 45 lb bar + 45 each side"),
    ("140", "45", LB, "lb", "45 lb bar + 45 + 2.5 each side"),
    ("137.5", "45", LB, "lb", "137.5 lb cannot be loaded · 135 lb: 45 lb bar + 45 each side"),
    # Another bar: an EZ bar, a trap bar.
    ("40", "10", KG, "kg", "10 kg bar + 15 each side"),
    ("135", "55", LB, "lb", "55 lb bar + 35 + 5 each side"),
    # Plates the heaviest-first habit would miss: 20 a side is 10 + 10, not 15 + ...
    ("60", "20", (Decimal("15"), Decimal("10")), "kg", "20 kg bar + 10 + 10 each side"),
    (
        "50",
        "20",
        (Decimal("20"),),
        "kg",
        "50 kg cannot be loaded · 60 kg: 20 kg bar + 20 each side",
    ),
    ("35", "20", (), "kg", "35 kg cannot be loaded · 20 kg: 20 kg bar alone"),
]


def typed(text):
    return Decimal(text.replace(",", "."))


@pytest.mark.parametrize(("weight", "bar", "plates", "unit", "expected"), CASES)
def test_the_plates_per_side_for_a_weight(weight, bar, plates, unit, expected):
    assert load(typed(weight), Decimal(bar), plates, unit).text() == expected


def test_a_weight_too_heavy_to_be_a_lift_gets_no_plates():
    assert load(Decimal("100000"), Decimal("20"), KG, "kg") is None


@pytest.mark.browser
def test_the_page_works_out_the_same_plates_as_the_server(chromium):
    page = chromium.new_page(viewport=PHONE)
    page.add_script_tag(path=PLATES_JS)
    cases = [
        [weight, {"bar": bar, "plates": [str(p) for p in plates], "unit": unit}]
        for weight, bar, plates, unit, _ in CASES
    ]
    cases.append(["100000", {"bar": "20", "plates": [str(p) for p in KG], "unit": "kg"}])
    written = page.evaluate(
        "(cases) => cases.map(([weight, data]) => Plates.plateText(weight, data))", cases
    )
    page.close()
    assert written == [expected for *_, expected in CASES] + [""]


def test_nearest_loadable_uses_the_lifters_plates_and_the_exercises_bar(alice):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    assert nearest_loadable(Decimal("102.3"), alice) == Decimal("102.5")
    assert nearest_loadable(Decimal("18"), alice.pk) == Decimal("20")  # under the bar: the bar
    LifterProfile.objects.filter(user=alice).update(bar_kg=Decimal("15"), plates_kg="20 10 5")
    assert nearest_loadable(Decimal("102.3"), alice) == Decimal("105")
    ez_bar = Exercise.objects.create(
        owner=alice, name="EZ Bar Curl", kind="barbell", bar_weight=10, bar_unit="kg"
    )
    assert nearest_loadable(Decimal("31"), alice, ez_bar) == Decimal("30")


def test_a_lifter_without_a_profile_loads_a_45_pound_bar(alice):
    assert nearest_loadable(Decimal("137"), alice) == Decimal("135")


def test_an_exercises_bar_typed_in_another_unit_is_converted(alice):
    LifterProfile.objects.create(user=alice, weight_unit="lb")
    trap_bar = Exercise(owner=alice, name="Trap Bar Deadlift", bar_weight=25, bar_unit="kg")
    bar = LifterProfile.bar_and_plates_of(alice.pk).for_exercise(trap_bar).bar
    assert bar == Decimal("55.12")


# The pages: Settings, the exercise's page, the workout screen without JavaScript.


def test_settings_keep_the_bar_and_plates_of_the_lifters_unit(alice, alice_client):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    page = alice_client.get(reverse("account_settings")).content.decode()
    assert 'value="25 20 15 10 5 2.5 1.25"' in page and 'name="bar" value="20"' in page
    response = alice_client.post(
        reverse("choose_plates"), {"bar": "15", "plates": "2.5, 20 10 5 1.25 20"}
    )
    assert response.status_code == 302
    profile = LifterProfile.objects.get(user=alice)
    assert (profile.bar_kg, profile.plates_kg) == (Decimal("15"), "20 10 5 2.5 1.25")
    assert (profile.bar_lb, profile.plates_lb) == (None, "")  # pounds: as they were
    assert profile.bar_and_plates("lb").bar == Decimal("45")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bar": "20", "plates": "25 twenty"}, "“twenty” is not a plate&#x27;s weight."),
        ({"bar": "20", "plates": "25 -5"}, "A plate weighs more than 0 and at most 100: “-5”."),
        ({"bar": "20", "plates": "25 0"}, "A plate weighs more than 0 and at most 100: “0”."),
        ({"bar": "20", "plates": "25 NaN"}, "A plate weighs more than 0 and at most 100: “NaN”."),
        ({"bar": "20", "plates": "1.255"}, "Two decimals at most: “1.255”."),
        ({"bar": "20", "plates": " ".join(str(n) for n in range(1, 14))}, "12 weights of plate"),
        ({"bar": "-1", "plates": "25"}, "A bar weighs 0 or more."),
        ({"bar": "heavy", "plates": "25"}, "Enter the bar&#x27;s weight as a number"),
        ({"bar": "20", "plates": ""}, "This field is required."),
    ],
)
def test_settings_refuse_plates_and_bars_that_make_no_sense(alice, alice_client, data, message):
    response = alice_client.post(reverse("choose_plates"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LifterProfile.objects.filter(user=alice).exclude(plates_kg="", plates_lb="").exists()


def test_an_exercise_gets_a_bar_of_its_own_on_its_page(alice, alice_client, lower1):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    Workout.start(alice, lower1)
    url = reverse("exercise_detail") + "?name=Back+Squat"
    assert "Save bar" in alice_client.get(url).content.decode()
    alice_client.post(url, {"action": "bar", "bar_weight": "25"})
    squat = Exercise.objects.get(owner=alice, name="Back Squat")
    assert (squat.bar_weight, squat.bar_unit) == (Decimal("25"), "kg")
    response = alice_client.post(url, {"action": "bar", "bar_weight": "-3"})
    assert "A bar weighs 0 or more." in response.content.decode()
    alice_client.post(url, {"action": "bar", "bar_weight": ""})  # the usual bar again
    squat.refresh_from_db()
    assert (squat.bar_weight, squat.bar_unit) == (None, "")


def card_of(page, name):
    start = page.index(f'data-exercise="{name}"')
    return page[start : page.index("</details>", start)]


def squat_workout(alice, lower1, weight):
    earlier = Workout.start(alice, lower1, datetime.date(2026, 1, 5))
    for _ in range(3):
        earlier.log_set("Back Squat", weight, "5")
    earlier.complete()
    return Workout.start(alice, lower1)


def test_a_barbell_row_shows_its_plates_without_javascript(alice, alice_client, lower1):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    workout = squat_workout(alice, lower1, "102.3")
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    squat = card_of(page, "Back Squat")
    data = json.loads(squat.split('data-plates="')[1].split('"')[0].replace("&quot;", '"'))
    plates = ["25", "20", "15", "10", "5", "2.5", "1.25"]
    assert data == {"unit": "kg", "bar": "20", "plates": plates}
    line = "102.3 kg cannot be loaded · 102.5 kg: 20 kg bar + 25 + 15 + 1.25 each side"
    rows = squat.count('<form class="set-row planned')
    shown = squat.count(f'<p class="plates-line" aria-live="polite">{line}</p>')
    assert rows >= 3 and shown == rows
    assert "plates-line" not in card_of(page, "Leg Press")  # a machine: no bar
    assert "data-plates" not in card_of(page, "Leg Press")


def test_a_starter_routines_barbell_row_uses_the_lifters_own_bar_for_it(
    alice, alice_client, lower1
):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    workout = squat_workout(alice, lower1, "100")
    Exercise.objects.filter(owner=alice, name="Back Squat").update(bar_weight=25, bar_unit="kg")
    squat = card_of(alice_client.get(workout.get_absolute_url()).content.decode(), "Back Squat")
    rows = squat.count('<form class="set-row planned')
    assert rows >= 3 and squat.count(">25 kg bar + 25 + 10 + 2.5 each side</p>") == rows
    assert "&quot;bar&quot;: &quot;25&quot;" in squat  # and the page's own reckoning
