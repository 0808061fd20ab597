"""One run against the lifters' sheets, whatever it does (push, pull, header upgrade).

Each sheet (a target) is worked on under its own lease, renewed by a heartbeat thread:
runs on different sheets go side by side (several workers), two runs never write one
sheet at once. A retryable failure puts the sheet back after its backoff while the
other sheets go on; a sheet whose run failed backs off (SheetState.failed) and the
automatic runs leave it until then. A deadline, and the record of the run (SyncRun, and
one log line)."""

import contextlib
import heapq
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from .accounts import account_of_target, confirm_shared
from .models import SheetState, SyncRun, SyncState
from .sheets import SheetsClient, SheetsError, SheetsRetryable
from .targets import not_configured_message

logger = logging.getLogger("sync")

ERROR_TEXT_LIMIT = 1000
# Time a run spends on its own records between two tries of one sheet (at most).
BOOKKEEPING_SECONDS = 0.5
# Runs nobody asked for right now: they leave a sheet that is backing off alone. An
# operator's command tries every sheet at once.
AUTOMATIC_TRIGGERS = {"queue", "change", "schedule", "pull", "push before pull"}


class LeaseLost(SheetsError):
    pass


class OutOfTime(SheetsError):
    pass


@dataclass
class SyncResult:
    outcome: str  # success, partial, failed, nothing to do, not configured, busy, settling,
    # backing off
    sessions: int = 0
    appended: int = 0
    updated: int = 0
    deleted: int = 0
    taken: int = 0
    conflicts: int = 0
    imported: int = 0
    api_calls: int = 0
    retries: int = 0
    targets_done: int = 0
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    busy: dict = field(default_factory=dict)  # target text: (holder, expiry) of its lease
    settling: int = 0  # sheets left alone: a write of theirs may still land
    backing_off: int = 0  # sheets left alone: their runs kept failing
    skipped: int = 0  # sheets a pull did not read: unchanged since the last pull
    out_of_time: int = 0  # sheets the run had no time for, left to the next
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
            return "Another sync is running on these sheets; this one did nothing."
        if self.outcome == "backing off":
            return (
                "Every sheet with work waiting failed lately and is backing off; "
                "the next runs try it again."
            )
        if self.outcome == "settling":
            return (
                "A write of the last run may still land in the sheet; "
                "waiting before reading it again."
            )
        if self.outcome == "nothing to do" and self.pull:
            return "Nothing to pull: no lifter's sheet is due."
        if self.outcome == "nothing to do":
            return "Nothing to sync: every completed workout is already in the sheet."
        if self.pull:
            return " ".join(
                [
                    f"{self.outcome.capitalize()}: {self.taken} row(s) taken from the sheet, "
                    f"{self.conflicts} conflict(s) left for a choice, {self.imported} "
                    f"hand-typed row(s) imported, {self.api_calls} API call(s), "
                    f"{self.retries} retry(ies), {self.skipped} sheet(s) unchanged "
                    "and not read.",
                    *self.left_alone(),
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
        text = " ".join([text, *self.left_alone()])
        if self.errors or self.notes:
            text += " " + " ".join([*self.notes, *self.errors])
        return text

    def left_alone(self):
        """The sheets this run did not touch, and why."""
        reasons = [
            (len(self.busy), "another run is working on them"),
            (self.settling, "a write may still land in them"),
            (self.backing_off, "they are backing off after failing"),
        ]
        return [f"{count} sheet(s) left alone: {why}." for count, why in reasons if count]

    def log_line(self):
        """The run's log line: its message and fields."""
        if self.pull:
            fields = ("outcome", "taken", "conflicts", "imported", "api_calls", "skipped")
            return "pull run", {**self._fields(fields), "error": " ".join(self.errors)}
        fields = ("dry_run", "outcome", "sessions", "appended", "updated", "deleted")
        fields += ("api_calls", "retries")
        message = "sync dry run: nothing was written" if self.dry_run else "sync run"
        return message, {**self._fields(fields), "error": " ".join(self.errors)}

    def _fields(self, names):
        return {name: getattr(self, name) for name in names}


class LeaseKeeper(threading.Thread):
    """Renews a sheet's lease every third of its length for as long as the run works on it.

    The lease can then be short (SYNC_LEASE_SECONDS, 90 s by default): a run that waits
    on one slow call keeps it, and a worker killed mid-run stops renewing, so the next
    run can take that sheet a minute or two later instead of after the longest possible
    run. Each beat also tells the run's record that the run lives (SyncRun.alive_at).
    """

    def __init__(self, holder, seconds, target, alive=None):
        super().__init__(name=f"sync lease {holder} {target}", daemon=True)
        self.holder = holder
        self.seconds = seconds
        self.target = target
        self.alive = alive or (lambda: None)
        self.lost = False
        self._stopping = threading.Event()

    def run(self):
        try:
            while not self._stopping.wait(self.seconds / 3):
                try:
                    renewed = SheetState.take_lease(self.target, self.holder, self.seconds)
                    self.alive()
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


def is_quota_error(error):
    """Google's 429: the service account's quota for this minute is used up."""
    return "answered 429" in str(error)


class Runner:
    """One run over some lifters' sheets: each under its lease, retried with backoff
    within a deadline, recorded. Subclasses (push.Pusher, pull.Puller) say what a run
    does to one sheet (sync_target)."""

    def __init__(self, dry_run=False, trigger="command", sleep=time.sleep, progress=None):
        self.dry_run = dry_run
        self.trigger = trigger
        self.sleep = sleep
        self.progress = progress or (lambda message: None)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clients = {}  # service account: its SheetsClient, made on first use
        self.lease_keeper = None
        self.record = None
        self.retries = 0
        self.deadline = time.monotonic() + settings.SYNC_RUN_BUDGET_SECONDS

    @property
    def automatic(self):
        return self.trigger in AUTOMATIC_TRIGGERS

    def without_backing_off(self, targets, result):
        """The targets an automatic run works on now: a sheet backing off waits its turn
        (an operator's command tries it at once)."""
        if not self.automatic or self.dry_run:
            return list(targets)
        backing_off = SheetState.backing_off()
        due = [target for target in targets if str(target) not in backing_off]
        result.backing_off = len(targets) - len(due)
        return due

    @contextlib.contextmanager
    def holding_lease(self, target):
        """Yields whether this run took the sheet's lease; a LeaseKeeper renews it while
        the run works on the sheet. A dry run writes nothing and takes none."""
        if self.dry_run:
            yield True
            return
        if not SheetState.take_lease(target, self.holder, settings.SYNC_LEASE_SECONDS):
            yield False
            return
        self.lease_keeper = LeaseKeeper(
            self.holder, settings.SYNC_LEASE_SECONDS, target, alive=self.mark_alive
        )
        self.lease_keeper.start()
        try:
            yield True
        finally:
            self.lease_keeper.stop()  # before the release, which it would otherwise undo
            self.lease_keeper = None
            SheetState.release_lease(target, self.holder)

    def check_lease(self):
        """Before a write: stop if the lease lapsed and another run may have taken it."""
        if self.lease_keeper and self.lease_keeper.lost:
            raise LeaseLost("The sheet's lease expired and another run took it; stopping.")

    def backoff_seconds(self, attempt, error):
        delay = settings.SHEETS_BACKOFF_SECONDS * 2 ** (attempt - 1)
        if error.retry_after is not None:
            delay = error.retry_after
        return min(delay, settings.SHEETS_BACKOFF_MAX_SECONDS)

    def client_for(self, target):
        """The client of the service account the sheet is tied to (accounts.py): every
        call to it is made as that account, on its budget. Raises SheetsPermanent when
        that account's key file is gone: nothing is sent to the sheet."""
        account = account_of_target(target)
        if account not in self.clients:
            self.clients[account] = SheetsClient(deadline=self.deadline, account=account)
        return self.clients[account]

    def open_worksheet(self, target, create):
        """The sheet's tab through its account's client (None when missing and not
        created). Opening it proves the sheet is shared with that account."""
        worksheet = self.client_for(target).open_worksheet(
            target.spreadsheet_id, target.worksheet, create=create
        )
        if not self.dry_run:
            confirm_shared(target)
        return worksheet

    def sync_target(self, target, result):  # pragma: no cover - subclasses say
        raise NotImplementedError

    def before_target(self, result):
        """Called before each sheet is taken (the pull lets waiting pushes go first)."""

    def target_failed(self, target, error, result):
        """A sheet given up for this run: said, logged, and backing off."""
        result.errors.append(str(error))
        logger.error("sync failed", extra={"target": str(target), "error": str(error)})
        if not self.dry_run and not isinstance(error, LeaseLost):
            SheetState.failed(target, error)

    def left_for_next_run(self, target, error, result):
        """A sheet the run never came to (a pull over thousands of sheets may use up its
        time): said, but not held against the sheet, which does not back off."""
        result.errors.append(str(error))
        result.out_of_time += 1
        logger.warning("sync left a sheet for the next run", extra={"target": str(target)})

    def each_target(self, targets, result):
        """sync_target() for each target in the order given, each under its own lease.

        A sheet another run holds is left to it (result.busy). A retryable failure puts
        the sheet back in line after its backoff, from a fresh read; the sheets after it
        go on meanwhile, so one slow or failing sheet never holds back another.
        """
        waiting = [(0.0, order, target, 1, 0) for order, target in enumerate(targets)]
        while waiting:
            due, order, target, attempt, delay = heapq.heappop(waiting)
            if (wait := due - time.monotonic()) > 0:
                # Nothing else done meanwhile but our own bookkeeping: the whole delay,
                # as Retry-After asks.
                self.sleep(delay if wait > delay - BOOKKEEPING_SECONDS else wait)
            if time.monotonic() > self.deadline:
                out_of_time = OutOfTime("This run used its time; the next run goes on.")
                if attempt == 1:
                    self.left_for_next_run(target, out_of_time, result)
                else:
                    self.target_failed(target, out_of_time, result)
                continue
            self.before_target(result)
            retry_in = self.take_turn(target, attempt, result)
            if retry_in is not None:
                again = (time.monotonic() + retry_in, order, target, attempt + 1, retry_in)
                heapq.heappush(waiting, again)

    def take_turn(self, target, attempt, result):
        """sync_target() once, under the sheet's lease; returns the delay before the
        sheet's next try after a retryable failure, else None."""
        with self.holding_lease(target) as held:
            if not held:
                lease = SheetState.objects.filter(target=str(target))
                result.busy[str(target)] = lease.values_list(
                    "lease_holder", "lease_expires_at"
                ).first()
                return None
            if not self.dry_run and SheetState.settling(target):
                result.settling += 1
                return None
            self.start_record(result)
            try:
                self.sync_target(target, result)
            except SheetsRetryable as error:
                return self.retry_delay(target, error, attempt, result)
            except SheetsError as error:
                self.target_failed(target, error, result)
                return None
            result.targets_done += 1
            if not self.dry_run:
                SheetState.succeeded(target)
            return None

    def retry_delay(self, target, error, attempt, result):
        """After a retryable failure: the delay before the sheet's next try, or None
        when the sheet is given up for this run."""
        if is_quota_error(error):
            SyncState.quota_error_met(str(error))
        if error.uncertain:
            # Google may still apply that write: planning again now could write twice.
            # Let it settle; a later run reads the sheet afresh.
            SheetState.settle(target, settings.SHEETS_SETTLE_SECONDS)
            self.target_failed(target, error, result)
            return None
        if attempt >= settings.SHEETS_MAX_ATTEMPTS:
            self.target_failed(target, error, result)
            return None
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
        return delay

    def mark_alive(self):
        if self.record is not None:
            SyncRun.objects.filter(pk=self.record.pk).update(alive_at=timezone.now())

    def start_record(self, result):
        """The run's record, made when it first works on a sheet (none for a dry run)."""
        if self.dry_run:
            return
        if self.record is None:
            close_interrupted_runs()
            now = timezone.now()
            self.record = SyncRun.objects.create(trigger=self.trigger, started_at=now, alive_at=now)
        else:
            self.mark_alive()

    @contextlib.contextmanager
    def recorded(self, result, target_count):
        """The run's record and log line, whatever happens inside."""
        try:
            yield
        except BaseException as error:
            result.errors.append(f"Interrupted: {type(error).__name__} {error}".strip())
            self.start_record(result)
            raise
        finally:
            if result.errors:
                some_done = result.targets_done and len(result.errors) < target_count
                result.outcome = "partial" if some_done else "failed"
            elif not result.targets_done:
                if result.busy:
                    result.outcome = "busy"
                elif result.settling:
                    result.outcome = "settling"
                elif result.backing_off:
                    result.outcome = "backing off"
            result.api_calls = sum(client.calls for client in self.clients.values())
            result.retries = self.retries
            if self.record:
                finish_record(self.record, result)
            if self.record or self.dry_run:
                message, fields = result.log_line()
                logger.info(message, extra=fields)


def close_interrupted_runs():
    """A run still "running" whose heartbeat stopped for a lease's length was killed
    (worker stopped, timeout); runs alive on other sheets are left alone."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    running = SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING)
    silent = Q(alive_at__lt=stale) | Q(alive_at__isnull=True, started_at__lt=stale)
    running.filter(silent).update(
        outcome=SyncRun.Outcome.FAILED,
        finished_at=timezone.now(),
        error="Interrupted: the run stopped before it finished (worker stopped or timed out).",
    )


def finish_record(record, result):
    record.finished_at = timezone.now()
    record.outcome = {
        "success": SyncRun.Outcome.SUCCESS,
        "partial": SyncRun.Outcome.PARTIAL,
    }.get(result.outcome, SyncRun.Outcome.FAILED)
    record.sessions = result.sessions
    record.rows_appended = result.appended
    record.rows_updated = result.updated
    record.rows_deleted = result.deleted
    record.rows_taken = result.taken
    record.conflicts = result.conflicts
    record.rows_imported = result.imported
    record.api_calls = result.api_calls
    record.retries = result.retries
    record.sheets_skipped = result.skipped
    record.error = " ".join(result.errors)[:ERROR_TEXT_LIMIT]
    record.save()
