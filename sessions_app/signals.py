"""Changing the history of a completed workout means its sheet rows must follow."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Session, Set, mark_unsynced


@receiver(post_save, sender=Set)
def set_saved(sender, instance, raw=False, **kwargs):
    # instance.session is already loaded on every path that saves a set, so the
    # hot path (logging into an active workout) costs no extra query.
    if not raw and instance.session.status == Session.Status.COMPLETED:
        mark_unsynced(instance.session_id)


@receiver(post_delete, sender=Set)
def set_deleted(sender, instance, **kwargs):
    mark_unsynced(instance.session_id)
