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
from sessions_app.models.records import record_fields, record_flags, workout_fields

IDS_PER_UPDATE = 900
LB_PER_KG = "2.20462"


def in_pounds(column):
    return Case(
        When(unit="kg", then=F(column) * Value(LB_PER_KG)),
        default=F(column),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def checked_at_once(data_step):
    """On PostgreSQL, foreign keys checked as each row is written rather than at the end:
    a table whose rows wait for their checks cannot be altered in the same transaction,
    and this migration alters the tables it fills."""

    def step(apps, schema_editor):
        postgresql = schema_editor.connection.vendor == "postgresql"
        if postgresql:
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        data_step(apps, schema_editor)
        if postgresql:
            schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")

    return step


@checked_at_once
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
    compute_records(apps, schema_editor, group_by="exercise_id")


@checked_at_once
def name_routine_rows(apps, schema_editor):
    RoutineExercise = apps.get_model("sessions_app", "RoutineExercise")
    for row in RoutineExercise.objects.select_related("exercise"):
        row.name = row.exercise.name
        row.save(update_fields=["name"])


@checked_at_once
def records_per_name(apps, schema_editor):
    compute_records(apps, schema_editor, group_by="name_key")


def compute_records(apps, schema_editor, group_by):
    """Every lifter's records from their completed working sets: per exercise (forwards)
    or per name lowered and trimmed (backwards, as before this migration)."""
    Set = apps.get_model("sessions_app", "Set")
    ExerciseRecord = apps.get_model("sessions_app", "ExerciseRecord")
    ExerciseWorkout = apps.get_model("sessions_app", "ExerciseWorkout")
    # In SQL: the models rendered for a migration may not agree on each other's classes,
    # and a cascade through the ORM compares them.
    quote = schema_editor.connection.ops.quote_name
    for model in (ExerciseWorkout, ExerciseRecord):
        schema_editor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
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
        record = ExerciseRecord(owner_id=owner_id, **record_fields(done))
        if group_by == "exercise_id":
            record.exercise_id = key
        else:
            record.name_key, record.exercise = key, done[-1]["spelling"].strip()
        records.append(record)
        flags = record_flags([row["best"] for row in done])
        rows_of_record = [
            ExerciseWorkout(**workout_fields(row), is_record=flag)
            for row, flag in zip(done, flags, strict=True)
        ]
        workouts.append(rows_of_record)
    ExerciseRecord.objects.bulk_create(records, batch_size=500)
    for record, rows_of_record in zip(records, workouts, strict=True):
        for row in rows_of_record:
            row.record_id = record.pk
    ExerciseWorkout.objects.bulk_create(
        [row for rows_of_record in workouts for row in rows_of_record], batch_size=1000
    )


CASCADE, RESTRICT = django.db.models.deletion.CASCADE, django.db.models.deletion.RESTRICT


def keeping_column(model, old, new, field):
    """The field renamed in Python; its column (now named in db_column) stays."""
    return [
        migrations.AlterField(model_name=model, name=old, field=field),
        migrations.RenameField(model_name=model, old_name=old, new_name=new),
    ]


def to_exercise(related_name, null, db_index=True, one_to_one=False):
    kind = models.OneToOneField if one_to_one else models.ForeignKey
    return kind(
        to="sessions_app.exercise",
        on_delete=CASCADE if one_to_one else RESTRICT,
        related_name=related_name,
        null=null,
        db_index=db_index,
    )


def exercise_links(null):
    """(model, field) of what points to an exercise: sets, routine rows, records."""
    return [
        ("set", to_exercise("sets", null, db_index=False)),
        ("routineexercise", to_exercise("routine_exercises", null)),
        ("exerciserecord", to_exercise("record", null, one_to_one=True)),
    ]


def blank_text():
    """A text column going away, blank first so that going back can add it again."""
    return models.CharField(blank=True, default="", max_length=100)


KIND_CHOICES = [
    ("barbell", "barbell"),
    ("dumbbell", "dumbbell"),
    ("machine", "machine or cable"),
    ("bodyweight", "bodyweight"),
    ("assisted", "assisted bodyweight"),
    ("timed", "timed"),
    ("cardio", "cardio"),
    ("other", "other"),
]
TITLE_HELP = "The routine's name when the workout started: its title once the routine is deleted."


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
        *keeping_column(
            "set",
            "session",
            "workout",
            models.ForeignKey(
                to="sessions_app.workout",
                on_delete=CASCADE,
                related_name="sets",
                db_column="session_id",
                db_index=False,
            ),
        ),
        *keeping_column(
            "set",
            "exercise",
            "exercise_name",
            models.CharField("exercise name", max_length=100, db_column="exercise", editable=False),
        ),
        *keeping_column(
            "routineexercise",
            "template",
            "routine",
            models.ForeignKey(
                to="sessions_app.routine",
                on_delete=CASCADE,
                related_name="exercises",
                db_column="template_id",
            ),
        ),
        *keeping_column(
            "workout",
            "template",
            "routine_slug",
            models.CharField(
                "routine slug",
                max_length=40,
                db_column="template",
                help_text="The routine's slug at the start (the sheet's template column).",
            ),
        ),
        *keeping_column(
            "workout",
            "name",
            "routine_name",
            models.CharField(
                "routine name", max_length=100, blank=True, db_column="name", help_text=TITLE_HELP
            ),
        ),
        *keeping_column(
            "exerciseworkout",
            "session",
            "workout",
            models.ForeignKey(
                to="sessions_app.workout",
                on_delete=CASCADE,
                related_name="+",
                db_column="session_id",
            ),
        ),
        *keeping_column(
            "exerciserecord",
            "sessions",
            "workout_count",
            models.PositiveIntegerField(db_column="sessions", default=0),
        ),
        migrations.AlterField(
            model_name="workout",
            name="routine",
            field=models.ForeignKey(
                to="sessions_app.routine",
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="workouts",
                null=True,
                blank=True,
                help_text="What the workout was started from; empty for an empty workout.",
            ),
        ),
        migrations.AlterField(
            model_name="workout",
            name="owner",
            field=models.ForeignKey(
                to=settings.AUTH_USER_MODEL, on_delete=CASCADE, related_name="workouts"
            ),
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
                ("kind", models.CharField(choices=KIND_CHOICES, default="other", max_length=12)),
                (
                    "owner",
                    models.ForeignKey(
                        to=settings.AUTH_USER_MODEL,
                        on_delete=CASCADE,
                        related_name="exercises",
                        null=True,
                        blank=True,
                        help_text="Empty for the library the starter routines use.",
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
        # Records are computed again per exercise (make_exercises): the name columns go.
        # Going back, they are computed per name once those columns are back.
        migrations.RunPython(migrations.RunPython.noop, records_per_name),
        migrations.AlterField(model_name="exerciserecord", name="name_key", field=blank_text()),
        migrations.AlterField(model_name="exerciserecord", name="exercise", field=blank_text()),
        migrations.RemoveField(model_name="exerciserecord", name="name_key"),
        migrations.RemoveField(model_name="exerciserecord", name="exercise"),
        *(
            migrations.AddField(model_name=model, name="exercise", field=field)
            for model, field in exercise_links(null=True)
        ),
        migrations.AlterField(model_name="routineexercise", name="name", field=blank_text()),
        migrations.RunPython(make_exercises, name_routine_rows),
        migrations.RemoveField(model_name="routineexercise", name="name"),
        *(
            migrations.AlterField(model_name=model, name="exercise", field=field)
            for model, field in exercise_links(null=False)
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
