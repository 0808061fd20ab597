"""The sync contract: completed workouts reach the sheet exactly once, keyed by set.

A run reads the sheet's key column, then in at most one call each: rewrites rows
whose values changed, deletes rows of tombstoned keys (bottom-up), and appends the
sets that are missing. Only then are the sessions marked synced, and only if they
did not change meanwhile. A run that dies after the append and before the mark is
harmless: the next run finds the keys and appends nothing twice. Any retryable
failure restarts the plan from a fresh read, never a blind retry of a write.

Rows are written in the version of each tab's header (rows.py). The sync remembers a
fingerprint of every row it writes (WrittenRow): a row the lifter changed in the sheet
since is never rewritten. The set takes it when the app did not change it too, else
it is a conflict left for a choice (conflicts.py); the pull (pull.py) reads the sheets
back on a slower schedule.
"""

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.models import Count, F, Prefetch
from django.utils import timezone

from sessions_app.models import Session, Set

from .conflicts import record_conflict, record_written, take_sheet_row
from .models import SheetConflict, SheetsProfile, SyncRun, SyncState, Tombstone, WrittenRow
from .rows import (
    HEADERS,
    KEY_COLUMN,
    LATEST_VERSION,
    MAX_WIDTH,
    describe,
    expected_headers,
    fingerprint,
    header_version,
    normalized,
    rows_of_session,
    sheet_sets,
    width,
)
from .sheets import SheetsClient, SheetsError, SheetsPermanent, SheetsRetryable, has_credentials

logger = logging.getLogger("sync")

# Bounds one run's payload (about 1.5 MB; Google recommends at most 2 MB a request);
# a bigger backlog is finished by the next run, which the task starts at once.
MAX_SETS_PER_RUN = 10_000
ERROR_TEXT_LIMIT = 1000


@dataclass(frozen=True)
class Target:
    spreadsheet_id: str
    worksheet: str

    def __str__(self):
        return f"{self.spreadsheet_id} / {self.worksheet}"


@dataclass
class Plan:
    """What one target needs: rows to append, rewrite (by row number) and delete."""

    target: Target
    version: int = LATEST_VERSION
    append: list = field(default_factory=list)
    update: dict = field(default_factory=dict)
    delete: list = field(default_factory=list)
    write_header: bool = False
    create_tab: bool = False
    # Two-way: {set id: fingerprint} to remember once written; rows edited in the sheet
    # to take, as (set id, row, fingerprint last written); conflicts found, as
    # (set id, kind, row number, row).
    written: dict = field(default_factory=dict)
    take: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)

    def lines(self):
        yield from (f"append  {describe(row, self.version)}" for row in self.append)
        yield from (
            f"update  row {number}: {describe(row, self.version)}"
            for number, row in self.update.items()
        )
        yield from (f"delete  row {number}" for number in self.delete)
        yield from (
            f"take    row {row_number(row)} from the sheet: {describe(row, self.version)}"
            for _, row, _ in self.take
        )
        yield from (
            f"leave   {f'row {number}' if number else 'a deleted row'} alone: {kind} conflict"
            for _, kind, number, _ in self.conflicts
        )


@dataclass
class SyncResult:
    outcome: str  # success, partial, failed, nothing to do, not configured, busy, settling
    sessions: int = 0
    appended: int = 0
    updated: int = 0
    deleted: int = 0
    taken: int = 0
    conflicts: int = 0
    imported: int = 0
    api_calls: int = 0
    retries: int = 0
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    more_pending: bool = False
    dry_run: bool = False
    pull: bool = False

    @property
    def ok(self):
        return self.outcome in ("success", "nothing to do")

    def summary(self):
        if self.outcome == "not configured":
            return not_configured_message()
        if self.outcome == "busy":
            return "Another sync is running; this one did nothing."
        if self.outcome == "settling":
            return (
                "A write of the last run may still land in the sheet; "
                "waiting before reading it again."
            )
        if self.outcome == "nothing to do":
            return "Nothing to sync: every completed workout is already in the sheet."
        if self.pull:
            return " ".join(
                [
                    f"{self.outcome.capitalize()}: {self.taken} row(s) taken from the sheet, "
                    f"{self.conflicts} conflict(s) left for a choice, {self.imported} "
                    f"hand-typed row(s) imported, {self.api_calls} API call(s), "
                    f"{self.retries} retry(ies).",
                    *self.notes,
                    *self.errors,
                ]
            )
        if self.dry_run:
            outcome = "" if self.outcome == "success" else f" ({self.outcome})"
            text = (
                f"Dry run, nothing was written{outcome}: {self.sessions} session(s), would "
                f"append {self.appended} row(s), update {self.updated}, delete {self.deleted}; "
                f"{self.api_calls} API call(s) (reads), {self.retries} retry(ies)."
            )
        else:
            text = (
                f"{self.outcome.capitalize()}: {self.sessions} session(s), {self.appended} "
                f"row(s) appended, {self.updated} updated, {self.deleted} deleted, "
                f"{self.api_calls} API call(s), {self.retries} retry(ies)."
            )
        if self.taken or self.conflicts or self.imported:
            text += (
                f" {self.taken} row(s) taken from the sheet, {self.conflicts} conflict(s) "
                f"left for a choice, {self.imported} hand-typed row(s) imported."
            )
        if self.errors:
            text += " " + " ".join(self.errors)
        return text


def default_target():
    if not settings.SHEETS_SPREADSHEET_ID:
        return None
    return Target(settings.SHEETS_SPREADSHEET_ID, settings.SHEETS_WORKSHEET)


def targets_by_owner(owner_ids):
    """Each lifter's spreadsheet: their own profile's, else the instance default."""
    fallback = default_target()
    targets = dict.fromkeys(owner_ids, fallback)
    for profile in SheetsProfile.objects.filter(user_id__in=owner_ids).exclude(spreadsheet_id=""):
        targets[profile.user_id] = Target(
            profile.spreadsheet_id, profile.worksheet or settings.SHEETS_WORKSHEET
        )
    return targets


def lifters_by_target(owner_ids=None):
    """{target: [owner ids]} of these lifters (every lifter when None) who have one."""
    if owner_ids is None:
        owner_ids = list(get_user_model().objects.values_list("pk", flat=True))
    lifters = {}
    for owner_id, target in targets_by_owner(owner_ids).items():
        if target is not None:
            lifters.setdefault(target, []).append(owner_id)
    return lifters


def is_configured():
    return not missing_configuration()


def missing_configuration():
    """What an operator must still set for the sync to send anything (empty: nothing)."""
    missing = []
    if default_target() is None and not SheetsProfile.objects.exclude(spreadsheet_id="").exists():
        missing.append(
            "SHEETS_SPREADSHEET_ID (or a spreadsheet in a lifter's Google Sheets profile)"
        )
    if not has_credentials():
        missing.append("GOOGLE_SERVICE_ACCOUNT_FILE")
    return missing


def not_configured_message():
    """The one sentence every command and page shows while the sync is not configured."""
    return (
        f"Sheets sync is not configured: set {' and '.join(missing_configuration())}; "
        "see the README."
    )


def pending_sessions(session_ids=None):
    """Completed sessions the sheet does not hold yet (of lifters who have a sheet)."""
    sessions = without_spreadsheet = Session.objects.completed().filter(synced_to_sheets=False)
    if default_target() is None:
        sessions = sessions.filter(owner__sheets_profile__spreadsheet_id__gt="")
        without_spreadsheet = without_spreadsheet.exclude(pk__in=sessions.values("pk"))
    else:
        without_spreadsheet = without_spreadsheet.none()
    if session_ids:
        sessions = sessions.filter(pk__in=session_ids)
    return sessions.order_by("completed_at", "pk"), without_spreadsheet


def load_work(session_ids=None, dry_run=False):
    """Pending sessions (oldest first, up to MAX_SETS_PER_RUN sets) and tombstones."""
    candidates = list(
        pending_sessions(session_ids)[0]
        .annotate(set_count=Count("sets"))
        .values_list("pk", "set_count")
    )
    chosen, total = [], 0
    for session_id, set_count in candidates:
        if chosen and total + set_count > MAX_SETS_PER_RUN:
            break
        chosen.append(session_id)
        total += set_count
    sets = sheet_sets()
    sessions = list(
        Session.objects.filter(pk__in=chosen)
        .order_by("completed_at", "pk")
        .prefetch_related(Prefetch("sets", queryset=sets))
    )
    tombstones = Tombstone.objects.all()
    if session_ids:
        tombstones = tombstones.filter(session_id__in=session_ids)
    tombstones = live_tombstones(list(tombstones), dry_run)
    return sessions, tombstones, len(chosen) < len(candidates)


def live_tombstones(tombstones, dry_run=False):
    """Drop tombstones whose set is back in a completed workout: that set's row stays."""
    keys = [t.key for t in tombstones]
    revived = set(
        Set.objects.filter(key__in=keys, session__status=Session.Status.COMPLETED).values_list(
            "key", flat=True
        )
    )
    if revived and not dry_run:
        Tombstone.objects.filter(key__in=revived).delete()
    return [t for t in tombstones if t.key not in revived]


def desired_rows(sessions, version):
    rows = {}
    for session in sessions:
        rows.update(rows_of_session(session, version))
    return rows


def row_number(row):
    return getattr(row, "number", "?")


class NumberedRow(list):
    """A row read from the sheet that remembers its row number (for reports)."""

    number = None


def plan_target(target, worksheet, sessions, tombstones):
    """Compare the sheet with the database for one target; reads at most twice.

    worksheet is None when the tab does not exist yet (only in a dry run). Rows are
    written in the version of the tab's header; an empty tab gets the latest.
    A row the lifter changed in the sheet since it was last written is never
    rewritten: the set takes its values when the app did not change it, else it is a
    conflict; a row deleted by hand is a conflict too, never appended again silently.
    """
    plan = Plan(target)
    sets_by_key = {str(s.key): s for session in sessions for s in session.sets.all()}
    if worksheet is None or worksheet.is_new:
        plan.create_tab = worksheet is None
        desired = desired_rows(sessions, plan.version)
        plan.append = list(desired.values())
        plan.written = {
            sets_by_key[key].pk: fingerprint(row, plan.version) for key, row in desired.items()
        }
        plan.write_header = bool(plan.append)
        return plan

    header, keys = worksheet.read_header_and_column(MAX_WIDTH, KEY_COLUMN)
    sheet_is_empty = not header and not any(keys)
    version = LATEST_VERSION if sheet_is_empty else header_version(header)
    if version is None:
        raise SheetsPermanent(
            f"Tab {worksheet.title!r} starts with the header {header!r}; expected "
            f"{expected_headers()}. Nothing was written: fix the header row, or point the "
            "sync at an empty tab."
        )
    plan.version = version
    desired = desired_rows(sessions, version)
    # Only the rows of keys this run cares about are kept, however long the history.
    wanted = desired.keys() | {str(tombstone.key) for tombstone in tombstones}
    rows_of_key = defaultdict(list)
    for number, key in enumerate(keys, start=2):
        if key in wanted:
            rows_of_key[key].append(number)
    del keys

    first_row = {key: rows_of_key[key][0] for key in desired if key in rows_of_key}
    # A key of ours on several rows (copied by hand, say) keeps its first row only.
    duplicate_rows = [row for key in first_row for row in rows_of_key[key][1:]]
    dead_keys = {str(tombstone.key) for tombstone in tombstones} - desired.keys()
    dead_rows = [row for key in dead_keys for row in rows_of_key.get(key, [])]

    current = worksheet.read_rows(first_row.values(), width(version)) if first_row else {}
    last_written, in_conflict = two_way_state(target, sessions)
    for key, row in desired.items():
        set_id = sets_by_key[key].pk
        if set_id in in_conflict:
            continue  # left alone until someone chooses
        number = first_row.get(key)
        plan_row(plan, set_id, number, current.get(number), row, last_written.get(set_id))
    plan.delete = sorted(duplicate_rows + dead_rows)
    plan.write_header = sheet_is_empty and bool(plan.append)
    return plan


def two_way_state(target, sessions):
    """({set id: fingerprint last written to target}, {set ids in conflict})."""
    written = WrittenRow.objects.filter(set__session__in=sessions, target=str(target))
    conflicts = SheetConflict.objects.filter(set__session__in=sessions)
    return (
        dict(written.values_list("set_id", "fingerprint")),
        set(conflicts.values_list("set_id", flat=True)),
    )


def plan_row(plan, set_id, number, current, desired, last_written):
    """Decide one set's row: append, rewrite, take from the sheet, conflict, or nothing."""
    version = plan.version
    wanted = fingerprint(desired, version)
    if number is None:
        if last_written:  # it was written, and someone deleted it from the sheet
            plan.conflicts.append((set_id, SheetConflict.Kind.DELETED, None, []))
        else:
            plan.append.append(desired)
            plan.written[set_id] = wanted
        return
    current = NumberedRow(current or [])
    current.number = number
    found = fingerprint(current, version)
    if last_written is None or found in (last_written, wanted):
        # The sheet row is as the sync left it (or already says what the app says).
        if normalized(current, version) != normalized(desired, version):
            plan.update[number] = desired
        plan.written[set_id] = wanted
    elif wanted == last_written:
        plan.take.append((set_id, current, last_written))  # changed in the sheet only
    else:
        plan.conflicts.append((set_id, SheetConflict.Kind.BOTH_CHANGED, number, current))


def carry_out(worksheet, plan):
    if plan.update:
        worksheet.update_rows(plan.update, width(plan.version))
    if plan.delete:
        worksheet.delete_rows(plan.delete)
    if plan.append:
        header = [HEADERS[plan.version]] if plan.write_header else []
        worksheet.append_rows(header + plan.append)


class LeaseLost(SheetsError):
    pass


class OutOfTime(SheetsError):
    pass


class LeaseKeeper(threading.Thread):
    """Renews a run's lease every third of its length for as long as the run lives.

    The lease can then be short (SYNC_LEASE_SECONDS, 90 s by default): a run that waits
    on one slow call keeps it, and a worker killed mid-run stops renewing, so the next
    run can start a minute or two later instead of after the longest possible run.
    """

    def __init__(self, holder, seconds):
        super().__init__(name=f"sync lease {holder}", daemon=True)
        self.holder = holder
        self.seconds = seconds
        self.lost = False
        self._stopping = threading.Event()

    def run(self):
        try:
            while not self._stopping.wait(self.seconds / 3):
                try:
                    renewed = SyncState.take_lease(self.holder, self.seconds)
                except DatabaseError as error:  # busy for a moment: the next beat tries again
                    logger.warning("sync lease not renewed", extra={"error": str(error)})
                    continue
                if not renewed:
                    self.lost = True
                    return
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self._stopping.set()
        self.join()


class Runner:
    """One sync run: holds the lease, retries with backoff, records what happened."""

    def __init__(self, dry_run=False, trigger="command", sleep=time.sleep, progress=None):
        self.dry_run = dry_run
        self.trigger = trigger
        self.sleep = sleep
        self.progress = progress or (lambda message: None)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.client = None
        self.lease_keeper = None
        self.retries = 0
        self.deadline = time.monotonic() + settings.SYNC_RUN_BUDGET_SECONDS

    def renew_lease(self):
        if self.dry_run:
            return
        if (self.lease_keeper and self.lease_keeper.lost) or not SyncState.take_lease(
            self.holder, settings.SYNC_LEASE_SECONDS
        ):
            raise LeaseLost("The sync lease expired and another run took it; stopping.")

    def backoff_seconds(self, attempt, error):
        delay = settings.SHEETS_BACKOFF_SECONDS * 2 ** (attempt - 1)
        if error.retry_after is not None:
            delay = error.retry_after
        return min(delay, settings.SHEETS_BACKOFF_MAX_SECONDS)

    def sync_target(self, target, sessions, tombstones):
        def push():
            self.progress(f"{target}: reading the sheet")
            worksheet = self.client.open_worksheet(
                target.spreadsheet_id, target.worksheet, create=not self.dry_run
            )
            plan = plan_target(target, worksheet, sessions, tombstones)
            if not self.dry_run:
                self.progress(
                    f"{target}: appending {len(plan.append)}, updating {len(plan.update)}, "
                    f"deleting {len(plan.delete)} row(s)"
                )
                carry_out(worksheet, plan)
            return plan

        return self.retrying(target, push)

    def retrying(self, target, work):
        """work() for one target, again from the start after a retryable failure."""
        for attempt in range(1, settings.SHEETS_MAX_ATTEMPTS + 1):
            if time.monotonic() > self.deadline:
                raise OutOfTime("This run used its time; the next run goes on.")
            self.renew_lease()
            try:
                return work()
            except SheetsRetryable as error:
                if error.uncertain:
                    # Google may still apply that write: planning again now could write
                    # twice. Let it settle; a later run reads the sheet afresh.
                    SyncState.settle(settings.SHEETS_SETTLE_SECONDS)
                    raise
                if attempt == settings.SHEETS_MAX_ATTEMPTS:
                    raise
                delay = self.backoff_seconds(attempt, error)
                self.retries += 1
                logger.warning(
                    "sync retry",
                    extra={
                        "target": str(target),
                        "attempt": attempt,
                        "wait_seconds": delay,
                        "error": str(error),
                    },
                )
                self.progress(f"{target}: {error}; retrying in {delay:.0f} s")
                self.sleep(delay)
        raise AssertionError("unreachable")

    def run(self, session_ids=None):
        if not is_configured():
            return SyncResult("not configured")
        if SyncState.settling() and not self.dry_run:
            return SyncResult("settling")
        sessions, tombstones, more_pending = load_work(session_ids, self.dry_run)
        work = group_by_target(sessions, tombstones)
        if not work:
            return SyncResult("nothing to do")
        if self.dry_run:
            return self._run(work, len(sessions), more_pending)
        with self.holding_lease() as held:
            if not held:
                return SyncResult("busy")
            return self._run(work, len(sessions), more_pending)

    @contextlib.contextmanager
    def holding_lease(self):
        """Yields whether this run took the lease; a LeaseKeeper renews it while it runs."""
        if not SyncState.take_lease(self.holder, settings.SYNC_LEASE_SECONDS):
            yield False
            return
        self.lease_keeper = LeaseKeeper(self.holder, settings.SYNC_LEASE_SECONDS)
        self.lease_keeper.start()
        try:
            yield True
        finally:
            self.lease_keeper.stop()  # before the release, which it would otherwise undo
            SyncState.release_lease(self.holder)

    def _run(self, work, session_count, more_pending):
        result = SyncResult(
            "success", sessions=session_count, more_pending=more_pending, dry_run=self.dry_run
        )
        record = None
        if not self.dry_run:
            close_interrupted_runs()
            record = SyncRun.objects.create(trigger=self.trigger, sessions=session_count)
        try:
            self.client = SheetsClient()
            self.sync_targets(work, result)
        except SheetsPermanent as error:  # the client could not even be made
            result.errors.append(str(error))
            if not self.dry_run:
                record_failure([s for sessions, _ in work.values() for s in sessions], str(error))
        except BaseException as error:
            result.errors.append(f"Interrupted: {type(error).__name__} {error}".strip())
            raise
        finally:
            failed = len(result.errors)
            if failed:
                result.outcome = "partial" if failed < len(work) and result.plans else "failed"
            result.api_calls = self.client.calls if self.client else 0
            result.retries = self.retries
            if record:
                finish_record(record, result)
            logger.info(
                "sync dry run: nothing was written" if self.dry_run else "sync run",
                extra={
                    "dry_run": self.dry_run,
                    "outcome": result.outcome,
                    "sessions": result.sessions,
                    "appended": result.appended,
                    "updated": result.updated,
                    "deleted": result.deleted,
                    "api_calls": result.api_calls,
                    "retries": result.retries,
                    "error": " ".join(result.errors),
                },
            )
        return result

    def sync_targets(self, work, result):
        for target, (target_sessions, target_tombstones) in work.items():
            try:
                plan = self.sync_target(target, target_sessions, target_tombstones)
            except LeaseLost as error:
                result.errors.append(str(error))
                return
            except SheetsError as error:
                result.errors.append(str(error))
                logger.error("sync failed", extra={"target": str(target), "error": str(error)})
                if not self.dry_run:
                    record_failure(target_sessions, str(error))
                continue
            result.plans.append(plan)
            result.appended += len(plan.append)
            result.updated += len(plan.update)
            result.deleted += len(plan.delete)
            result.conflicts += len(plan.conflicts)
            if not self.dry_run:
                result.taken += remember_two_way(plan)
                mark_synced(target_sessions, target_tombstones)


def group_by_target(sessions, tombstones):
    """{target: (sessions, tombstones)}; a tombstone goes to the sheet it was made for."""
    targets = targets_by_owner({s.owner_id for s in sessions})
    work = defaultdict(lambda: ([], []))
    for session in sessions:
        if target := targets.get(session.owner_id):
            work[target][0].append(session)
    for tombstone in tombstones:
        work[Target(tombstone.spreadsheet_id, tombstone.worksheet)][1].append(tombstone)
    return dict(work)


def target_for(owner_id):
    return targets_by_owner([owner_id])[owner_id]


def close_interrupted_runs():
    """A run still "running" after the lease expired was killed (worker stopped, timeout)."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING, started_at__lt=stale).update(
        outcome=SyncRun.Outcome.FAILED,
        finished_at=timezone.now(),
        error="Interrupted: the run stopped before it finished (worker stopped or timed out).",
    )


def remember_two_way(plan):
    """After the writes: remember what was written, take rows fixed in the sheet, and
    record conflicts. Returns how many rows were taken."""
    record_written(plan.written, plan.target)
    taken = 0
    for set_id, row, last_written in plan.take:
        if take_sheet_row(set_id, row, plan.version, plan.target, last_written):
            taken += 1
        else:  # the app changed the set since this run read it
            record_conflict(
                set_id, SheetConflict.Kind.BOTH_CHANGED, plan.target, row.number, row, plan.version
            )
    for set_id, kind, number, row in plan.conflicts:
        record_conflict(set_id, kind, plan.target, number, row, plan.version)
    if taken or plan.conflicts:
        logger.info(
            "sheet edits",
            extra={"target": str(plan.target), "taken": taken, "conflicts": len(plan.conflicts)},
        )
    return taken


def mark_synced(sessions, tombstones, now=None):
    """Mark sessions synced, but only those unchanged since their rows were read."""
    now = now or timezone.now()
    by_revision = defaultdict(list)
    for session in sessions:
        by_revision[session.revision].append(session.pk)
    for revision, session_ids in by_revision.items():
        Session.objects.filter(pk__in=session_ids, revision=revision).update(
            synced_to_sheets=True, sync_attempts=0, sync_error="", sync_attempted_at=now
        )
    Set.objects.filter(session_id__in=[s.pk for s in sessions]).update(synced_to_sheets=True)
    Tombstone.objects.filter(pk__in=[t.pk for t in tombstones]).delete()
    # A tombstoned set still here (its workout cancelled) has no row any more.
    WrittenRow.objects.filter(set__key__in=[t.key for t in tombstones]).delete()


def record_failure(sessions, error, now=None):
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(
        sync_attempts=F("sync_attempts") + 1,
        sync_error=error[:ERROR_TEXT_LIMIT],
        sync_attempted_at=now or timezone.now(),
    )


def finish_record(record, result):
    record.finished_at = timezone.now()
    record.outcome = {
        "success": SyncRun.Outcome.SUCCESS,
        "partial": SyncRun.Outcome.PARTIAL,
    }.get(result.outcome, SyncRun.Outcome.FAILED)
    record.rows_appended = result.appended
    record.rows_updated = result.updated
    record.rows_deleted = result.deleted
    record.rows_taken = result.taken
    record.conflicts = result.conflicts
    record.rows_imported = result.imported
    record.api_calls = result.api_calls
    record.retries = result.retries
    record.error = " ".join(result.errors)[:ERROR_TEXT_LIMIT]
    record.save()


def run_sync(session_ids=None, dry_run=False, trigger="command", sleep=time.sleep, progress=None):
    return Runner(dry_run=dry_run, trigger=trigger, sleep=sleep, progress=progress).run(session_ids)


def find_drift(progress=None):
    """Every difference between the sheets and the database, as readable lines.

    Workouts still waiting for their first sync, and rows waiting to be deleted,
    are not differences: the next run takes care of them.
    """
    progress = progress or (lambda message: None)
    if not is_configured():
        raise SheetsPermanent(not_configured_message())
    sets = sheet_sets()
    sessions = list(Session.objects.completed().prefetch_related(Prefetch("sets", queryset=sets)))
    tombstoned = {str(key) for key in Tombstone.objects.values_list("key", flat=True)}
    known_keys = {str(key) for key in Set.objects.values_list("key", flat=True)}
    client = SheetsClient()
    differences = []
    for target, (target_sessions, _) in group_by_target(sessions, []).items():
        progress(f"{target}: reading the sheet")
        worksheet = client.open_worksheet(target.spreadsheet_id, target.worksheet, create=False)
        rows = worksheet.read_table(MAX_WIDTH) if worksheet else []
        differences += compare(target, rows, target_sessions, tombstoned, known_keys)
    return differences + conflict_lines()


def conflict_lines():
    conflicts = SheetConflict.objects.select_related("set__session").order_by("found_at")
    return [
        f"{conflict.target}: conflict: {conflict.set.session_id} {conflict.set.exercise} "
        f"#{conflict.set.set_number} (key {conflict.set.key}) "
        + (
            f"was {conflict.get_kind_display()}"
            if conflict.kind == SheetConflict.Kind.DELETED
            else f"on row {conflict.row_number} was {conflict.get_kind_display()}"
        )
        + "; it is left alone until someone keeps the sheet's or the app's version"
        for conflict in conflicts
    ]


def compare(target, rows, sessions, tombstoned, known_keys):
    version = header_version(rows[0]) if rows else LATEST_VERSION
    if version is None:
        return [f"{target}: the header row is {rows[0]!r}, expected {expected_headers()}"]
    header = HEADERS[version]
    rows_of_key = defaultdict(list)
    for number, row in enumerate(rows[1:], start=2):
        values = normalized(row, version)
        if key := values[KEY_COLUMN - 1]:
            rows_of_key[key].append((number, values))
    differences, expected_keys = [], set()
    for session in sessions:
        for key, desired in rows_of_session(session, version).items():
            expected_keys.add(key)
            wanted = normalized(desired, version)
            found = rows_of_key.get(key, [])
            if not session.synced_to_sheets:
                continue  # the next run writes or rewrites these rows
            if not found:
                differences.append(
                    f"{target}: missing row for {describe(wanted, version)} (key {key})"
                )
                continue
            if len(found) > 1:
                numbers = ", ".join(str(number) for number, _ in found)
                differences.append(
                    f"{target}: {describe(wanted, version)} appears on rows {numbers}"
                )
            number, row = found[0]
            for column, (sheet_value, database_value) in enumerate(zip(row, wanted, strict=True)):
                if sheet_value != database_value:
                    differences.append(
                        f"{target}: row {number} ({describe(wanted, version)}): {header[column]} "
                        f"is {sheet_value!r} in the sheet, {database_value!r} in the database"
                    )
    for key, found in rows_of_key.items():
        if key in expected_keys or key in tombstoned:
            continue
        numbers = ", ".join(str(number) for number, _ in found)
        origin = "a set that is not in a completed workout" if key in known_keys else "no known set"
        differences.append(f"{target}: row {numbers} has key {key} of {origin}; it is left alone")
    return differences
