"""Fixes typed into the sheet: what the sync last wrote, taking a row's values into its
set, and conflicts between the sheet and the app with their two ways out.

Every function here is a plain service: the push, the pull, the admin and the
lifter's workout page call the same ones.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sessions_app.export import read_row, row_for, rpe_text
from sessions_app.forms import MAX_SET_NUMBER
from sessions_app.models import Exercise, Set, mark_unsynced
from sessions_app.models.workouts import superset_letters
from sessions_app.numbers import whole_number

from .models import SheetConflict, WrittenRow
from .rows import fingerprint, fit_cell, normalized, parse_logged_at, sheet_sets

SHEET, APP = "sheet", "app"
# RowValues fields a lifter may fix in the sheet, with the column title shown for each.
EDITABLE = {
    "date": "date",
    "template": "template",
    "exercise": "exercise",
    "set_number": "set number",
    "weight": "weight",
    "reps": "reps",
    "notes": "notes",
    "logged_at": "logged at",
    "set_type": "set type",
    "rpe": "RPE",
    "unit": "unit",
    "workout_note": "workout note",
    "superset_group": "superset",
}


class ConflictResolved(Exception):
    """The conflict was resolved meanwhile (another tab, the admin)."""


def record_written(fingerprints, target):
    """Remember {set id: fingerprint} as what the sync wrote to target, in bulk."""
    WrittenRow.objects.bulk_create(
        [
            WrittenRow(set_id=set_id, target=str(target), fingerprint=value)
            for set_id, value in fingerprints.items()
        ],
        update_conflicts=True,
        unique_fields=["set"],
        update_fields=["target", "fingerprint"],
        batch_size=1000,
    )


def app_rows(sets, version):
    """{set id: the row the app would write} for sets loaded with their session.

    In a version 1 tab only a workout's first set's row carries its note: those are
    found in one query, rather than loading every set of each workout.
    """
    firsts = set()
    if version == 1:
        workouts = {s.workout_id for s in sets}
        seen = set()
        for set_id, workout_id in (
            sheet_sets().filter(workout_id__in=workouts).values_list("pk", "workout_id")
        ):
            if workout_id not in seen:
                seen.add(workout_id)
                firsts.add(set_id)
    return {
        s.pk: [
            fit_cell(value)  # as the sync writes it: a text too long for a cell is cut
            for value in row_for(
                s.workout, s, version, with_workout_note=version != 1 or s.pk in firsts
            )
        ]
        for s in sets
    }


def app_row(workout_set, version):
    """The row the app would write for this set now."""
    return app_rows([workout_set], version)[workout_set.pk]


def changes_between(app_values, sheet_values):
    """{field: value from the sheet} for the editable fields where the two rows differ."""
    return {
        name: getattr(sheet_values, name)
        for name in EDITABLE
        if getattr(sheet_values, name) != getattr(app_values, name)
    }


def take_sheet_row(set_id, sheet_row, version, target, expected_fingerprint=None):
    """Copy what the lifter changed in the sheet row into the set and its workout.

    Only the fields where the sheet differs from the row the app would write now are
    taken; the key and session id never change. With expected_fingerprint, the set is
    taken only if its own row still has it (the app did not change it meanwhile):
    returns False otherwise. The set is saved through save() (signals fire, the
    workout is marked for re-sync) and the sheet row's fingerprint becomes the last
    written one, so the next push finds nothing to write back for it.
    """
    with transaction.atomic():
        workout_set = Set.objects.select_related("workout").get(pk=set_id)
        row = app_row(workout_set, version)
        if expected_fingerprint and fingerprint(row, version) != expected_fingerprint:
            return False
        app_values = read_row(normalized(row, version), version)
        sheet_values = read_row(normalized(sheet_row, version), version)
        apply_changes(workout_set, changes_between(app_values, sheet_values))
        taken = fingerprint(sheet_row, version)
        record_written({set_id: taken}, target)
        if fingerprint(app_row(workout_set, version), version) != taken:
            # Not all of it could be taken (the session id, a text too long): the
            # next push writes the row as the app holds it.
            mark_unsynced(workout_set.workout_id)
    return True


def apply_changes(workout_set, changes):
    """The set and its workout take these values (read from a sheet row), through their
    save_changes(): the records and the workout's other rows follow."""
    workout = workout_set.workout
    was_status, was_exercise_id = workout.status, workout_set.exercise_id
    workout_fields, set_fields = [], []
    for name, value in changes.items():
        if name == "date":
            try:
                workout.date = datetime.date.fromisoformat(value)
            except ValueError:
                continue
            workout_fields.append("date")
        elif name == "template" and value:
            workout.routine_slug = value[:40]
            workout_fields.append("routine_slug")
        elif name == "workout_note":
            workout.note = value
            workout_fields.append("note")
        elif name == "set_number":
            if number := whole_number(value, MAX_SET_NUMBER):
                workout_set.set_number = number
                set_fields.append("set_number")
        elif name == "logged_at":
            if moment := parse_logged_at(value):
                workout_set.created_at = moment
                set_fields.append("created_at")
        elif name == "exercise":
            if value.strip():
                owner_id = workout.owner_id
                workout_set.exercise = Exercise.named_for(owner_id, value[:100])
                set_fields.append("exercise")
        elif name in ("weight", "reps"):
            setattr(workout_set, name, value[:20])
            set_fields.append(name)
        else:  # notes, set type, RPE, unit: read_row gives valid values
            setattr(workout_set, name, value)
            set_fields.append(name)
    if workout_fields:
        workout.save_changes(workout_fields, was_status=was_status)
    if set_fields:
        workout_set.save_changes(set_fields, was_exercise_id=was_exercise_id)


def record_conflict(set_id, kind, target, row_number=None, sheet_row=(), version=2):
    SheetConflict.objects.update_or_create(
        set_id=set_id,
        defaults={
            "kind": kind,
            "target": str(target),
            "row_number": row_number,
            "sheet_row": [str(value) for value in sheet_row],
            "header_version": version,
            "found_at": timezone.now(),
        },
    )


def resolve(conflict, choice):
    """Keep the sheet's version (choice "sheet") or the app's ("app").

    Both changed, sheet's: the set takes the sheet row's values. Both changed, app's:
    the sheet row counts as last written, so the next push rewrites it from the app.
    Deleted in the sheet, sheet's: the set is deleted in the app too. Deleted, app's:
    the next push writes the row back.
    """
    if choice not in (SHEET, APP):
        raise ValueError(f"choice must be {SHEET!r} or {APP!r}")
    with transaction.atomic():
        if not SheetConflict.objects.filter(pk=conflict.pk).delete()[0]:
            raise ConflictResolved(f"The conflict of set {conflict.set_id} is already resolved.")
        workout_set = Set.objects.select_related("workout").get(pk=conflict.set_id)
        version = conflict.header_version
        if conflict.kind == SheetConflict.Kind.DELETED:
            if choice == SHEET:
                workout_set.delete()
            else:
                WrittenRow.objects.filter(set=workout_set).delete()
                mark_unsynced(workout_set.workout_id)
        elif choice == SHEET:
            take_sheet_row(workout_set.pk, conflict.sheet_row, version, conflict.target)
        else:
            record_written(
                {workout_set.pk: fingerprint(conflict.sheet_row, version)}, conflict.target
            )
            mark_unsynced(workout_set.workout_id)


@dataclass
class ConflictView:
    """A conflict as the lifter and the operator see it: both versions, side by side."""

    conflict: SheetConflict
    workout_set: Set
    differences: list  # (column title, in the sheet, in the app)

    @property
    def deleted(self):
        return self.conflict.kind == SheetConflict.Kind.DELETED


def display(name, value):
    if isinstance(value, Decimal):
        return rpe_text(value)
    if name == "superset_group" and value is not None:
        return superset_letters(value)  # as the sheet writes it: "A", not 0
    return "" if value is None else str(value)


def describe_conflict(conflict):
    workout_set = conflict.set
    version = conflict.header_version
    app_values = read_row(normalized(app_row(workout_set, version), version), version)
    if conflict.kind == SheetConflict.Kind.DELETED:
        differences = []
    else:
        sheet_values = read_row(normalized(conflict.sheet_row, version), version)
        differences = [
            (EDITABLE[name], display(name, value), display(name, getattr(app_values, name)))
            for name, value in changes_between(app_values, sheet_values).items()
        ]
    return ConflictView(conflict, workout_set, differences)


def conflicts_for_workout(workout):
    """The open conflicts of a workout's sets, described for its page."""
    conflicts = SheetConflict.objects.filter(set__workout=workout).select_related("set__workout")
    return [describe_conflict(conflict) for conflict in conflicts.order_by("set__created_at")]
