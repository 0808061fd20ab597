"""How a set looks as a row of the sheet, and how a row read back is compared with it.

A tab's first row says its header version (sessions_app/export.py): version 1 tabs keep
their ten columns and get rows in that form, version 2 tabs (every tab the sync
creates, and tabs upgraded on purpose) get the four columns after `key` too.

Rows are written with valueInputOption=RAW, so text such as "=IMPORTXML(...)" or "+1"
is stored as that text and never runs as a formula.
"""

import contextlib
import datetime
import hashlib

from django.utils import timezone

from sessions_app.export import HEADERS, read_row, rpe_text
from sessions_app.export import row_for as versioned_row_for
from sessions_app.models import LifterProfile, Set

__all__ = [
    "HEADER",
    "CUT_MARK",
    "HEADERS",
    "KEY_COLUMN",
    "LATEST_VERSION",
    "MAX_CELL_CHARACTERS",
    "MAX_WIDTH",
    "describe",
    "fingerprint",
    "header_version",
    "normalized",
    "parse_logged_at",
    "rows_of_workout",
    "width",
]

LATEST_VERSION = 2
# The header a tab the sync creates gets.
HEADER = HEADERS[LATEST_VERSION]
MAX_WIDTH = max(len(header) for header in HEADERS.values())
# The key is the tenth column in every version.
KEY_COLUMN = HEADERS[1].index("key") + 1
assert all(header.index("key") + 1 == KEY_COLUMN for header in HEADERS.values())
DATE_COLUMN = HEADER.index("date")
LOGGED_AT_COLUMN = HEADER.index("logged at")
# Google refuses a cell longer than this (counted in UTF-16 units); a longer text is cut
# with this mark at its end, and stays whole in the app.
MAX_CELL_CHARACTERS = 50_000
CUT_MARK = " … [cut: full text in the app]"
# Sheets counts days from here; a date typed by hand reads back as such a number.
SERIAL_EPOCH = datetime.datetime(1899, 12, 30)


def width(version):
    return len(HEADERS[version])


def header_version(header):
    """1 or 2 for a header row of that version (read back, trailing cells trimmed), else None."""
    texts = [as_text(value) for value in header]
    while texts and texts[-1] == "":
        texts.pop()
    return next((version for version, columns in HEADERS.items() if texts == columns), None)


def expected_headers():
    return " or ".join(", ".join(columns) for columns in HEADERS.values())


def sheet_sets():
    """A workout's sets that have rows of their own, in row order (prefetch with it)."""
    return Set.objects.filter(legacy_sheet_row=False).order_by("created_at", "pk")


def rows_of_workout(workout, version):
    """{key: row} for the workout's (prefetched) sets, in the tab's version.

    A version 1 tab has no workout note column: the note rides on the first set's row.
    The sets must be prefetched with sheet_sets(). Times are in the lifter's zone.
    """
    zone = LifterProfile.zone_of(workout.owner_id)
    return {
        str(workout_set.key): [
            fit_cell(value)
            for value in versioned_row_for(
                workout, workout_set, version=version, with_workout_note=number == 0, zone=zone
            )
        ]
        for number, workout_set in enumerate(workout.sets.all())
    }


def text_length(text):
    """Characters as Google counts them in a cell (UTF-16 units: an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def fit_cell(value):
    """The value, or a text too long for a cell cut to fit, ending with CUT_MARK.

    Google refuses a whole request for one such cell; the app keeps the full text, and
    the cut row is what the sync means to write (its fingerprint), so it is never
    mistaken for a difference.
    """
    if not isinstance(value, str) or text_length(value) <= MAX_CELL_CHARACTERS:
        return value
    room = MAX_CELL_CHARACTERS - text_length(CUT_MARK)
    kept = value.encode("utf-16-le")[: room * 2].decode("utf-16-le", errors="ignore")
    return kept + CUT_MARK


def as_text(value):
    """A value read back from the sheet (unformatted) as the text it stands for."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_serial(value):
    return SERIAL_EPOCH + datetime.timedelta(days=value)


def parse_logged_at(value):
    """An aware datetime from a "logged at" cell, or None.

    Accepts what the sync writes (with an offset), the older form without one (taken
    as local time), and a date-time typed by hand (a serial number).
    """
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            moment = from_serial(value).replace(microsecond=0)
        else:
            moment = datetime.datetime.fromisoformat(str(value))
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        moment.astimezone(datetime.UTC)  # and it can be stored (in UTC)
    except (ValueError, OverflowError):  # not a time, or past any calendar's end
        return None
    return moment


def normalized(row, version=LATEST_VERSION):
    """A row as texts, as many as the version has columns, so rows read back compare
    equal to rows written.

    Dates typed by hand (serial numbers) become ISO dates, and "logged at" becomes
    the instant in UTC, so a change of time zone is not a difference.
    """
    columns = width(version)
    texts = [as_text(value) for value in row[:columns]]
    texts += [""] * (columns - len(texts))
    if len(row) > DATE_COLUMN and isinstance(row[DATE_COLUMN], (int, float)):
        with contextlib.suppress(OverflowError, ValueError):  # a number no date stands for
            texts[DATE_COLUMN] = from_serial(row[DATE_COLUMN]).date().isoformat()
    if len(row) > LOGGED_AT_COLUMN and (moment := parse_logged_at(row[LOGGED_AT_COLUMN])):
        texts[LOGGED_AT_COLUMN] = moment.astimezone(datetime.UTC).isoformat()
    return texts


def fingerprint(row, version):
    """A short digest of what a row says, the same in either header version.

    It hashes the row's meaning (read_row), not its cells: a version 1 row and the same
    set's version 2 row, or a row before and after its tab's header was upgraded, have
    one fingerprint, so an upgrade is never mistaken for an edit in the sheet.
    """
    return fingerprint_of(read_row(normalized(row, version), version))


def fingerprint_of(values):
    """The fingerprint of a row already read (read_row of its normalized texts)."""
    parts = dict(vars(values))
    parts["rpe"] = rpe_text(values.rpe)
    if values.superset_group is None:
        # Fingerprints remembered before supersets rode in the sheet stay those of the
        # same rows: a set outside any superset reads exactly as it did.
        del parts["superset_group"]
    text = "\x1f".join(str(part).strip() for part in parts.values())
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def describe(row, version=LATEST_VERSION):
    """A short human description of a row for reports: "2025-09-21_lower1 Back Squat #2"."""
    values = normalized(row, version)
    return f"{values[1]} {values[3]} #{values[4]}"
