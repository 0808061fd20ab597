"""One row per set, in the columns of the lifter's sheet: for the sync and the CSV export."""

import re

from django.utils import timezone

COLUMNS = [
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
# Only numbers written the way spreadsheets write them back ("135", "12.5"; not
# "135.0", "007" or more digits than a double keeps) become numbers, so a row read
# back is exactly what was written.
CANONICAL_NUMBER = re.compile(r"-?(0|[1-9]\d{0,8})(\.\d{0,3}[1-9])?")
# The sheet has no warm-up column: a warm-up's notes start with this, so the sheet
# reads right and import_sheets brings the flag back.
WARMUP_MARK = "(warm-up)"
# A spreadsheet program opening a CSV runs cells starting with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text):
    """A lifter's text as a value: a number when it is plainly one, else the text."""
    if CANONICAL_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def logged_at(moment, zone=None):
    """Local time with its UTC offset ("2025-09-21 18:04:11+02:00"): readable, and the
    same instant whatever time zone a restore or a later configuration uses. (A caller
    writing many rows passes the zone: looking it up took a tenth of the CSV export.)"""
    return timezone.localtime(moment, zone).isoformat(sep=" ", timespec="seconds")


def row_for(session, workout_set, zone=None):
    return [
        session.date.isoformat(),
        session.pk,
        session.template,
        workout_set.exercise,
        workout_set.set_number,
        cell(workout_set.weight),
        cell(workout_set.reps),
        f"{WARMUP_MARK} {workout_set.notes}".strip()
        if workout_set.is_warmup
        else workout_set.notes,
        logged_at(workout_set.created_at, zone),
        str(workout_set.key),
    ]


def csv_safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
