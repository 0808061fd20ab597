"""What a lifter did before: last time's numbers, a workout's summary, records and progress.

Every function here runs a fixed number of queries, whatever the length of the history.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q

from .models import Session, Set, SetType

CHART_WIDTH = 360
CHART_HEIGHT = 200
CHART_PADDING = 28


def completed_sets(owner):
    return Set.objects.filter(session__owner=owner, session__status=Session.Status.COMPLETED)


@dataclass
class LastTime:
    date: object
    sets: list

    def set_number(self, number):
        return next((s for s in self.sets if s.set_number == number), None)


def last_time(owner, exercise_names, on_or_before=None):
    """{exercise: LastTime} from the latest completed workout that had each exercise
    (up to a date: a workout entered late looks back from its own day)."""
    history = completed_sets(owner).filter(exercise__in=list(exercise_names))
    if on_or_before:
        history = history.filter(session__date__lte=on_or_before)
    latest = history.values("exercise").annotate(latest=Max("session__completed_at"))
    matches = Q(pk__in=[])
    for row in latest:
        matches |= Q(exercise=row["exercise"], session__completed_at=row["latest"])
    found = {}
    for workout_set in history.filter(matches).select_related("session").order_by("set_number"):
        found.setdefault(workout_set.exercise, LastTime(workout_set.session.date, [])).sets.append(
            workout_set
        )
    return found


@dataclass
class Record:
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


def session_summary(session, sets):
    """Volume (Σ weight × reps of working sets), sets, duration and records beaten."""
    working = [s for s in sets if not s.is_warmup]
    best_today = {}
    for workout_set in working:
        best = best_today.get(workout_set.exercise)
        if workout_set.estimated_1rm and (
            not best or workout_set.estimated_1rm > best.estimated_1rm
        ):
            best_today[workout_set.exercise] = workout_set
    earlier = (
        completed_sets(session.owner)
        .filter(exercise__in=list(best_today), session__completed_at__lt=session.completed_at)
        .exclude(set_type=SetType.WARMUP)
        .values("exercise")
        .annotate(best=Max("estimated_1rm"))
    )
    previous = {row["exercise"]: row["best"] for row in earlier} if best_today else {}
    records = [
        Record(exercise, best.estimated_1rm, best, previous[exercise])
        for exercise, best in best_today.items()
        if previous.get(exercise) is not None and best.estimated_1rm > previous[exercise]
    ]
    return Summary(
        volume=sum((s.volume for s in working if s.volume is not None), Decimal(0)),
        set_count=len(working),
        warmup_count=len(sets) - len(working),
        duration_minutes=session.duration_minutes,
        records=records,
    )


def exercise_records(owner):
    """Every exercise the lifter has done, with their best estimated 1RM and heaviest set."""
    return list(
        completed_sets(owner)
        .exclude(set_type=SetType.WARMUP)
        .values("exercise")
        .annotate(
            best_1rm=Max("estimated_1rm"),
            heaviest=Max("weight_value"),
            most_reps=Max("reps_value"),
            sessions=Count("session", distinct=True),
            last_done=Max("session__date"),
        )
        .order_by("exercise")
    )


@dataclass
class Point:
    date: object
    session_id: str
    estimated_1rm: Decimal | None
    heaviest: Decimal | None
    is_record: bool = False
    x: float = 0
    y: float | None = None
    heaviest_y: float | None = None


def exercise_progress(owner, exercise):
    """One point per workout: best estimated 1RM and heaviest weight; records marked."""
    rows = (
        completed_sets(owner)
        .filter(exercise=exercise)
        .exclude(set_type=SetType.WARMUP)
        .values("session_id", "session__date")
        .annotate(best=Max("estimated_1rm"), heaviest=Max("weight_value"))
        .order_by("session__date", "session_id")
    )
    points, best_so_far = [], None
    for row in rows:
        point = Point(row["session__date"], row["session_id"], row["best"], row["heaviest"])
        if point.estimated_1rm is not None and (
            best_so_far is None or point.estimated_1rm > best_so_far
        ):
            point.is_record = True
            best_so_far = point.estimated_1rm
        points.append(point)
    return points


@dataclass
class Chart:
    """Points placed in an SVG box: x by workout order, y by weight."""

    points: list
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


def chart_for(points):
    chart = Chart(points)
    values = [v for p in points for v in (p.estimated_1rm, p.heaviest) if v is not None]
    if values:
        chart.low, chart.high = min(values), max(values)
    spread = (chart.high - chart.low) or Decimal(1)
    step = (chart.right - chart.left) / max(len(points) - 1, 1)

    def y_of(value):
        if value is None:
            return None
        return float(chart.bottom - (value - chart.low) / spread * (chart.bottom - chart.top))

    for index, point in enumerate(points):
        point.x = chart.left + index * step if len(points) > 1 else (chart.left + chart.right) / 2
        point.y = y_of(point.estimated_1rm)
        point.heaviest_y = y_of(point.heaviest)
    return chart
