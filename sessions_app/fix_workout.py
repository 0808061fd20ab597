"""Fixing a finished workout without the admin: its sets (changed or deleted) and its note.

Only completed workouts are fixed here (the one in progress has its own page). The sheet
follows through the existing contract: saving or deleting a set of a completed workout
marks it for the sync (signals.py), and a changed note does the same, as admin edits do.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .forms import EditSetForm, WorkoutNoteForm
from .models import Session, Set

FIX_TEMPLATE = "sessions_app/fix_workout.html"


def get_completed_session(request, session_id):
    sessions = Session.objects.with_template_name().completed()
    return get_object_or_404(sessions, pk=session_id, owner=request.user)


def get_completed_set(request, set_id):
    sets = Set.objects.select_related("session").filter(session__status=Session.Status.COMPLETED)
    return get_object_or_404(sets, pk=set_id, session__owner=request.user)


def fix_url(workout_set):
    return f"{reverse('fix_workout', args=[workout_set.session_id])}#fix-set-{workout_set.pk}"


@dataclass
class ExerciseSets:
    name: str
    rows: list = field(default_factory=list)  # (set, form)


def fix_context(session, bound_form=None, note_form=None):
    """The workout's sets by exercise in the order first done, each with its form; a
    bound form (with errors) takes its set's place."""
    exercises = {}
    for workout_set in session.sets.order_by("created_at", "pk"):
        form = EditSetForm.for_set(workout_set)
        if bound_form is not None and bound_form.prefix == form.prefix:
            form = bound_form
        exercise = exercises.setdefault(
            workout_set.exercise.casefold(), ExerciseSets(workout_set.exercise)
        )
        exercise.rows.append((workout_set, form))
    for exercise in exercises.values():
        exercise.rows.sort(key=lambda row: (row[0].is_warmup is False, row[0].set_number))
    return {
        "session": session,
        "exercises": list(exercises.values()),
        "note_form": note_form or WorkoutNoteForm(initial={"note": session.note}),
    }


@require_http_methods(["GET", "POST"])
def fix_workout(request, session_id):
    """The page; POST saves the workout's note."""
    session = get_completed_session(request, session_id)
    if request.method == "GET":
        return render(request, FIX_TEMPLATE, fix_context(session))
    form = WorkoutNoteForm(request.POST, initial={"note": session.note})
    if not form.is_valid():
        return render(request, FIX_TEMPLATE, fix_context(session, note_form=form))
    if form.has_changed():
        session.save_note(form.cleaned_data["note"])
        messages.success(request, "Note saved.")
    return redirect("fix_workout", session.pk)


@require_POST
def fix_set(request, set_id):
    workout_set = get_completed_set(request, set_id)
    form = EditSetForm.for_set(workout_set, request.POST)
    if not form.is_valid():
        session = get_completed_session(request, workout_set.session_id)
        return render(request, FIX_TEMPLATE, fix_context(session, bound_form=form))
    if form.has_changed():
        form.apply_to(workout_set)  # a completed workout's set: the sync hears of it
        messages.success(request, f"Saved set {workout_set.set_number} of {workout_set.exercise}.")
    return redirect(fix_url(workout_set))


@require_http_methods(["GET", "POST"])
def remove_set(request, set_id):
    """GET asks first; POST deletes (the sheet's row goes too)."""
    workout_set = get_completed_set(request, set_id)
    if request.method == "GET":
        return render(request, "sessions_app/remove_set.html", {"set": workout_set})
    workout_set.delete()
    messages.success(request, f"Deleted set {workout_set.set_number} of {workout_set.exercise}.")
    return redirect("fix_workout", workout_set.session_id)
