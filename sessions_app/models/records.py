"""A lifter's bests per exercise, kept up to date so that the pages read one row per
exercise (and one per workout for a chart) however long the history.

Whatever changes completed sets calls refresh_records() with the exercises it touched
(or add_completed_workout() when a workout is completed): the callers are the model
methods that change history (workouts.py, exercises.py) and the import store. Weights
are kept in pounds whatever unit each set was typed in.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, DecimalField, Max, Q, Sum, When

from .batches import insert_rows
from .units import in_pounds
from .workouts import Set, SetType, Workout

# A negative weight (assisted) is never a record, nor the heaviest set.
HEAVIEST_LB = Max(
    Case(When(weight_value__gte=0, then=in_pounds("weight_value"))),
    output_field=DecimalField(max_digits=12, decimal_places=2),
)
BEST_1RM_LB = Max(in_pounds("estimated_1rm"))


class ExerciseRecord(models.Model):
    """A lifter's bests in one exercise over their completed workouts (warm-ups left out)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_records"
    )
    exercise = models.OneToOneField(
        "sessions_app.Exercise", on_delete=models.CASCADE, related_name="record"
    )
    best_1rm_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    heaviest_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    most_reps = models.PositiveIntegerField(null=True)
    workout_count = models.PositiveIntegerField(default=0, db_column="sessions")
    last_done = models.DateField()

    def __str__(self):
        return f"{self.owner}: {self.exercise_id}"


class ExerciseWorkout(models.Model):
    """An exercise in one completed workout: its bests there, and whether they beat every
    earlier workout (by date). Kept with ExerciseRecord, so a chart reads one row per
    workout and a summary finds the best before a workout among the records."""

    record = models.ForeignKey(ExerciseRecord, on_delete=models.CASCADE, related_name="workouts")
    workout = models.ForeignKey(
        Workout, on_delete=models.CASCADE, related_name="+", db_column="session_id"
    )
    date = models.DateField()
    completed_at = models.DateTimeField(null=True)
    best_1rm_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    heaviest_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    # For exercises without a load: the chart of reps (most in a set, all of the workout's)
    # and of a timed exercise's longest time (its reps are seconds).
    most_reps = models.PositiveIntegerField(null=True)
    total_reps = models.PositiveIntegerField(null=True)
    is_record = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # One exercise's chart, and the records before a workout (its summary).
            models.Index(fields=["record", "date"], name="exercise_workout_by_date"),
        ]

    def __str__(self):
        return f"{self.record} on {self.date}"


def refresh_records(owner_id, exercise_ids):
    """Compute again, from the lifter's completed sets, the records of these exercises."""
    exercise_ids = {pk for pk in exercise_ids if pk is not None}
    if exercise_ids:
        compute_records(owner_id, exercise_ids)


def rebuild_records(owner_id):
    """Compute again every record of a lifter."""
    compute_records(owner_id, None)


def workout_rows(sets, *group_by):
    """One row per exercise (and per the other columns named) of these sets' bests."""
    return (
        sets.exclude(set_type=SetType.WARMUP)
        .values("exercise_id", *group_by)
        .annotate(
            best=BEST_1RM_LB,
            heaviest=HEAVIEST_LB,
            most_reps=Max("reps_value"),
            total_reps=Sum("reps_value"),
            last_logged=Max("created_at"),
        )
    )


def add_completed_workout(workout):
    """The records after a workout was completed.

    The usual case, a workout later than every other with its exercises, adds to the
    records: a few rows, however long the history. Anything else computes its
    exercises again from scratch.
    """
    rows = {row["exercise_id"]: row for row in workout_rows(workout.sets.all())}
    records = ExerciseRecord.objects.filter(exercise_id__in=list(rows))
    if ExerciseWorkout.objects.filter(workout=workout).exists() or any(
        record.last_done >= workout.date for record in records
    ):
        refresh_records(workout.owner_id, workout.exercise_ids())
        return
    by_exercise = {record.exercise_id: record for record in records}
    new_records, workouts = [], []
    with transaction.atomic():
        for exercise_id, row in rows.items():
            record = by_exercise.get(exercise_id)
            is_record = row["best"] is not None and (
                record is None or record.best_1rm_lb is None or row["best"] > record.best_1rm_lb
            )
            if record is None:
                record = ExerciseRecord(
                    owner_id=workout.owner_id, exercise_id=exercise_id, workout_count=0
                )
                new_records.append(record)
            record.best_1rm_lb = highest([record.best_1rm_lb, row["best"]])
            record.heaviest_lb = highest([record.heaviest_lb, row["heaviest"]])
            record.most_reps = highest([record.most_reps, row["most_reps"]])
            record.workout_count += 1
            record.last_done = workout.date
            if record.pk:
                record.save()
            workouts.append(
                ExerciseWorkout(
                    record=record,
                    workout=workout,
                    date=workout.date,
                    completed_at=workout.completed_at,
                    best_1rm_lb=row["best"],
                    heaviest_lb=row["heaviest"],
                    **reps_fields(row),
                    is_record=is_record,
                )
            )
        ExerciseRecord.objects.bulk_create(new_records)
        for row in workouts:
            row.record_id = row.record.pk
        ExerciseWorkout.objects.bulk_create(workouts)


def compute_records(owner_id, exercise_ids):
    """Replace the records of these exercises (None: every one) by a fresh computation:
    one query over those exercises' completed working sets, one row per workout."""
    sets = Set.objects.filter(workout__owner_id=owner_id, workout__status=Workout.Status.COMPLETED)
    stale = ExerciseRecord.objects.filter(owner_id=owner_id)
    if exercise_ids is not None:
        sets = sets.filter(exercise_id__in=exercise_ids)
        stale = stale.filter(exercise_id__in=exercise_ids)
    rows = workout_rows(sets, "workout_id", "workout__date", "workout__completed_at").order_by(
        "exercise_id", "workout__date", "workout__completed_at", "workout_id"
    )
    records, workouts_of_records = [], []
    for exercise_id, workouts in workouts_by_exercise(rows).items():
        record, record_workouts = record_of(owner_id, exercise_id, workouts)
        records.append(record)
        workouts_of_records.append(record_workouts)
    with transaction.atomic():
        stale.delete()
        ExerciseRecord.objects.bulk_create(records)
        # One statement for the workouts (a five-year history has thousands): bulk_create
        # held the database a second and more for an import's records (bench/RESULTS.md).
        insert_rows(
            ExerciseWorkout,
            [
                {**row, "record_id": record.pk}
                for record, record_workouts in zip(records, workouts_of_records, strict=True)
                for row in record_workouts
            ],
        )


def workouts_by_exercise(rows):
    """{exercise id: [row of each workout, in the order of the workouts]}."""
    found = {}
    for row in rows:
        found.setdefault(row["exercise_id"], []).append(row)
    return found


def highest(values):
    return max((value for value in values if value is not None), default=None)


def record_of(owner_id, exercise_id, workouts):
    """An exercise's record and its workouts' columns (records marked), from its workouts
    in order."""
    record = ExerciseRecord(owner_id=owner_id, exercise_id=exercise_id, **record_fields(workouts))
    bests = [row["best"] for row in workouts]
    record_workouts = [
        {**workout_fields(row), **reps_fields(row), "is_record": is_record}
        for row, is_record in zip(workouts, record_flags(bests), strict=True)
    ]
    return record, record_workouts


def record_fields(workouts):
    """An ExerciseRecord's figures from its workouts' rows (workout_rows() by workout)."""
    return {
        "best_1rm_lb": highest(row["best"] for row in workouts),
        "heaviest_lb": highest(row["heaviest"] for row in workouts),
        "most_reps": highest(row["most_reps"] for row in workouts),
        "workout_count": len(workouts),
        "last_done": max(row["workout__date"] for row in workouts),
    }


def record_flags(bests):
    """For each workout's best in order, whether it beat every earlier one."""
    flags, top = [], None
    for best in bests:
        flags.append(best is not None and (top is None or best > top))
        top = best if flags[-1] else top
    return flags


def workout_fields(row):
    """An ExerciseWorkout's fields from a row of workout_rows() grouped by workout."""
    return {
        "workout_id": row["workout_id"],
        "date": row["workout__date"],
        "completed_at": row["workout__completed_at"],
        "best_1rm_lb": row["best"],
        "heaviest_lb": row["heaviest"],
    }


def reps_fields(row):
    """An ExerciseWorkout's reps from a row of workout_rows() grouped by workout. (Apart
    from workout_fields(), which migration 0013 uses as it was.)"""
    return {"most_reps": row["most_reps"], "total_reps": row["total_reps"]}


def best_before(workout, exercise_ids):
    """{exercise id: best estimated 1RM in pounds of the workouts before this one}, in
    one query over the workouts that set records, not over every set of the history."""
    if not exercise_ids or workout.completed_at is None:
        return {}
    earlier = (
        Q(date__lt=workout.date)
        | Q(date=workout.date, completed_at__lt=workout.completed_at)
        | Q(date=workout.date, completed_at=workout.completed_at, workout_id__lt=workout.pk)
    )
    rows = (
        ExerciseWorkout.objects.filter(
            earlier, record__exercise_id__in=exercise_ids, is_record=True
        )
        .values("record__exercise_id")
        .annotate(best=Max("best_1rm_lb"))
        .order_by()
    )
    return {row["record__exercise_id"]: row["best"] for row in rows}
