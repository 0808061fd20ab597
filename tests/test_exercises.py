"""A lifter's exercises: the list built from what they logged, renaming one and merging
a misspelling into the real one, with the sheet following."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from sessions_app.models import LifterProfile, Set, SetType, Workout
from sessions_app.views.exercises import lifter_exercises
from sync_app.push import run_sync
from tests.sync_helpers import completed_workout, data_rows

MONDAY, WEDNESDAY, FRIDAY = (datetime.date(2025, 9, day) for day in (22, 24, 26))


def workout(owner, template, date, sets, complete=True):
    """A workout of (exercise, weight, reps[, set type[, unit]]) sets."""
    session = Workout.start(owner, template, date)
    for exercise, weight, reps, *extra in sets:
        fields = dict(zip(("set_type", "unit"), extra, strict=False))
        session.log_set(exercise, weight, reps, **fields)
    if complete:
        session.complete()
    return session


def names_in(session):
    return list(session.sets.order_by("created_at").values_list("exercise_name", "set_number"))


@pytest.fixture
def alices_history(alice, lower1):
    return [
        workout(
            alice,
            lower1,
            MONDAY,
            [
                ("Bench Press", "135", "5", SetType.WARMUP),
                ("Bench Press", "185", "5"),
                ("Bench Press", "195", "3"),
            ],
        ),
        workout(
            alice, lower1, WEDNESDAY, [("bench press", "190", "5"), ("Benchpress", "200", "2")]
        ),
        workout(alice, lower1, FRIDAY, [("Back Squat", "225", "5")]),
    ]


def test_the_list_has_each_exercise_once_with_its_workouts_and_record(
    alice, alice_client, alices_history
):
    response = alice_client.get(reverse("exercise_list"))
    exercises = response.context["exercises"]
    assert [(e.name, e.workouts, e.best_1rm, e.last_done) for e in exercises] == [
        ("Back Squat", 1, Decimal("262.5"), FRIDAY),
        ("Bench Press", 2, Decimal("221.7"), WEDNESDAY),  # 190 × 5; the warm-up is left out
        ("Benchpress", 1, Decimal("213.3"), WEDNESDAY),
    ]
    page = response.content.decode()
    assert "221.7 lb" in page and "2 workouts · last 24 Sep 2025" in page


def test_the_list_counts_the_workout_in_progress_but_records_only_completed_ones(
    alice, lower1, alice_client
):
    workout(alice, lower1, MONDAY, [("Deadlift", "315", "5")], complete=False)
    [deadlift] = alice_client.get(reverse("exercise_list")).context["exercises"]
    assert (deadlift.name, deadlift.workouts, deadlift.best_1rm) == ("Deadlift", 1, None)


def test_records_logged_in_another_unit_are_converted_to_the_lifters(alice, lower1):
    workout(alice, lower1, MONDAY, [("Deadlift", "200", "1", SetType.WORKING, "kg")])
    workout(alice, lower1, WEDNESDAY, [("Deadlift", "405", "1", SetType.WORKING, "lb")])
    [in_pounds] = lifter_exercises(alice, "lb")
    assert in_pounds.best_1rm == Decimal("440.9")  # 200 kg beats 405 lb
    [in_kilograms] = lifter_exercises(alice, "kg")
    assert in_kilograms.best_1rm == 200


def test_the_list_is_built_in_a_fixed_number_of_queries(
    alice, alice_client, alices_history, django_assert_num_queries
):
    # session, user, unit, exercises with their totals, records
    with django_assert_num_queries(5):
        alice_client.get(reverse("exercise_list"))


def test_the_list_shows_weights_in_the_lifters_unit(alice, alice_client, alices_history):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    page = alice_client.get(reverse("exercise_list")).content.decode()
    assert "100.6 kg" in page  # Bench Press: 221.7 lb


def test_renaming_changes_every_past_set_whatever_its_case(alice, alice_client, alices_history):
    monday, wednesday, friday = alices_history
    url = reverse("exercise_detail") + "?name=BENCH press "
    response = alice_client.post(url, {"action": "rename", "name": "Flat Bench"}, follow=True)
    assert response.redirect_chain == [(reverse("exercise_list"), 302)]
    assert "Renamed “Bench Press” to “Flat Bench” in 2 workouts." in response.content.decode()
    assert names_in(monday) == [("Flat Bench", 1), ("Flat Bench", 1), ("Flat Bench", 2)]
    assert names_in(wednesday) == [("Flat Bench", 1), ("Benchpress", 1)]
    assert names_in(friday) == [("Back Squat", 1)]


def test_renaming_to_another_case_makes_one_spelling(alice, alice_client, alices_history):
    alice_client.post(
        reverse("exercise_detail") + "?name=bench press",
        {"action": "rename", "name": "Bench press"},
    )
    spellings = set(Set.objects.named(alice, "bench PRESS").values_list("exercise_name", flat=True))
    assert spellings == {"Bench press"}


def test_renaming_to_a_name_already_used_points_to_merge(alice, alice_client, alices_history):
    response = alice_client.post(
        reverse("exercise_detail") + "?name=Benchpress",
        {"action": "rename", "name": "  bench PRESS "},
    )
    assert response.status_code == 200
    assert "You already have “Bench Press”. To combine the two, use Merge below." in (
        response.content.decode()
    )
    assert Set.objects.filter(exercise_name="Benchpress").count() == 1


def test_merging_moves_the_sets_and_numbers_a_shared_workout_again(
    alice, alice_client, alices_history
):
    monday, wednesday, _ = alices_history
    url = reverse("exercise_detail") + "?name=Benchpress"
    asked = alice_client.post(url, {"action": "merge", "into": "bench press"})
    assert "Merge Benchpress into Bench Press?" in asked.content.decode()
    assert Set.objects.filter(exercise_name="Benchpress").count() == 1  # not yet
    response = alice_client.post(
        url, {"action": "merge", "into": "bench press", "confirm": "yes"}, follow=True
    )
    assert "Merged “Benchpress” into “Bench Press”: 1 set in 1 workout moved." in (
        response.content.decode()
    )
    assert names_in(wednesday) == [("Bench Press", 1), ("Bench Press", 2)]
    assert names_in(monday) == [("Bench Press", 1), ("Bench Press", 1), ("Bench Press", 2)]
    assert [e.name for e in lifter_exercises(alice)] == ["Back Squat", "Bench Press"]


def test_merging_into_an_exercise_one_does_not_have_is_refused(
    alice, bob, lower1, alice_client, alices_history
):
    workout(bob, lower1, MONDAY, [("Zercher Squat", "135", "5")])
    response = alice_client.post(
        reverse("exercise_detail") + "?name=Benchpress",
        {"action": "merge", "into": "zercher squat"},
    )
    assert "Choose one of your exercises." in response.content.decode()
    assert Set.objects.filter(exercise_name="Benchpress").count() == 1


def test_another_lifters_exercise_is_404_and_stays_as_it_is(
    alice, bob, lower1, alice_client, alices_history
):
    bobs = workout(
        bob, lower1, MONDAY, [("Zercher Squat", "135", "5"), ("Bench Press", "225", "5")]
    )
    url = reverse("exercise_detail") + "?name=Zercher Squat"
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"action": "rename", "name": "Mine"}).status_code == 404
    alice_client.post(
        reverse("exercise_detail") + "?name=Bench Press", {"action": "rename", "name": "Bench"}
    )
    assert names_in(bobs) == [("Zercher Squat", 1), ("Bench Press", 1)]


def test_renaming_rewrites_the_sheet_rows_in_place(sheets, alice, lower1, alice_client):
    session = completed_workout(
        alice, lower1, [("Benchpress", "185", "5", ""), ("Back Squat", "225", "5", "")]
    )
    run_sync()
    before = data_rows(sheets)
    alice_client.post(
        reverse("exercise_detail") + "?name=benchpress", {"action": "rename", "name": "Bench Press"}
    )
    session.refresh_from_db()
    assert not session.synced_to_sheets
    result = run_sync()
    assert (result.appended, result.updated, result.deleted) == (0, 1, 0)
    after = data_rows(sheets)
    assert len(after) == 2
    assert after[0] == [*before[0][:3], "Bench Press", *before[0][4:]]
    assert after[1] == before[1]


def test_merging_rewrites_the_moved_and_renumbered_rows_only(sheets, alice, lower1, alice_client):
    completed_workout(
        alice,
        lower1,
        [
            ("Bench Press", "185", "5", ""),
            ("Benchpress", "190", "5", ""),
            ("Squat", "225", "5", ""),
        ],
    )
    run_sync()
    alice_client.post(
        reverse("exercise_detail") + "?name=Benchpress",
        {"action": "merge", "into": "bench press", "confirm": "yes"},
    )
    result = run_sync()
    assert (result.appended, result.updated, result.deleted) == (0, 1, 0)
    rows = data_rows(sheets)
    assert [row[3:5] for row in rows] == [["Bench Press", 1], ["Bench Press", 2], ["Squat", 1]]


def test_a_load_on_bodyweight_is_shown_as_such_and_never_beats_a_plain_weight(alice, lower1):
    workout(alice, lower1, MONDAY, [("Chin-up", "BW+20", "5"), ("Dip", "BW+30", "5")])
    workout(alice, lower1, WEDNESDAY, [("Dip", "25", "5")])
    chin_up, dip = lifter_exercises(alice)
    assert (chin_up.best_1rm, chin_up.on_bodyweight) == (Decimal("23.3"), True)
    assert (dip.best_1rm, dip.on_bodyweight) == (Decimal("29.2"), False)


def test_the_exercise_pages_need_a_login(client, alices_history):
    for url in (reverse("exercise_list"), reverse("exercise_detail") + "?name=Back Squat"):
        assert client.get(url)["Location"].startswith(reverse("login")), url
    client.post(
        reverse("exercise_detail") + "?name=Back Squat", {"action": "rename", "name": "Squat"}
    )
    assert Set.objects.filter(exercise_name="Back Squat").count() == 1
