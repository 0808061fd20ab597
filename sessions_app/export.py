"""One row per set, in the columns of the lifter's sheet: for the sync and the CSV export.

Two header versions exist. Version 1 is the sheet's first header: tabs that have it
keep it, and what it has no column for (set type, RPE, a weight in kilograms, the
workout note) rides in the notes cell as marks in parentheses, the way "(warm-up)"
always has. Version 2 adds those as columns to the right of `key`; tabs the sync
creates get it, and a lifter upgrades an older tab on purpose. `read_row` reads both.

A set's superset has no column in either version: "(superset A)" leads its notes cell
in both (and in the CSV, whose header is version 2's). A new column would take a
version 3 header, upgraded on purpose tab by tab, for a letter that reads as well in
the notes.
"""

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .models import SetType, WeightUnit
from .models.workouts import superset_group_of, superset_letters

COLUMNS_V1 = [
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
COLUMNS_V2 = [
    *COLUMNS_V1[:5],
    "weight",
    *COLUMNS_V1[6:],
    "set type",
    "rpe",
    "unit",
    "workout note",
]
COLUMNS = COLUMNS_V2
HEADERS = {1: COLUMNS_V1, 2: COLUMNS_V2}
# The columns whose text a lifter typed or a file brought in, and the choices (every
# writer checks them, the database does not). The others hold dates, numbers and keys,
# which never start like a formula.
TYPED_COLUMNS = [
    COLUMNS.index(name)
    for name in (
        "session id",
        "template",
        "exercise",
        "weight",
        "reps",
        "notes",
        "set type",
        "unit",
        "workout note",
    )
]
# Only numbers written the way spreadsheets write them back ("135", "12.5"; not
# "135.0", "007" or more digits than a double keeps) become numbers, so a row read
# back is exactly what was written.
CANONICAL_NUMBER = re.compile(r"-?(0|[1-9]\d{0,8})(\.\d{0,3}[1-9])?")
# The marks a version 1 notes cell starts with, and the workout note it ends with.
WARMUP_MARK = "(warm-up)"
SET_TYPE_MARKS = {
    SetType.WARMUP: WARMUP_MARK,
    SetType.DROP: "(drop set)",
    SetType.FAILURE: "(failure)",
}
# "(note)" ends the marks: written before a lifter's note that starts like a mark
# ("(kg) not lb"), so that it reads back as typed.
NOTE_MARK = "(note)"
LEADING_MARK = re.compile(
    r"\((warm-up|drop set|failure|RPE (\d+(?:\.\d)?)|kg|lb|superset ([A-Z]{1,4})|note)\)\s*"
)
WORKOUT_NOTE_MARK = re.compile(r"\s*\(workout note: (.*)\)\s*$", re.DOTALL)
# The choices' values, once: a pull reads every row of a sheet with read_row.
SET_TYPES = frozenset(SetType.values)
UNITS = frozenset(WeightUnit.values)
# A spreadsheet program opening a CSV runs cells starting with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@functools.lru_cache(maxsize=4096)
def cell(text):
    """A lifter's text as a value: a number when it is plainly one, else the text.
    (A lifter's weights and reps are a few hundred texts: remembered, they cost the
    export a lookup per row instead of a regular expression.)"""
    if CANONICAL_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def logged_at(moment, zone=None):
    """Local time with its UTC offset ("2025-09-21 18:04:11+02:00"): readable, and the
    same instant whatever time zone a restore or a later configuration uses. (A caller
    writing many rows passes the zone: looking it up took a tenth of the CSV export.)"""
    return timezone.localtime(moment, zone).isoformat(sep=" ", timespec="seconds")


def rpe_text(rpe):
    return "" if rpe is None else f"{rpe.normalize():f}"


def superset_text(group):
    """A group read from a row as an import takes it (ImportedSet.superset): "0", or ""."""
    return "" if group is None else str(group)


def notes_cell(marks, workout_set):
    """The marks, the superset's first, then the lifter's notes, behind "(note)" when
    they start like a mark themselves."""
    if workout_set.superset_group is not None:
        marks = [f"(superset {superset_letters(workout_set.superset_group)})", *marks]
    notes = workout_set.notes
    if LEADING_MARK.match(notes.lstrip()):
        notes = f"{NOTE_MARK} {notes}"
    return " ".join([*filter(None, marks), notes]).strip()


def marked_notes(workout, workout_set, with_workout_note):
    """A version 1 notes cell: marks for what that header has no column for."""
    marks = [SET_TYPE_MARKS.get(workout_set.set_type, "")]
    if workout_set.rpe is not None:
        marks.append(f"(RPE {rpe_text(workout_set.rpe)})")
    if workout_set.unit == WeightUnit.KG:
        marks.append("(kg)")  # a version 1 weight column says pounds
    text = notes_cell(marks, workout_set)
    if with_workout_note and workout.note:
        text = f"{text} (workout note: {workout.note})".strip()
    return text


def row_for(workout, workout_set, version=2, *, with_workout_note=True, zone=None):
    """The set as a row of a tab with this header version, its time in `zone` (the
    lifter's: the sync and the CSV pass it; the current one by default).

    A version 1 row carries the workout note only where with_workout_note says (the
    workout's first set), since it has no column of its own there.
    """
    row = [
        workout.date.isoformat(),
        workout.pk,
        workout.routine_slug,
        workout_set.exercise_name,
        workout_set.set_number,
        cell(workout_set.weight),
        cell(workout_set.reps),
        workout_set.notes,
        logged_at(workout_set.created_at, zone),
        str(workout_set.key),
    ]
    if version == 1:
        row[7] = marked_notes(workout, workout_set, with_workout_note)
        return row
    if workout_set.superset_group is not None or LEADING_MARK.match(workout_set.notes):
        row[7] = notes_cell([], workout_set)  # else the notes as typed, as always
    rpe = "" if workout_set.rpe is None else cell(rpe_text(workout_set.rpe))
    return [*row, workout_set.set_type, rpe, workout_set.unit, workout.note]


@dataclass
class RowValues:
    """What a row of either header version says, as texts and plain values."""

    date: str
    session_id: str
    template: str
    exercise: str
    set_number: str
    weight: str
    reps: str
    notes: str
    logged_at: str
    key: str
    set_type: str = SetType.WORKING
    rpe: Decimal | None = None
    unit: str = WeightUnit.LB
    workout_note: str = ""
    superset_group: int | None = None


def read_row(texts, version=2):
    """A row (as texts, in the columns of HEADERS[version]) as RowValues.

    Marks in the notes cell are read in both versions (a version 2 tab may hold rows
    written before it was upgraded); a version 2 column, when filled, wins.
    """
    texts = [str(text) for text in texts] + [""] * (len(HEADERS[version]) - len(texts))
    values = RowValues(*texts[:10])
    notes, marks = values.notes, []
    while match := LEADING_MARK.match(notes):
        if match.group(3) and superset_group_of(match.group(3)) is None:
            break  # no group a set keeps: the lifter's text
        notes = notes[match.end() :]
        if match.group(1) == "note":
            break
        marks.append(match)
    if note := WORKOUT_NOTE_MARK.search(notes):
        values.workout_note, notes = note.group(1), notes[: note.start()]
    values.notes = notes.strip()
    for match in marks:
        mark = match.group(1)
        if mark in ("kg", "lb"):
            values.unit = mark
        elif match.group(2):
            values.rpe = as_rpe(match.group(2))
        elif match.group(3):
            values.superset_group = superset_group_of(match.group(3))
        else:
            values.set_type = next(
                t for t, m in SET_TYPE_MARKS.items() if m == match.group(0).strip()
            )
    if version == 2:
        set_type, rpe, unit, workout_note = (text.strip() for text in texts[10:14])
        if set_type in SET_TYPES:
            values.set_type = set_type
        values.rpe = as_rpe(rpe) if rpe else values.rpe
        values.unit = unit if unit in UNITS else values.unit
        values.workout_note = workout_note or values.workout_note
    return values


def as_rpe(text):
    try:
        rpe = Decimal(text)
    except InvalidOperation:
        return None
    return rpe if rpe.is_finite() and 1 <= rpe <= 10 else None


def csv_row(row):
    """A row for a CSV file: csv_safe() where a lifter's text can be (escaping only
    those columns kept the export above 50,000 rows/s: bench/history_pages.py)."""
    for index in TYPED_COLUMNS:
        row[index] = csv_safe(row[index])
    return row


def csv_safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
