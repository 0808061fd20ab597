"""Pages for logging a workout: server-rendered, htmx swaps partials when it is there."""

import csv
from collections import namedtuple

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from .account import needs_unit_choice
from .export import COLUMNS, csv_row, row_for
from .forms import EXERCISE_MAX_LENGTH, EditSetForm, SetForm, StartSessionForm, WorkoutNoteForm
from .models import (
    DEFAULT_REST_SECONDS,
    ActiveSessionExists,
    KeyTaken,
    LifterProfile,
    Session,
    SessionClosed,
    Set,
    SetType,
    give_starter_routines,
    name_key,
    store_set,
)
from .progress import chart_for, exercise_progress, exercise_records
from .progress import session_summary as summarize
from .workout_page import (
    ExerciseCard,
    PlannedRow,
    canonical_exercise_name,
    cards_for,
    dom_id_for,
    find_card,
    workout_plan,
)

HISTORY_PAGE_SIZE = 20
EXPORT_CHUNK_ROWS = 2000
WORKOUT_TEMPLATE = "sessions_app/workout.html"


def get_session(request, session_id):
    sessions = Session.objects.with_template_name().select_related("routine")
    return get_object_or_404(sessions, pk=session_id, owner=request.user)


def get_set(request, set_id):
    return get_object_or_404(
        Set.objects.select_related("session"), pk=set_id, session__owner=request.user
    )


def exercise_url(session, exercise):
    """The workout page, scrolled to the exercise."""
    return f"{session.get_absolute_url()}#{dom_id_for(exercise)}"


def finished_workout(request, session):
    messages.error(request, "Sets of a finished workout are changed in the admin.")
    return redirect_to(request, session.get_absolute_url())


def redirect_to(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def home(request):
    sessions = Session.objects.owned_by(request.user).with_template_name()
    active = sessions.active().first()
    recent = sessions.completed()[:5]
    form = None
    if not active:
        give_starter_routines(request.user)
        form = StartSessionForm(owner=request.user, initial={"template": None})
    context = {
        "active": active,
        "form": form,
        "recent": recent,
        "ask_unit": needs_unit_choice(request.user),
    }
    return render(request, "sessions_app/home.html", context)


@require_POST
def start_session(request):
    give_starter_routines(request.user)
    form = StartSessionForm(request.POST, owner=request.user)
    if form.is_valid():
        try:
            session = Session.start(
                request.user, form.cleaned_data["template"], form.cleaned_data["date"]
            )
        except ActiveSessionExists as error:
            messages.warning(
                request, "You already have a workout in progress. Finish or cancel it first."
            )
            return redirect_to(request, error.session.get_absolute_url())
        return redirect_to(request, session.get_absolute_url())
    context = {"active": None, "form": form, "recent": []}
    return render(request, "sessions_app/home.html", context)


def workout_context(session, plan, **extra):
    return {
        "session": session,
        "log_url": reverse("log_set", args=[session.pk]),
        "row_template": PlannedRow(set_number=0, key=""),
        "row_template_card": ExerciseCard(name="", unit=plan.unit),
        "cards": plan.cards,
        "plan": plan,
        "default_rest_seconds": plan.default_rest,
        "note_form": WorkoutNoteForm(initial={"note": session.note}),
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
        extra.setdefault(name.strip()[:EXERCISE_MAX_LENGTH], 0)
    return extra


@require_GET
def workout(request, session_id):
    session = get_session(request, session_id)
    if not session.is_active:
        return session_summary(request, session)
    extra = extra_rows_asked(request)
    if added := [name for name, count in extra.items() if count == 0]:
        extra = {canonical_exercise_name(request.user, name): 0 for name in added} | {
            name: count for name, count in extra.items() if count
        }
    plan = workout_plan(session, extra_rows=extra)
    if request.htmx and added:
        card = find_card(plan.cards, next(iter(extra)))
        context = workout_context(session, plan, card=card)
        response = render(request, f"{WORKOUT_TEMPLATE}#exercise-card", context)
        if card.target is not None or card.sets:  # already on the page: show it again
            response = reswap(retarget(response, f"#{card.dom_id}"), "outerHTML")
        return response
    return render(request, WORKOUT_TEMPLATE, workout_context(session, plan))


def session_summary(request, session):
    sets = list(session.sets.order_by("created_at", "pk"))
    unit = LifterProfile.unit_of(request.user.pk)
    completed = session.status == Session.Status.COMPLETED
    context = {
        "session": session,
        "cards": cards_for([], sets, DEFAULT_REST_SECONDS, unit),
        "set_count": len(sets),
        "summary": summarize(session, sets, unit) if completed else None,
    }
    return render(request, "sessions_app/session_detail.html", context)


def render_card(request, session, exercise, bound_form=None):
    """The workout page, or with htmx only the exercise's card."""
    plan = workout_plan(session, bound_form=bound_form)
    if not request.htmx:
        return render(request, WORKOUT_TEMPLATE, workout_context(session, plan))
    card = find_card(plan.cards, exercise)
    if card is None:  # its last set was deleted and it is not in the template
        return HttpResponse("")
    return render(
        request, f"{WORKOUT_TEMPLATE}#exercise-card", workout_context(session, plan, card=card)
    )


@require_POST
def log_set(request, session_id):
    """One tap on a row's ✓. With htmx the answer is that row, logged: nothing else on
    the page changed, and nothing else is computed (bench/RESULTS.md). The statement
    that stores the set checks that the workout is this lifter's and open: the workout
    itself is read only when the row must be shown again with what is wrong."""
    unit = LifterProfile.unit_of(
        request.user.pk, sent=request.POST.get("unit")
    )  # every row sends it
    form = SetForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            workout_set, _ = store_set(request.user.pk, session_id, **form.cleaned_data)
        except Session.DoesNotExist:
            raise Http404("No such workout of yours.") from None
        except SessionClosed as closed:
            messages.error(request, "This workout is already finished; the set was not added.")
            return redirect_to(request, closed.session.get_absolute_url())
        except KeyTaken:
            form.add_error(None, "This row was already used for another workout. Try again.")
        else:
            session = Session(pk=workout_set.session_id, owner=request.user)  # open: active
            if not request.htmx:
                return redirect(exercise_url(session, workout_set.exercise))
            return logged_row(request, session, workout_set, form.cleaned_data["set_number"])
    return invalid_row(request, get_session(request, session_id), form)


def logged_row(request, session, workout_set, row_number):
    """The row, logged. A warm-up does not use up its set number: that set is still to
    do, so a row for it follows."""
    context = {"session": session, "set": workout_set}
    html = render_to_string(f"{WORKOUT_TEMPLATE}#set-row", context, request)
    if workout_set.is_warmup:
        card = ExerciseCard(name=workout_set.exercise, unit=workout_set.unit)
        row = PlannedRow(set_number=row_number or 1)
        log_url = reverse("log_set", args=[session.pk])
        context = {"session": session, "card": card, "row": row, "log_url": log_url}
        html += render_to_string(f"{WORKOUT_TEMPLATE}#planned-row", context, request)
    return HttpResponse(html)


def invalid_row(request, session, form):
    """The row again, with the lifter's values and what is wrong (status 200: htmx
    swaps only successful answers)."""
    plan = workout_plan(session, bound_form=form, with_last_time=not request.htmx)
    if not request.htmx:
        return render(request, WORKOUT_TEMPLATE, workout_context(session, plan))
    card = find_card(plan.cards, form.data.get("exercise", ""))
    row = next(row for row in card.planned_rows if row.form is form)
    context = workout_context(session, plan, card=card, row=row)
    return render(request, f"{WORKOUT_TEMPLATE}#planned-row", context)


@require_http_methods(["GET", "POST"])
def edit_set(request, set_id):
    workout_set = get_set(request, set_id)
    session = workout_set.session
    if not session.is_active:
        return finished_workout(request, session)
    form = EditSetForm.for_set(workout_set, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        old_exercise = workout_set.exercise
        form.apply_to(workout_set)
        if not request.htmx:
            return redirect(exercise_url(session, workout_set.exercise))
        if name_key(old_exercise) != name_key(workout_set.exercise):
            return HttpResponseClientRedirect(exercise_url(session, workout_set.exercise))
        context = {"session": session, "set": workout_set}
        return render(request, f"{WORKOUT_TEMPLATE}#set-row", context)
    context = {"session": session, "set": workout_set, "form": form}
    if request.htmx:
        return render(request, f"{WORKOUT_TEMPLATE}#set-edit-form", context)
    return render(request, "sessions_app/edit_set.html", context)


@require_GET
def show_set(request, set_id):
    """One set's row: what "cancel" on an inline edit form swaps back in."""
    workout_set = get_set(request, set_id)
    if not request.htmx:
        return redirect(workout_set.session.get_absolute_url())
    context = {"session": workout_set.session, "set": workout_set}
    return render(request, f"{WORKOUT_TEMPLATE}#set-row", context)


@require_http_methods(["GET", "POST"])
def delete_set(request, set_id):
    """GET asks first (the page without JavaScript); POST deletes."""
    workout_set = get_set(request, set_id)
    session = workout_set.session
    if not session.is_active:
        return finished_workout(request, session)
    if request.method == "GET":
        return render(request, "sessions_app/delete_set.html", {"set": workout_set})
    workout_set.delete()
    if not request.htmx:
        messages.success(
            request, f"Deleted set {workout_set.set_number} of {workout_set.exercise}."
        )
        return redirect(exercise_url(session, workout_set.exercise))
    return render_card(request, session, workout_set.exercise)


@require_POST
def save_note(request, session_id):
    session = get_session(request, session_id)
    form = WorkoutNoteForm(request.POST)
    if form.is_valid():
        session.save_note(form.cleaned_data["note"])
        if not request.htmx:
            messages.success(request, "Workout note saved.")
            return redirect(session.get_absolute_url())
        form = WorkoutNoteForm(initial={"note": session.note})
        context = {"session": session, "note_form": form, "saved": True}
        return render(request, f"{WORKOUT_TEMPLATE}#workout-note", context)
    context = {"session": session, "note_form": form}
    if request.htmx:
        return render(request, f"{WORKOUT_TEMPLATE}#workout-note", context)
    return render(request, "sessions_app/note.html", context)


@require_GET
def exercise_names(request):
    """The lifter's own exercise names, for the add-exercise field's suggestions."""
    names = (
        Set.objects.filter(session__owner=request.user)
        .values_list("exercise", flat=True)
        .distinct()
        .order_by("exercise")
    )
    unique = {}
    for name in names:
        unique.setdefault(name_key(name), name)
    return render(
        request, f"{WORKOUT_TEMPLATE}#exercise-names", {"exercise_names": unique.values()}
    )


@require_POST
def complete_session(request, session_id):
    """Completing with planned sets not logged asks first; with no set, it is refused."""
    session = get_session(request, session_id)
    if not session.is_active:
        messages.info(request, f"This workout was already {session.status}.")
        return redirect_to(request, session.get_absolute_url())
    plan = workout_plan(session, with_last_time=False)
    problem = None
    if plan.set_count == 0:
        problem = "No set is logged yet: log a set first, or cancel the workout."
    elif plan.planned_not_logged and not request.POST.get("confirm"):
        problem = "confirm"
    if problem:
        context = {"session": session, "plan": plan, "problem": problem}
        if request.htmx:
            return render(request, f"{WORKOUT_TEMPLATE}#complete-check", context)
        return render(request, "sessions_app/complete.html", context)
    try:
        session.complete()
    except SessionClosed:
        messages.info(request, f"This workout was already {session.status}.")
    return redirect_to(request, session.get_absolute_url())


@require_http_methods(["GET", "POST"])
def cancel_session(request, session_id):
    session = get_session(request, session_id)
    if not session.is_active:
        messages.info(request, f"This workout was already {session.status}.")
        return redirect_to(request, session.get_absolute_url())
    if request.method == "POST":
        session.cancel()
        messages.success(request, "Workout cancelled.")
        return redirect_to(request, reverse("home"))
    set_count = session.sets.count()
    return render(request, "sessions_app/cancel.html", {"session": session, "set_count": set_count})


@require_GET
def history(request):
    # The count and the page each read the lifter's sessions through their index; the
    # set counts are subqueries, so only the page's 20 workouts have their sets counted.
    working_sets = (
        Set.objects.filter(session=OuterRef("pk"))
        .exclude(set_type=SetType.WARMUP)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    sessions = (
        Session.objects.owned_by(request.user)
        .completed()
        .with_template_name()
        .annotate(set_count=Coalesce(Subquery(working_sets), 0))
        .order_by("-date", "-created_at")
    )
    page = Paginator(sessions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sessions_app/history.html", {"page": page})


@require_GET
def progress(request):
    unit = LifterProfile.unit_of(request.user.pk)
    context = {"records": exercise_records(request.user, unit), "unit": unit}
    return render(request, "sessions_app/progress.html", context)


@require_GET
def exercise_progress_page(request):
    exercise = request.GET.get("exercise", "").strip()[:100]
    unit = LifterProfile.unit_of(request.user.pk)
    points = exercise_progress(request.user, exercise, unit) if exercise else []
    if not points:
        raise Http404("No completed workout has this exercise.")
    chart = chart_for(points)
    context = {
        "exercise": points[-1].exercise,
        "chart": chart,
        "points": chart.points,
        "unit": unit,
    }
    return render(request, "sessions_app/exercise_progress.html", context)


# What the export reads of each set, and the attribute row_for() finds it under.
EXPORT_FIELDS = {
    "session__date": "date",
    "session_id": "pk",
    "session__template": "template",
    "session__note": "note",
    "exercise": "exercise",
    "set_number": "set_number",
    "weight": "weight",
    "reps": "reps",
    "notes": "notes",
    "set_type": "set_type",
    "rpe": "rpe",
    "unit": "unit",
    "created_at": "created_at",
    "key_text": "key_text",
}


class ExportedSet(namedtuple("ExportedValues", EXPORT_FIELDS.values())):
    """One row of the export as plain values: what row_for() reads of a session and a set,
    without building a model instance per set (the export's cost was mostly those).
    A named tuple: made from the row in a quarter of the time a class with slots took."""

    __slots__ = ()

    @property
    def key(self):
        """The key as str(UUID) writes it, from its text (reading it as a UUID first cost
        more than writing the row); SQLite keeps it as 32 hex digits, without dashes."""
        text = self.key_text
        if len(text) != 32:
            return text
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@require_GET
def export_csv(request):
    """All of the lifter's completed sets, one row per set, as in their sheet."""
    sets = (
        Set.objects.filter(session__owner=request.user, session__status=Session.Status.COMPLETED)
        .order_by("session__date", "session_id", "created_at", "pk")
        .annotate(key_text=Cast("key", CharField()))
        .values_list(*EXPORT_FIELDS)
    )
    zone = timezone.get_current_timezone()
    writer = csv.writer(Echo())

    def chunks():
        # A few thousand lines per write: one write per line cost as much as the rows.
        lines = [writer.writerow(COLUMNS)]
        for values in sets.iterator(chunk_size=EXPORT_CHUNK_ROWS):
            exported = ExportedSet._make(values)
            lines.append(writer.writerow(csv_row(row_for(exported, exported, zone=zone))))
            if len(lines) >= EXPORT_CHUNK_ROWS:
                yield "".join(lines)
                lines = []
        yield "".join(lines)

    filename = f"workouts-{request.user.username}-{timezone.localdate().isoformat()}.csv"
    return StreamingHttpResponse(
        chunks(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class Echo:
    """csv.writer writes into this and gets the line back, for streaming."""

    def write(self, value):
        return value
