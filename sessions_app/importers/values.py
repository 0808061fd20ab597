"""What a cell of an export says, read by the rules of the forms.

A column an app fills with numbers (weight, reps, RPE, distance, seconds) holds a short
decimal or nothing: anything else ("1S.0", "8O", "1e999999") makes the line a bad line,
named with its number, never a number read from part of it. Texts get the forms' rules:
no control characters, and the forms' lengths, a longer text shortened with "…" and
said so (Notices).
"""

import datetime
import functools
import re
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from ..forms import has_control_character

# A weight is at most seven digits before the point; past three decimals, what an app
# writes is a conversion's or a float's trail (65.181223569, 37.49999999999999).
NUMBER = re.compile(r"([+-]?)(\d{1,7})(?:\.(\d{1,20}))?")
NUMBER_WITH_DECIMAL_COMMA = re.compile(r"([+-]?)(\d{1,7})(?:[.,](\d{1,20}))?")
THOUSANDTHS = Decimal("0.001")
CLOCK = re.compile(r"(?:(\d{1,4}):)?(\d{1,2}):(\d{2})")
DURATION_PART = re.compile(r"(?<!\d)(\d{1,6})\s*([hms])")
SECONDS = re.compile(r"\d{1,12}(?:\.\d{1,6})?")
# Past this a workout's length is a slip (workouts left running for days exist: kept).
MAX_DURATION_SECONDS = 31 * 24 * 3600
RPE_MIN, RPE_MAX = 6, 10
SHOWN_CHARACTERS = 30


class LineError(ValueError):
    """Why a line cannot be read; the caller names the line."""


def shown(text):
    """A cell as a message quotes it: its start, if it is long."""
    text = text.strip()
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


@functools.lru_cache(maxsize=4096)  # weights and reps repeat through a whole history
def number_text(text, label, decimal_comma=False):
    """A number cell as a lifter would type it ("100.0" -> "100", "102,5" -> "102.5" where
    the file writes decimal commas), "" for an empty cell; LineError for anything else."""
    text = text.strip()
    if not text:
        return ""
    pattern = NUMBER_WITH_DECIMAL_COMMA if decimal_comma else NUMBER
    if not (match := pattern.fullmatch(text)):
        raise LineError(f"the {label} “{shown(text)}” is not a number.")
    sign, whole, fraction = match.groups()
    number = Decimal(f"{sign}{whole}.{fraction or '0'}").quantize(THOUSANDTHS, ROUND_HALF_EVEN)
    return f"{number.normalize():f}" if number else "0"


def load_and_reps(weight, reps):
    """Exports write 0 for what was not entered: no reps is "", and no load without reps
    is "" too; a 0 load with reps (a bodyweight exercise) stays 0."""
    reps = "" if reps == "0" else reps
    weight = "" if weight == "0" and not reps else weight
    return weight, reps


def is_set(weight, reps, distance, seconds):
    """Whether a line holds anything at all: a load, reps, a distance or a time."""
    return bool(weight or reps) or distance not in ("", "0") or seconds not in ("", "0")


def seconds_of_clock(text):
    """Seconds from a time written "0:09:21" or "9:21" (FitNotes), "" for an empty cell."""
    text = text.strip()
    if not text:
        return ""
    if not (match := CLOCK.fullmatch(text)):
        raise LineError(f"the time “{shown(text)}” is not a time like 0:09:21.")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return str(hours * 3600 + minutes * 60 + seconds)


def clock(seconds):
    """Seconds as a lifter reads them: "1:00", "1:02:03"."""
    total = int(Decimal(seconds))
    hours, rest = divmod(total, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60}:{rest % 60:02d}"


def cardio_text(distance, distance_unit, seconds):
    """Time and distance (cardio, holds) are kept in the set's notes: "5 km in 30:00",
    "time 1:00"; a distance whose unit the file does not say: "distance 5"."""
    parts = []
    if distance not in ("", "0"):
        parts.append(f"{distance} {distance_unit}" if distance_unit else f"distance {distance}")
    if seconds not in ("", "0"):
        parts.append(clock(seconds) if parts else f"time {clock(seconds)}")
    return " in ".join(parts)


@functools.lru_cache(maxsize=256)
def read_rpe(text, decimal_comma=False):
    """(RPE, note): the app keeps 6 to 10 in half steps; any other number in the file
    stays in the set's notes ("RPE 5") rather than being lost."""
    text = number_text(text, "RPE", decimal_comma)
    if text in ("", "0"):
        return None, ""
    rpe = Decimal(text)
    if RPE_MIN <= rpe <= RPE_MAX and not rpe * 2 % 1:
        return rpe, ""
    return None, f"RPE {text}"


def duration_seconds(text):
    """A workout's length as Strong writes it ("1h 5m", "31min", "3324"), or None when it
    says nothing or past any real workout."""
    text = text.strip().lower()
    if not text:
        return None
    if SECONDS.fullmatch(text):
        seconds = int(Decimal(text))
    else:
        parts = DURATION_PART.findall(text)
        if not parts:
            return None
        seconds = sum(int(n) * {"h": 3600, "m": 60, "s": 1}[unit] for n, unit in parts)
    return seconds if 0 < seconds <= MAX_DURATION_SECONDS else None


def added_duration(started_at, text):
    seconds = duration_seconds(text)
    return None if seconds is None else started_at + datetime.timedelta(seconds=seconds)


def join_notes(*parts):
    return "; ".join(part.strip() for part in parts if part and part.strip())


class Notices:
    """Texts shortened to the forms' lengths, by what they were, with the first lines:
    the preview and the command say so."""

    LINES_KEPT = 10

    def __init__(self):
        self.lines = defaultdict(list)
        self.counts = defaultdict(int)

    def shortened(self, what, line):
        self.counts[what] += 1
        if len(self.lines[what]) < self.LINES_KEPT:
            self.lines[what].append(line)

    def as_list(self):
        """[(what, count, first lines)]."""
        return [(what, self.counts[what], self.lines[what]) for what in self.counts]


def refuse_control_characters(text, what):
    if has_control_character(text):
        raise LineError(f"the {what} holds a control character (such as NUL), which no form takes.")


def checked_text(text, what, limit, line, notices):
    """A text of the file by the forms' rules: no control characters (LineError); longer
    than the forms take, shortened with "…" and noted."""
    refuse_control_characters(text, what)
    if len(text) > limit:
        notices.shortened(what, line)
        return text[: limit - 1].rstrip() + "…"
    return text
