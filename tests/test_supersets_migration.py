"""The migration that letters imported supersets in the order their workout shows them:
Hevy's own numbers (a lifter's file shows "2" first) become 0 (A), 1 (B)… per workout,
and those workouts go to the sheet again, which now carries "(superset A)"."""

import datetime

import pytest
from django.conf import settings

from tests.migration_helpers import migrate, migrated_back_from

BEFORE = [("sessions_app", "0020_plates_and_bodyweight")]
AFTER = [("sessions_app", "0021_superset_groups_in_order_shown")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_renumbering():
    yield from migrated_back_from(BEFORE)


def test_imported_groups_are_numbered_in_the_order_shown_and_go_to_the_sheet_again(
    before_renumbering,
):
    apps = before_renumbering
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Workout = apps.get_model("sessions_app", "Workout")
    Set = apps.get_model("sessions_app", "Set")
    Exercise = apps.get_model("sessions_app", "Exercise")
    alice = User.objects.create(username="alice")
    start = datetime.datetime(2025, 7, 9, 6, 42, tzinfo=datetime.UTC)

    def workout(pk, groups, status="completed"):
        session = Workout.objects.create(
            id=pk,
            owner=alice,
            routine_slug="upper",
            date=start.date(),
            status=status,
            synced_to_sheets=True,
            revision=3,
        )
        for number, group in enumerate(groups):
            exercise, _ = Exercise.objects.get_or_create(
                owner=alice, key=f"exercise {number}", defaults={"name": f"Exercise {number}"}
            )
            Set.objects.create(
                workout=session,
                exercise=exercise,
                exercise_name=exercise.name,
                set_number=1,
                created_at=start + datetime.timedelta(minutes=number),
                superset_group=group,
            )
        return session

    workout("upper", [2, 2, 1, 1, 0, 0, None])
    workout("morning", [1, 1, 0, None, 0])
    workout("plain", [None, None])
    workout("in order", [0, 0, 1, 1])

    apps = migrate(AFTER)
    Workout = apps.get_model("sessions_app", "Workout")
    Set = apps.get_model("sessions_app", "Set")

    def groups(pk):
        return list(
            Set.objects.filter(workout_id=pk)
            .order_by("created_at", "pk")
            .values_list("superset_group", flat=True)
        )

    assert groups("upper") == [0, 0, 1, 1, 2, 2, None]
    assert groups("morning") == [0, 0, 1, None, 1]
    assert groups("plain") == [None, None]
    assert groups("in order") == [0, 0, 1, 1]
    sync = dict(Workout.objects.values_list("pk", "synced_to_sheets"))
    revisions = dict(Workout.objects.values_list("pk", "revision"))
    # Rows of grouped sets were written without their mark: the sheet must follow.
    assert sync == {"upper": False, "morning": False, "plain": True, "in order": False}
    assert revisions == {"upper": 4, "morning": 4, "plain": 3, "in order": 4}
