"""Filling an instance from a lifter's sheet, the long-term store of their history.

Keyed rows become their sets again (same key, same values). Rows without a key,
typed into the sheet before the app existed, are imported under a key derived
from their content, grouped into sessions by date and template, and marked as
legacy so the sync never touches their rows. Running it twice imports nothing new.
"""

import datetime
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from sessions_app.export import read_row
from sessions_app.forms import MAX_SET_NUMBER
from sessions_app.models import Session, Set
from sessions_app.numbers import whole_number
from sessions_app.progress import refresh_records
from sessions_app.services import batched, insert_rows, set_row

from .models import Tombstone, WrittenRow
from .reconcile import is_configured, targets_by_owner
from .rows import (
    MAX_WIDTH,
    expected_headers,
    fingerprint_of,
    header_version,
    normalized,
    parse_logged_at,
)
from .sheets import SheetsClient, SheetsPermanent

# Keys of imported legacy rows are uuid5(LEGACY_KEYS, content): the same row imported
# twice gets the same key, which is how a second import knows it.
LEGACY_KEYS = uuid.UUID("2f6a1a52-55c4-4e0c-9a4e-8d1f5b0d7c3e")


@dataclass
class ImportReport:
    sessions_created: int = 0
    sets_created: int = 0
    legacy_sets: int = 0
    already_present: int = 0
    skipped: list = field(default_factory=list)

    def summary(self):
        return (
            f"Imported {self.sets_created} set(s) ({self.legacy_sets} from rows without a key) "
            f"into {self.sessions_created} new session(s); {self.already_present} already here, "
            f"{len(self.skipped)} row(s) skipped."
        )


@dataclass
class SheetRow:
    number: int
    date: datetime.date
    session_id: str
    template: str
    exercise: str
    set_number: int | None
    weight: str
    reps: str
    notes: str
    logged_at: datetime.datetime | None
    key: uuid.UUID
    legacy: bool
    set_type: str
    rpe: object
    unit: str
    workout_note: str
    fingerprint: str


def legacy_content(values):
    """What a row without a key is known by: its cells, without the empty ones after
    `key`, so the same row reads the same before and after its tab is upgraded."""
    extra = values[10:]
    return "|".join(values[:10] + (extra if any(extra) else []))


def parse_row(number, values, seen_legacy, version=2):
    """A SheetRow, or a reason the row cannot be imported (values: normalized texts)."""
    row = read_row(values, version)
    date_text, session_id, template, exercise = row.date, row.session_id, row.template, row.exercise
    set_number, key = row.set_number, row.key
    try:
        date = datetime.date.fromisoformat(date_text)
    except ValueError:
        return f"row {number}: {date_text!r} is not a date like 2025-09-21"
    if not exercise:
        return f"row {number}: no exercise"
    template = template or "imported"
    # A workout's id is part of its address: a "/" typed into the sheet would break it.
    session_id = (
        session_id.replace("/", "-") or f"{date.isoformat()}_{slugify(template) or 'imported'}"
    )
    logged_at = parse_logged_at(row.logged_at)
    if key:
        try:
            key, legacy = uuid.UUID(key), False
        except ValueError:
            return f"row {number}: {key!r} is not a key this app wrote"
    else:
        content = legacy_content(values)
        seen_legacy[content] += 1  # identical rows are distinct sets
        key, legacy = uuid.uuid5(LEGACY_KEYS, f"{content}|{seen_legacy[content]}"), True
    return SheetRow(
        number,
        date,
        session_id[:80],
        template[:40],
        exercise[:100],
        whole_number(set_number, MAX_SET_NUMBER),
        row.weight[:20],
        row.reps[:20],
        row.notes,
        logged_at,
        key,
        legacy,
        row.set_type,
        row.rpe,
        row.unit,
        row.workout_note,
        fingerprint_of(row),  # values are normalized already: read once, not twice
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
    worksheet = SheetsClient().open_worksheet(target.spreadsheet_id, target.worksheet, create=False)
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
    report, parsed, seen_legacy, seen_keys = ImportReport(), [], Counter(), {}
    target, version, rows = read_sheet_rows(user, whole_sheet)
    for number, values in rows:
        row = parse_row(number, values, seen_legacy, version)
        if isinstance(row, str):
            report.skipped.append(row)
        elif row.key in seen_keys:
            report.skipped.append(f"row {number}: a copy of row {seen_keys[row.key]}")
        else:
            seen_keys[row.key] = number
            parsed.append(row)
    with transaction.atomic():
        store(user, parsed, report, target)
    return report


def store(user, rows, report, target=None):
    """Create the rows' sets (and their workouts) that are not here yet.

    With target, the keyed rows' fingerprints are remembered as last written there:
    a later fix typed into the sheet is then told apart from an edit in the app.
    """
    deleted = keys_among(Tombstone.objects.all(), [row.key for row in rows])
    report.skipped += [
        f"row {row.number}: its set was deleted here; its row leaves the sheet at the next sync"
        for row in rows
        if row.key in deleted
    ]
    rows = [row for row in rows if row.key not in deleted]
    present = keys_among(Set.objects.all(), [row.key for row in rows])
    report.already_present = sum(row.key in present for row in rows)
    by_session = defaultdict(list)
    for row in rows:
        if row.key not in present:
            by_session[row.session_id].append(row)
    existing = Session.objects.in_bulk(list(by_session))
    # Set numbers go on from the highest of each exercise in a workout already here.
    highest_numbers = Counter(
        {
            (session_id, exercise): highest
            for session_id, exercise, highest in Set.objects.filter(session_id__in=list(existing))
            .values_list("session_id", "exercise")
            .annotate(highest=Max("set_number"))
            .order_by()
        }
    )
    new_sessions, new_sets = [], []
    for session_id, session_rows in by_session.items():
        session = existing.get(session_id)
        if session is None:
            session = new_session(user, session_rows)
            new_sessions.append(session)
        elif session.owner_id != user.pk or session.status != Session.Status.COMPLETED:
            report.skipped += [
                f"row {row.number}: session {session_id} belongs to another lifter or is not "
                "completed"
                for row in session_rows
            ]
            continue
        new_sets += sets_of_rows(session, session_rows, highest_numbers)
    # In bulk: one by one, five years of history took longer than the rest of the import.
    Session.objects.bulk_create(new_sessions)
    report.sessions_created = len(new_sessions)
    insert_rows(Set, new_sets)
    # Inserted without save() and its signals: the records of what came in are computed here.
    refresh_records(user.pk, {workout_set["exercise"] for workout_set in new_sets})
    if target is not None:
        created = {workout_set["key"] for workout_set in new_sets}
        remember_written([row for row in rows if row.key in created], target)
    report.sets_created = len(new_sets)
    report.legacy_sets = sum(workout_set["legacy_sheet_row"] for workout_set in new_sets)


def key_batches(keys):
    """The keys, as many a query as the database takes (SQLite as some build it: 32,766;
    five years of history are 26,050 rows)."""
    return batched(keys, connection.features.max_query_params or 10_000)


def keys_among(queryset, keys):
    """The keys the queryset has among these."""
    found = set()
    for batch in key_batches(keys):
        found.update(queryset.filter(key__in=batch).values_list("key", flat=True))
    return found


def remember_written(rows, target):
    """The fingerprints of keyed rows whose sets were just created from them, as last
    written to target. Only those: a set already here may have been changed since, in
    the app or in the sheet, and the next sync must still tell which."""
    fingerprints = {row.key: row.fingerprint for row in rows if not row.legacy}
    written = [
        {"set_id": pk, "target": str(target), "fingerprint": fingerprints[key]}
        for batch in key_batches(list(fingerprints))
        for key, pk in Set.objects.filter(key__in=batch).values_list("key", "pk")
    ]
    insert_rows(WrittenRow, written)  # new sets: nothing to update


def new_session(user, rows):
    first = rows[0]
    times = [row.logged_at for row in rows if row.logged_at]
    note = next((row.workout_note for row in rows if row.workout_note), "")
    noon = timezone.make_aware(datetime.datetime.combine(first.date, datetime.time(12)))
    return Session(
        id=first.session_id,
        owner=user,
        template=first.template,
        date=first.date,
        status=Session.Status.COMPLETED,
        created_at=min(times, default=noon),
        completed_at=max(times, default=noon),
        note=note,
        synced_to_sheets=True,
        revision=1,
    )


def sets_of_rows(session, rows, numbers):
    """The rows' sets, as insert_rows() takes them; numbers holds the highest set number
    of each (session, exercise)."""
    sets = []
    for row in rows:
        number_key = (session.pk, row.exercise)
        numbers[number_key] = number = row.set_number or numbers[number_key] + 1
        created_at = row.logged_at or session.created_at
        sets.append(set_row(row, session.pk, number, created_at, synced=True, legacy=row.legacy))
    return sets
