"""A lifter's routines: the list, creating one, the editor (name, rest, each exercise's
targets, adding, removing and moving exercises), duplicating, deleting, and saving a
finished workout as a new routine.

Every routine is fetched for its owner, so another lifter's is "not found"; the
starter routines (no owner) are never edited here, only copied (give_starter_routines).
The pages work without JavaScript: one form per page, buttons say what to do.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import (
    NewExerciseForm,
    NewRoutineForm,
    RoutineForm,
    SaveAsRoutineForm,
    TargetsForm,
    TargetsFormSet,
)
from ..models import (
    ActiveWorkoutExists,
    Exercise,
    LifterProfile,
    Routine,
    RoutineExercise,
    Workout,
    exercises_done_in,
    give_starter_routines,
)
from ..numbers import whole_number
from ..progression import default_increment, number_text, routine_targets, superset_labels

STEPS = {"up": -1, "down": 1}
MAX_ID = 2**31 - 1


def get_routine(request, routine_id):
    return get_object_or_404(Routine, pk=routine_id, owner=request.user)


def exercise_anchor(exercise_id):
    return f"exercise-{exercise_id}"


@require_http_methods(["GET", "POST"])
def routine_list(request):
    give_starter_routines(request.user)
    form = NewRoutineForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        routine = Routine.create_for(request.user, form.cleaned_data["name"])
        messages.success(request, f"Created {routine.name}. Add its exercises below.")
        return redirect(routine)
    routines = (
        Routine.objects.owned_by(request.user)
        .annotate(exercise_count=Count("exercises"))
        .prefetch_related(Prefetch("exercises", RoutineExercise.objects.select_related("exercise")))
    )
    return render(request, "sessions_app/routines/list.html", {"routines": routines, "form": form})


def requested_move(data):
    """The exercise id and step of a "↑"/"↓" button: "12 up" -> (12, -1)."""
    exercise_id, _, direction = data.get("move", "").partition(" ")
    if (number := whole_number(exercise_id, MAX_ID)) and direction in STEPS:
        return number, STEPS[direction]
    return None


def requested_id(data, button):
    return whole_number(data.get(button, ""), MAX_ID)


@require_http_methods(["GET", "POST"])
def routine_editor(request, routine_id):
    """One form for the whole routine: whichever button is pressed (save, add, ↑, ↓,
    remove, start), what was typed in the other fields is saved first, so nothing is
    lost. Removing asks first (?remove=id shows the question in the exercise's card)."""
    routine = get_routine(request, routine_id)
    data = request.POST if request.method == "POST" else None
    form = RoutineForm(data, instance=routine)
    rows = routine.exercises.select_related("exercise")
    formset = TargetsFormSet(data, instance=routine, prefix="exercises", queryset=rows)
    adding = data is not None and ("add" in data or data.get("new-name", "").strip())
    new_form = NewExerciseForm(data if adding else None, routine=routine)
    if data is not None:
        valid = form.is_valid() and formset.is_valid() and (not adding or new_form.is_valid())
        if valid:
            return redirect(save_routine(request, routine, form, formset, new_form))
    for row in [*formset.forms, new_form]:  # an empty rest is the routine's
        row.fields["rest_seconds"].widget.attrs["placeholder"] = routine.rest_seconds
    show_next_targets(request.user, routine, formset.forms)
    context = {
        "routine": routine,
        "form": form,
        "formset": formset,
        "new_form": new_form,
        "removing": requested_id(request.GET, "remove"),
        "exercise_names": exercise_names(request.user),
    }
    return render(request, "sessions_app/routines/editor.html", context)


def show_next_targets(lifter, routine, rows):
    """Each exercise's row says what the next workout will ask (its rule's target and
    reason), its superset label (A1, A2), and its step when left empty."""
    profile = LifterProfile.at_the_bar(lifter.pk)
    unit = profile.unit
    exercises, targets = routine_targets(
        routine, lifter.pk, unit, bar_and_plates=profile.bar_and_plates()
    )
    labels = superset_labels(exercises)
    for row in rows:
        exercise = row.instance
        row.next_target = targets.get(exercise.pk)
        row.superset_label = labels.get(exercise.pk, "")
        if exercise.pk is not None:
            step = default_increment(
                exercise.exercise.kind, exercise.exercise.name, unit, exercise.progression
            )
            row.fields["increment"].widget.attrs["placeholder"] = number_text(step)


def save_routine(request, routine, form, formset, new_form):
    """Saves the editor's valid forms, then does what the button asked. Returns where
    to go next: the part of the editor concerned, or the workout started."""
    data = request.POST
    url = routine.get_absolute_url()
    anchor, did = "routine", None
    move = requested_move(data)
    removal = requested_id(data, "remove_confirmed")
    with transaction.atomic():
        if form.has_changed():
            routine.save(update_fields=form.changed_data)
        for row in formset.initial_forms:
            # A row whose exercise is not in this routine (removed in another tab, or
            # another lifter's id) got a new, unsaved instance: it is left out.
            fields = [name for name in row.changed_data if name in TargetsForm.Meta.fields]
            if row.instance.pk is not None and fields:
                row.instance.save(update_fields=fields)
        if new_form.is_bound:
            added = routine.add_exercise(**new_form.cleaned_data)
            anchor, did = exercise_anchor(added.pk), f"Added {added.name}."
        if move is not None and routine.move_exercise(*move):
            anchor, did = exercise_anchor(move[0]), ""
        if removal is not None:
            removed = routine.exercises.filter(pk=removal).first()
            if removed is not None and routine.remove_exercise(removal):
                anchor, did = "exercises", f"Removed {removed.name}."
    if (asked := requested_id(data, "remove")) is not None:
        return f"{url}?remove={asked}#{exercise_anchor(asked)}"
    if "start" in data:
        return start_workout(request, routine)
    if did is None:
        did = f"Saved {routine.name}."
    if did:
        messages.success(request, did)
    return f"{url}#{anchor}"


def start_workout(request, routine):
    try:
        workout = Workout.start(request.user, routine)
    except ActiveWorkoutExists as error:
        messages.warning(
            request, "You already have a workout in progress. Finish or cancel it first."
        )
        return error.workout.get_absolute_url()
    return workout.get_absolute_url()


def exercise_names(owner):
    """Names for the add-exercise field's suggestions: the lifter's, then the library's."""
    return Exercise.objects.suggested_names(owner)


@require_POST
def duplicate_routine(request, routine_id):
    routine = get_routine(request, routine_id)
    copy = routine.duplicate()
    messages.success(request, f"Copied {routine.name} as {copy.name}.")
    return redirect(copy)


@require_http_methods(["GET", "POST"])
def delete_routine(request, routine_id):
    """GET asks first; POST deletes. Past workouts keep their sets and their title."""
    routine = get_routine(request, routine_id)
    if active := routine.workouts.filter(status=Workout.Status.ACTIVE).first():
        messages.error(
            request,
            f"Your workout in progress follows {routine.name}: finish or cancel it first.",
        )
        return redirect(active)
    if request.method == "POST":
        routine.delete()
        messages.success(request, f"Deleted {routine.name}.")
        return redirect("routine_list")
    past = routine.workouts.filter(status=Workout.Status.COMPLETED).count()
    context = {"routine": routine, "past_workouts": past}
    return render(request, "sessions_app/routines/delete.html", context)


@require_http_methods(["GET", "POST"])
def save_workout_as_routine(request, session_id):
    """A finished workout's exercises become a new routine (an empty workout's too)."""
    workouts = Workout.objects.with_title().select_related("routine")
    workout = get_object_or_404(workouts, pk=session_id, owner=request.user)
    if workout.status != Workout.Status.COMPLETED:
        messages.info(request, "Only a finished workout can be saved as a routine.")
        return redirect(workout)
    initial = {"name": f"{workout.title} {workout.date.day} {workout.date:%b}"}
    form = SaveAsRoutineForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        give_starter_routines(request.user)  # before: the new routine comes after them
        routine = Routine.from_workout(workout, form.cleaned_data["name"])
        messages.success(request, f"Saved as {routine.name}. Change its targets here.")
        return redirect(routine)
    context = {
        "session": workout,
        "form": form,
        "exercises": exercises_done_in(workout),
        "workout_url": reverse("workout", args=[workout.pk]),
    }
    return render(request, "sessions_app/routines/from_workout.html", context)
