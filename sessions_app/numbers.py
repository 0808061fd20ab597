"""Turning what lifters type ("135", "BW", "12.5 kg", "8-10", "60s") into numbers."""

import re
from decimal import Decimal, InvalidOperation

_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)")
_BODYWEIGHT = re.compile(r"^\s*(bw|body\s*weight)\b", re.IGNORECASE)


def parse_number(text):
    """The leading number in text as a Decimal, or None when there is none.

    "135" -> 135, "12,5" -> 12.5, "8-10" -> 8 (the low end of a range), "5+" -> 5,
    "BW" -> None (bodyweight has no number), "" -> None.
    """
    if text is None:
        return None
    match = _LEADING_NUMBER.match(str(text))
    if not match:
        return None
    try:
        return Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None


def parse_weight(text):
    """A set's load in pounds: a number, 0 for bodyweight, None when unknown.

    "BW" counts as 0 extra load and "BW+25" as 25, so bodyweight work can still be
    compared with itself over time.
    """
    if text is None:
        return None
    text = str(text).strip()
    if _BODYWEIGHT.match(text):
        rest = _BODYWEIGHT.sub("", text).replace(" ", "")
        return parse_number(rest) or Decimal(0)
    return parse_number(text)


_CLOCK = re.compile(r"^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$")
_SECONDS = re.compile(r"^\s*(\d{1,5})\s*(?:s|secs?|seconds?)\s*$", re.IGNORECASE)
_MINUTES = re.compile(r"^\s*(\d{1,3})\s*(?:m|mins?|minutes?)\s*$", re.IGNORECASE)


def parse_duration(text):
    """Seconds in a time as lifters write one (a hold, a timed set): "60s", "45 sec",
    "2 min", "1:30", "1:02:03"; None when the text is not a time ("60" is not: for a
    timed exercise the page reads a bare number as seconds, see set_text.py)."""
    text = str(text or "")
    if match := _CLOCK.match(text):
        first, second, third = (int(part) if part else None for part in match.groups())
        return first * 3600 + second * 60 + third if third is not None else first * 60 + second
    if match := _SECONDS.match(text):
        return int(match.group(1))
    if match := _MINUTES.match(text):
        return int(match.group(1)) * 60
    return None


def parse_reps(text):
    """Whole repetitions, or None: "5" -> 5, "8-10" -> 8, "AMRAP" -> None; a time is
    its seconds ("1:00" -> 60, "60s" -> 60), which a timed exercise counts as its reps."""
    if (seconds := parse_duration(text)) is not None:
        return seconds
    number = parse_number(text)
    if number is None or number < 0:
        return None
    return int(number)


_REPS_TARGET = re.compile(r"^\s*(\d{1,4})\s*(?:(?:-|–|—|to)\s*\d{1,4})?\s*\+?\s*$")


def reps_to_log(target_reps):
    """What a planned row logs for a routine's target: "5" -> "5", "8-12" -> "8" (the
    bottom of the range: the reps still to earn are typed), "5+" -> "5", a time as it
    is written ("60s"); "" when the target has no number to log ("AMRAP")."""
    text = (target_reps or "").strip()
    if parse_duration(text) is not None:
        return text
    match = _REPS_TARGET.match(text)
    return match.group(1) if match else ""


MAX_REPS_FOR_ESTIMATE = 30


def estimated_one_rep_max(weight, reps):
    """Epley's estimate, weight × (1 + reps / 30); a single is its own max.

    None when either number is unknown, there is no load, or the reps are outside
    1 to 30 (past that the estimate means little).
    """
    if weight is None or reps is None or weight <= 0 or not 1 <= reps <= MAX_REPS_FOR_ESTIMATE:
        return None
    if reps == 1:
        return Decimal(weight)
    return (Decimal(weight) * (1 + Decimal(reps) / 30)).quantize(Decimal("0.1"))


_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


def whole_number(text, at_most):
    """A positive whole number typed as plain digits ("12"), at most at_most; else None.
    (str.isdigit() also takes "²", which int() refuses, and any length.)"""
    text = str(text).strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= at_most else None
