"""How a set looks as a row of the sheet, and how a row read back is compared with it.

Rows are written with valueInputOption=RAW, so text such as "=IMPORTXML(...)" or "+1"
is stored as that text and never runs as a formula.
"""

import datetime
from functools import partial

from django.utils import timezone

from sessions_app.export import COLUMNS_V1
from sessions_app.export import row_for as versioned_row_for

__all__ = ["HEADER", "KEY_COLUMN", "WIDTH", "describe", "normalized", "parse_logged_at", "row_for"]

# Until the sync reads each tab's header version, it writes version 1 everywhere.
HEADER = COLUMNS_V1
row_for = partial(versioned_row_for, version=1)
WIDTH = len(HEADER)
KEY_COLUMN = HEADER.index("key") + 1
DATE_COLUMN = HEADER.index("date")
LOGGED_AT_COLUMN = HEADER.index("logged at")
# Sheets counts days from here; a date typed by hand reads back as such a number.
SERIAL_EPOCH = datetime.datetime(1899, 12, 30)


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
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = from_serial(value).replace(microsecond=0)
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def normalized(row):
    """A row as WIDTH texts, so rows read back compare equal to rows written.

    Dates typed by hand (serial numbers) become ISO dates, and "logged at" becomes
    the instant in UTC, so a change of time zone is not a difference.
    """
    texts = [as_text(value) for value in row[:WIDTH]]
    texts += [""] * (WIDTH - len(texts))
    if len(row) > DATE_COLUMN and isinstance(row[DATE_COLUMN], (int, float)):
        texts[DATE_COLUMN] = from_serial(row[DATE_COLUMN]).date().isoformat()
    if len(row) > LOGGED_AT_COLUMN and (moment := parse_logged_at(row[LOGGED_AT_COLUMN])):
        texts[LOGGED_AT_COLUMN] = moment.astimezone(datetime.UTC).isoformat()
    return texts


def describe(row):
    """A short human description of a row for reports: "2025-09-21_lower1 Back Squat #2"."""
    values = normalized(row)
    return f"{values[1]} {values[3]} #{values[4]}"
