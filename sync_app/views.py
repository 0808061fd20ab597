"""The lifter's side of the sync: choosing between the sheet's and the app's version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from .conflicts import APP, SHEET, ConflictResolved, resolve
from .models import SheetConflict

CHOICE_MESSAGES = {
    (SheetConflict.Kind.BOTH_CHANGED, SHEET): "Kept the sheet's version; the app took it.",
    (SheetConflict.Kind.BOTH_CHANGED, APP): "Kept the app's version; the sheet follows shortly.",
    (SheetConflict.Kind.DELETED, SHEET): "Deleted the set in the app too.",
    (SheetConflict.Kind.DELETED, APP): "The set's row is written back to the sheet shortly.",
}


@require_POST
@login_required
def resolve_conflict(request, set_id):
    conflict = get_object_or_404(
        SheetConflict.objects.select_related("set__workout"),
        set_id=set_id,
        set__workout__owner=request.user,
    )
    choice = request.POST.get("choice")
    url = conflict.set.workout.get_absolute_url()
    if choice not in (SHEET, APP):
        messages.error(request, "Choose the sheet's version or the app's.")
    else:
        try:
            resolve(conflict, choice)
            messages.success(request, CHOICE_MESSAGES[conflict.kind, choice])
        except ConflictResolved:
            messages.info(request, "That was already resolved.")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
