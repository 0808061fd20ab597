"""Each exercise's workouts keep their most and total reps: the chart of an exercise
done without a load (dips, push-ups) draws its reps, and a timed one its longest time.

Reps typed as a clock or in minutes ("1:30", "2 min") now read as seconds (they read as
1 and 2): those sets are read again, and the records computed again if any changed."""

from importlib import import_module

from django.db import migrations, models
from django.db.models import Max, Q, Sum

from sessions_app.numbers import parse_duration, parse_reps

CHUNK = 5000
TIMES = Q(reps__contains=":") | Q(reps__iregex=r"^\s*[0-9]+\s*(m|mins?|minutes?)\s*$")


def read_times_again(apps, schema_editor):
    Set = apps.get_model("sessions_app", "Set")
    changed = []
    for workout_set in Set.objects.filter(TIMES).only("pk", "reps", "reps_value").iterator(CHUNK):
        seconds = parse_duration(workout_set.reps)
        if seconds is not None and workout_set.reps_value != parse_reps(workout_set.reps):
            workout_set.reps_value, workout_set.estimated_1rm = seconds, None
            changed.append(workout_set)
    Set.objects.bulk_update(changed, ["reps_value", "estimated_1rm"], batch_size=1000)
    if changed:
        exercises = import_module("sessions_app.migrations.0013_exercises")
        exercises.compute_records(apps, schema_editor, group_by="exercise_id")


def fill_reps(apps, schema_editor):
    """From the completed working sets, one grouped query; the rows written in batches."""
    Set = apps.get_model("sessions_app", "Set")
    ExerciseWorkout = apps.get_model("sessions_app", "ExerciseWorkout")
    done = (
        Set.objects.filter(workout__status="completed")
        .exclude(set_type="warmup")
        .values("exercise_id", "workout_id")
        .annotate(most=Max("reps_value"), total=Sum("reps_value"))
        .order_by()
    )
    reps = {(row["exercise_id"], row["workout_id"]): row for row in done.iterator(CHUNK)}
    changed = []
    rows = ExerciseWorkout.objects.values_list("pk", "record__exercise_id", "workout_id")
    for pk, exercise_id, workout_id in rows.iterator(CHUNK):
        if row := reps.get((exercise_id, workout_id)):
            changed.append(ExerciseWorkout(pk=pk, most_reps=row["most"], total_reps=row["total"]))
    ExerciseWorkout.objects.bulk_update(changed, ["most_reps", "total_reps"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0014_sync_state_moves_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="exerciseworkout",
            name="most_reps",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="exerciseworkout",
            name="total_reps",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.RunPython(read_times_again, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(fill_reps, migrations.RunPython.noop, elidable=True),
    ]
