"""The migration to routines: each lifter gets a copy of the starters, and their past
workouts point at it (found by the slug they kept), title and targets included."""

import datetime

import pytest
from django.conf import settings

from tests.migration_helpers import migrate, migrated_back_from

BEFORE = [("sessions_app", "0011_import_batch")]
AFTER = [("sessions_app", "0012_routines")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_routines():
    yield from migrated_back_from(BEFORE)


def test_past_workouts_point_at_their_lifters_copy_of_the_template(before_routines):
    apps = before_routines
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    WorkoutTemplate = apps.get_model("sessions_app", "WorkoutTemplate")
    TemplateExercise = apps.get_model("sessions_app", "TemplateExercise")
    Session = apps.get_model("sessions_app", "Session")
    WorkoutTemplate.objects.all().delete()
    lower = WorkoutTemplate.objects.create(name="Lower 1", slug="lower1", rest_seconds=150)
    for position, (name, sets) in enumerate([("Back Squat", 4), ("Leg Press", 3)]):
        TemplateExercise.objects.create(
            template=lower, name=name, position=position, target_sets=sets, target_reps="5"
        )
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    day = datetime.date(2025, 9, 21)
    for session_id, owner, template in [
        ("2025-09-21_lower1", alice, "lower1"),
        ("2025-09-21_lower1-2", bob, "lower1"),
        ("2025-09-21_imported", alice, "imported"),
    ]:
        Session.objects.create(
            id=session_id, owner=owner, template=template, date=day, status="completed"
        )

    apps = migrate(AFTER)
    WorkoutTemplate = apps.get_model("sessions_app", "WorkoutTemplate")
    Session = apps.get_model("sessions_app", "Session")
    LifterProfile = apps.get_model("sessions_app", "LifterProfile")
    alices = WorkoutTemplate.objects.get(owner_id=alice.pk, slug="lower1")
    bobs = WorkoutTemplate.objects.get(owner_id=bob.pk, slug="lower1")
    assert (alices.name, alices.rest_seconds) == ("Lower 1", 150)
    assert list(alices.exercises.order_by("position").values_list("position", "name")) == [
        (1, "Back Squat"),
        (2, "Leg Press"),
    ]
    sessions = {s.pk: (s.routine_id, s.name, s.template) for s in Session.objects.order_by("pk")}
    assert sessions == {
        "2025-09-21_lower1": (alices.pk, "Lower 1", "lower1"),
        "2025-09-21_lower1-2": (bobs.pk, "Lower 1", "lower1"),
        "2025-09-21_imported": (None, "", "imported"),
    }
    assert WorkoutTemplate.objects.filter(owner=None).count() == 1  # the starter stays
    assert set(LifterProfile.objects.values_list("user_id", "starter_routines_given")) == {
        (alice.pk, True),
        (bob.pk, True),
    }
