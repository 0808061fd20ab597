"""Background entry points for django-q2, and the one place that enqueues them."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import SheetState, SyncState
from .push import run_sync

logger = logging.getLogger("sync")

SYNC_TASK = "sync_app.tasks.sync_pending"
PULL_TASK = "sync_app.tasks.pull_sheets"
HEARTBEAT_TASK = "sync_app.tasks.heartbeat"
SYNC_SCHEDULE_NAME = "Sync completed workouts to Google Sheets"
PULL_SCHEDULE_NAME = "Take fixes typed into Google Sheets"
HEARTBEAT_SCHEDULE_NAME = "Worker heartbeat"
HEARTBEAT_INTERVAL_MINUTES = 1
# A queued task that has not started after this long was lost (deleted, Redis restarted).
QUEUED_TASK_LOST_AFTER = timedelta(minutes=10)


def sync_pending(trigger="queue"):
    """Sync everything pending; a big backlog takes several runs back to back.

    Runs on other sheets may go on at the same time (other workers): a sheet one of them
    holds is theirs, and they look again for work after giving it back. Only a holder
    that stopped renewing its lease (a killed worker) is waited for, until it lapses.
    """
    # From here on, a new change enqueues a new task instead of relying on this one.
    SyncState.objects.filter(pk=1).update(sync_queued_at=None)
    share_the_backlog()
    started = time.monotonic()
    seen_leases, alive = {}, set()
    while True:
        result = run_sync(trigger=trigger)
        elapsed = time.monotonic() - started
        for target, lease in result.busy.items():
            if target in seen_leases and seen_leases[target] != lease:
                alive.add(target)  # renewed since: a live run, which will see the change
            seen_leases[target] = lease
        maybe_dead = set(result.busy) - alive
        if maybe_dead and elapsed < settings.SYNC_BUSY_WAIT_SECONDS:
            time.sleep(settings.SYNC_BUSY_POLL_SECONDS)
            continue
        if (
            not (result.outcome in ("success", "busy") and result.more_pending)
            or elapsed > settings.SYNC_CHAIN_SECONDS
        ):
            return result.summary()


def share_the_backlog():
    """Several sheets waiting: queue one more task, so that another worker takes the
    sheets this one is not on (it queues one more in turn while the backlog lasts)."""
    from .push import targets_in_order_of_need

    left_alone = SheetState.backing_off() | SheetState.leased()
    free = [target for target in targets_in_order_of_need() if str(target) not in left_alone]
    if len(free) > 1:
        enqueue_sync()


def scheduled_sync():
    return sync_pending(trigger="schedule")


def pull_sheets(trigger="pull"):
    """Read the sheets back: fixes typed into them come to the database. The schedule's
    pull ("schedule") takes only the sheets due (active lifters' often, dormant ones'
    rarely) and lets waiting pushes go first."""
    from .pull import run_pull

    if trigger == "schedule":
        result = run_pull(trigger="pull", scheduled=True)
        if result.out_of_time:
            # Thousands of sheets outlast a run: the rest now, not at the next tick.
            enqueue_pull("schedule")
        return result.summary()
    return run_pull(trigger=trigger).summary()


def enqueue_pull(trigger="pull"):
    """Queue one pull now: the admin's "Pull fixes from the sheet", or ("schedule") the
    rest of a scheduled pull that ran out of time."""
    from django_q.tasks import async_task

    async_task(PULL_TASK, trigger, task_name="pull from the sheet")


def heartbeat():
    SyncState.load()
    SyncState.objects.filter(pk=1).update(worker_heartbeat_at=timezone.now())


def enqueue_sync(now=None):
    """Queue one sync task unless one is already waiting; never fails the caller."""
    from django_q.tasks import async_task

    now = now or timezone.now()
    SyncState.load()
    nothing_waiting = Q(sync_queued_at__isnull=True) | Q(
        sync_queued_at__lt=now - QUEUED_TASK_LOST_AFTER
    )
    if not SyncState.objects.filter(nothing_waiting, pk=1).update(sync_queued_at=now):
        return
    try:
        async_task(SYNC_TASK, "change", task_name="sync after a change")
    except Exception:
        # The 5-minute schedule still picks the work up; a request must not fail for this.
        SyncState.objects.filter(pk=1).update(sync_queued_at=None)
        logger.exception("could not enqueue a sync task")


def request_sync():
    """Sync soon after the current transaction commits (and never if it rolls back)."""
    transaction.on_commit(enqueue_sync, robust=True)


def schedules():
    """(name, task, its argument, every so many minutes) of each schedule."""
    return [
        (SYNC_SCHEDULE_NAME, "sync_app.tasks.scheduled_sync", None, settings.SYNC_INTERVAL_MINUTES),
        (PULL_SCHEDULE_NAME, PULL_TASK, "'schedule'", settings.SYNC_PULL_INTERVAL_MINUTES),
        (HEARTBEAT_SCHEDULE_NAME, HEARTBEAT_TASK, None, HEARTBEAT_INTERVAL_MINUTES),
    ]


def ensure_schedules(**kwargs):
    """Create or fix the schedules (push, pull, heartbeat); safe to run after every migrate."""
    from django_q.models import Schedule

    for name, func, args, minutes in schedules():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "args": args,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )


SHEET_CHECK_TASK = "sync_app.connection.run_sheet_check"


def enqueue_sheet_check(check):
    """Queue the worker's answer to a lifter's "Check" of their sheet, once the request's
    transaction has committed (the task must find the check it answers)."""
    from django_q.tasks import async_task

    def queue():
        async_task(
            SHEET_CHECK_TASK, check.pk, check.requested_at, task_name="check a lifter's sheet"
        )

    transaction.on_commit(queue, robust=True)
