"""Warm-ups before a barbell's working sets: "Add warm-ups" plans a ramp of warm-up rows
(the bar × 10, 40 % × 5, 60 % × 3, 80 % × 2 of the working weight, unless the lifter set
their own ramp in Settings), each rounded to a weight their plates load (plates.py).

What was asked is kept on the workout (Workout.planned_warmups: the exercise's key, the
working weight, and how many warm-ups were logged already), so the rows stay planned
until each is logged, with JavaScript or without: the workout screen (workout_screen.py)
lays out the ramp's steps not yet logged as planned warm-up rows, logged with one tap
each like any row, numbered apart and left out of records as every warm-up is.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .models import SetType, Workout, exercise_key
from .plates import number_text

# Steps a ramp may have, and their reps: more is a workout, not a warm-up.
MAX_RAMP_STEPS = 8
MAX_WARMUP_REPS = 30
STEP = re.compile(r"^\s*(bar|(\d{1,2})\s*%)\s*[×xX*]\s*(\d{1,2})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RampStep:
    percent: int | None  # None: the bar alone
    reps: int

    def __str__(self):
        load = "bar" if self.percent is None else f"{self.percent}%"
        return f"{load}×{self.reps}"


DEFAULT_RAMP = (RampStep(None, 10), RampStep(40, 5), RampStep(60, 3), RampStep(80, 2))


# What a planned row of the ramp was prefilled from (PlannedRow.prefilled_from).
RAMP_ROW = "warm-up ramp"


class RampError(ValueError):
    """A ramp as typed that is no ramp, with the sentence that says why."""


def ramp_from_text(text):
    """ "bar×10, 40%×5, 60%×3, 80%×2" (x or * for ×) as RampSteps; raises RampError."""
    parts = [part for part in re.split(r"[,;\n]+", text or "") if part.strip()]
    if not parts:
        raise RampError("Write at least one step, such as “bar×10, 50%×5”.")
    if len(parts) > MAX_RAMP_STEPS:
        raise RampError(f"{MAX_RAMP_STEPS} steps at most.")
    steps = []
    for part in parts:
        match = STEP.match(part)
        if not match:
            raise RampError(f"“{part.strip()[:30]}” is no step: write “bar×10” or “60%×3”.")
        percent = None if match.group(2) is None else int(match.group(2))
        reps = int(match.group(3))
        if percent is not None and not 1 <= percent <= 99:
            raise RampError(f"A warm-up is 1 to 99 % of the working weight: “{part.strip()}”.")
        if not 1 <= reps <= MAX_WARMUP_REPS:
            raise RampError(f"1 to {MAX_WARMUP_REPS} reps a step: “{part.strip()}”.")
        steps.append(RampStep(percent, reps))
    return tuple(steps)


def ramp_text(steps):
    return ", ".join(str(step) for step in steps)


def ramp_of(profile):
    """The lifter's ramp, else the usual one (a ramp kept before this rule changed that
    no longer reads is the usual one too)."""
    try:
        return ramp_from_text(profile.warmup_ramp) if profile.warmup_ramp else DEFAULT_RAMP
    except RampError:
        return DEFAULT_RAMP


def warmup_weights(working_weight, bar_and_plates, ramp):
    """[(weight, reps)] of the ramp for a working weight: each step rounded to a weight
    the plates load, steps under the bar left out, a weight once, and only weights
    lighter than the working one."""
    planned, seen = [], set()
    for step in ramp:
        if step.percent is None:
            weight = bar_and_plates.bar
        else:
            weight = working_weight * step.percent / 100
            if weight < bar_and_plates.bar:
                continue
            loading = bar_and_plates.load(weight)
            weight = loading.weight if loading else weight
        if weight >= working_weight or weight in seen:
            continue
        seen.add(weight)
        planned.append((weight, step.reps))
    return planned


def planned_warmup_rows(card, asked, ramp):
    """The planned warm-up rows of a card (workout_screen.ExerciseCard) whose warm-ups
    were asked for (asked: what Workout.planned_warmups keeps for it): the ramp's
    steps not logged since."""
    from .workout_screen import PlannedRow

    if not asked or card.bar_and_plates is None:
        return []
    working = Decimal(asked["weight"])
    logged_since = sum(1 for s in card.sets if s.is_warmup) - asked.get("logged", 0)
    steps = warmup_weights(working, card.bar_and_plates, ramp)[max(logged_since, 0) :]
    return [
        PlannedRow(
            set_number=0,
            weight=number_text(weight),
            reps=str(reps),
            set_type=SetType.WARMUP,
            prefilled_from=RAMP_ROW,
        )
        for weight, reps in steps
    ]


def working_weight(card):
    """The weight of the card's first working row (logged or planned), for its ramp;
    None when it has none."""
    from .plates import typed_weight

    for row in card.rows:
        if row.is_warmup:
            continue
        hundredths = typed_weight(row.weight)
        if hundredths:
            return Decimal(hundredths) / 100
    return None


def ask_for_warmups(workout, exercise, weight):
    """Plan warm-ups for an exercise of an open workout from a working weight: kept on
    the workout (a second ask replaces the first) with the warm-ups logged so far.
    Raises WorkoutClosed."""
    from .models import WorkoutClosed

    key = exercise_key(exercise)
    with transaction.atomic():
        locked = Workout.objects.select_for_update().get(pk=workout.pk)
        if not locked.is_active:
            raise WorkoutClosed(locked)
        logged = locked.sets.filter(exercise__key=key, set_type=SetType.WARMUP).count()
        planned = {**locked.planned_warmups, key: {"weight": str(weight), "logged": logged}}
        Workout.objects.filter(pk=workout.pk).update(planned_warmups=planned)
    workout.planned_warmups = planned
