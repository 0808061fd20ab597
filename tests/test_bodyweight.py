"""Bodyweight: one value a day (the latest counts), charted; bodyweight sets ("BW",
"BW+25", assisted "BW-20", a pull-up with no weight) get an estimated 1RM and a volume
from the bodyweight of their workout's day plus what was added. Until a bodyweight is
recorded, they read as they always did."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from sessions_app.models import BodyweightEntry, ExerciseRecord, LifterProfile, Set, Workout
from sessions_app.progress import history_digests, workout_summary
from tests.helpers import past_workout

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def kilos(alice):
    LifterProfile.objects.create(user=alice, weight_unit="kg")


@pytest.fixture
def dips(alice, lower1, kilos):
    """A completed workout on DAY: weighted dips, plain pull-ups, assisted pull-ups."""
    return past_workout(
        alice,
        lower1,
        DAY,
        [
            ("Dips", "BW+25", "8"),
            ("Pull-up", "", "10"),
            ("Assisted Pull-up", "BW-20", "5"),
            ("Back Squat", "100", "5"),
        ],
    )


def estimates(workout):
    return {s.exercise_name: s.estimated_1rm for s in workout.sets.all()}


def volumes(workout):
    return {s.exercise_name: s.volume for s in workout.sets.all()}


def test_without_a_bodyweight_sets_read_as_before(dips):
    assert estimates(dips) == {
        "Dips": Decimal("31.7"),  # the 25 added, as before
        "Pull-up": None,
        "Assisted Pull-up": None,
        "Back Squat": Decimal("116.7"),
    }
    assert volumes(dips) == {
        "Dips": Decimal("200"),
        "Pull-up": None,
        "Assisted Pull-up": None,
        "Back Squat": Decimal("500"),
    }


def test_a_bodyweight_makes_the_load_of_bodyweight_sets(alice, dips):
    BodyweightEntry.record(alice.pk, DAY - datetime.timedelta(days=3), Decimal("80"), "kg")
    assert estimates(dips) == {
        "Dips": Decimal("133.0"),  # (80 + 25) × (1 + 8/30)
        "Pull-up": Decimal("106.7"),  # 80 × (1 + 10/30)
        "Assisted Pull-up": Decimal("70.0"),  # (80 − 20) × (1 + 5/30)
        "Back Squat": Decimal("116.7"),  # not on bodyweight: as it was
    }
    assert volumes(dips) == {
        "Dips": Decimal("840"),
        "Pull-up": Decimal("800"),
        "Assisted Pull-up": Decimal("300"),
        "Back Squat": Decimal("500"),
    }
    sets = list(dips.sets.select_related("exercise"))
    assert workout_summary(dips, sets, "kg").volume == Decimal("2440")
    assert history_digests([dips], "kg")[dips.pk].volume == pytest.approx(2440)
    # The records follow at once.
    record = ExerciseRecord.objects.get(owner=alice, exercise__name="Dips")
    assert record.best_1rm_lb == (Decimal("133.0") * Decimal("2.20462")).quantize(Decimal("0.01"))


def test_a_bodyweight_recorded_after_the_workout_does_not_count_for_it(alice, dips):
    BodyweightEntry.record(alice.pk, DAY + datetime.timedelta(days=1), Decimal("80"), "kg")
    assert estimates(dips)["Dips"] == Decimal("31.7")
    assert Set.objects.filter(bodyweight__isnull=False).count() == 0


def test_the_latest_entry_on_or_before_the_day_counts(alice, dips):
    BodyweightEntry.record(alice.pk, DAY - datetime.timedelta(days=30), Decimal("90"), "kg")
    BodyweightEntry.record(alice.pk, DAY, Decimal("79"), "kg")
    BodyweightEntry.record(alice.pk, DAY, Decimal("80"), "kg")  # the same day: replaces it
    assert BodyweightEntry.objects.filter(owner=alice, day=DAY).get().weight == Decimal("80")
    assert estimates(dips)["Dips"] == Decimal("133.0")
    BodyweightEntry.objects.get(owner=alice, day=DAY).delete()  # the earlier one again
    assert estimates(dips)["Dips"] == Decimal("145.7")  # (90 + 25) × (1 + 8/30)


def test_a_bodyweight_in_pounds_counts_for_sets_in_kilos(alice, dips):
    BodyweightEntry.record(alice.pk, DAY, Decimal("176.37"), "lb")  # 80.00 kg
    assert estimates(dips)["Dips"] == Decimal("133.0")


def test_a_workout_completed_after_the_entry_takes_it(alice, lower1, kilos):
    BodyweightEntry.record(alice.pk, DAY, Decimal("80"), "kg")
    workout = Workout.start(alice, lower1, DAY + datetime.timedelta(days=1))
    workout.log_set("Dips", "BW+25", "8")
    assert estimates(workout)["Dips"] == Decimal("31.7")  # in progress: no record yet
    workout.complete()
    assert estimates(workout)["Dips"] == Decimal("133.0")
    record = ExerciseRecord.objects.get(owner=alice, exercise__name="Dips")
    assert record.best_1rm_lb == (Decimal("133.0") * Decimal("2.20462")).quantize(Decimal("0.01"))


def test_a_fixed_set_keeps_its_bodyweight(alice, dips):
    BodyweightEntry.record(alice.pk, DAY, Decimal("80"), "kg")
    dip = dips.sets.get(exercise_name="Dips")
    dip.weight = "BW+30"
    dip.save_changes(["weight"])
    dip.refresh_from_db()
    assert dip.estimated_1rm == Decimal("139.3")  # (80 + 30) × (1 + 8/30)


def test_another_lifters_bodyweight_counts_for_nobody_else(alice, bob, dips):
    BodyweightEntry.record(bob.pk, DAY, Decimal("80"), "kg")
    assert estimates(dips)["Dips"] == Decimal("31.7")


# The pages.


def test_a_bodyweight_recorded_from_home_comes_back_home(alice, alice_client, kilos):
    page = alice_client.get(reverse("home")).content.decode()
    assert 'name="weight"' in page and 'action="/progress/bodyweight/"' in page
    # One field: the day is today's.
    assert f'<input type="hidden" name="day" value="{datetime.date.today().isoformat()}">' in page
    data = {"weight": "80.5", "day": DAY.isoformat(), "next": "/"}
    response = alice_client.post(reverse("bodyweight"), data)
    assert response.status_code == 302 and response.url == "/"
    entry = BodyweightEntry.objects.get(owner=alice)
    assert (entry.day, entry.weight, entry.unit) == (DAY, Decimal("80.5"), "kg")
    assert "Last: 80.5 kg on Mon 2 Nov" in alice_client.get(reverse("home")).content.decode()
    settings = alice_client.get(reverse("account_settings")).content.decode()
    assert "Last: 80.5 kg on Mon 2 Nov" in settings


def test_a_redirect_elsewhere_is_not_followed(alice, alice_client, kilos):
    data = {"weight": "80", "day": DAY.isoformat(), "next": "https://elsewhere.example/"}
    response = alice_client.post(reverse("bodyweight"), data)
    assert response.url == reverse("bodyweight")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weight": "", "day": "2026-11-02"}, "Enter your bodyweight."),
        ({"weight": "heavy", "day": "2026-11-02"}, "Enter your bodyweight as a number"),
        ({"weight": "5", "day": "2026-11-02"}, "A bodyweight is between 20 and 350 kg."),
        ({"weight": "-80", "day": "2026-11-02"}, "A bodyweight is between 20 and 350 kg."),
        ({"weight": "NaN", "day": "2026-11-02"}, "Enter your bodyweight as a number"),
        ({"weight": "800", "day": "2026-11-02"}, "A bodyweight is between 20 and 350 kg."),
        ({"weight": "80.555", "day": "2026-11-02"}, "Two decimals at most."),
        ({"weight": "80", "day": "2999-01-01"}, "That day has not come yet."),
        ({"weight": "80", "day": "1800-01-01"}, "Enter a day since 1900."),
        ({"weight": "80", "day": "yesterday"}, "Enter a day, such as 2026-12-03."),
    ],
)
def test_a_bodyweight_that_makes_no_sense_is_refused(alice, alice_client, kilos, data, message):
    response = alice_client.post(reverse("bodyweight"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BodyweightEntry.objects.exists()


def test_the_bodyweight_page_charts_each_day(alice, alice_client, kilos):
    for days, weight in [(0, "82"), (7, "81.5"), (14, "80.25")]:
        BodyweightEntry.record(alice.pk, DAY + datetime.timedelta(days=days), Decimal(weight), "kg")
    page = alice_client.get(reverse("bodyweight")).content.decode()
    assert page.count('class="dot-1rm"') == 3
    assert "From 80.25 to 82 kg over 3 days" in page
    assert "<td>Mon 16 Nov 2026</td><td>80.25</td>" in page
    assert alice_client.get(reverse("bodyweight")).status_code == 200


def test_the_bodyweight_page_is_the_lifters_own(alice, bob_client):
    BodyweightEntry.objects.create(owner=alice, day=DAY, weight=80, unit="kg")
    page = bob_client.get(reverse("bodyweight")).content.decode()
    assert "No bodyweight yet" in page
    # Nothing of hers: no row of the table, no day (a bare "80" can be in a CSRF token).
    assert "<td>" not in page and "2 Nov" not in page and "80 kg" not in page


def test_a_lifter_deletes_a_mistyped_bodyweight_and_their_sets_follow(alice, alice_client, dips):
    BodyweightEntry.record(alice.pk, DAY - datetime.timedelta(days=30), Decimal("90"), "kg")
    BodyweightEntry.record(alice.pk, DAY, Decimal("88"), "kg")  # a slip for 80
    page = alice_client.get(reverse("bodyweight")).content.decode()
    delete_url = reverse("delete_bodyweight", args=[DAY.isoformat()])
    assert f'action="{delete_url}"' in page

    response = alice_client.post(delete_url)

    assert response.status_code == 302 and response.url == reverse("bodyweight")
    assert list(BodyweightEntry.objects.values_list("weight", flat=True)) == [Decimal("90")]
    assert estimates(dips)["Dips"] == Decimal("145.7")  # (90 + 25) × (1 + 8/30)
    page = alice_client.get(reverse("bodyweight")).content.decode()
    assert "Deleted 88 kg of Mon 2 Nov." in page


def test_a_bodyweight_is_deleted_only_by_its_lifter_and_only_by_a_post(
    alice, alice_client, bob_client, kilos
):
    BodyweightEntry.record(alice.pk, DAY, Decimal("80"), "kg")
    delete_url = reverse("delete_bodyweight", args=[DAY.isoformat()])

    assert bob_client.post(delete_url).status_code == 404
    assert alice_client.get(delete_url).status_code == 405
    assert alice_client.post("/progress/bodyweight/2026-02-30/delete/").status_code == 404
    assert BodyweightEntry.objects.filter(owner=alice).count() == 1
