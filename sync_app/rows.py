"""How a set looks as a row of the sheet, and how a row read back is compared with it."""

import re

from django.utils import timezone

HEADER = [
    "date",
    "session id",
    "template",
    "exercise",
    "set number",
    "weight (lb)",
    "reps",
    "notes",
    "logged at",
    "key",
]
WIDTH = len(HEADER)
KEY_COLUMN = HEADER.index("key") + 1
LOGGED_AT_FORMAT = "%Y-%m-%d %H:%M:%S"
# Only numbers written the way Sheets writes them back ("135", "12.5"; not "135.0"
# or "007") are sent as numbers, so reading a row back gives exactly what was sent.
CANONICAL_NUMBER = re.compile(r"-?(0|[1-9]\d{0,11})(\.\d{0,5}[1-9])?")


def cell(text):
    """A lifter's text as a sheet value: a number when it is plainly one, else text.

    Rows are written with valueInputOption=RAW, so text such as "=IMPORTXML(...)"
    or "+1" is stored as that text and never runs as a formula.
    """
    if CANONICAL_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def logged_at(moment):
    return timezone.localtime(moment).strftime(LOGGED_AT_FORMAT)


def row_for(session, workout_set):
    return [
        session.date.isoformat(),
        session.pk,
        session.template,
        workout_set.exercise,
        workout_set.set_number,
        cell(workout_set.weight_lbs),
        cell(workout_set.reps),
        workout_set.notes,
        logged_at(workout_set.created_at),
        str(workout_set.key),
    ]


def as_text(value):
    """A value read back from the sheet (unformatted) as the text it stands for."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalized(row):
    """A row as WIDTH texts, so rows read back compare equal to rows written."""
    texts = [as_text(value) for value in row[:WIDTH]]
    return texts + [""] * (WIDTH - len(texts))


def describe(row):
    """A short human description of a row for reports: "2025-09-21_lower1 Back Squat #2"."""
    values = normalized(row)
    return f"{values[1]} {values[3]} #{values[4]}"
