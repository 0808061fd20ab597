"""An exercise becomes a thing: one Exercise per lifter and key, and every set and
routine exercise points to one. Python names say what users see (Workout, Routine,
RoutineExercise); tables and columns stay as they were.

The data step makes each lifter's exercises from their sets and routines (the spelling
they used most is the name; sets spelled otherwise take it, and their completed
workouts are marked for the sheet to rewrite those rows), the library from the
starter routines, and computes the records again, now kept per exercise.

Reversible: going back gives routine exercises their names again and computes the
records per name, as before (the sets keep the one spelling they were given).
"""

from collections import Counter, defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, Count, DecimalField, F, Max, Value, When
from django.db.models.functions import Lower, Trim

from sessions_app.models.exercises import display_name, exercise_key, guessed_kind

IDS_PER_UPDATE = 900
LB_PER_KG = "2.20462"


def in_pounds(column):
    return Case(
        When(unit="kg", then=F(column) * Value(LB_PER_KG)),
        default=F(column),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def make_exercises(apps, schema_editor):
    Exercise = apps.get_model("sessions_app", "Exercise")
    Set = apps.get_model("sessions_app", "Set")
    Workout = apps.get_model("sessions_app", "Workout")
    RoutineExercise = apps.get_model("sessions_app", "RoutineExercise")

    # Every spelling each lifter used, with how often and how lately.
    used = defaultdict(Counter)
    latest = {}
    spellings = (
        Set.objects.values_list("workout__owner_id", "exercise_name")
        .annotate(count=Count("id"), last=Max("created_at"))
        .order_by()
    )
    for owner_id, spelling, count, last in spellings:
        key = (owner_id, exercise_key(spelling))
        used[key][spelling] += count
        latest[owner_id, spelling] = last
    routine_rows = list(
        RoutineExercise.objects.values_list("pk", "routine__owner_id", "name").order_by()
    )
    for _, owner_id, name in routine_rows:
        used[owner_id, exercise_key(name)][name] += 0
    names = {}
    for (owner_id, key), counts in used.items():
        if not key:
            continue
        # The most used spelling, then the latest.
        best = max(counts, key=lambda s: (counts[s], latest.get((owner_id, s)) or 0, s))
        names[owner_id, key] = display_name(best)
    Exercise.objects.bulk_create(
        Exercise(owner_id=owner_id, name=name, key=key, kind=guessed_kind(name))
        for (owner_id, key), name in names.items()
    )
    exercise_of = {
        (owner_id, key): pk
        for pk, owner_id, key in Exercise.objects.values_list("pk", "owner_id", "key")
    }

    # Each set to its exercise; sets spelled otherwise take its name.
    ids_of = defaultdict(list)
    respelled, respelled_workouts = defaultdict(list), set()
    rows = Set.objects.values_list("pk", "workout_id", "workout__owner_id", "exercise_name")
    for pk, workout_id, owner_id, spelling in rows.order_by().iterator(chunk_size=5000):
        key = (owner_id, exercise_key(spelling))
        exercise_id = exercise_of.get(key)
        if exercise_id is None:  # an empty name: kept under its own text
            exercise_id = exercise_of.setdefault(
                key, Exercise.objects.create(owner_id=owner_id, name=spelling or "?", key=key[1]).pk
            )
        ids_of[exercise_id].append(pk)
        if spelling != names.get(key, spelling):
            respelled[exercise_id].append(pk)
            respelled_workouts.add(workout_id)
    for exercise_id, ids in ids_of.items():
        for start in range(0, len(ids), IDS_PER_UPDATE):
            batch = ids[start : start + IDS_PER_UPDATE]
            Set.objects.filter(pk__in=batch).update(exercise_id=exercise_id)
    name_of = dict(Exercise.objects.values_list("pk", "name"))
    for exercise_id, ids in respelled.items():
        for start in range(0, len(ids), IDS_PER_UPDATE):
            batch = ids[start : start + IDS_PER_UPDATE]
            Set.objects.filter(pk__in=batch).update(exercise_name=name_of[exercise_id])
    respelled_workouts = list(respelled_workouts)
    for start in range(0, len(respelled_workouts), IDS_PER_UPDATE):
        batch = respelled_workouts[start : start + IDS_PER_UPDATE]
        Workout.objects.filter(pk__in=batch, status="completed").update(
            synced_to_sheets=False, revision=F("revision") + 1
        )

    for pk, owner_id, name in routine_rows:
        RoutineExercise.objects.filter(pk=pk).update(
            exercise_id=exercise_of[owner_id, exercise_key(name)]
        )
    compute_records(apps, group_by="exercise_id")


def name_routine_rows(apps, schema_editor):
    RoutineExercise = apps.get_model("sessions_app", "RoutineExercise")
    for row in RoutineExercise.objects.select_related("exercise"):
        row.name = row.exercise.name
        row.save(update_fields=["name"])


def records_per_name(apps, schema_editor):
    compute_records(apps, group_by="name_key")


def compute_records(apps, group_by):
    """Every lifter's records from their completed working sets: per exercise (forwards)
    or per name lowered and trimmed (backwards, as before this migration)."""
    Set = apps.get_model("sessions_app", "Set")
    ExerciseRecord = apps.get_model("sessions_app", "ExerciseRecord")
    ExerciseWorkout = apps.get_model("sessions_app", "ExerciseWorkout")
    ExerciseRecord.objects.all().delete()
    group = F("exercise_id") if group_by == "exercise_id" else Lower(Trim("exercise_name"))
    rows = (
        Set.objects.filter(workout__status="completed")
        .exclude(set_type="warmup")
        .values("workout__owner_id", "workout_id", "workout__date", "workout__completed_at")
        .annotate(
            group=group,
            best=Max(in_pounds("estimated_1rm")),
            heaviest=Max(
                Case(When(weight_value__gte=0, then=in_pounds("weight_value"))),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            most_reps=Max("reps_value"),
            spelling=Max("exercise_name"),
        )
        .order_by(
            "workout__owner_id", "group", "workout__date", "workout__completed_at", "workout_id"
        )
    )
    by_group = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        by_group[row["workout__owner_id"], row["group"]].append(row)
    records, workouts = [], []
    for (owner_id, key), done in by_group.items():
        bests = [row["best"] for row in done if row["best"] is not None]
        heaviest = [row["heaviest"] for row in done if row["heaviest"] is not None]
        reps = [row["most_reps"] for row in done if row["most_reps"] is not None]
        record = ExerciseRecord(
            owner_id=owner_id,
            best_1rm_lb=max(bests, default=None),
            heaviest_lb=max(heaviest, default=None),
            most_reps=max(reps, default=None),
            workout_count=len(done),
            last_done=max(row["workout__date"] for row in done),
        )
        if group_by == "exercise_id":
            record.exercise_id = key
        else:
            record.name_key, record.exercise = key, done[-1]["spelling"].strip()
        records.append(record)
        best_so_far, rows_of_record = None, []
        for row in done:
            is_record = row["best"] is not None and (
                best_so_far is None or row["best"] > best_so_far
            )
            best_so_far = row["best"] if is_record else best_so_far
            rows_of_record.append(
                ExerciseWorkout(
                    workout_id=row["workout_id"],
                    date=row["workout__date"],
                    completed_at=row["workout__completed_at"],
                    best_1rm_lb=row["best"],
                    heaviest_lb=row["heaviest"],
                    is_record=is_record,
                )
            )
        workouts.append(rows_of_record)
    ExerciseRecord.objects.bulk_create(records, batch_size=500)
    for record, rows_of_record in zip(records, workouts, strict=True):
        for row in rows_of_record:
            row.record_id = record.pk
    ExerciseWorkout.objects.bulk_create(
        [row for rows_of_record in workouts for row in rows_of_record], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0012_routines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Indexes and constraints that name the old fields; new ones come at the end.
        migrations.RemoveIndex(model_name="set", name="set_exercise_name_session"),
        migrations.RemoveIndex(model_name="set", name="set_next_number"),
        migrations.RemoveConstraint(model_name="exerciserecord", name="one_record_per_exercise"),
        # Names that say what users see; every table and column stays.
        migrations.AlterModelTable(name="workouttemplate", table="sessions_app_workouttemplate"),
        migrations.AlterModelTable(name="templateexercise", table="sessions_app_templateexercise"),
        migrations.RenameModel(old_name="Session", new_name="Workout"),
        migrations.RenameModel(old_name="WorkoutTemplate", new_name="Routine"),
        migrations.RenameModel(old_name="TemplateExercise", new_name="RoutineExercise"),
        migrations.AlterModelOptions(name="routine", options={"ordering": ["position", "name"]}),
        migrations.AlterField(
            model_name="set",
            name="session",
            field=models.ForeignKey(
                db_column="session_id",
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sets",
                to="sessions_app.workout",
            ),
        ),
        migrations.RenameField(model_name="set", old_name="session", new_name="workout"),
        migrations.AlterField(
            model_name="set",
            name="exercise",
            field=models.CharField(
                db_column="exercise", editable=False, max_length=100, verbose_name="exercise name"
            ),
        ),
        migrations.RenameField(model_name="set", old_name="exercise", new_name="exercise_name"),
        migrations.AlterField(
            model_name="routineexercise",
            name="template",
            field=models.ForeignKey(
                db_column="template_id",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="exercises",
                to="sessions_app.routine",
            ),
        ),
        migrations.RenameField(
            model_name="routineexercise", old_name="template", new_name="routine"
        ),
        migrations.AlterField(
            model_name="workout",
            name="template",
            field=models.CharField(
                db_column="template",
                help_text="The routine's slug at the start (the sheet's template column).",
                max_length=40,
                verbose_name="routine slug",
            ),
        ),
        migrations.RenameField(model_name="workout", old_name="template", new_name="routine_slug"),
        migrations.AlterField(
            model_name="workout",
            name="name",
            field=models.CharField(
                blank=True,
                db_column="name",
                help_text="The routine's name when the workout started: its title once the routine is deleted.",
                max_length=100,
                verbose_name="routine name",
            ),
        ),
        migrations.RenameField(model_name="workout", old_name="name", new_name="routine_name"),
        migrations.AlterField(
            model_name="workout",
            name="routine",
            field=models.ForeignKey(
                blank=True,
                help_text="What the workout was started from; empty for an empty workout.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="workouts",
                to="sessions_app.routine",
            ),
        ),
        migrations.AlterField(
            model_name="workout",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="workouts",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="exerciseworkout",
            name="session",
            field=models.ForeignKey(
                db_column="session_id",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sessions_app.workout",
            ),
        ),
        migrations.RenameField(
            model_name="exerciseworkout", old_name="session", new_name="workout"
        ),
        migrations.AlterField(
            model_name="exerciserecord",
            name="sessions",
            field=models.PositiveIntegerField(db_column="sessions", default=0),
        ),
        migrations.RenameField(
            model_name="exerciserecord", old_name="sessions", new_name="workout_count"
        ),
        # The exercise.
        migrations.CreateModel(
            name="Exercise",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                ("key", models.CharField(editable=False, max_length=300)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("barbell", "barbell"),
                            ("dumbbell", "dumbbell"),
                            ("machine", "machine or cable"),
                            ("bodyweight", "bodyweight"),
                            ("assisted", "assisted bodyweight"),
                            ("timed", "timed"),
                            ("cardio", "cardio"),
                            ("other", "other"),
                        ],
                        default="other",
                        max_length=12,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for the library the starter routines use.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exercises",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["key"]},
        ),
        migrations.AddConstraint(
            model_name="exercise",
            constraint=models.UniqueConstraint(
                fields=("owner", "key"), name="one_exercise_per_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="exercise",
            constraint=models.UniqueConstraint(
                condition=models.Q(("owner", None)),
                fields=("key",),
                name="one_library_exercise_per_key",
            ),
        ),
        migrations.AddField(
            model_name="set",
            name="exercise",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="sets",
                to="sessions_app.exercise",
            ),
        ),
        migrations.AddField(
            model_name="routineexercise",
            name="exercise",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="routine_exercises",
                to="sessions_app.exercise",
            ),
        ),
        # Records are computed again per exercise (make_exercises): the name columns go.
        # Going back, they are computed per name once those columns are back.
        migrations.RunPython(migrations.RunPython.noop, records_per_name),
        migrations.AlterField(
            model_name="exerciserecord",
            name="name_key",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AlterField(
            model_name="exerciserecord",
            name="exercise",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.RemoveField(model_name="exerciserecord", name="name_key"),
        migrations.RemoveField(model_name="exerciserecord", name="exercise"),
        migrations.AddField(
            model_name="exerciserecord",
            name="exercise",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="record",
                to="sessions_app.exercise",
            ),
        ),
        migrations.AlterField(
            model_name="routineexercise",
            name="name",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.RunPython(make_exercises, name_routine_rows),
        migrations.RemoveField(model_name="routineexercise", name="name"),
        migrations.AlterField(
            model_name="set",
            name="exercise",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="sets",
                to="sessions_app.exercise",
            ),
        ),
        migrations.AlterField(
            model_name="routineexercise",
            name="exercise",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="routine_exercises",
                to="sessions_app.exercise",
            ),
        ),
        migrations.AlterField(
            model_name="exerciserecord",
            name="exercise",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="record",
                to="sessions_app.exercise",
            ),
        ),
        migrations.AddIndex(
            model_name="set",
            index=models.Index(fields=["exercise", "workout"], name="set_exercise_workout"),
        ),
        migrations.AddIndex(
            model_name="set",
            index=models.Index(
                fields=["workout", "exercise", "set_number"], name="set_next_number"
            ),
        ),
    ]
