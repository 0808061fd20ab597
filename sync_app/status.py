"""The sync's health at a glance, for the admin panel and the health check."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from .models import FailingPush, SheetConflict, SyncRun, SyncState, Tombstone
from .push import pending_workouts, set_aside_workouts
from .targets import is_configured, not_configured_message

PULL_TRIGGERS = ["pull", "command-pull"]
# The heartbeat task runs every minute; three missed beats mean the worker is down.
WORKER_SILENT_AFTER_SECONDS = 180


@dataclass
class SyncStatus:
    configured: bool
    not_configured_message: str
    spreadsheet_id: str
    worksheet: str
    pending: int
    oldest_pending_at: object
    failing: int
    set_aside: int
    lifters_without_spreadsheet: list
    deletions_pending: int
    conflicts: int
    rows_deleted_in_sheet: int
    last_pull: SyncRun | None
    last_run: SyncRun | None
    last_success: SyncRun | None
    worker_heartbeat_at: object
    settle_until: object
    now: object

    @property
    def worker_alive(self):
        return self.heartbeat_age_seconds is not None and (
            self.heartbeat_age_seconds < WORKER_SILENT_AFTER_SECONDS
        )

    @property
    def heartbeat_age_seconds(self):
        if self.worker_heartbeat_at is None:
            return None
        return int((self.now - self.worker_heartbeat_at).total_seconds())

    @property
    def settling(self):
        return self.settle_until is not None and self.settle_until > self.now


def current_status(now=None):
    pending, without_spreadsheet = pending_workouts()
    state = SyncState.load()
    configured = is_configured()
    return SyncStatus(
        configured=configured,
        not_configured_message="" if configured else not_configured_message(),
        spreadsheet_id=settings.SHEETS_SPREADSHEET_ID,
        worksheet=settings.SHEETS_WORKSHEET,
        pending=pending.count(),
        oldest_pending_at=pending.aggregate(oldest=Min("completed_at"))["oldest"],
        failing=pending.filter(
            failing_push__attempts__gte=FailingPush.FAILING_AFTER_ATTEMPTS
        ).count(),
        set_aside=set_aside_workouts().count(),
        lifters_without_spreadsheet=sorted(
            set(without_spreadsheet.values_list("owner__username", flat=True))
        ),
        deletions_pending=Tombstone.objects.count(),
        conflicts=SheetConflict.objects.filter(kind=SheetConflict.Kind.BOTH_CHANGED).count(),
        rows_deleted_in_sheet=SheetConflict.objects.filter(kind=SheetConflict.Kind.DELETED).count(),
        last_pull=SyncRun.objects.filter(trigger__in=PULL_TRIGGERS).first(),
        last_run=SyncRun.objects.first(),
        last_success=SyncRun.objects.filter(outcome=SyncRun.Outcome.SUCCESS).first(),
        worker_heartbeat_at=state.worker_heartbeat_at,
        settle_until=state.settle_until,
        now=now or timezone.now(),
    )
