"""The migration to exercises: each lifter's spellings become one exercise, named as they
spelled it most; sets and routine rows point to it; sets spelled otherwise take its name
and their workouts go to the sheet again; records are computed per exercise. And back."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from tests.migration_helpers import migrate, migrated_back_from

BEFORE = [("sessions_app", "0012_routines"), ("sync_app", "0002_two_way_sheet")]
AFTER = [("sessions_app", "0013_exercises")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_exercises():
    yield from migrated_back_from(BEFORE)


def history(apps):
    """Alice spelled her bench press four ways, an accented exercise two ways (composed
    and decomposed); Bob has his own bench press; Alice's routine says " bench press"."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Session = apps.get_model("sessions_app", "Session")
    Set = apps.get_model("sessions_app", "Set")
    WorkoutTemplate = apps.get_model("sessions_app", "WorkoutTemplate")
    TemplateExercise = apps.get_model("sessions_app", "TemplateExercise")
    WorkoutTemplate.objects.all().delete()
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    routine = WorkoutTemplate.objects.create(owner=alice, name="Push", slug="push")
    TemplateExercise.objects.create(template=routine, name=" bench press", position=1)
    starter = WorkoutTemplate.objects.create(name="Upper 1", slug="upper1")
    TemplateExercise.objects.create(template=starter, name="Bench Press", position=1)
    spellings = [
        (alice, 1, ["Bench press", "Bench press", "Écarté Couché"]),
        (alice, 2, ["Bench press", "bench press ", "E\u0301carte\u0301 couche\u0301"]),
        (alice, 3, ["BENCH  PRESS"]),
        (bob, 1, ["Bench Press"]),
    ]
    for owner, day, names in spellings:
        session = Session.objects.create(
            id=f"{owner.username}-{day}",
            owner=owner,
            template="push",
            date=datetime.date(2025, 9, day),
            status="completed",
            completed_at=datetime.datetime(2025, 9, day, 19, tzinfo=datetime.UTC),
            synced_to_sheets=True,
        )
        for number, name in enumerate(names, start=1):
            Set.objects.create(
                session=session,
                exercise=name,
                set_number=number,
                weight=str(100 + day),
                reps="5",
                weight_value=Decimal(100 + day),
                reps_value=5,
                estimated_1rm=Decimal(100 + day) * Decimal("7") / 6,
            )
    return alice, bob


def test_each_lifters_spellings_become_one_exercise(before_exercises):
    alice, bob = history(before_exercises)

    apps = migrate(AFTER)
    Exercise = apps.get_model("sessions_app", "Exercise")
    Set = apps.get_model("sessions_app", "Set")
    Workout = apps.get_model("sessions_app", "Workout")
    RoutineExercise = apps.get_model("sessions_app", "RoutineExercise")
    ExerciseRecord = apps.get_model("sessions_app", "ExerciseRecord")
    alices = {e.key: e for e in Exercise.objects.filter(owner_id=alice.pk)}
    assert {key: e.name for key, e in alices.items()} == {
        "bench press": "Bench press",  # the most used spelling
        "écarté couché": "Écarté couché",  # as often as the other: the latest, composed
    }
    assert alices["bench press"].kind == "barbell"
    bobs = Exercise.objects.get(owner_id=bob.pk)
    assert (bobs.name, bobs.key) == ("Bench Press", "bench press")
    library = Exercise.objects.get(owner=None)
    assert (library.name, library.kind) == ("Bench Press", "barbell")
    bench = alices["bench press"]
    assert set(Set.objects.filter(exercise=bench).values_list("exercise_name", flat=True)) == {
        "Bench press"
    }
    assert Set.objects.filter(exercise=bench).count() == 5
    assert Set.objects.filter(exercise=alices["écarté couché"]).count() == 2
    assert not Set.objects.filter(exercise=None).exists()
    # Workouts whose rows said another spelling are written to the sheet again.
    synced = dict(Workout.objects.values_list("pk", "synced_to_sheets"))
    assert synced == {"alice-1": False, "alice-2": False, "alice-3": False, "bob-1": True}
    routine_rows = RoutineExercise.objects.values_list("routine__owner_id", "exercise_id")
    assert set(routine_rows) == {(alice.pk, bench.pk), (None, library.pk)}
    records = {r.exercise_id: r for r in ExerciseRecord.objects.all()}
    assert records[bench.pk].workout_count == 3
    assert records[alices["écarté couché"].pk].workout_count == 2
    assert records[bobs.pk].workout_count == 1

    # And back: routine rows have their names again, records are per name again.
    apps = migrate(BEFORE)
    TemplateExercise = apps.get_model("sessions_app", "TemplateExercise")
    ExerciseRecord = apps.get_model("sessions_app", "ExerciseRecord")
    assert set(TemplateExercise.objects.values_list("name", flat=True)) == {
        "Bench press",
        "Bench Press",
    }
    assert ExerciseRecord.objects.filter(owner_id=alice.pk, name_key="bench press").exists()
