"""The exercise library: a few hundred common exercises with their kinds, suggested after
the lifter's own names, and matched whatever the case and spacing."""

import html
import re
from importlib import import_module

import pytest
from django.urls import reverse

from sessions_app.models import (
    Exercise,
    ExerciseKind,
    Routine,
    RoutineExercise,
    exercise_key,
    give_starter_routines,
)
from tests.helpers import HTMX

library_migration = import_module("sessions_app.migrations.0016_exercise_library")


def suggested(page):
    """The names of the page's exercise-name list (not the options of its other lists,
    such as a routine exercise's progression)."""
    if match := re.search(r'<datalist id="exercise-names">(.*?)</datalist>', page, re.DOTALL):
        page = match.group(1)
    return [html.unescape(name) for name in re.findall(r'<option value="([^"]+)"', page)]


def test_the_library_holds_a_few_hundred_exercises_of_every_kind(db):
    library = Exercise.objects.filter(owner=None)
    kinds = dict(library.values_list("name", "kind"))
    assert len(kinds) >= 300
    by_kind = {kind: sum(1 for k in kinds.values() if k == kind) for kind in ExerciseKind.values}
    for kind in ("barbell", "dumbbell", "machine", "bodyweight", "timed", "cardio"):
        assert by_kind[kind] >= 15, (kind, by_kind)
    assert kinds["Lat Pulldown"] == "machine" and kinds["Hip Thrust"] == "barbell"
    assert kinds["Dips"] == "bodyweight" and kinds["Plank"] == "timed"
    assert kinds["Assisted Pull-up"] == "assisted" and kinds["Rowing Machine"] == "cardio"
    # One entry per name, whatever its case and spacing.
    assert len({exercise_key(name) for name in kinds}) == len(kinds)


def test_suggestions_are_the_lifters_own_names_then_the_librarys(
    alice_client, alice, alice_workout
):
    give_starter_routines(alice)
    alice_workout.log_set("Grandpa's Curl", "20", "10")
    alice_workout.log_set("bench  PRESS", "60", "5")  # the library's, in its spelling
    routine = Routine.objects.get(owner=alice, slug="lower1")
    for page in (
        alice_client.get(reverse("exercise_names"), headers=HTMX).content.decode(),
        alice_client.get(routine.get_absolute_url()).content.decode(),
    ):
        names = suggested(page)
        own = set(Exercise.objects.filter(owner=alice).values_list("name", flat=True))
        assert set(names[: len(own)]) == own and "Grandpa's Curl" in own
        library = names[len(own) :]
        assert len(library) >= 250 and "Zercher Squat" in library and "Face Pull" in library
        keys = [exercise_key(name) for name in names]
        assert len(keys) == len(set(keys))  # "Bench Press" once, as hers


def test_a_library_name_in_any_case_and_spacing_takes_the_librarys_spelling_and_kind(
    alice_client, alice, alice_workout
):
    give_starter_routines(alice)
    routine = Routine.objects.get(owner=alice, slug="lower1")
    data = {"add": "exercise", "new-name": "  lat   PULLDOWN ", "new-target_sets": "3"}
    data |= {"new-target_reps": "10", "exercises-TOTAL_FORMS": "0"}
    data |= {"exercises-INITIAL_FORMS": "0", "name": routine.name, "rest_seconds": "120"}
    response = alice_client.post(routine.get_absolute_url(), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = routine.exercises.select_related("exercise").last().exercise
    assert (added.owner, added.name, added.kind) == (alice, "Lat Pulldown", "machine")

    page = alice_client.get(alice_workout.get_absolute_url() + "?add=push-UP").content.decode()
    assert ">Push-up</h2>" in page
    card = page[page.rindex("<details", 0, page.index(">Push-up</h2>")) :]
    assert 'data-needs-weight=""' in card[: card.index(">")]  # bodyweight: reps alone do
    workout_set, _ = alice_workout.log_set("PUSH-up", "", "12")
    assert (workout_set.exercise_name, Exercise.objects.get(owner=alice, key="push-up").kind) == (
        "Push-up",
        "bodyweight",
    )


@pytest.mark.django_db(transaction=True)
def test_going_back_removes_only_the_library_no_routine_uses():
    from django.apps import apps

    library_migration.add_library(apps, None)
    in_use = Exercise.objects.get(owner=None, key="zercher squat")
    Routine.objects.create(slug="legs", name="Legs").exercises.create(exercise=in_use)
    library_migration.remove_library(apps, None)
    used = set(RoutineExercise.objects.values_list("exercise__name", flat=True))
    assert set(Exercise.objects.filter(owner=None).values_list("name", flat=True)) == used
    assert "Zercher Squat" in used
