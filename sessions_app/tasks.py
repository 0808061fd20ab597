"""Background entry points of imports for django-q2, and the one place that enqueues them
(sync_app/tasks.py does the same for the sheet; nothing here knows of it)."""

import logging

from django.db import transaction

from . import import_batches

logger = logging.getLogger("imports")

READ_TASK = "sessions_app.tasks.read_upload"
IMPORT_TASK = "sessions_app.tasks.import_upload"
CLEAN_TASK = "sessions_app.tasks.clean_imports"
CLEAN_SCHEDULE_NAME = "Clean expired and interrupted imports"
CLEAN_INTERVAL_MINUTES = 60


def read_upload(batch_id):
    return import_batches.read_upload(batch_id)


def import_upload(batch_id):
    try:
        return import_batches.import_batch(batch_id)
    except import_batches.ImportRefused as refused:
        return str(refused)  # said on the batch; not a failure of the worker


def clean_imports():
    return import_batches.clean()


def enqueue(task, batch_id):
    """Queue the task once the batch is committed; a queue that cannot be reached leaves
    the batch waiting, and the cleaning fails it with a message the lifter sees."""

    def send():
        from django_q.tasks import async_task

        try:
            async_task(task, batch_id, task_name=f"{task.rsplit('.', 1)[1]} {batch_id}")
        except Exception:
            logger.exception("could not enqueue an import task", extra={"batch": batch_id})

    transaction.on_commit(send, robust=True)


def ensure_schedules(**kwargs):
    """Create or fix the cleaning's schedule; safe to run after every migrate."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=CLEAN_SCHEDULE_NAME,
        defaults={
            "func": CLEAN_TASK,
            "args": None,
            "schedule_type": Schedule.MINUTES,
            "minutes": CLEAN_INTERVAL_MINUTES,
            "repeats": -1,
        },
    )
