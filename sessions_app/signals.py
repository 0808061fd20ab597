"""Changing the history of a completed workout: its sheet rows and the records follow."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Session, Set, history_changed, mark_unsynced
from .progress import refresh_records, refresh_session_records

# What a workout's records are computed from, besides its sets.
RECORDS_DEPEND_ON = {"date", "status", "completed_at", "owner", "owner_id"}


@receiver(post_save, sender=Set)
def set_saved(sender, instance, raw=False, **kwargs):
    # instance.session is already loaded on every path that saves a set, so the
    # hot path (logging into an active workout) costs no extra query.
    if not raw and instance.session.status == Session.Status.COMPLETED:
        mark_unsynced(instance.session_id)
        loaded = getattr(instance, "loaded_exercise", None)
        if loaded and loaded != instance.exercise:  # renamed: the old name's records too
            refresh_records(instance.session.owner_id, [loaded])


@receiver(post_delete, sender=Set)
def set_deleted(sender, instance, **kwargs):
    mark_unsynced(instance.session_id)
    # The deleted set's name may have left the workout: history_changed cannot see it.
    session = Session.objects.filter(pk=instance.session_id).values("owner_id", "status").first()
    if session and session["status"] == Session.Status.COMPLETED:
        refresh_records(session["owner_id"], [instance.exercise])


@receiver(history_changed)
def history_was_changed(sender, session_ids, **kwargs):
    """Completed workouts were completed, or their sets changed: their exercises' records."""
    if len(session_ids) == 1:
        refresh_session_records(session_ids[0])
        return
    names = Set.objects.filter(session_id__in=session_ids).values_list(
        "session__owner_id", "exercise"
    )
    by_owner = {}
    for owner_id, exercise in names.order_by().distinct():
        by_owner.setdefault(owner_id, set()).add(exercise)
    for owner_id, exercises in by_owner.items():
        refresh_records(owner_id, exercises)


@receiver(post_save, sender=Session)
def session_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # A new workout has no sets yet; a saved one may have a new date or status (the admin).
    # Saving only what records do not depend on (its note) changes none.
    if update_fields is not None and not RECORDS_DEPEND_ON & set(update_fields):
        return
    if not created and not raw:
        refresh_session_records(instance.pk)
