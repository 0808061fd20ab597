"""What a lifter did before, as the pages show it: a finished workout's summary, the
history list (each workout in one glance), the records, and one exercise's progress
chart (by estimated 1RM, by reps, or by time, as the exercise is done).

Every function here runs a fixed number of queries, whatever the length of the history,
and reads about the same number of rows in year five as in month three: records live
in ExerciseRecord and ExerciseWorkout (models/records.py keeps them up to date).
Records are kept in pounds; the pages show them in the lifter's unit.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Exists, FloatField, OuterRef, Q
from django.db.models.functions import Cast

from .models import (
    ExerciseKind,
    ExerciseRecord,
    ExerciseWorkout,
    Set,
    SetType,
    WeightUnit,
    exercise_key,
)
from .models.records import best_before, record_flags
from .models.units import LB_PER_KG, from_pounds, in_unit
from .models.workouts import volume_of
from .set_text import clock, load_text

CHART_WIDTH = 360
CHART_HEIGHT = 200
CHART_PADDING = 28
# Past this many workouts the chart draws the best workout of each period instead
# (and every record): a phone cannot show 260 points anyway, and the page stays small.
CHART_MAX_POINTS = 60
CHART_PERIOD_DAYS = (7, 14, 28, 91, 182, 364)
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


def workout_summary(workout, sets, unit=WeightUnit.LB):
    """Volume (Σ weight × reps of working sets), sets, duration, records beaten; weights
    in `unit`, each set's converted from the unit it was typed in."""
    working = [s for s in sets if not s.is_warmup]
    best_today = {}
    for workout_set in working:
        # Compared in pounds, as the records are kept.
        estimate = in_unit(workout_set.estimated_1rm, workout_set.unit, WeightUnit.LB)
        best = best_today.get(workout_set.exercise_id)
        if estimate and (not best or estimate > best[0]):
            best_today[workout_set.exercise_id] = (estimate, workout_set)
    previous = best_before(workout, list(best_today))
    records = [
        Record(
            best.exercise_name,
            in_unit(best.estimated_1rm, best.unit, unit).quantize(ONE_DECIMAL, ROUND_HALF_UP),
            best,
            from_pounds(previous[exercise_id], unit, ONE_DECIMAL),
        )
        for exercise_id, (estimate, best) in best_today.items()
        if previous.get(exercise_id) is not None and estimate > previous[exercise_id]
    ]
    volumes = (in_unit(s.volume, s.unit, unit) for s in working if s.volume is not None)
    return Summary(
        volume=sum(volumes, Decimal(0)),
        set_count=len(working),
        warmup_count=len(sets) - len(working),
        duration_minutes=workout.duration_minutes,
        records=records,
        unit=unit,
    )


# --- The history list ---------------------------------------------------------------------


class DigestSet(NamedTuple):
    """A working set as the history list reads it: plain values (floats, not decimals:
    the list rounds what it shows), no model instance; 500 sets a page, and building
    instances or decimals for them cost more than the rest of the page."""

    workout_id: str
    exercise_id: int
    exercise_name: str
    weight: str
    reps: str
    unit: str
    weight_value: float | None
    reps_value: int | None
    estimated_1rm: float | None
    kind: str
    bodyweight: float | None  # on bodyweight, once the lifter recorded one

    @property
    def strength(self):
        """How it ranks among an exercise's sets of a workout: estimated 1RM, then the
        load, then the reps (in pounds)."""
        factor = FLOAT_LB_PER_KG if self.unit == WeightUnit.KG else 1.0
        return (
            (self.estimated_1rm or -1.0) * factor,
            (self.weight_value if self.weight_value is not None else -1.0) * factor,
            self.reps_value or 0,
        )


FLOAT_LB_PER_KG = float(LB_PER_KG)


@dataclass
class ExerciseDone:
    name: str
    best: DigestSet  # its best working set: estimated 1RM, else the heaviest, else most reps
    strength: tuple

    @property
    def best_text(self):
        best = self.best
        return load_text(best.weight, best.reps, best.unit, best.kind == ExerciseKind.TIMED)


@dataclass
class Digest:
    """A finished workout in one glance, for the history list."""

    set_count: int = 0
    volume: float = 0.0
    exercises: list = field(default_factory=list)  # ExerciseDone, in the order first done
    records: list = field(default_factory=list)  # names of the exercises whose record it beat
    unit: str = WeightUnit.LB


def history_digests(workouts, unit=WeightUnit.LB):
    """{workout id: Digest} for a page of workouts: their sets and the records they
    beat, in two queries whatever the history's length."""
    digests = {workout.pk: Digest(unit=unit) for workout in workouts}
    as_float = {
        name: Cast(name, FloatField()) for name in ("weight_value", "estimated_1rm", "bodyweight")
    }
    rows = (
        Set.objects.filter(workout_id__in=list(digests))
        .exclude(set_type=SetType.WARMUP)
        .order_by("created_at", "pk")
        .annotate(
            weight_float=as_float["weight_value"],
            estimate_float=as_float["estimated_1rm"],
            bodyweight_float=as_float["bodyweight"],
        )
        .values_list(
            "workout_id",
            "exercise_id",
            "exercise_name",
            "weight",
            "reps",
            "unit",
            "weight_float",
            "reps_value",
            "estimate_float",
            "exercise__kind",
            "bodyweight_float",
        )  # fmt: skip
    )
    to_unit = {unit: 1.0, WeightUnit.KG: 1 / FLOAT_LB_PER_KG, WeightUnit.LB: FLOAT_LB_PER_KG}
    done = {}
    for workout_set in map(DigestSet._make, rows):
        digest = digests[workout_set.workout_id]
        digest.set_count += 1
        volume = volume_of(
            workout_set.weight_value,
            workout_set.reps_value,
            workout_set.reps,
            workout_set.bodyweight,
        )
        if volume is not None:
            digest.volume += volume * (1.0 if workout_set.unit == unit else to_unit[unit])
        key = (workout_set.workout_id, workout_set.exercise_id)
        strength = workout_set.strength
        if key not in done:
            done[key] = ExerciseDone(workout_set.exercise_name, workout_set, strength)
            digest.exercises.append(done[key])
        elif strength > done[key].strength:
            done[key].best, done[key].strength = workout_set, strength
    for workout_id, name in records_beaten(list(digests)):
        digests[workout_id].records.append(name)
    return digests


def records_beaten(workout_ids):
    """(workout id, exercise name) of each record these workouts beat: a best estimated
    1RM above every earlier workout's (the first workout of an exercise beats nothing)."""
    earlier = ExerciseWorkout.objects.filter(
        Q(date__lt=OuterRef("date"))
        | Q(date=OuterRef("date"), completed_at__lt=OuterRef("completed_at"))
        | Q(
            date=OuterRef("date"),
            completed_at=OuterRef("completed_at"),
            workout_id__lt=OuterRef("workout_id"),
        ),
        record=OuterRef("record"),
        best_1rm_lb__isnull=False,
    )
    return (
        ExerciseWorkout.objects.filter(workout_id__in=workout_ids, is_record=True)
        .filter(Exists(earlier))
        .order_by("record__exercise__key")
        .values_list("workout_id", "record__exercise__name")
    )


def exercise_records(owner, unit=WeightUnit.LB):
    """Every exercise the lifter has done, with their best estimated 1RM and heaviest set
    in `unit` (best_1rm, heaviest; the stored ones stay in pounds), and a timed exercise's
    longest time."""
    records = list(
        ExerciseRecord.objects.filter(owner=owner)
        .select_related("exercise")
        .order_by("exercise__key")
    )
    for record in records:
        record.best_1rm = from_pounds(record.best_1rm_lb, unit, ONE_DECIMAL)
        record.heaviest = from_pounds(record.heaviest_lb, unit, TWO_DECIMALS)
        timed = record.exercise.kind == ExerciseKind.TIMED
        record.longest = clock(record.most_reps) if timed and record.most_reps else None
    return records


# --- One exercise's chart ---------------------------------------------------------------


class ChartKind:
    """What an exercise's chart draws: a loaded exercise its estimated 1RM and heaviest
    set; one done without a load (dips, push-ups) its best and total reps; a timed one
    (a plank) its longest time. (A bodyweight record will add a kind of its own.)"""

    WEIGHT = "weight"
    REPS = "reps"
    TIME = "time"
    BODYWEIGHT = "bodyweight"  # the lifter's own, one point a day (bodyweight_points)


@dataclass
class Point:
    date: datetime.date
    workout_id: str
    estimated_1rm: Decimal | None
    heaviest: Decimal | None
    exercise: str = ""
    is_record: bool = False
    most_reps: int | None = None  # a timed exercise's: its longest time, in seconds
    total_reps: int | None = None
    kind: str = ChartKind.WEIGHT
    bodyweight: Decimal | None = None
    x: float = 0
    y: float | None = None  # of the main line (value)
    second_y: float | None = None  # of the squares (second)

    @property
    def value(self):
        """What the line draws, by the chart's kind."""
        if self.kind == ChartKind.BODYWEIGHT:
            return self.bodyweight
        return self.estimated_1rm if self.kind == ChartKind.WEIGHT else self.most_reps

    @property
    def second(self):
        """What the squares draw: the heaviest set, or the total reps; none for a time."""
        if self.kind == ChartKind.WEIGHT:
            return self.heaviest
        return self.total_reps if self.kind == ChartKind.REPS else None

    # What the page prints, formatted here: the floatformat filter cost more than the rest
    # of the chart.
    @property
    def svg_x(self):
        return f"{self.x:.1f}"

    @property
    def svg_y(self):
        return f"{self.y:.1f}"

    @property
    def svg_second_y(self):
        return f"{self.second_y:.1f}"

    @property
    def estimated_1rm_text(self):
        return weight_text(self.estimated_1rm, ONE_DECIMAL)

    @property
    def heaviest_text(self):
        return weight_text(self.heaviest, TWO_DECIMALS)

    @property
    def value_text(self):
        return value_text(self.value, self.kind)

    @property
    def second_text(self):
        if self.kind == ChartKind.WEIGHT:
            return self.heaviest_text
        return value_text(self.second, self.kind)


def weight_text(value, step):
    """ "262.5" for 262.50 and "225" for 225.00 (as floatformat:"-1" would), "–" for None."""
    if value is None:
        return "–"
    text = f"{value.quantize(step, ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_text(value, kind):
    """A value of a chart as its axis and table write it: "62.5", "12", "1:30"."""
    if value is None:
        return "–"
    if kind == ChartKind.TIME:
        return clock(value)
    if kind == ChartKind.REPS:
        return str(value)
    if kind == ChartKind.BODYWEIGHT:
        return weight_text(Decimal(value), TWO_DECIMALS)
    return weight_text(Decimal(value), ONE_DECIMAL)


def exercise_progress(owner, exercise, unit=WeightUnit.LB):
    """One point per workout, by date: best estimated 1RM and heaviest set in `unit`, most
    and total reps; records marked. One indexed query over the exercise's workouts, not
    its sets. Each point says what its chart draws (ChartKind)."""
    rows = list(
        ExerciseWorkout.objects.filter(
            record__exercise__owner=owner, record__exercise__key=exercise_key(exercise)
        )
        .order_by("date", "completed_at", "workout_id")
        .values_list(
            "date",
            "workout_id",
            "best_1rm_lb",
            "heaviest_lb",
            "record__exercise__name",
            "is_record",
            "most_reps",
            "total_reps",
            "record__exercise__kind",
        )
    )
    points = [
        Point(
            row[0],
            row[1],
            from_pounds(row[2], unit, ONE_DECIMAL),
            from_pounds(row[3], unit, TWO_DECIMALS),
            *row[4:8],
        )
        for row in rows
    ]
    kind = chart_kind(points, rows[-1][-1] if rows else None)
    for point in points:
        point.kind = kind
    if kind != ChartKind.WEIGHT:
        # Records of reps and of time: a workout that beat every earlier one.
        for point, flag in zip(points, record_flags([p.most_reps for p in points]), strict=True):
            point.is_record = flag
    return points


def chart_kind(points, exercise_kind):
    if exercise_kind == ExerciseKind.TIMED:
        return ChartKind.TIME
    if any(p.estimated_1rm is not None or (p.heaviest or 0) > 0 for p in points):
        return ChartKind.WEIGHT
    return ChartKind.REPS


@dataclass
class Chart:
    """Points placed in an SVG box: x by date, y by value."""

    points: list  # the points drawn
    workouts: int = 0  # every workout of the exercise
    period_days: int | None = None  # each drawn point is the best of a period this long
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    kind: str = ChartKind.WEIGHT
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

    @property
    def low_text(self):
        return value_text(self.low, self.kind)

    @property
    def high_text(self):
        return value_text(self.high, self.kind)

    @property
    def labels(self):
        return CHART_LABELS[self.kind]


@dataclass(frozen=True)
class ChartLabels:
    value: str  # what the line draws
    second: str  # what the squares draw ("" for none)
    axis_unit: str  # next to the y axis; "{unit}" is the lifter's unit
    each: str = "workout"  # what a point is


CHART_LABELS = {
    ChartKind.WEIGHT: ChartLabels("estimated 1RM", "heaviest set", "{unit}"),
    ChartKind.REPS: ChartLabels("best reps", "total reps", "reps"),
    ChartKind.TIME: ChartLabels("longest time", "", ""),
    ChartKind.BODYWEIGHT: ChartLabels("bodyweight", "", "{unit}", each="day"),
}


def bodyweight_points(owner, unit=WeightUnit.LB):
    """The lifter's bodyweight, one point a day, in `unit`: one query."""
    from .models import BodyweightEntry

    entries = BodyweightEntry.objects.filter(owner=owner).order_by("day")
    return [
        Point(
            day,
            "",
            None,
            None,
            kind=ChartKind.BODYWEIGHT,
            bodyweight=Decimal(in_unit(weight, entry_unit, unit)).quantize(TWO_DECIMALS),
        )
        for day, weight, entry_unit in entries.values_list("day", "weight", "unit")
    ]


# Workouts of one day drawn this far apart, so that one never hides another.
SAME_DAY_GAP = 7


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
        missing = Decimal(-1)
        return (
            missing if point.value is None else point.value,
            missing if point.second is None else point.second,
        )

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
    kind = points[0].kind if points else ChartKind.WEIGHT
    chart = Chart(drawn, workouts=len(points), period_days=period_days, kind=kind)
    values = [v for p in drawn for v in (p.value, p.second) if v is not None]
    if values:
        chart.low, chart.high = min(values), max(values)
    spread = (chart.high - chart.low) or 1
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
        point.y = y_of(point.value)
        point.second_y = y_of(point.second)
    spread_same_days(drawn, chart.left, chart.right)
    return chart


def spread_same_days(points, left, right):
    """Workouts of the same day side by side, SAME_DAY_GAP apart around their day."""
    by_day = {}
    for point in points:
        by_day.setdefault(point.date, []).append(point)
    for same_day in by_day.values():
        if len(same_day) < 2:
            continue
        middle = (len(same_day) - 1) / 2
        places = [same_day[0].x + (index - middle) * SAME_DAY_GAP for index in range(len(same_day))]
        shift = max(0, left - places[0]) - max(0, places[-1] - right)  # kept inside the box
        for point, place in zip(same_day, places, strict=True):
            point.x = place + shift
