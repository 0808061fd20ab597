"""The sync's health at a glance, for the admin panel and the health check."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone

from .models import (
    FailingPush,
    SheetConflict,
    SheetsProfile,
    SheetState,
    SyncRun,
    SyncState,
    Tombstone,
)
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
    settle_until: object  # the latest of the sheets settling
    sheets_settling: int
    backing_off: list  # BackingOff, the soonest retried first
    last_quota_error_at: object
    last_quota_error: str
    budget: list  # AccountBudget: each service account's request budget in use
    accounts_unusable: list  # sentences: key files unreadable, accounts gone
    now: object

    @property
    def lag_seconds(self):
        """How long the oldest completed workout has waited for its sheet (0: none waits)."""
        if self.oldest_pending_at is None:
            return 0
        return max(int((self.now - self.oldest_pending_at).total_seconds()), 0)

    @property
    def lagging(self):
        return self.configured and self.lag_seconds > settings.SYNC_LAG_ALERT_MINUTES * 60

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
        return self.sheets_settling > 0


@dataclass
class BackingOff:
    """A lifter's sheet whose runs kept failing: left alone by the automatic runs until
    retry_at."""

    target: str
    lifters: list
    failures: int
    retry_at: object
    last_error: str


def sheets_backing_off(now):
    states = list(SheetState.objects.filter(retry_at__gt=now).order_by("retry_at"))
    spreadsheet_ids = {state.target.split(" / ", 1)[0] for state in states}
    lifters = {}
    profiles = SheetsProfile.objects.filter(
        spreadsheet_id__in=spreadsheet_ids, disconnected_at__isnull=True
    ).values_list("spreadsheet_id", "worksheet", "user__username")
    for spreadsheet_id, worksheet, username in profiles:
        target = f"{spreadsheet_id} / {worksheet or settings.SHEETS_WORKSHEET}"
        lifters.setdefault(target, []).append(username)
    return [
        BackingOff(
            state.target,
            sorted(lifters.get(state.target, [])) or ["the instance's sheet"],
            state.failures,
            state.retry_at,
            state.last_error,
        )
        for state in states
    ]


@dataclass
class AccountBudget:
    """One service account's budget in its current window, and the lifters it carries."""

    account: str
    lifters: int
    use: str  # "reads 12 of 60 a 60 s window (20 %), writes 3 of 60 ..."


def budget_in_use():
    """Each service account's request budget in its current window, for the panel:
    "reads 12 of 60 a minute (20 %), writes 3 of 60 (5 %)", a pause a 429 set, and how
    many lifters' sheets the account carries."""
    from .accounts import lifters_per_account
    from .budget import all_accounts, snapshot

    lifters = lifters_per_account()
    budgets = []
    for account in all_accounts():
        parts = []
        for bucket in snapshot(account):
            text = (
                f"{bucket.kind}s {bucket.taken_in_window} of {bucket.limit} a "
                f"{bucket.window_seconds:g} s window ({bucket.used_percent:.0f} %)"
            )
            if bucket.paused_until:
                text += f", paused until {bucket.paused_until:%H:%M:%S} UTC after a 429"
            parts.append(text)
        budgets.append(AccountBudget(account, lifters.get(account, 0), ", ".join(parts)))
    return budgets


def accounts_unusable():
    """Key files the settings name but the app cannot use, and accounts lifters are
    tied to whose file is gone: what the operator must fix."""
    from .accounts import configured_accounts, connected_profiles

    problems = [account.problem for account in configured_accounts() if account.problem]
    usable = {account.email for account in configured_accounts() if account.email}
    if usable:
        gone = (
            connected_profiles()
            .exclude(service_account="")
            .exclude(service_account__in=usable)
            .values_list("service_account", "user__username")
            .order_by("service_account", "user__username")
        )
        by_account = {}
        for email, username in gone:
            by_account.setdefault(email, []).append(username)
        problems += [
            f"{email} has no key file any more: the sheets of {', '.join(names)} are not "
            "synced; add its file back or move them to another account"
            for email, names in by_account.items()
        ]
    return problems


def current_status(now=None):
    pending, without_spreadsheet = pending_workouts()
    state = SyncState.load()
    configured = is_configured()
    now = now or timezone.now()
    settling = SheetState.objects.filter(settle_until__gt=now)
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
        settle_until=settling.aggregate(latest=Max("settle_until"))["latest"],
        sheets_settling=settling.count(),
        backing_off=sheets_backing_off(now),
        last_quota_error_at=state.last_quota_error_at,
        last_quota_error=state.last_quota_error,
        budget=budget_in_use(),
        accounts_unusable=accounts_unusable(),
        now=now,
    )
