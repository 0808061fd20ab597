"""How a set reads on every page: "135 lb × 5", "BW × 8", "BW+10 kg × 8", "10 reps",
"1:00".

Weight and reps are kept as the lifter typed them (numbers.py reads the numbers out of
them for charts and records); this says them back. A set of a timed exercise is its
time: its reps field holds it ("60s", "1:30", or a bare number of seconds). A set still
waiting on the phone is written the same way by outbox.js (WorkoutLog.loadText;
tests/test_set_text.py checks that the two agree).
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import ExerciseKind, Set
from .numbers import parse_duration

# Bodyweight with nothing added: its own words, never followed by a unit.
BODYWEIGHT_ALONE = re.compile(r"^(bw|body\s*weight)$", re.IGNORECASE)
WHOLE_SECONDS = re.compile(r"^[0-9]{1,5}$")
NOTED_TIME = re.compile(r"(?:^|; )time ([0-9]+(?::[0-5][0-9]){1,2})(?:;|$)")
DIGIT = re.compile(r"[0-9]")
# How each piece is shown: a value plainly, a unit and the × muted.
PIECE_HTML = {
    "value": "{}",
    "unit": '<span class="unit">{}</span>',
    "times": '<span class="times">{}</span>',
}


def clock(seconds):
    """1:00, 12:05, 1:02:03."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def seconds_in(reps, timed):
    """The time a reps field holds, in seconds, or None: a time as written ("60s",
    "1:30"), or for a timed exercise a bare number of seconds."""
    if WHOLE_SECONDS.match(reps):  # most sets: plain reps, read without the patterns
        return int(reps) if timed else None
    return parse_duration(reps)


def load_pieces(weight, reps, unit, timed=False, notes=""):
    """A set as (text, kind) pieces, kind being "value", "unit" or "times". A set with
    neither weight nor reps may carry its time in its notes, as imports write it ("time
    1:00", see importers.cardio_text): that time is what it reads as."""
    weight, reps = (weight or "").strip(), (reps or "").strip()
    if not weight and not reps and (noted := NOTED_TIME.search(notes or "")):
        return [(noted.group(1), "value")]
    seconds = seconds_in(reps, timed) if reps else None
    if BODYWEIGHT_ALONE.match(weight) and seconds is not None:
        weight = ""  # a hold on bodyweight is its time
    load = [(weight, "value")] if weight else []
    if weight and DIGIT.search(weight):
        load.append((unit, "unit"))
    if seconds is not None:
        time = (clock(seconds), "value")
        return [*load, ("·", "times"), time] if load else [time]
    if not load:
        if not reps:
            return [("–", "value")]
        return [(reps, "value"), ("rep" if reps == "1" else "reps", "unit")]
    return [*load, ("×", "times"), (reps, "value")] if reps else load


def load_text(weight, reps, unit, timed=False, notes=""):
    return " ".join(text for text, _ in load_pieces(weight, reps, unit, timed, notes))


def load_html(weight, reps, unit, timed=False, notes=""):
    # Each piece escaped, then joined once: format_html per piece cost a tick a twentieth
    # of its time (a finished workout's page draws a row per set).
    pieces = load_pieces(weight, reps, unit, timed, notes)
    return mark_safe(" ".join(PIECE_HTML[kind].format(escape(text)) for text, kind in pieces))


EXERCISE_OF_SET = Set._meta.get_field("exercise")


def is_timed(workout_set):
    """Whether the set is of a timed exercise, from its exercise when it came with it
    (select_related); never a query of its own."""
    if not EXERCISE_OF_SET.is_cached(workout_set):
        return False
    return workout_set.exercise.kind == ExerciseKind.TIMED


def set_pieces(workout_set):
    return (
        workout_set.weight,
        workout_set.reps,
        workout_set.unit,
        is_timed(workout_set),
        workout_set.notes,
    )


def set_text(workout_set):
    return load_text(*set_pieces(workout_set))


def set_html(workout_set):
    return load_html(*set_pieces(workout_set))


def compact_text(sets, timed=False):
    """Last time's sets on one line: "225×5, 235×5 lb", "BW×8, BW+10×8 kg", "10, 10, 8
    reps", "BW×8, 10 reps", "1:00, 0:45"; each set's unit when they mixed kg and lb
    ("100 kg×5, 225 lb×5").
    sets: objects with weight, reps, unit and is_warmup."""
    units = {s.unit for s in sets if DIGIT.search(s.weight or "")}
    one_unit = units.pop() if len(units) == 1 else None
    reps_only = not timed and all(
        not (s.weight or "").strip() and parse_duration(s.reps or "") is None for s in sets
    )
    parts = []
    for workout_set in sets:
        weight, reps = (workout_set.weight or "").strip(), (workout_set.reps or "").strip()
        seconds = seconds_in(reps, timed) if reps else None
        if seconds is not None and (not weight or BODYWEIGHT_ALONE.match(weight)):
            text = clock(seconds)
        elif reps_only:
            text = reps or "–"
        elif not weight and reps:
            text = f"{reps} {'rep' if reps == '1' else 'reps'}"
        else:
            unit = "" if one_unit or not DIGIT.search(weight) else f" {workout_set.unit}"
            shown_reps = clock(seconds) if seconds is not None else reps or "–"
            text = f"{weight or '–'}{unit}×{shown_reps}"
        parts.append(("W " if workout_set.is_warmup else "") + text)
    line = ", ".join(parts)
    if reps_only:
        return f"{line} reps"
    return f"{line} {one_unit}" if one_unit else line
