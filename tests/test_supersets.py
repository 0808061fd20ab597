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
