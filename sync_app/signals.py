"""Keep the sheet in step with history: tombstones for rows that must go, and a sync
requested after every change that the sheet must follow."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, pre_delete, pre_save
from django.dispatch import receiver

from sessions_app.models import Session, Set, history_changed

from .models import Tombstone
from .reconcile import target_for
from .tasks import request_sync


def bury(sets, owner_id):
    """Record that these sets' rows must leave the lifter's sheet."""
    target = target_for(owner_id)
    if target is None:
        return  # no sheet is configured, so none holds these rows
    for workout_set in sets:
        Tombstone.objects.get_or_create(
            key=workout_set.key,
            defaults={
                "spreadsheet_id": target.spreadsheet_id,
                "worksheet": target.worksheet,
                "session_id": workout_set.session_id,
            },
        )
    request_sync()


@receiver(history_changed)
def history_was_changed(sender, session_ids, **kwargs):
    request_sync()


@receiver(post_delete, sender=Set)
def set_deleted(sender, instance, **kwargs):
    # Only a completed workout's sets can be in the sheet.
    session = Session.objects.filter(pk=instance.session_id).first()
    if session and session.status == Session.Status.COMPLETED:
        bury([instance], session.owner_id)


@receiver(pre_save, sender=Session)
def session_leaving_completed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A completed workout cancelled (or reopened) in the admin takes its rows along."""
    if raw or instance._state.adding or instance.status == Session.Status.COMPLETED:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    previous = Session.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    if previous == Session.Status.COMPLETED:
        bury(instance.sets.all(), instance.owner_id)


@receiver(pre_delete, sender=get_user_model())
def lifter_deleted(sender, instance, **kwargs):
    """A lifter removed from the instance takes their rows along; their sheet is
    looked up now, while their profile still exists."""
    sets = Set.objects.filter(session__owner=instance, session__status=Session.Status.COMPLETED)
    if sets.exists():
        bury(sets, instance.pk)
