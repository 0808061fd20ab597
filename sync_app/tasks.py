"""Background entry points for django-q2, and the one place that enqueues them."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SyncState
from .reconcile import run_sync

logger = logging.getLogger("sync")

SYNC_TASK = "sync_app.tasks.sync_pending"
HEARTBEAT_TASK = "sync_app.tasks.heartbeat"
SYNC_SCHEDULE_NAME = "Sync completed workouts to Google Sheets"
HEARTBEAT_SCHEDULE_NAME = "Worker heartbeat"
HEARTBEAT_INTERVAL_MINUTES = 1
MAX_RUNS_PER_TASK = 20


def sync_pending(trigger="queue"):
    """Sync everything pending; a big backlog takes several runs back to back."""
    # From here on, a new change enqueues a new task instead of relying on this one.
    SyncState.objects.filter(pk=1).update(sync_queued=False)
    for _ in range(MAX_RUNS_PER_TASK):
        result = run_sync(trigger=trigger)
        if not (result.outcome == "success" and result.more_pending):
            break
    return result.summary()


def scheduled_sync():
    return sync_pending(trigger="schedule")


def heartbeat():
    SyncState.load()
    SyncState.objects.filter(pk=1).update(worker_heartbeat_at=timezone.now())


def enqueue_sync():
    """Queue one sync task unless one is already waiting; never fails the caller."""
    from django_q.tasks import async_task

    SyncState.load()
    if not SyncState.objects.filter(pk=1, sync_queued=False).update(sync_queued=True):
        return
    try:
        async_task(SYNC_TASK, "change", task_name="sync after a change")
    except Exception:
        # The 5-minute schedule still picks the work up; a request must not fail for this.
        SyncState.objects.filter(pk=1).update(sync_queued=False)
        logger.exception("could not enqueue a sync task")


def request_sync():
    """Sync soon after the current transaction commits (and never if it rolls back)."""
    transaction.on_commit(enqueue_sync, robust=True)


def ensure_schedules(**kwargs):
    """Create or fix the two schedules; safe to run after every migrate."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SYNC_SCHEDULE_NAME,
        defaults={
            "func": "sync_app.tasks.scheduled_sync",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.SYNC_INTERVAL_MINUTES,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name=HEARTBEAT_SCHEDULE_NAME,
        defaults={
            "func": HEARTBEAT_TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": HEARTBEAT_INTERVAL_MINUTES,
            "repeats": -1,
        },
    )
