"""Logging a workout: home, starting one, the workout screen and everything on it, and
a finished workout's page. Server-rendered; htmx swaps partials when it is there."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from ..forms import (
    EXERCISE_MAX_LENGTH,
    MISSING_REPS,
    MISSING_WEIGHT,
    AddWarmupsForm,
    EditSetForm,
    SetForm,
    StartWorkoutForm,
    WorkoutNoteForm,
)
from ..models import (
    DEFAULT_REST_SECONDS,
    ActiveWorkoutExists,
    Exercise,
    KeyTaken,
    LifterProfile,
    Routine,
    Set,
    Workout,
    WorkoutClosed,
    display_name,
    give_starter_routines,
)
from ..progress import workout_summary
from ..warmups import ask_for_warmups
from ..workout_screen import (
    ExerciseCard,
    PlannedRow,
    canonical_exercise_name,
    cards_for,
    dom_id_for,
    find_card,
    label_logged_supersets,
    workout_plan,
)
from .account import needs_unit_choice
from .bodyweight import bodyweight_context

WORKOUT_TEMPLATE = "sessions_app/workout.html"


def get_workout(request, session_id):
    workouts = Workout.objects.shown().with_title().select_related("routine")
    return get_object_or_404(workouts, pk=session_id, owner=request.user)


def get_set(request, set_id):
    return get_object_or_404(
        Set.objects.select_related("workout", "exercise").exclude(
            workout__status=Workout.Status.IMPORTING
        ),
        pk=set_id,
        workout__owner=request.user,
    )


def exercise_url(workout, exercise):
    """The workout page, scrolled to the exercise."""
    return f"{workout.get_absolute_url()}#{dom_id_for(exercise)}"


def redirect_to(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def home(request):
    workouts = Workout.objects.owned_by(request.user).with_title()
    active = workouts.active().first()
    context = {"active": active, "recent": workouts.completed()[:5]}
    context |= bodyweight_context(request)
    if not active:
        give_starter_routines(request.user)
        form = StartWorkoutForm(owner=request.user, initial={"date": timezone.localdate()})
        context |= start_context(request, form)
    return render(request, "sessions_app/home.html", context)


def start_context(request, form):
    """The routines as cards, each with its own Start; the day, today unless changed."""
    return {
        "form": form,
        "routines": Routine.objects.owned_by(request.user).as_cards(),
        "today": timezone.localdate(),
        "ask_unit": needs_unit_choice(request.user),
    }


@require_POST
def start_workout(request):
    give_starter_routines(request.user)
    form = StartWorkoutForm(request.POST, owner=request.user)
    if form.is_valid():
        try:
            workout = Workout.start(
                request.user, form.cleaned_data["template"], form.cleaned_data["date"]
            )
        except ActiveWorkoutExists as error:
            messages.warning(
                request, "You already have a workout in progress. Finish or cancel it first."
            )
            return redirect_to(request, error.workout.get_absolute_url())
        return redirect_to(request, workout.get_absolute_url())
    context = {"active": None, "recent": [], **start_context(request, form)}
    return render(request, "sessions_app/home.html", context)


def workout_context(workout, plan, **extra):
    return {
        "session": workout,
        "log_url": reverse("log_set", args=[workout.pk]),
        "row_template": PlannedRow(set_number=0, key=""),
        "row_template_card": ExerciseCard(name="", unit=plan.unit),
        "cards": plan.cards,
        "plan": plan,
        "default_rest_seconds": plan.default_rest,
        "note_form": WorkoutNoteForm(initial={"note": workout.note}),
        "missing_weight": MISSING_WEIGHT,
        "missing_reps": MISSING_REPS,
        **extra,
    }


def extra_rows_asked(request):
    """Rows a page without JavaScript asked for: ?more=Exercise (one more row), and
    ?add=Exercise (a new card)."""
    extra = {}
    for name in request.GET.getlist("more")[:20]:
        name = name[:EXERCISE_MAX_LENGTH]
        extra[name] = extra.get(name, 0) + 1
    for name in request.GET.getlist("add")[:20]:
        extra.setdefault(display_name(name)[:EXERCISE_MAX_LENGTH], 0)
    return extra


@require_GET
def workout(request, session_id):
    workout = get_workout(request, session_id)
    if not workout.is_active:
        return finished_workout(request, workout)
    extra = extra_rows_asked(request)
    if added := [name for name, count in extra.items() if count == 0]:
        extra = {canonical_exercise_name(request.user, name): 0 for name in added} | {
            name: count for name, count in extra.items() if count
        }
    plan = workout_plan(workout, extra_rows=extra)
    if request.htmx and added:
        card = find_card(plan.cards, next(iter(extra)))
        context = workout_context(workout, plan, card=card)
        response = render(request, f"{WORKOUT_TEMPLATE}#exercise-card", context)
        if card.target is not None or card.sets:  # already on the page: show it again
            response = reswap(retarget(response, f"#{card.dom_id}"), "outerHTML")
        return response
    return render(request, WORKOUT_TEMPLATE, workout_context(workout, plan))


def finished_workout(request, workout):
    """A completed (or cancelled) workout: its summary and sets."""
    sets = list(workout.sets.select_related("exercise").order_by("created_at", "pk"))
    unit = LifterProfile.unit_of(request.user.pk)
    completed = workout.status == Workout.Status.COMPLETED
    context = {
        "session": workout,
        "cards": label_logged_supersets(cards_for([], sets, DEFAULT_REST_SECONDS, unit)),
        "set_count": len(sets),
        "summary": workout_summary(workout, sets, unit) if completed else None,
    }
    return render(request, "sessions_app/session_detail.html", context)


def render_card(request, workout, exercise, bound_form=None):
    """The workout page, or with htmx only the exercise's card."""
    plan = workout_plan(workout, bound_form=bound_form)
    if not request.htmx:
        return render(request, WORKOUT_TEMPLATE, workout_context(workout, plan))
    card = find_card(plan.cards, exercise)
    if card is None:  # its last set was deleted and it is not in the routine
        return HttpResponse("")
    return render(
        request, f"{WORKOUT_TEMPLATE}#exercise-card", workout_context(workout, plan, card=card)
    )


@require_POST
def log_set(request, session_id):
    """One tap on a row's ✓: the form, the one statement that stores the set (and checks
    the workout is this lifter's and open), and with htmx the row, logged. Nothing else
    on the page changed, so nothing else is computed or read (bench/RESULTS.md); the
    workout itself is read only to show the row again with what is wrong."""
    form = SetForm(request.POST, lifter_unit=LifterProfile.unit_lookup(request.user.pk))
    if form.is_valid():
        try:
            workout_set, _ = Set.store(request.user.pk, session_id, **form.cleaned_data)
        except Workout.DoesNotExist:
            raise Http404("No such workout of yours.") from None
        except WorkoutClosed as closed:
            messages.error(request, "This workout is already finished; the set was not added.")
            return redirect_to(request, closed.workout.get_absolute_url())
        except KeyTaken:
            form.add_error(None, "This row was already used for another workout. Try again.")
        else:
            workout = Workout(pk=workout_set.workout_id, owner=request.user)  # open: active
            if not request.htmx:
                return redirect(exercise_url(workout, workout_set.exercise_name))
            return logged_row(request, workout, workout_set)
    return invalid_row(request, get_workout(request, session_id), form)


def logged_row(request, workout, workout_set):
    """The row, logged. (A warm-up ticked from a planned row left that row to do where it
    was: the page put it back as it was when the tick was queued, see workout.js.)"""
    context = {"session": workout, "set": workout_set}
    return render(request, f"{WORKOUT_TEMPLATE}#set-row", context)


def invalid_row(request, workout, form):
    """The row again, with the lifter's values and what is wrong (status 200: htmx
    swaps only successful answers)."""
    plan = workout_plan(workout, bound_form=form, with_last_time=not request.htmx)
    if not request.htmx:
        return render(request, WORKOUT_TEMPLATE, workout_context(workout, plan))
    card = find_card(plan.cards, form.data.get("exercise", ""))
    row = next(row for row in card.planned_rows if row.form is form)
    context = workout_context(workout, plan, card=card, row=row)
    return render(request, f"{WORKOUT_TEMPLATE}#planned-row", context)


@require_POST
def add_warmups(request, session_id):
    """ "Add warm-ups" on a card: the ramp's rows planned (warmups.py), the card shown
    again (the page, without JavaScript)."""
    workout = get_workout(request, session_id)
    form = AddWarmupsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a working weight first, then add warm-ups.")
        return redirect_to(request, workout.get_absolute_url())
    exercise = form.cleaned_data["exercise"]
    try:
        ask_for_warmups(workout, exercise, form.cleaned_data["weight"])
    except WorkoutClosed:
        messages.error(request, "This workout is already finished.")
        return redirect_to(request, workout.get_absolute_url())
    if not request.htmx:
        return redirect(exercise_url(workout, exercise))
    plan = workout_plan(workout)
    card = find_card(plan.cards, exercise)
    if card is None:
        return HttpResponse("")
    context = workout_context(workout, plan, card=card)
    return render(request, f"{WORKOUT_TEMPLATE}#warmup-rows", context)


def fix_instead(request, workout):
    messages.info(request, "This workout is finished: fix its sets here.")
    return redirect_to(request, reverse("fix_workout", args=[workout.pk]))


@require_http_methods(["GET", "POST"])
def edit_set(request, set_id):
    workout_set = get_set(request, set_id)
    workout = workout_set.workout
    if workout.status == Workout.Status.COMPLETED:
        return fix_instead(request, workout)
    if not workout.is_active:
        raise Http404("This workout was cancelled.")
    form = EditSetForm.for_set(workout_set, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        was_exercise_id = workout_set.exercise_id
        form.apply_to(workout_set)
        if not request.htmx:
            return redirect(exercise_url(workout, workout_set.exercise_name))
        if was_exercise_id != workout_set.exercise_id:
            return HttpResponseClientRedirect(exercise_url(workout, workout_set.exercise_name))
        context = {"session": workout, "set": workout_set}
        return render(request, f"{WORKOUT_TEMPLATE}#set-row", context)
    context = {"session": workout, "set": workout_set, "form": form}
    if request.htmx:
        return render(request, f"{WORKOUT_TEMPLATE}#set-edit-form", context)
    return render(request, "sessions_app/edit_set.html", context)


@require_GET
def show_set(request, set_id):
    """One set's row: what "cancel" on an inline edit form swaps back in."""
    workout_set = get_set(request, set_id)
    if not request.htmx:
        return redirect(workout_set.workout.get_absolute_url())
    context = {"session": workout_set.workout, "set": workout_set}
    return render(request, f"{WORKOUT_TEMPLATE}#set-row", context)


@require_http_methods(["GET", "POST"])
def delete_set(request, set_id):
    """Deleting a set, of the workout in progress or of a finished one (its row leaves
    the sheet too): GET asks first (the page without JavaScript), POST deletes."""
    workout_set = get_set(request, set_id)
    workout = workout_set.workout
    finished = workout.status == Workout.Status.COMPLETED
    if not (finished or workout.is_active):
        raise Http404("This workout was cancelled.")
    back = reverse("fix_workout", args=[workout.pk]) if finished else workout.get_absolute_url()
    if request.method == "GET":
        context = {"set": workout_set, "finished": finished, "back": back}
        return render(request, "sessions_app/delete_set.html", context)
    workout_set.delete()
    if finished or not request.htmx:
        messages.success(
            request, f"Deleted set {workout_set.set_number} of {workout_set.exercise_name}."
        )
        return redirect_to(
            request, back if finished else exercise_url(workout, workout_set.exercise_name)
        )
    return render_card(request, workout, workout_set.exercise_name)


@require_POST
def save_note(request, session_id):
    workout = get_workout(request, session_id)
    form = WorkoutNoteForm(request.POST)
    if form.is_valid():
        workout.save_note(form.cleaned_data["note"])
        if not request.htmx:
            messages.success(request, "Workout note saved.")
            return redirect(workout.get_absolute_url())
        form = WorkoutNoteForm(initial={"note": workout.note})
        context = {"session": workout, "note_form": form, "saved": True}
        return render(request, f"{WORKOUT_TEMPLATE}#workout-note", context)
    context = {"session": workout, "note_form": form}
    if request.htmx:
        return render(request, f"{WORKOUT_TEMPLATE}#workout-note", context)
    return render(request, "sessions_app/note.html", context)


@require_GET
def exercise_names(request):
    """The add-exercise field's suggestions: the lifter's own names, then the library's."""
    names = Exercise.objects.suggested_names(request.user)
    return render(request, f"{WORKOUT_TEMPLATE}#exercise-names", {"exercise_names": names})


def save_note_sent_with(request, workout):
    """The workout note typed on the page comes with Complete (the button belongs to the
    note's form): saved first, whatever Complete answers. Returns what is wrong with it."""
    if "note" not in request.POST:
        return None
    form = WorkoutNoteForm(request.POST)
    if not form.is_valid():
        return " ".join(form.errors["note"])
    if form.cleaned_data["note"] != workout.note:
        workout.save_note(form.cleaned_data["note"])
    return None


def completion_question(plan, confirmed):
    """What to ask before completing: "confirm" (planned sets not logged), or why not."""
    if plan.set_count == 0:
        return "No set is logged yet: log a set first, or cancel the workout."
    if plan.planned_not_logged and not confirmed:
        return "confirm"
    return None


@require_POST
def complete_workout(request, session_id):
    """Completing with planned sets not logged asks first; with no set, it is refused.
    The workout note sent with it is saved in any case."""
    workout = get_workout(request, session_id)
    if not workout.is_active:
        messages.info(request, f"This workout was already {workout.status}.")
        return redirect_to(request, workout.get_absolute_url())
    problem = save_note_sent_with(request, workout)
    plan = workout_plan(workout, with_last_time=False)
    problem = problem or completion_question(plan, confirmed=bool(request.POST.get("confirm")))
    if problem:
        context = {
            "session": workout,
            "plan": plan,
            "problem": problem,
            "on_workout_page": bool(request.htmx),
        }
        if request.htmx:
            return render(request, f"{WORKOUT_TEMPLATE}#complete-check", context)
        return render(request, "sessions_app/complete.html", context)
    try:
        workout.complete()
    except WorkoutClosed:
        messages.info(request, f"This workout was already {workout.status}.")
    return redirect_to(request, workout.get_absolute_url())


@require_http_methods(["GET", "POST"])
def cancel_workout(request, session_id):
    workout = get_workout(request, session_id)
    if not workout.is_active:
        messages.info(request, f"This workout was already {workout.status}.")
        return redirect_to(request, workout.get_absolute_url())
    if request.method == "POST":
        workout.cancel()
        messages.success(request, "Workout cancelled.")
        return redirect_to(request, reverse("home"))
    set_count = workout.sets.count()
    return render(request, "sessions_app/cancel.html", {"session": workout, "set_count": set_count})
