"""What must follow when the history of completed workouts changes, said by the code
that changes it (nothing here guesses from a save):

- the records: refresh_records() (records.py), for the exercises whose sets changed;
- the sheet: mark_unsynced() for workouts whose rows must be rewritten, and
  rows_must_leave for sets whose rows must go. sync_app listens to both signals:
  nothing in sessions_app knows how the sheet is written.
"""

from django.db.models import F
from django.dispatch import Signal

from .batches import batched

# Sent with workout_ids whose rows the sheet must rewrite.
sheet_must_follow = Signal()
# Sent with owner_id and sets (key, workout id) whose rows must leave the sheet.
rows_must_leave = Signal()


def mark_unsynced(*workout_ids):
    """Completed workouts changed: their rows in the sheet must follow. One UPDATE and one
    signal for them all: a rename may touch a thousand workouts."""
    from .workouts import Workout

    changed = 0
    for batch in batched(workout_ids, other_parameters=2):
        completed = Workout.objects.filter(pk__in=batch, status=Workout.Status.COMPLETED)
        changed += completed.update(synced_to_sheets=False, revision=F("revision") + 1)
    if changed:
        sheet_must_follow.send(sender=Workout, workout_ids=workout_ids)


def sets_leave_sheet(owner_id, sets):
    """These sets (of a completed workout) are gone, or their workout is no longer
    completed: their rows must leave the lifter's sheet."""
    from .workouts import Set

    rows = [(workout_set.key, workout_set.workout_id) for workout_set in sets]
    if rows:
        rows_must_leave.send(sender=Set, owner_id=owner_id, rows=rows)
