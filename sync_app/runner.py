"""One run against the sheets, whatever it does (push, pull, header upgrade): the lease
that keeps runs one at a time, renewed by a heartbeat thread; retries with backoff; a
deadline; and the record of the run (SyncRun, and one log line)."""

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import SyncRun, SyncState
from .sheets import SheetsError, SheetsRetryable
from .targets import not_configured_message

logger = logging.getLogger("sync")

ERROR_TEXT_LIMIT = 1000


class LeaseLost(SheetsError):
    pass


class OutOfTime(SheetsError):
    pass


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
    targets_done: int = 0
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
        if self.errors or self.notes:
            text += " " + " ".join([*self.notes, *self.errors])
        return text

    def log_line(self):
        """The run's log line: its message and fields."""
        if self.pull:
            fields = ("outcome", "taken", "conflicts", "imported", "api_calls")
            return "pull run", {**self._fields(fields), "error": " ".join(self.errors)}
        fields = ("dry_run", "outcome", "sessions", "appended", "updated", "deleted")
        fields += ("api_calls", "retries")
        message = "sync dry run: nothing was written" if self.dry_run else "sync run"
        return message, {**self._fields(fields), "error": " ".join(self.errors)}

    def _fields(self, names):
        return {name: getattr(self, name) for name in names}


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
    """One run: holds the lease, retries with backoff within a deadline, records itself.
    Subclasses (push.Pusher, pull.Puller) say what a run does."""

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

    @contextlib.contextmanager
    def recorded(self, result, target_count):
        """The run's record (none for a dry run) and log line, whatever happens inside."""
        record = None
        if not self.dry_run:
            close_interrupted_runs()
            record = SyncRun.objects.create(trigger=self.trigger, sessions=result.sessions)
        try:
            yield
        except BaseException as error:
            result.errors.append(f"Interrupted: {type(error).__name__} {error}".strip())
            raise
        finally:
            if result.errors:
                some_done = result.targets_done and len(result.errors) < target_count
                result.outcome = "partial" if some_done else "failed"
            result.api_calls = self.client.calls if self.client else 0
            result.retries = self.retries
            if record:
                finish_record(record, result)
            message, fields = result.log_line()
            logger.info(message, extra=fields)


def close_interrupted_runs():
    """A run still "running" after the lease expired was killed (worker stopped, timeout)."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING, started_at__lt=stale).update(
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
