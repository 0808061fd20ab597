"""Supersets: consecutive routine exercises grouped (A1, A2), their cards together, the
current row moving A1 → A2 → A1…, and Hevy's superset ids kept on imported sets."""

import pytest

from sessions_app.models import Routine, Set, Workout
from sessions_app.progression import superset_labels
from sessions_app.workout_screen import workout_plan
from tests.import_helpers import fixture_bytes, run_import, write_file


@pytest.fixture
def arms(alice):
    routine = Routine.create_for(alice, "Arms")
    for name in ("Bench Press", "Barbell Curl", "Triceps Pushdown", "Plank"):
        routine.add_exercise(name, 2, "10")
    # Curl and pushdown are a superset; bench and plank stand alone.
    routine.exercises.filter(exercise__name="Triceps Pushdown").update(superset_with_previous=True)
    return routine


def test_consecutive_exercises_are_lettered_as_a_superset(arms):
    rows = list(arms.exercises.select_related("exercise"))
    labels = superset_labels(rows)
    assert [labels.get(row.pk, "") for row in rows] == ["", "A1", "A2", ""]


def test_a_lone_mark_on_the_first_exercise_makes_no_superset(alice):
    routine = Routine.create_for(alice, "Odd")
    first = routine.add_exercise("Bench Press", 2, "10")
    first.superset_with_previous = True
    first.save()
    assert superset_labels(list(routine.exercises.all())) == {}


def current_of(workout):
    plan = workout_plan(workout)
    return [card.name for card in plan.cards if card.current], [
        card.superset_label for card in plan.cards
    ]


def test_the_current_exercise_moves_through_the_round(alice, arms):
    workout = Workout.start(alice, arms)
    for number in (1, 2):
        workout.log_set("Bench Press", "100", "10", set_number=number)
    assert current_of(workout) == (["Barbell Curl"], ["", "A1", "A2", ""])
    workout.log_set("Barbell Curl", "40", "10", set_number=1)
    assert current_of(workout)[0] == ["Triceps Pushdown"]  # A2, not A1's second set
    workout.log_set("Triceps Pushdown", "30", "10", set_number=1)
    assert current_of(workout)[0] == ["Barbell Curl"]  # round two
    workout.log_set("Barbell Curl", "40", "10", set_number=2)
    workout.log_set("Triceps Pushdown", "30", "10", set_number=2)
    assert current_of(workout)[0] == ["Plank"]


def test_the_workout_page_shows_the_superset_labels(alice_client, alice, arms):
    workout = Workout.start(alice, arms)
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert page.count('data-superset="A"') == 2
    assert '<span class="superset-label">A1</span>' in page
    assert '<span class="superset-label">A2</span>' in page


def test_hevy_superset_ids_are_stored_as_groups(tmp_path, alice):
    run_import(write_file(tmp_path, fixture_bytes("hevy-kg-miles.csv")), "alice")
    grouped = Set.objects.filter(workout__owner=alice, superset_group__isnull=False)
    assert sorted(set(grouped.values_list("exercise_name", "superset_group"))) == [
        ("Leg Extension (Machine)", 0),
        ("Lying Leg Curl (Machine)", 0),
    ]
    assert Set.objects.filter(workout__owner=alice, superset_group__isnull=True).exists()


# --- The group a set keeps: logged in the app, imported, and in the sheet and CSV ---


def groups_of(workout):
    return [
        (s.exercise_name, s.set_type, s.superset_group)
        for s in workout.sets.order_by("created_at", "pk")
    ]


@pytest.fixture
def two_supersets(alice, arms):
    """Arms, and Plank with Side Plank after it: superset B."""
    arms.add_exercise("Side Plank", 2, "30s")
    arms.exercises.filter(exercise__name="Side Plank").update(superset_with_previous=True)
    return arms


def test_sets_logged_in_a_superset_keep_its_group_once_the_workout_completes(alice, two_supersets):
    workout = Workout.start(alice, two_supersets)
    workout.log_set("Barbell Curl", "20", "10", set_type="warmup")
    for name in ("Bench Press", "Barbell Curl", "Triceps Pushdown", "Plank", "Side Plank"):
        workout.log_set(name, "20", "10")
    workout.log_set("Dips", "BW", "10")  # added by the lifter: in no superset
    workout.complete()
    # The same form as an imported superset: a number per group of the workout, from 0
    # (A) in the routine's order; the warm-up belongs to its exercise's group.
    assert groups_of(workout) == [
        ("Barbell Curl", "warmup", 0),
        ("Bench Press", "working", None),
        ("Barbell Curl", "working", 0),
        ("Triceps Pushdown", "working", 0),
        ("Plank", "working", 1),
        ("Side Plank", "working", 1),
        ("Dips", "working", None),
    ]


def test_a_starter_routines_superset_groups_the_lifters_own_exercises(alice, lower1):
    lower1.exercises.filter(exercise__name="Leg Press").update(superset_with_previous=True)
    workout = Workout.start(alice, lower1)
    workout.log_set("Back Squat", "200", "5")
    workout.log_set("romanian deadlift", "200", "8")  # sets and routine meet by key
    workout.log_set("Leg Press", "300", "10")
    workout.complete()
    assert [group for _, _, group in groups_of(workout)] == [None, 0, 0]


def test_a_workout_without_a_superset_records_no_group(alice, arms):
    arms.exercises.update(superset_with_previous=False)
    workout = Workout.start(alice, arms)
    workout.log_set("Barbell Curl", "20", "10")
    workout.complete()
    assert groups_of(workout) == [("Barbell Curl", "working", None)]


def test_hevy_groups_are_lettered_in_the_order_the_workout_shows_them(tmp_path, alice):
    """Hevy numbers a workout's supersets its own way (the first one shown is "2" in this
    lifter's file): stored in the order they come, the first is A everywhere."""
    run_import(write_file(tmp_path, fixture_bytes("real/hevy-lbs-miles.csv")), "alice")
    workout = Workout.objects.get(owner=alice, routine_name="Compound Upper")
    firsts = {}
    for name, _, group in groups_of(workout):
        firsts.setdefault(name, group)
    assert firsts == {
        "Lateral Raise (Cable)": 0,
        "Face Pull": 0,
        "Bench Press (Dumbbell)": 1,
        "Dumbbell Row": 1,
        "Pull Up (Assisted)": 2,
        "Chest Dip (Assisted)": 2,
        "Butterfly (Pec Deck)": None,
    }
