"""Progression: what a routine exercise asks for next, and why, in a few words.

A rule (linear, double progression, reps only) is set on a routine exercise. Today's
target comes from one past workout only: the last completed workout of that routine in
which the exercise was done (warm-ups never count). That workout keeps what it was
asked (`Workout.targets`, written when it is completed): the rule reads it with the
sets done, so a set fixed, a workout deleted, imported or pulled from the sheet moves
the next target with no state to keep in step. A workout that kept nothing (imported,
or done before the rule) counts as asked what its lightest working set lifted.

next_target() is the rule itself, a pure function; targets_for() reads the history, in
one query whatever its length (last_workouts()).
"""

import functools
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_DOWN, Decimal

from django.db import connection

from .models import (
    Exercise,
    ExerciseKind,
    LifterProfile,
    Progression,
    RoutineExercise,
    Set,
    SetType,
    WeightUnit,
    Workout,
)
from .models.batches import column_reader
from .models.units import in_unit
from .numbers import parse_duration, parse_reps
from .plates import exercise_with_own_bar, with_own_bars
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
        own = bar_and_plates.for_exercise(exercise_with_own_bar(routine_exercise))
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


def last_workouts(owner_id, routine_id, keys, unit, excluding=None):
    """{exercise key: (what that workout kept, [Done, ...])}: for each exercise, the
    lifter's last completed workout of the routine in which it was done (working sets),
    what that workout asked (`Workout.targets`) and its working sets in the rule's unit.
    Exercises never done in the routine are left out. One statement, none for no key;
    it walks the lifter's workouts newest first on the history index, so a year more of
    history costs nothing."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    statement = last_workouts_statement(connection.vendor, len(keys), excluding is not None)
    done_types = [str(set_type) for set_type in NOT_COUNTED]
    params = [*keys, owner_id, Workout.Status.COMPLETED, routine_id]
    params += [] if excluding is None else [excluding]
    params += [owner_id, *done_types, owner_id, *done_types]
    read_targets = column_reader(Workout, "targets")
    read_weight = column_reader(Set, "weight_value")
    read_reps = column_reader(Set, "reps_value")
    last = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for key, kept, weight, reps, set_unit in cursor.fetchall():
            if key not in last:
                last[key] = (read_targets(kept), [])
            weight = read_weight(weight)
            weight = None if weight is None else in_unit(weight, set_unit, unit)
            last[key][1].append(Done(weight, read_reps(reps)))
    return last


@functools.lru_cache(maxsize=64)
def last_workouts_statement(vendor, key_count, with_excluding):
    """last_workouts()'s statement, built once per number of keys. Written out: through
    the ORM, a subquery per routine exercise correlated twice took about 4 ms a page to
    compile for 0.3 ms of running (bench/RESULTS.md, 2026-12-03)."""
    quote = connection.ops.quote_name
    workouts, sets = quote(Workout._meta.db_table), quote(Set._meta.db_table)
    exercises = quote(Exercise._meta.db_table)
    key, pk, owner = quote("key"), quote("id"), quote("owner_id")
    workout_column = quote(Set._meta.get_field("workout").column)
    exercise_column = quote(Set._meta.get_field("exercise").column)
    routine_column = quote(Workout._meta.get_field("routine").column)
    set_type, workout_id = quote("set_type"), quote("workout_id")
    wanted = ", ".join(["(%s)"] * key_count)
    others = f"AND w.{pk} <> %s" if with_excluding else ""
    return (
        f"WITH wanted ({key}) AS (VALUES {wanted}), "
        f"last_workout ({key}, {workout_id}) AS ("
        f"SELECT wanted.{key}, (SELECT w.{pk} FROM {workouts} w "
        f"WHERE w.{owner} = %s AND w.{quote('status')} = %s AND w.{routine_column} = %s "
        f"{others} AND EXISTS (SELECT 1 FROM {sets} d JOIN {exercises} de "
        f"ON de.{pk} = d.{exercise_column} WHERE d.{workout_column} = w.{pk} "
        f"AND de.{owner} = %s AND de.{key} = wanted.{key} AND d.{set_type} NOT IN (%s, %s)) "
        f"ORDER BY w.{quote('date')} DESC, w.{quote('created_at')} DESC LIMIT 1) "
        f"FROM wanted) "
        f"SELECT l.{key}, w.{quote('targets')}, s.{quote('weight_value')}, "
        f"s.{quote('reps_value')}, s.{quote('unit')} FROM last_workout l "
        f"JOIN {workouts} w ON w.{pk} = l.{workout_id} "
        f"JOIN {sets} s ON s.{workout_column} = w.{pk} "
        f"JOIN {exercises} e ON e.{pk} = s.{exercise_column} "
        f"WHERE e.{owner} = %s AND e.{key} = l.{key} AND s.{set_type} NOT IN (%s, %s) "
        f"ORDER BY s.{quote('set_number')}, s.{pk}"
    )


def targets_for(routine_exercises, owner_id, unit, bar_and_plates=None, excluding=None):
    """{routine exercise id: Target} for those with a rule: routine exercises of one
    routine, with their exercise; excluding: a workout that does not count (the one
    being completed). One query (last_workouts()), none without a rule."""
    rules = []
    for routine_exercise in routine_exercises:
        rule = rule_of(routine_exercise, unit, routine_exercise.exercise.kind, bar_and_plates)
        if rule is not None:
            rules.append((routine_exercise, rule))
    if not rules:
        return {}
    routine_id = rules[0][0].routine_id
    keys = [routine_exercise.exercise.key for routine_exercise, _ in rules]
    last = last_workouts(owner_id, routine_id, keys, unit, excluding)
    targets = {}
    for routine_exercise, rule in rules:
        if (found := last.get(routine_exercise.exercise.key)) is None:
            targets[routine_exercise.pk] = first_target(rule)
            continue
        kept, done = found
        asked_data = (kept or {}).get(str(routine_exercise.pk))
        asked = Asked.from_json(asked_data, unit) if asked_data else None
        targets[routine_exercise.pk] = next_target(rule, asked, done)
    return targets


def routine_targets(routine, owner_id, unit, excluding=None, bar_and_plates=None):
    """(routine exercises with their exercise, {routine exercise id: Target}): what the
    next workout of the routine asks. Two queries (one without a rule)."""
    rows = RoutineExercise.objects.filter(routine=routine).select_related("exercise")
    rows = list(with_own_bars(rows, owner_id))
    return rows, targets_for(rows, owner_id, unit, bar_and_plates, excluding)


def asked_of(workout):
    """What a workout keeps when completed: {routine exercise id: what it asked}, for
    the routine's exercises with a rule (computed before it counts as completed)."""
    if workout.routine_id is None:
        return {}
    ruled = RoutineExercise.objects.filter(routine_id=workout.routine_id).exclude(
        progression=Progression.NONE
    )
    rows = list(with_own_bars(ruled.select_related("exercise"), workout.owner_id))
    if not rows:
        return {}  # one query for a routine without rules
    profile = LifterProfile.at_the_bar(workout.owner_id)
    unit = profile.unit
    targets = targets_for(rows, workout.owner_id, unit, profile.bar_and_plates(), workout.pk)
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
