"""Filling an instance from a lifter's sheet, the long-term store of their history.

This module only turns the sheet's rows into ImportedSet, the shape the one import
store takes (sessions_app/import_store.py): keyed rows become their sets again (same
key, same values); rows without a key, typed into the sheet before the app existed,
get a key derived from their content and are grouped into workouts by date and
template, marked as legacy so the sync never touches their rows. Running it twice
imports nothing new. The pull imports rows typed into a sheet the same way.
"""

import datetime
import uuid
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from sessions_app.export import read_row, superset_text
from sessions_app.forms import MAX_SET_NUMBER
from sessions_app.import_store import (
    IMPORT_CHUNK_SETS,
    ImportedSet,
    ImportStore,
    ImportSummary,
    Skipped,
    insert_rows,
)
from sessions_app.models import Set
from sessions_app.models.batches import batched
from sessions_app.numbers import whole_number

from .accounts import account_of_target
from .models import Tombstone, WrittenRow
from .rows import (
    MAX_WIDTH,
    expected_headers,
    fingerprint_of,
    header_version,
    normalized,
    parse_logged_at,
)
from .sheets import SheetsClient, SheetsPermanent
from .targets import is_configured, targets_by_owner

# Keys of imported legacy rows are uuid5(LEGACY_KEYS, content): the same row imported
# twice gets the same key, which is how a second import knows it.
LEGACY_KEYS = uuid.UUID("2f6a1a52-55c4-4e0c-9a4e-8d1f5b0d7c3e")


def sheet_summary(summary):
    """What import_sheets says it did."""
    return (
        f"Imported {summary.sets_created} set(s) ({summary.legacy_sets} from rows without a "
        f"key) into {summary.sessions_created} new session(s); {summary.already_present} "
        f"already here, {summary.skipped_count} row(s) skipped."
    )


def legacy_content(values):
    """What a row without a key is known by: its cells, without the empty ones after
    `key`, so the same row reads the same before and after its tab is upgraded."""
    extra = values[10:]
    return "|".join(values[:10] + (extra if any(extra) else []))


def parse_row(number, values, seen_legacy, version=2):
    """An ImportedSet, or a Skipped saying why the row cannot be imported (values: the
    row's normalized texts)."""
    row = read_row(values, version)
    try:
        date = datetime.date.fromisoformat(row.date)
    except ValueError:
        return Skipped(number, f"{row.date!r} is not a date like 2025-09-21")
    if not row.exercise.strip():
        return Skipped(number, "no exercise")
    template = row.template or "imported"
    # A workout's id is part of its address: a "/" typed into the sheet would break it.
    session_id = (
        row.session_id.replace("/", "-") or f"{date.isoformat()}_{slugify(template) or 'imported'}"
    )[:80]
    logged_at = parse_logged_at(row.logged_at)
    if row.key:
        try:
            key, legacy = uuid.UUID(row.key), False
        except ValueError:
            return Skipped(number, f"{row.key!r} is not a key this app wrote")
    else:
        content = legacy_content(values)
        seen_legacy[content] += 1  # identical rows are distinct sets
        key, legacy = uuid.uuid5(LEGACY_KEYS, f"{content}|{seen_legacy[content]}"), True
    noon = timezone.make_aware(datetime.datetime.combine(date, datetime.time(12)))
    return ImportedSet(
        line=number,
        workout=session_id,
        session_id=session_id,
        date=date,
        started_at=logged_at or noon,
        finished_at=logged_at,
        workout_name=template[:40],
        workout_note=row.workout_note,
        exercise=row.exercise[:100],
        set_number=whole_number(row.set_number, MAX_SET_NUMBER),
        set_type=row.set_type,
        weight=row.weight[:20],
        reps=row.reps[:20],
        unit=row.unit,
        rpe=row.rpe,
        notes=row.notes,
        key=key,
        logged_at=logged_at,
        legacy=legacy,
        fingerprint=fingerprint_of(row),  # values are normalized already: read once
        superset=superset_text(row.superset_group),
    )


class SharedSheet(SheetsPermanent):
    pass


def lifters_sharing(target, user):
    """Other lifters whose rows go to the same sheet as this one's."""
    others = get_user_model().objects.exclude(pk=user.pk)
    targets = targets_by_owner(list(others.values_list("pk", flat=True)))
    return [pk for pk, their_target in targets.items() if their_target == target]


def read_sheet_rows(user, whole_sheet=False):
    if not is_configured():
        raise SheetsPermanent("Sheets sync is not configured: set SHEETS_SPREADSHEET_ID.")
    target = targets_by_owner([user.pk])[user.pk]
    if target is None:
        raise SheetsPermanent(f"No spreadsheet is set for {user} or for the instance.")
    if not whole_sheet and lifters_sharing(target, user):
        # The sheet has no owner column: every row would become this lifter's.
        raise SharedSheet(
            f"Other lifters share {target} with {user}, and the sheet does not say whose "
            "each row is. Give each lifter their own spreadsheet (their Google Sheets "
            "profile in the admin), or pass --whole-sheet to import every row as "
            f"{user}'s."
        )
    client = SheetsClient(account=account_of_target(target))
    worksheet = client.open_worksheet(target.spreadsheet_id, target.worksheet, create=False)
    if worksheet is None:
        raise SheetsPermanent(
            f"Spreadsheet {target.spreadsheet_id} has no tab {target.worksheet!r}."
        )
    rows = worksheet.read_table(MAX_WIDTH)
    version = header_version(rows[0]) if rows else 2
    if version is None:
        raise SheetsPermanent(f"The header row is {rows[0]!r}; expected {expected_headers()}.")
    return (
        target,
        version,
        [
            (number, normalized(row, version))
            for number, row in enumerate(rows[1:], start=2)
            if any(row)
        ],
    )


def import_sheet(user, whole_sheet=False):
    """Every row of the lifter's sheet not here yet becomes a set; returns an ImportSummary."""
    target, version, rows = read_sheet_rows(user, whole_sheet)
    summary = ImportSummary("sheet", "", True)
    parsed, seen_legacy, seen_keys = [], Counter(), {}
    for number, values in rows:
        row = parse_row(number, values, seen_legacy, version)
        if isinstance(row, Skipped):
            summary.skipped.append(row)
        elif row.key in seen_keys:
            summary.skipped.append(Skipped(number, f"a copy of row {seen_keys[row.key]}"))
        else:
            seen_keys[row.key] = number
            parsed.append(row)
    with transaction.atomic():
        store_sheet_rows(user, parsed, summary, target)
    return summary


def store_sheet_rows(user, rows, summary, target=None):
    """The rows' sets not here yet, through the import store. Rows of sets deleted here
    are left out (their rows leave the sheet at the next push). With target, the keyed
    rows' fingerprints are remembered as last written there: a later fix typed into the
    sheet is then told apart from an edit in the app."""
    deleted = set()
    for batch in batched([row.key for row in rows], other_parameters=0):
        deleted |= set(Tombstone.objects.filter(key__in=batch).values_list("key", flat=True))
    summary.skipped += [
        Skipped(row.line, "its set was deleted here; its row leaves the sheet at the next sync")
        for row in rows
        if row.key in deleted
    ]
    rows = [row for row in rows if row.key not in deleted]
    store = ImportStore(user, summary, from_sheet=True)
    for start in range(0, len(rows), IMPORT_CHUNK_SETS):
        store.store(rows[start : start + IMPORT_CHUNK_SETS])
    store.finish()
    if target is not None:
        created = [row for row in rows if row.key in store.created_keys and not row.legacy]
        remember_written(created, target)
    return store


def remember_written(rows, target):
    """The fingerprints of keyed rows whose sets were just created from them, as last
    written to target. Only those: a set already here may have been changed since, in
    the app or in the sheet, and the next sync must still tell which."""
    fingerprints = {row.key: row.fingerprint for row in rows}
    written = [
        {"set_id": pk, "target": str(target), "fingerprint": fingerprints[key]}
        for batch in batched(fingerprints, other_parameters=0)
        for key, pk in Set.objects.filter(key__in=batch).values_list("key", "pk")
    ]
    insert_rows(WrittenRow, written)  # new sets: nothing to update
