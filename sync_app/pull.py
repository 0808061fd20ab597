"""The pull: fixes typed into the sheet come back to the database.

A pull first asks Drive for the file's modifiedTime (one call on Drive's own quota) and
leaves a sheet unchanged since its last pull unread. Otherwise it reads the tab whole
(its header's columns only, in one batchGet after the metadata: two reads per tab
however long the history) and compares every keyed row with the fingerprint of what
the sync last wrote there:

- unchanged: nothing to do (the push handles what changed in the app);
- changed in the sheet only: the set and its workout take the sheet's values;
- changed on both sides: a conflict, left alone until someone chooses;
- gone from the sheet: a conflict too; the set is never deleted silently.

Rows without a key typed into the sheet (a workout logged by hand) are imported the
way `import_sheets` imports them, once. Rows written before fingerprints existed get
one the first time a pull sees them match the database.
"""

import itertools
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sessions_app.import_store import ImportSummary, Skipped
from sessions_app.models import Set, Workout

from .conflicts import app_rows, record_conflict, record_written, take_sheet_row
from .models import SheetConflict, SheetState, WrittenRow
from .push import pending_workouts
from .rows import (
    KEY_COLUMN,
    MAX_WIDTH,
    as_text,
    expected_headers,
    fingerprint,
    header_version,
    normalized,
)
from .runner import Runner, SyncResult
from .sheet_import import parse_row, store_sheet_rows
from .sheets import SheetsPermanent
from .targets import is_configured, lifters_by_target

logger = logging.getLogger("sync")

# Sets loaded from the database at a time while comparing.
CHUNK_SIZE = 2000


@dataclass
class PullPlan:
    """What one tab's rows say against the database (found before anything is written)."""

    version: int
    changed: list = field(default_factory=list)  # (set id, row number, fingerprint written)
    unrecorded: dict = field(default_factory=dict)  # key: row number (no fingerprint yet)
    deleted: list = field(default_factory=list)  # set ids whose row is gone
    without_key: list = field(default_factory=list)  # row numbers


def plan_pull(target, rows):
    """Sort a tab's rows (as read, header first) without writing anything."""
    if not rows:
        return PullPlan(version=2)
    version = header_version(rows[0])
    if version is None:
        raise SheetsPermanent(
            f"{target}: the header row is {rows[0]!r}; expected {expected_headers()}. "
            "Nothing was read back."
        )
    plan = PullPlan(version)
    written = WrittenRow.objects.filter(target=str(target))
    last_written = {
        str(key): (set_id, value)
        for key, set_id, value in written.values_list("set__key", "set_id", "fingerprint")
    }
    in_conflict = set(
        SheetConflict.objects.filter(target=str(target)).values_list("set_id", flat=True)
    )
    seen = set()
    for number, row in enumerate(rows[1:], start=2):
        key = as_text(row[KEY_COLUMN - 1]).strip() if len(row) >= KEY_COLUMN else ""
        if not key:
            if any(value != "" for value in row):
                plan.without_key.append(number)
            continue
        if key in seen:
            continue  # a copy: the first row of a key counts (the push deletes copies)
        seen.add(key)
        if (entry := last_written.get(key)) is None:
            plan.unrecorded[key] = number
        elif entry[0] not in in_conflict and fingerprint(row, version) != entry[1]:
            plan.changed.append((entry[0], number, entry[1]))
    plan.deleted = [
        set_id
        for key, (set_id, _) in last_written.items()
        if key not in seen and set_id not in in_conflict
    ]
    return plan


class Puller(Runner):
    """One pull run: each sheet under its lease, with the same retries and run record
    as a push. A sheet whose file Drive says is unchanged since its last pull is not
    read at all."""

    def run(self, owner_ids=None, scheduled=False, force=False):
        if not is_configured():
            return SyncResult("not configured")
        self.work = lifters_by_target(owner_ids)
        self.scheduled, self.force = scheduled, force
        # Each sheet read counts as pulled when the run began (due_for_pull).
        self.began_at = timezone.now()
        if scheduled:
            self.work = {target: self.work[target] for target in due_for_pull(self.work)}
        if not self.work:
            return SyncResult("nothing to do", pull=True)
        result = SyncResult("success", pull=True)
        targets = self.without_backing_off(list(self.work), result)
        with self.recorded(result, len(targets)):
            self.each_target(targets, result)
        return result

    def before_target(self, result):
        """Pushes before pulls: a lifter's completed workout never waits behind a pull
        of other lifters' sheets (only the scheduled pull; a sheet another run holds is
        left to it)."""
        if self.scheduled and pending_workouts()[0].exists():
            from .push import Pusher

            Pusher(trigger="push before pull", sleep=self.sleep).run()

    def sync_target(self, target, result):
        modified_time = self.modified_time(target, result)
        last = SheetState.objects.filter(target=str(target)).values_list("modified_time", flat=True)
        if modified_time and not self.force and modified_time in last:
            self.progress(f"{target}: unchanged since the last pull")
            result.skipped += 1
            SheetState.pulled(target, modified_time, now=self.began_at)
            return
        self.pull_target(target, self.work[target], result)
        SheetState.pulled(target, modified_time, now=self.began_at)

    def modified_time(self, target, result):
        """The file's modifiedTime, or "" when Drive would not say (the sheet is read)."""
        client = self.client_for(target)
        try:
            return client.modified_time(target.spreadsheet_id)
        except SheetsPermanent as error:
            note = f"{target}: read whole, Drive did not tell its last change ({error})."
            result.notes.append(note)
            logger.warning("drive metadata refused", extra={"target": str(target)})
            return ""

    def pull_target(self, target, owners, result):
        self.progress(f"{target}: reading the sheet")
        worksheet = self.open_worksheet(target, create=False)
        rows = worksheet.read_table(MAX_WIDTH) if worksheet else []
        plan = plan_pull(target, rows)
        self.progress(f"{target}: comparing {max(len(rows) - 1, 0)} row(s)")
        self.take_changed(target, rows, plan, result)
        self.record_unrecorded(target, owners, rows, plan, result)
        self.report_deleted(target, plan, result)
        self.import_without_key(target, owners, rows, plan, result)

    def take_changed(self, target, rows, plan, result):
        version = plan.version
        for batch in itertools.batched(plan.changed, CHUNK_SIZE):
            sets = Set.objects.filter(
                pk__in=[set_id for set_id, _, _ in batch],
                workout__status=Workout.Status.COMPLETED,
            ).select_related("workout")
            wanted = app_rows(list(sets), version)
            agreed = {}
            for set_id, number, last_written in batch:
                if set_id not in wanted:
                    continue  # its workout is no longer completed: the push takes the row away
                row = rows[number - 1]
                found, app = fingerprint(row, version), fingerprint(wanted[set_id], version)
                if found == app:
                    agreed[set_id] = found  # both sides made the same change
                elif app == last_written and take_sheet_row(
                    set_id, row, version, target, last_written
                ):
                    result.taken += 1
                else:
                    record_conflict(
                        set_id, SheetConflict.Kind.BOTH_CHANGED, target, number, row, version
                    )
                    result.conflicts += 1
            record_written(agreed, target)

    def record_unrecorded(self, target, owners, rows, plan, result):
        """Rows of sets written before fingerprints (or by import_sheets): a set of a
        synced workout has not changed since its row was written, so the row the app
        would write is what was written."""
        version = plan.version
        for batch in itertools.batched(list(plan.unrecorded.items()), CHUNK_SIZE):
            keys = [uuid.UUID(key) for key, _ in batch if is_uuid(key)]
            sets = Set.objects.filter(
                key__in=keys,
                legacy_sheet_row=False,
                workout__status=Workout.Status.COMPLETED,
                workout__synced_to_sheets=True,
                workout__owner_id__in=owners,
            ).select_related("workout")
            sets = {str(s.key): s for s in sets}
            wanted = app_rows(list(sets.values()), version)
            baseline = {}
            for key, number in batch:
                if (workout_set := sets.get(key)) is None:
                    continue  # a key of no set here, or a workout the push will rewrite
                row, app = rows[number - 1], wanted[workout_set.pk]
                written = fingerprint(app, version)
                if fingerprint(row, version) == written:
                    baseline[workout_set.pk] = written
                elif take_sheet_row(workout_set.pk, row, version, target, written):
                    result.taken += 1
            record_written(baseline, target)

    def report_deleted(self, target, plan, result):
        for batch in itertools.batched(plan.deleted, CHUNK_SIZE):
            gone = Set.objects.filter(pk__in=batch, workout__status=Workout.Status.COMPLETED)
            for set_id in gone.values_list("pk", flat=True):
                record_conflict(set_id, SheetConflict.Kind.DELETED, target, version=plan.version)
                result.conflicts += 1

    def import_without_key(self, target, owners, rows, plan, result):
        if not plan.without_key:
            return
        if len(owners) > 1:
            result.notes.append(
                f"{target}: {len(plan.without_key)} row(s) without a key were not imported: "
                "several lifters share this sheet (import them with import_sheets "
                "--whole-sheet)."
            )
            return
        user = get_user_model().objects.get(pk=owners[0])
        summary, parsed, seen_legacy = ImportSummary("sheet", "", True), [], Counter()
        for number in plan.without_key:
            values = normalized(rows[number - 1], plan.version)
            row = parse_row(number, values, seen_legacy, plan.version)
            if not isinstance(row, Skipped):
                parsed.append(row)
        with transaction.atomic():
            store_sheet_rows(user, parsed, summary)
        result.imported += summary.sets_created


def is_uuid(text):
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def due_for_pull(work, now=None):
    """The sheets a scheduled pull looks at now, the longest unread first: a sheet of a
    lifter active lately every SYNC_PULL_INTERVAL_MINUTES, of dormant lifters every
    SYNC_DORMANT_PULL_INTERVAL_MINUTES. A sheet's pull counts from when its run began: a
    run over thousands of sheets lasts minutes, and a sheet read at its end is due at
    the next tick all the same (else it would wait two intervals)."""
    now = now or timezone.now()
    active_since = now - timedelta(days=settings.SYNC_ACTIVE_LIFTER_DAYS)
    owners = [owner_id for owner_ids in work.values() for owner_id in owner_ids]
    active = set(
        Workout.objects.completed()
        .filter(owner_id__in=owners, completed_at__gte=active_since)
        .values_list("owner_id", flat=True)
        .distinct()
    )
    pulled = dict(
        SheetState.objects.filter(target__in=[str(t) for t in work]).values_list(
            "target", "pulled_at"
        )
    )
    due = []
    for target, owner_ids in work.items():
        minutes = (
            settings.SYNC_PULL_INTERVAL_MINUTES
            if active.intersection(owner_ids)
            else settings.SYNC_DORMANT_PULL_INTERVAL_MINUTES
        )
        # A tenth of slack: the schedule's tick lands a little after the last pull.
        last = pulled.get(str(target))
        if last is None or now - last >= timedelta(minutes=minutes * 0.9):
            due.append(target)
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(due, key=lambda target: pulled.get(str(target)) or oldest)


def run_pull(owner_ids=None, trigger="pull", progress=None, scheduled=False, force=False):
    return Puller(trigger=trigger, progress=progress).run(
        owner_ids, scheduled=scheduled, force=force
    )
