"""Starting workouts: the id's format, collisions, one workout in progress per lifter."""

import datetime
import re

import pytest

from sessions_app.models import ActiveWorkoutExists, LifterProfile, Workout, WorkoutClosed
from tests.helpers import own_id

DAY = datetime.date(2025, 9, 21)


def test_session_id_is_date_template_slug_and_the_lifters_tag(alice, lower1):
    session = Workout.start(alice, lower1, DAY)
    assert re.fullmatch(r"2025-09-21_lower1\.[a-z2-9]{4}", session.pk)
    assert session.pk == own_id(alice, "2025-09-21_lower1")
    assert session.status == "active"
    assert session.synced_to_sheets is False
    assert session.routine_slug == "lower1"


def test_redoing_a_template_the_same_day_gets_a_suffix(alice, lower1):
    first = Workout.start(alice, lower1, DAY)
    first.complete()
    second = Workout.start(alice, lower1, DAY)
    second.cancel()
    third = Workout.start(alice, lower1, DAY)
    base = own_id(alice, "2025-09-21_lower1")
    assert [first.pk, second.pk, third.pk] == [base, f"{base}-2", f"{base}-3"]


def test_an_id_never_depends_on_another_lifters_workouts(alice, bob, lower1):
    """A routine named like another lifter's, started the same day, used to get "-2"."""
    bobs_alone = own_id(bob, "2025-09-21_lower1")
    Workout.objects.all().delete()
    Workout.start(alice, lower1, DAY).complete()
    Workout.start(alice, lower1, DAY)
    assert Workout.start(bob, lower1, DAY).pk == bobs_alone


def test_each_lifter_has_a_tag_of_their_own(django_user_model):
    lifters = [django_user_model.objects.create_user(f"lifter{n}") for n in range(30)]
    tags = {LifterProfile.id_tag_of(lifter.pk) for lifter in lifters}
    assert len(tags) == 30
    assert LifterProfile.id_tag_of(lifters[0].pk) == LifterProfile.id_tag_of(lifters[0].pk)


def test_ids_made_before_keep_their_address(alice, alice_client, lower1):
    Workout.objects.create(id="2025-09-21_lower1-2", owner=alice, routine_slug="lower1", date=DAY)
    assert alice_client.get("/workouts/2025-09-21_lower1-2/").status_code == 200


def test_starting_a_second_workout_is_refused_and_names_the_active_one(alice, lower1, upper1):
    active = Workout.start(alice, lower1, DAY)
    with pytest.raises(ActiveWorkoutExists) as refused:
        Workout.start(alice, upper1, DAY)
    assert refused.value.workout == active
    assert Workout.objects.filter(owner=alice).count() == 1


def test_the_database_refuses_two_active_workouts_for_one_lifter(alice, lower1):
    from django.db import IntegrityError, transaction

    Workout.start(alice, lower1, DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Workout.objects.create(id="other", owner=alice, routine_slug="lower1", date=DAY)


def test_another_lifters_active_workout_does_not_block_starting(alice, bob, lower1):
    Workout.start(bob, lower1, DAY)
    assert Workout.start(alice, lower1, DAY).owner == alice


def test_completing_records_the_time_and_closes_the_workout(alice_workout):
    alice_workout.complete()
    alice_workout.refresh_from_db()
    assert alice_workout.status == "completed"
    assert alice_workout.completed_at is not None
    with pytest.raises(WorkoutClosed):
        alice_workout.log_set("Back Squat", "225", "5")
    with pytest.raises(WorkoutClosed):
        alice_workout.cancel()


def test_next_set_number_counts_per_exercise(alice_workout):
    alice_workout.log_set("Back Squat", "225", "5")
    alice_workout.log_set("Back Squat", "225", "5")
    squat3, _ = alice_workout.log_set("Back Squat", "225", "5")
    press1, _ = alice_workout.log_set("Leg Press", "300", "10")
    assert (squat3.set_number, press1.set_number) == (3, 1)


def test_logging_a_set_twice_with_same_key_stores_one_row(alice_workout):
    first, created = alice_workout.log_set(
        "Back Squat", "225", "5", key="6f1c2d4e-0000-4000-8000-000000000001"
    )
    again, created_again = alice_workout.log_set(
        "Back Squat", "999", "1", key="6f1c2d4e-0000-4000-8000-000000000001"
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.weight == "225"
    assert alice_workout.sets.count() == 1
