"""Turning what lifters type ("135", "BW", "12.5 kg", "8-10") into numbers."""

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


def parse_reps(text):
    """Whole repetitions, or None: "5" -> 5, "8-10" -> 8, "AMRAP" -> None."""
    number = parse_number(text)
    if number is None or number < 0:
        return None
    return int(number)


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
