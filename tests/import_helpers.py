"""Export files to import, and reading back what an import stored."""

import io
from pathlib import Path

from django.core.management import call_command

from sessions_app.importers import open_export
from sessions_app.models import Set

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
# The first line of a Strong export (as in fixtures/imports/strong.csv), newline included.
STRONG_HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n"
)


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


def write_file(tmp_path, content, name="export.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def read_export(content, owner_id=1, format="auto", unit="kg"):
    """Every record the importer makes of the file's bytes."""
    return list(open_export(io.BytesIO(content), owner_id, format, unit))


def run_import(path, user="alice", *args):
    """The command's output (stdout) for this file."""
    out = io.StringIO()
    call_command("import_workouts", str(path), "--user", user, *args, stdout=out)
    return out.getvalue()


def stored_sets(owner):
    """(date, title, exercise, number, type, weight, reps, unit, rpe, notes) of each set."""
    sets = (
        Set.objects.filter(workout__owner=owner)
        .select_related("workout")
        .order_by("workout__date", "workout_id", "pk")
    )
    return [
        (
            s.workout.date.isoformat(),
            s.workout.routine_slug,
            s.exercise_name,
            s.set_number,
            s.set_type,
            s.weight,
            s.reps,
            s.unit,
            None if s.rpe is None else f"{s.rpe.normalize():f}",
            s.notes,
        )
        for s in sets
    ]


def work_on_imports():
    """What the worker does with what the Import page handed it: read the files waiting,
    import the batches confirmed (the task functions, run here in turn)."""
    from sessions_app import tasks
    from sessions_app.models import ImportBatch

    done = []
    for batch_id in ImportBatch.objects.filter(status="waiting").values_list("pk", flat=True):
        done.append(tasks.read_upload(batch_id))
    for batch_id in ImportBatch.objects.filter(status="importing").values_list("pk", flat=True):
        done.append(tasks.import_upload(batch_id))
    return done
