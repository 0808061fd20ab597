"""Building completed workouts and reading the sheet back, for the sync tests."""

import datetime

from sessions_app.models import Workout
from sync_app.models import FailingPush
from sync_app.rows import HEADER, KEY_COLUMN
from tests.conftest import SPREADSHEET_ID


def completed_workout(owner, template, sets, date=datetime.date(2025, 9, 21)):
    """A completed session with the given (exercise, weight, reps, notes) sets."""
    session = Workout.start(owner, template, date)
    for exercise, weight, reps, notes in sets:
        session.log_set(exercise, weight, reps, notes)
    session.complete()
    session.refresh_from_db()
    return session


def long_workout(owner, routine, set_count):
    """A completed workout of set_count sets (as a big import leaves one), made fast."""
    from tests.helpers import bulk_sets

    workout = Workout.start(owner, routine)
    bulk_sets(workout, "Back Squat", set_count)
    workout.complete()
    workout.refresh_from_db()
    return workout


SQUAT_DAY = [
    ("Back Squat", "225", "5", ""),
    ("Back Squat", "235", "5", "belt"),
    ("Leg Press", "BW+90", "12", ""),
]


def sheet(imitation, worksheet="Log", spreadsheet_id=SPREADSHEET_ID):
    return imitation.rows(spreadsheet_id, worksheet)


def data_rows(imitation, **kwargs):
    rows = sheet(imitation, **kwargs)
    assert rows[0] == HEADER
    return rows[1:]


def keys_in_sheet(imitation, **kwargs):
    rows = data_rows(imitation, **kwargs)
    return [row[KEY_COLUMN - 1] for row in rows if len(row) >= KEY_COLUMN and row[KEY_COLUMN - 1]]


def trimmed(row):
    """A row as the sheet returns it: without its empty cells at the end."""
    row = list(row)
    while row and row[-1] in ("", None):
        row.pop()
    return row


def failed_pushes(workout):
    """(attempts, last error) of the workout's failing push; (0, "") when none."""
    failing = FailingPush.objects.filter(workout=workout).first()
    return (failing.attempts, failing.error) if failing else (0, "")
