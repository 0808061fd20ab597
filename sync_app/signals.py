"""The sheet follows what sessions_app says changed (models/history.py): workouts to
rewrite ask for a sync, and rows that must leave get tombstones. A lifter removed
from the instance takes their rows along."""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from sessions_app.models import Set, Workout
from sessions_app.models.history import rows_must_leave, sheet_must_follow

from .models import Tombstone
from .targets import target_for
from .tasks import request_sync


@receiver(sheet_must_follow)
def sync_soon(sender, workout_ids, **kwargs):
    request_sync()


@receiver(rows_must_leave)
def bury(sender, owner_id, rows, **kwargs):
    """Record that these sets' rows, (key, workout id), must leave the lifter's sheet."""
    target = target_for(owner_id)
    if target is None:
        return  # no sheet is configured, so none holds these rows
    for key, workout_id in rows:
        Tombstone.objects.get_or_create(
            key=key,
            defaults={
                "spreadsheet_id": target.spreadsheet_id,
                "worksheet": target.worksheet,
                "session_id": workout_id,
            },
        )
    request_sync()


@receiver(pre_delete, sender=get_user_model())
def lifter_deleted(sender, instance, **kwargs):
    """Looked up now, while the lifter's profile (and so their sheet) still exists."""
    sets = Set.objects.filter(workout__owner=instance, workout__status=Workout.Status.COMPLETED)
    rows = list(sets.values_list("key", "workout_id"))
    if rows:
        bury(sender=Set, owner_id=instance.pk, rows=rows)
