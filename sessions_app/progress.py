"""What a lifter did before: a workout's summary, records and progress.

Every function here runs a fixed number of queries, whatever the length of the history,
and the pages' ones read about the same number of rows in year five as in month three:
records live in ExerciseRecord and ExerciseWorkout, which refresh_records() keeps up to date.

Exercise names match trimmed and whatever their case, as Set.objects.named() does:
"Bench press" and "bench Press " are one exercise, shown in the lifter's latest spelling.
Records are kept in pounds, whatever unit a set was typed in; the pages show them, the
charts and the summaries in the lifter's unit (in_unit, the one conversion of the app).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps as installed_apps
from django.db import transaction
from django.db.models import Case, DecimalField, F, Max, OuterRef, Q, Subquery, Value, When

from .models import (
    ExerciseRecord,
    ExerciseWorkout,
    Session,
    Set,
    SetType,
    WeightUnit,
    exercise_key,
    name_key,
)

CHART_WIDTH = 360
CHART_HEIGHT = 200
CHART_PADDING = 28
# Past this many workouts the chart draws the best workout of each period instead
# (and every record): a phone cannot show 260 points anyway, and the page stays small.
CHART_MAX_POINTS = 60
CHART_PERIOD_DAYS = (7, 14, 28, 91, 182, 364)
LB_PER_KG = Decimal("2.20462")
# What the pages show: an estimated 1RM to a tenth (Epley's are), a weight to a hundredth.
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


@dataclass
class Record:
    """A record beaten in a workout: its set, the estimate and the best before, both in
    the unit of the summary."""

    exercise: str
    estimated_1rm: Decimal
    set: Set
    previous_best: Decimal | None


@dataclass
class Summary:
    volume: Decimal
    set_count: int
    warmup_count: int
    duration_minutes: int | None
    records: list = field(default_factory=list)
    unit: str = WeightUnit.LB  # of the volume and the records


def in_unit(value, from_unit, to_unit):
    """A weight in from_unit ("kg" or "lb"), in to_unit; None stays None.

    The one conversion of the app (2.20462 lb per kg): records are kept in pounds and
    shown in the lifter's unit, and a set keeps the unit it was typed in.
    """
    if value is None or from_unit == to_unit:
        return value
    return value / LB_PER_KG if to_unit == WeightUnit.KG else value * LB_PER_KG


def from_pounds(value, unit, step):
    """A weight kept in pounds (a record), in the lifter's unit, to the step shown: a
    kilogram set's 100 kg is kept as 220.46 lb and shown as 100, not 99.999."""
    value = in_unit(value, WeightUnit.LB, unit)
    return None if value is None else value.quantize(step, ROUND_HALF_UP)


def in_pounds(column):
    """The SQL of in_unit(..., "lb"): a set's number column, in pounds."""
    return Case(
        When(unit=WeightUnit.KG, then=F(column) * Value(LB_PER_KG)),
        default=F(column),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


# A negative weight (assisted) is never a record, nor the heaviest set.
HEAVIEST_LB = Max(
    Case(When(weight_value__gte=0, then=in_pounds("weight_value"))),
    output_field=DecimalField(max_digits=12, decimal_places=2),
)
BEST_1RM_LB = Max(in_pounds("estimated_1rm"))


def session_summary(session, sets, unit=WeightUnit.LB):
    """Volume (Σ weight × reps of working sets), sets, duration, records beaten; weights
    in `unit`, each set's converted from the unit it was typed in."""
    working = [s for s in sets if not s.is_warmup]
    best_today = {}
    for workout_set in working:
        # Compared in pounds, as the records are kept.
        estimate = in_unit(workout_set.estimated_1rm, workout_set.unit, WeightUnit.LB)
        best = best_today.get(name_key(workout_set.exercise))
        if estimate and (not best or estimate > best[0]):
            best_today[name_key(workout_set.exercise)] = (estimate, workout_set)
    previous = best_before(session, [best.exercise for _, best in best_today.values()])
    records = [
        Record(
            best.exercise,
            in_unit(best.estimated_1rm, best.unit, unit).quantize(ONE_DECIMAL, ROUND_HALF_UP),
            best,
            from_pounds(previous[best.exercise], unit, ONE_DECIMAL),
        )
        for estimate, best in best_today.values()
        if previous.get(best.exercise) is not None and estimate > previous[best.exercise]
    ]
    volumes = (in_unit(s.volume, s.unit, unit) for s in working if s.volume is not None)
    return Summary(
        volume=sum(volumes, Decimal(0)),
        set_count=len(working),
        warmup_count=len(sets) - len(working),
        duration_minutes=session.duration_minutes,
        records=records,
        unit=unit,
    )


def best_before(session, names):
    """{name: best estimated 1RM in pounds of the workouts before this one}, in one query
    over the workouts that set records rather than over every set of the history.

    Each of the workout's sets finds its record by the database's own key of its name:
    a key made in Python lowers capitals SQLite leaves alone ("É").
    """
    if not names or session.completed_at is None:
        return {}
    earlier = (
        Q(date__lt=session.date)
        | Q(date=session.date, completed_at__lt=session.completed_at)
        | Q(date=session.date, completed_at=session.completed_at, session_id__lt=session.pk)
    )
    best = (
        ExerciseWorkout.objects.filter(earlier, record__owner_id=session.owner_id, is_record=True)
        .filter(record__name_key=exercise_key(OuterRef("exercise")))
        .values("record_id")
        .annotate(best=Max("best_1rm_lb"))
        .values("best")
    )
    found = {
        name_key(exercise): previous
        for exercise, previous in Set.objects.filter(session_id=session.pk, exercise__in=names)
        .annotate(previous=Subquery(best))
        .values_list("exercise", "previous")
        .order_by()
        .distinct()
    }
    return {name: found.get(name_key(name)) for name in names}


def exercise_records(owner, unit=WeightUnit.LB):
    """Every exercise the lifter has done, with their best estimated 1RM and heaviest set
    in `unit` (best_1rm, heaviest; the stored ones stay in pounds)."""
    records = list(ExerciseRecord.objects.filter(owner=owner).order_by("name_key"))
    for record in records:
        record.best_1rm = from_pounds(record.best_1rm_lb, unit, ONE_DECIMAL)
        record.heaviest = from_pounds(record.heaviest_lb, unit, TWO_DECIMALS)
    return records


# --- Keeping the records up to date -----------------------------------------------------


def refresh_records(owner_id, exercise_names):
    """Compute again, from the lifter's completed sets, the records of these exercises.

    Set.save(), Set.delete(), Session.save() and Session.complete() call it (signals.py).
    Code that changes sets without them must call it too, with every name it touched:
    after Set.objects.bulk_create() (import_sheets does), after a rename or merge through
    .update() (pass the old names and the new one), after a session's date or status
    changes through .update(). Names match trimmed and whatever their case.
    """
    names = {name.strip() for name in exercise_names if name and name.strip()}
    if names:
        compute_records(owner_id, names)


def refresh_session_records(session_id):
    """The records after a workout was completed, or changed (its sets, date or status).

    The usual case, a workout completed later than every other with its exercises, adds
    to the records: a few rows, however long the history. Anything else computes its
    exercises again from scratch.
    """
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return
    sets = Set.objects.filter(session_id=session_id)
    rows = (
        sets.exclude(set_type=SetType.WARMUP)
        .values("exercise", lowered=exercise_key("exercise"))
        .annotate(
            best=BEST_1RM_LB,
            heaviest=HEAVIEST_LB,
            most_reps=Max("reps_value"),
            last_logged=Max("created_at"),
        )
        .order_by("lowered", "last_logged")
    )
    by_name = {}
    for row in rows:
        by_name.setdefault(row["lowered"], []).append(row)
    records = ExerciseRecord.objects.filter(owner_id=session.owner_id, name_key__in=list(by_name))
    if (
        session.status != Session.Status.COMPLETED
        or ExerciseWorkout.objects.filter(session_id=session_id).exists()
        or any(record.last_done >= session.date for record in records)
    ):
        refresh_records(session.owner_id, set(sets.values_list("exercise", flat=True)))
        return
    add_latest_workout(session, by_name, {record.name_key: record for record in records})


def add_latest_workout(session, by_name, records):
    """Add a workout later than all others to the records of its exercises."""
    new_records, workouts = [], []
    with transaction.atomic():
        for key, rows in by_name.items():
            best = highest(row["best"] for row in rows)
            heaviest = highest(row["heaviest"] for row in rows)
            record = records.get(key)
            is_record = best is not None and (
                record is None or record.best_1rm_lb is None or best > record.best_1rm_lb
            )
            if record is None:
                record = ExerciseRecord(owner_id=session.owner_id, name_key=key, sessions=0)
                new_records.append(record)
            record.exercise = rows[-1]["exercise"].strip()
            record.best_1rm_lb = highest([record.best_1rm_lb, best])
            record.heaviest_lb = highest([record.heaviest_lb, heaviest])
            record.most_reps = highest([record.most_reps, *(row["most_reps"] for row in rows)])
            record.sessions += 1
            record.last_done = session.date
            if record.pk:
                record.save()
            workouts.append(
                ExerciseWorkout(
                    record=record,
                    session_id=session.pk,
                    date=session.date,
                    completed_at=session.completed_at,
                    best_1rm_lb=best,
                    heaviest_lb=heaviest,
                    is_record=is_record,
                )
            )
        ExerciseRecord.objects.bulk_create(new_records)
        for workout in workouts:
            workout.record_id = workout.record.pk
        ExerciseWorkout.objects.bulk_create(workouts)


def rebuild_records(owner_id, apps=installed_apps):
    """Compute again every record of a lifter (a migration passes its historical apps)."""
    compute_records(owner_id, None, apps)


def compute_records(owner_id, names, apps=installed_apps):
    """Replace the records of these names (None: every name) by a fresh computation:
    one query over those exercises' completed working sets, one row per workout."""
    set_model = apps.get_model("sessions_app", "Set")
    record_model = apps.get_model("sessions_app", "ExerciseRecord")
    workout_model = apps.get_model("sessions_app", "ExerciseWorkout")
    sets = set_model.objects.filter(
        session__owner_id=owner_id, session__status=Session.Status.COMPLETED
    ).exclude(set_type=SetType.WARMUP)
    stale = record_model.objects.filter(owner_id=owner_id)
    if names is not None:
        keys = [exercise_key(Value(name)) for name in names]
        sets = sets.alias(name_key=exercise_key("exercise")).filter(name_key__in=keys)
        stale = stale.filter(name_key__in=keys)
    rows = (
        sets.values(
            "session_id",
            "session__date",
            "session__completed_at",
            "exercise",
            lowered=exercise_key("exercise"),
        )
        .annotate(
            best=BEST_1RM_LB,
            heaviest=HEAVIEST_LB,
            most_reps=Max("reps_value"),
            last_logged=Max("created_at"),
        )
        .order_by("lowered", "session__date", "session__completed_at", "session_id", "last_logged")
    )
    records, workouts_of_records = [], []
    for key, workouts in workouts_by_name(rows).items():
        record, record_workouts = record_of(owner_id, key, workouts, record_model, workout_model)
        records.append(record)
        workouts_of_records.append(record_workouts)
    with transaction.atomic():
        stale.delete()
        record_model.objects.bulk_create(records)
        for record, record_workouts in zip(records, workouts_of_records, strict=True):
            for workout in record_workouts:
                workout.record_id = record.pk
        workout_model.objects.bulk_create(
            [workout for record_workouts in workouts_of_records for workout in record_workouts]
        )


def workouts_by_name(rows):
    """{name key: [[rows of one workout], ...] in the order of the workouts}."""
    found = {}
    for row in rows:
        workouts = found.setdefault(row["lowered"], [])
        if workouts and workouts[-1][0]["session_id"] == row["session_id"]:
            workouts[-1].append(row)
        else:
            workouts.append([row])
    return found


def highest(values):
    return max((value for value in values if value is not None), default=None)


def record_of(owner_id, key, workouts, record_model, workout_model):
    """An exercise's record and its workouts (records marked), from its workouts in order."""
    every_row = [row for workout in workouts for row in workout]
    record = record_model(
        owner_id=owner_id,
        name_key=key,
        exercise=every_row[-1]["exercise"].strip(),  # the latest spelling
        best_1rm_lb=highest(row["best"] for row in every_row),
        heaviest_lb=highest(row["heaviest"] for row in every_row),
        most_reps=highest(row["most_reps"] for row in every_row),
        sessions=len(workouts),
        last_done=max(workout[0]["session__date"] for workout in workouts),
    )
    record_workouts, best_so_far = [], None
    for rows in workouts:
        best = highest(row["best"] for row in rows)
        is_record = best is not None and (best_so_far is None or best > best_so_far)
        if is_record:
            best_so_far = best
        first = rows[0]
        record_workouts.append(
            workout_model(
                session_id=first["session_id"],
                date=first["session__date"],
                completed_at=first["session__completed_at"],
                best_1rm_lb=best,
                heaviest_lb=highest(row["heaviest"] for row in rows),
                is_record=is_record,
            )
        )
    return record, record_workouts


# --- One exercise's chart ---------------------------------------------------------------


@dataclass
class Point:
    date: datetime.date
    session_id: str
    estimated_1rm: Decimal | None
    heaviest: Decimal | None
    exercise: str = ""
    is_record: bool = False
    x: float = 0
    y: float | None = None
    heaviest_y: float | None = None

    # What the page prints, formatted here: the floatformat filter cost more than the rest
    # of the chart.
    @property
    def svg_x(self):
        return f"{self.x:.1f}"

    @property
    def svg_y(self):
        return f"{self.y:.1f}"

    @property
    def svg_heaviest_y(self):
        return f"{self.heaviest_y:.1f}"

    @property
    def estimated_1rm_text(self):
        return weight_text(self.estimated_1rm, ONE_DECIMAL)

    @property
    def heaviest_text(self):
        return weight_text(self.heaviest, TWO_DECIMALS)


def weight_text(value, step):
    """ "262.5" for 262.50 and "225" for 225.00 (as floatformat:"-1" would), "–" for None."""
    if value is None:
        return "–"
    text = f"{value.quantize(step, ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exercise_progress(owner, exercise, unit=WeightUnit.LB):
    """One point per workout, by date: best estimated 1RM and heaviest set in `unit`;
    records marked. One indexed query over the exercise's workouts, not its sets."""
    rows = (
        ExerciseWorkout.objects.filter(
            record__owner=owner, record__name_key=exercise_key(Value(exercise))
        )
        .order_by("date", "completed_at", "session_id")
        .values_list(
            "date", "session_id", "best_1rm_lb", "heaviest_lb", "record__exercise", "is_record"
        )
    )
    return [
        Point(
            date,
            session_id,
            from_pounds(best_1rm_lb, unit, ONE_DECIMAL),
            from_pounds(heaviest_lb, unit, TWO_DECIMALS),
            name,
            is_record,
        )
        for date, session_id, best_1rm_lb, heaviest_lb, name, is_record in rows
    ]


@dataclass
class Chart:
    """Points placed in an SVG box: x by date, y by weight."""

    points: list  # the points drawn
    workouts: int = 0  # every workout of the exercise
    period_days: int | None = None  # each drawn point is the best of a period this long
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    width = CHART_WIDTH
    height = CHART_HEIGHT
    left = CHART_PADDING + 12
    right = CHART_WIDTH - 8
    top = 12
    bottom = CHART_HEIGHT - CHART_PADDING

    @property
    def line_points(self):
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points if p.y is not None)

    @property
    def period_weeks(self):
        return self.period_days // 7 if self.period_days else None


def thinned(points):
    """(points to draw, period in days or None): past CHART_MAX_POINTS workouts, the
    best workout of each period, long enough for about that many, and every record."""
    if len(points) <= CHART_MAX_POINTS:
        return points, None
    first = points[0].date
    span_days = (points[-1].date - first).days
    period = next(
        (days for days in CHART_PERIOD_DAYS if span_days / days <= CHART_MAX_POINTS),
        CHART_PERIOD_DAYS[-1],
    )

    def strength(point):
        return (point.estimated_1rm or Decimal(-1), point.heaviest or Decimal(-1))

    best_of_period = {}
    for point in points:
        period_number = (point.date - first).days // period
        kept = best_of_period.get(period_number)
        if kept is None or strength(point) > strength(kept):
            best_of_period[period_number] = point
    drawn = {id(point) for point in best_of_period.values()}
    return [p for p in points if p.is_record or id(p) in drawn], period


def chart_for(points):
    drawn, period_days = thinned(points)
    chart = Chart(drawn, workouts=len(points), period_days=period_days)
    values = [v for p in drawn for v in (p.estimated_1rm, p.heaviest) if v is not None]
    if values:
        chart.low, chart.high = min(values), max(values)
    spread = (chart.high - chart.low) or Decimal(1)
    first = drawn[0].date if drawn else None
    span_days = (drawn[-1].date - first).days if drawn else 0

    def y_of(value):
        if value is None:
            return None
        return float(chart.bottom - (value - chart.low) / spread * (chart.bottom - chart.top))

    for point in drawn:
        if span_days:
            point.x = chart.left + (point.date - first).days / span_days * (
                chart.right - chart.left
            )
        else:
            point.x = (chart.left + chart.right) / 2
        point.y = y_of(point.estimated_1rm)
        point.heaviest_y = y_of(point.heaviest)
    return chart
