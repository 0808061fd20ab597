"""Progression: what a routine exercise asks for next, and why, in a few words.

A rule (linear, double progression, reps only) is set on a routine exercise. Today's
target comes from one past workout only: the last completed workout of that routine in
which the exercise was done (warm-ups never count). That workout keeps what it was
asked (`Workout.targets`, written when it is completed): the rule reads it with the
sets done, so a set fixed, a workout deleted, imported or pulled from the sheet moves
the next target with no state to keep in step. A workout that kept nothing (imported,
or done before the rule) counts as asked what its lightest working set lifted.

next_target() is the rule itself, a pure function; targets_for() reads the history, in
two queries whatever its length.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_DOWN, Decimal

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, When

from .models import (
    ExerciseKind,
    LifterProfile,
    Progression,
    RoutineExercise,
    Set,
    SetType,
    WeightUnit,
    Workout,
)
from .models.units import in_unit
from .numbers import parse_duration, parse_reps
from .set_text import clock

# The smallest step a weight moves by when the lifter's plates are not known.
SMALLEST_STEP = {WeightUnit.KG: Decimal("2.5"), WeightUnit.LB: Decimal("5")}
LOWER_BODY_INCREMENT = {WeightUnit.KG: Decimal("5"), WeightUnit.LB: Decimal("10")}
LOWER_BODY_WORDS = ("squat", "deadlift", "leg press", "lunge", "hip thrust", "good morning")
DEFAULT_REP_RANGE = (8, 12)
DEFAULT_SECONDS_STEP = 5
# Sets that say nothing about reaching the target: warm-ups, and drop sets (lighter on purpose).
NOT_COUNTED = (SetType.WARMUP, SetType.DROP)


def default_increment(kind, name, unit, progression=Progression.LINEAR):
    """A barbell's lower-body lift +5 kg / +10 lb, its upper-body lifts +2.5 kg / +5 lb,
    others the smallest step; reps only: +1 rep, or +5 s for a timed exercise."""
    if progression == Progression.REPS:
        return Decimal(DEFAULT_SECONDS_STEP if kind == ExerciseKind.TIMED else 1)
    lower = any(word in name.casefold() for word in LOWER_BODY_WORDS)
    if kind == ExerciseKind.BARBELL and lower:
        return LOWER_BODY_INCREMENT[unit]
    return SMALLEST_STEP[unit]


def number_text(value):
    """102.50 -> "102.5", 100.0 -> "100"."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rep_range(target_reps):
    """(low, high) of a routine's reps: "8-12" -> (8, 12), "5" -> (5, 5), a time -> its
    seconds twice; None without a number ("AMRAP")."""
    text = (target_reps or "").strip()
    if (seconds := parse_duration(text)) is not None:
        return seconds, seconds
    for dash in ("-", "–", "—", "to"):
        low, found, high = text.partition(dash)
        if found and (low := parse_reps(low)) is not None and (high := parse_reps(high)):
            return min(low, high), max(low, high)
    reps = parse_reps(text.rstrip("+"))
    return (reps, reps) if reps is not None else None


@dataclass(frozen=True)
class Rule:
    progression: str
    increment: Decimal  # weight; reps only: reps (or seconds, timed)
    sets: int
    low_reps: int
    high_reps: int
    unit: str = WeightUnit.KG
    failures_before_deload: int = 3
    deload_percent: int = 10
    timed: bool = False
    # A barbell's: the bar's weight and the smallest pair of the lifter's plates
    # (plates.py); otherwise no bar and the unit's smallest step.
    bar: Decimal = Decimal(0)
    plate_step: Decimal | None = None

    @property
    def step(self):
        return self.plate_step or SMALLEST_STEP[self.unit]

    def loadable(self, weight, rounding=ROUND_HALF_DOWN):
        """The weight the lifter can load: the bar and a multiple of the step, never
        below the bar (or zero)."""
        steps = ((Decimal(weight) - self.bar) / self.step).quantize(Decimal(1), rounding)
        return max(self.bar, self.bar + steps * self.step)

    def reps_text(self, reps):
        return clock(reps) if self.timed else str(reps)

    def step_text(self):
        if self.progression != Progression.REPS:
            return f"+{number_text(self.increment)}"
        if self.timed:
            return f"+{number_text(self.increment)} s"
        return f"+{number_text(self.increment)} rep" + ("" if self.increment == 1 else "s")


@dataclass(frozen=True)
class Asked:
    """What a workout asked of an exercise: kept with it, the base of the next target."""

    weight: Decimal | None
    reps: int | None
    failures: int = 0  # failed sessions in a row before it

    def as_json(self, unit):
        weight = None if self.weight is None else number_text(self.weight)
        return {"weight": weight, "unit": unit, "reps": self.reps, "failures": self.failures}

    @classmethod
    def from_json(cls, data, unit):
        """A kept target in the lifter's unit of today; None when unreadable."""
        try:
            weight = data.get("weight")
            if weight is not None:
                weight = in_unit(Decimal(weight), data.get("unit") or unit, unit)
            reps = data.get("reps")
            return cls(weight, None if reps is None else int(reps), int(data.get("failures") or 0))
        except (AttributeError, ArithmeticError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Done:
    """A working set of last time: its weight in the rule's unit, and its reps (time)."""

    weight: Decimal | None
    reps: int | None


@dataclass(frozen=True)
class Target:
    weight: Decimal | None
    reps: int | None
    failures: int
    reason: str
    unit: str = WeightUnit.KG
    timed: bool = False

    @property
    def asked(self):
        return Asked(self.weight, self.reps, self.failures)

    @property
    def weight_text(self):
        return "" if self.weight is None else number_text(self.weight)

    @property
    def reps_text(self):
        if self.reps is None:
            return ""
        return clock(self.reps) if self.timed else str(self.reps)

    @property
    def load_text(self):
        """ "102.5 kg × 5", "× 12" without a weight, "1:15" for a time."""
        reps = self.reps_text
        if self.weight is None:
            return reps if self.timed else (f"{reps} reps" if reps else "")
        load = f"{self.weight_text} {self.unit}"
        return f"{load} × {reps}" if reps else load

    @property
    def text(self):
        """ "102.5 kg × 5 · +2.5: 3 × 5 done last time"."""
        return " · ".join(part for part in (self.load_text, self.reason) if part)


def first_target(rule):
    """No workout of this routine has this exercise yet: the plan's reps, the weight
    the lifter chooses."""
    choice = "" if rule.progression == Progression.REPS else ": your choice of weight"
    return Target(None, None, 0, f"first time{choice}", rule.unit, rule.timed)


def next_target(rule, asked, last_sets):
    """Today's target from last time: what it asked (None when it kept nothing) and its
    working sets (Done, in the rule's unit)."""
    if not last_sets:
        return first_target(rule)
    lightest = min((s.weight or Decimal(0) for s in last_sets), default=Decimal(0))
    any_weight = any(s.weight is not None for s in last_sets)
    weighted = rule.progression != Progression.REPS and any_weight
    if asked is None or (weighted and asked.weight is None):
        # Nothing kept (or a first time, whose weight was the lifter's choice): what
        # every working set lifted, and the plan's reps.
        weight = rule.loadable(lightest, ROUND_FLOOR) if any_weight else None
        if rule.progression == Progression.REPS:
            reps = min((s.reps or 0 for s in last_sets), default=0) or rule.low_reps
        else:
            reps = rule.low_reps
        asked = Asked(weight, reps, asked.failures if asked else 0)
    elif asked.weight is not None:
        asked = Asked(rule.loadable(asked.weight), asked.reps, asked.failures)
    if rule.progression == Progression.LINEAR:
        return _linear(rule, asked, last_sets, lightest)
    if rule.progression == Progression.DOUBLE:
        return _double(rule, asked, last_sets, lightest)
    return _reps_only(rule, asked, last_sets)


def _target(rule, weight, reps, failures, reason):
    return Target(weight, reps, failures, reason, rule.unit, rule.timed)


def _all_reached(rule, last_sets, reps):
    return len(last_sets) >= rule.sets and all((s.reps or 0) >= (reps or 0) for s in last_sets)


def _done_text(rule, last_sets, reps):
    return f"{len(last_sets)} × {rule.reps_text(reps)} done last time"


def _lighter(asked, lightest):
    return asked.weight is not None and lightest < asked.weight


def _linear(rule, asked, last_sets, lightest):
    reps = asked.reps or rule.low_reps
    if _all_reached(rule, last_sets, reps):
        if asked.weight is None:
            return _target(rule, None, reps, 0, _done_text(rule, last_sets, reps))
        if _lighter(asked, lightest):
            # Lightened on purpose and done: no increase on a weight not lifted.
            held = rule.loadable(lightest, ROUND_FLOOR)
            return _target(rule, held, reps, 0, f"as lifted last time ({number_text(held)})")
        weight = rule.loadable(asked.weight + rule.increment, ROUND_CEILING)
        reason = f"{rule.step_text()}: {_done_text(rule, last_sets, reps)}"
        return _target(rule, weight, reps, 0, reason)
    failures = asked.failures + 1
    if failures >= rule.failures_before_deload and asked.weight is not None:
        lighter = asked.weight * (100 - rule.deload_percent) / 100
        weight = min(rule.loadable(lighter), max(asked.weight - rule.step, rule.bar))
        return _target(rule, weight, reps, 0, f"deload −{rule.deload_percent} %")
    attempt = min(failures, rule.failures_before_deload - 1) + 1
    return _target(
        rule, asked.weight, reps, failures, f"again ({attempt} of {rule.failures_before_deload})"
    )


def _double(rule, asked, last_sets, lightest):
    low, high = rule.low_reps, rule.high_reps
    if asked.weight is not None and _lighter(asked, lightest):
        held = rule.loadable(lightest, ROUND_FLOOR)
        return _target(rule, held, low, 0, f"as lifted last time ({number_text(held)})")
    if _all_reached(rule, last_sets, high):
        if asked.weight is None:
            return _target(rule, None, high, 0, _done_text(rule, last_sets, high))
        weight = rule.loadable(asked.weight + rule.increment, ROUND_CEILING)
        reason = f"{rule.step_text()}: {_done_text(rule, last_sets, high)}"
        return _target(rule, weight, low, 0, reason)
    fewest = min(s.reps or 0 for s in last_sets)
    if len(last_sets) < rule.sets:
        fewest = min(fewest, (asked.reps or low) - 1)
    reps = max(low, min(high, fewest + 1))
    return _target(rule, asked.weight, reps, 0, f"{low}–{high}: {fewest} done last time")


def _reps_only(rule, asked, last_sets):
    reps = asked.reps or rule.low_reps or 0
    if _all_reached(rule, last_sets, reps):
        more = reps + max(1, int(rule.increment))
        reason = f"{rule.step_text()}: {_done_text(rule, last_sets, reps)}"
        return _target(rule, None, more, 0, reason)
    return _target(rule, None, reps, asked.failures + 1, "again")


def rule_of(routine_exercise, unit, kind, bar_and_plates=None):
    """The routine exercise's rule in the lifter's unit, or None (no rule, no reps). A
    barbell's weights land on what the lifter's bar and plates (bar_and_plates, in that
    unit) can make, and its increment is at least their smallest pair."""
    progression = routine_exercise.progression
    if not progression:
        return None
    reps = rep_range(routine_exercise.target_reps)
    if progression == Progression.DOUBLE and (reps is None or reps[0] == reps[1]):
        reps = DEFAULT_REP_RANGE
    if reps is None:
        reps = (0, 0) if progression == Progression.REPS else None
    if reps is None:
        return None
    increment = routine_exercise.increment
    if increment is None or increment <= 0:
        increment = default_increment(kind, routine_exercise.exercise.name, unit, progression)
    bar, plate_step = Decimal(0), None
    if kind == ExerciseKind.BARBELL and bar_and_plates is not None and bar_and_plates.plates:
        own = bar_and_plates.for_exercise(routine_exercise.exercise)
        bar, plate_step = Decimal(own.bar), 2 * min(Decimal(p) for p in own.plates)
        if progression != Progression.REPS:
            increment = max(plate_step, -(-Decimal(increment) // plate_step) * plate_step)
    return Rule(
        progression=progression,
        increment=Decimal(increment),
        sets=routine_exercise.target_sets,
        low_reps=reps[0],
        high_reps=reps[1],
        unit=unit,
        failures_before_deload=max(1, routine_exercise.failures_before_deload),
        deload_percent=routine_exercise.deload_percent,
        timed=kind == ExerciseKind.TIMED,
        bar=bar,
        plate_step=plate_step,
    )


def with_last_workout(routine_exercises, owner_id, excluding=None):
    """Routine exercises annotated with `last_workout_id`: the lifter's last completed
    workout of the routine that had the exercise (working sets), for those with a rule.
    Walks the lifter's workouts newest first (the history index): no cost per year."""
    done = Set.objects.filter(
        workout_id=OuterRef("pk"),
        exercise__owner_id=owner_id,
        exercise__key=OuterRef(OuterRef("exercise__key")),
    ).exclude(set_type__in=NOT_COUNTED)
    workouts = Workout.objects.filter(
        owner_id=owner_id,
        status=Workout.Status.COMPLETED,
        routine_id=OuterRef("routine_id"),
    )
    if excluding is not None:
        workouts = workouts.exclude(pk=excluding)
    last = workouts.filter(Exists(done)).order_by("-date", "-created_at").values("pk")[:1]
    return routine_exercises.annotate(
        last_workout_id=Case(
            When(~Q(progression=Progression.NONE), then=Subquery(last)),
            default=None,
            output_field=models.CharField(),
        )
    )


def targets_for(routine_exercises, owner_id, unit, bar_and_plates=None):
    """{routine exercise id: Target} for those with a rule. The rows come from
    with_last_workout() with their exercise; one more query reads their last workouts."""
    rules, last = {}, {}
    for routine_exercise in routine_exercises:
        rule = rule_of(routine_exercise, unit, routine_exercise.exercise.kind, bar_and_plates)
        if rule is not None:
            rules[routine_exercise.pk] = rule
            if routine_exercise.last_workout_id:
                last[routine_exercise.pk] = (
                    routine_exercise.last_workout_id,
                    routine_exercise.exercise.key,
                )
    done, kept = {}, {}
    if last:
        wanted = {(workout_id, key) for workout_id, key in last.values()}
        rows = (
            Set.objects.filter(
                workout_id__in={workout_id for workout_id, _ in wanted},
                exercise__owner_id=owner_id,
                exercise__key__in={key for _, key in wanted},
            )
            .exclude(set_type__in=NOT_COUNTED)
            .order_by("set_number", "pk")
            .values_list(
                "workout_id",
                "exercise__key",
                "weight_value",
                "reps_value",
                "unit",
                "workout__targets",
            )
        )
        for workout_id, key, weight, reps, set_unit, asked in rows:
            kept[workout_id] = asked
            if (workout_id, key) in wanted:
                weight = None if weight is None else in_unit(weight, set_unit, unit)
                done.setdefault((workout_id, key), []).append(Done(weight, reps))
    targets = {}
    for routine_exercise_id, rule in rules.items():
        if routine_exercise_id not in last:
            targets[routine_exercise_id] = first_target(rule)
            continue
        workout_id, key = last[routine_exercise_id]
        asked_data = (kept.get(workout_id) or {}).get(str(routine_exercise_id))
        asked = Asked.from_json(asked_data, unit) if asked_data else None
        targets[routine_exercise_id] = next_target(rule, asked, done.get((workout_id, key), []))
    return targets


def routine_targets(routine, owner_id, unit, excluding=None, bar_and_plates=None):
    """(routine exercises with their exercise, {routine exercise id: Target}): what the
    next workout of the routine asks. Two queries (one without a rule)."""
    rows = RoutineExercise.objects.filter(routine=routine).select_related("exercise")
    rows = list(with_last_workout(rows, owner_id, excluding=excluding))
    return rows, targets_for(rows, owner_id, unit, bar_and_plates)


def asked_of(workout):
    """What a workout keeps when completed: {routine exercise id: what it asked}, for
    the routine's exercises with a rule (computed before it counts as completed)."""
    if workout.routine_id is None:
        return {}
    ruled = RoutineExercise.objects.filter(routine_id=workout.routine_id).exclude(
        progression=Progression.NONE
    )
    rows = list(with_last_workout(ruled.select_related("exercise"), workout.owner_id, workout.pk))
    if not rows:
        return {}  # one query for a routine without rules
    profile = LifterProfile.at_the_bar(workout.owner_id)
    unit = profile.unit
    targets = targets_for(rows, workout.owner_id, unit, profile.bar_and_plates())
    return {str(pk): target.asked.as_json(unit) for pk, target in targets.items()}


def superset_labels(routine_exercises):
    """{routine exercise id: "A1"} for exercises in a superset: an exercise marked
    superset_with_previous joins the one above; groups are lettered A, B, … in order."""
    labels, groups, group = {}, [], None
    for routine_exercise in routine_exercises:
        if routine_exercise.superset_with_previous and group is not None:
            group.append(routine_exercise)
        else:
            group = [routine_exercise]
            groups.append(group)
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for group in groups:
        if len(group) > 1:
            letter = next(letters, "Z")
            labels |= {member.pk: f"{letter}{n}" for n, member in enumerate(group, start=1)}
    return labels
