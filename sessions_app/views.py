"""Pages for logging a workout: server-rendered, htmx swaps partials when it is there."""

import csv

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
from django_htmx.http import HttpResponseClientRedirect, retarget

from .export import COLUMNS, csv_safe, row_for
from .forms import EditSetForm, SetForm, StartSessionForm
from .models import (
    ActiveSessionExists,
    KeyTaken,
    Session,
    SessionClosed,
    Set,
    SetType,
    TemplateExercise,
)
from .progress import chart_for, exercise_progress, exercise_records, last_time
from .progress import session_summary as summarize
from .workout_page import DEFAULT_REST_SECONDS, ExerciseBlock, exercise_blocks, find_block

HISTORY_PAGE_SIZE = 20
EXPORT_CHUNK_ROWS = 2000
WORKOUT_TEMPLATE = "sessions_app/workout.html"


def get_session(request, session_id):
    sessions = Session.objects.with_template_name()
    return get_object_or_404(sessions, pk=session_id, owner=request.user)


def get_set(request, set_id):
    return get_object_or_404(
        Set.objects.select_related("session"), pk=set_id, session__owner=request.user
    )


def exercise_url(session, exercise):
    """The workout page, scrolled to the exercise."""
    return f"{session.get_absolute_url()}#{ExerciseBlock(exercise).dom_id}"


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
    form = None if active else StartSessionForm(initial={"template": None})
    return render(
        request, "sessions_app/home.html", {"active": active, "form": form, "recent": recent}
    )


@require_POST
def start_session(request):
    form = StartSessionForm(request.POST)
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


def workout_context(session, forms_by_slot=None):
    template = session.workout_template()
    exercises = TemplateExercise.objects.filter(template=template) if template else []
    sets = sorted(session.sets.all(), key=lambda s: (s.created_at, s.pk))
    default_rest = template.rest_seconds if template else DEFAULT_REST_SECONDS
    blocks = exercise_blocks(exercises, sets, default_rest)
    history = last_time(session.owner_id, [block.name for block in blocks], session.date)
    forms_by_slot = forms_by_slot or {}
    for block in blocks:
        block.sets.sort(key=lambda s: (s.set_number, s.created_at))
        block.last_time = history.get(block.name)
        block.with_form(forms_by_slot.get(block.name))
    return {
        "session": session,
        "workout_template": template,
        "blocks": blocks,
        "add_form": ExerciseBlock(name="").with_form(forms_by_slot.get("")).form,
        "default_rest_seconds": default_rest,
        "set_count": len(sets),
    }


@require_GET
def workout(request, session_id):
    session = get_session(request, session_id)
    if not session.is_active:
        return session_summary(request, session)
    return render(request, WORKOUT_TEMPLATE, workout_context(session))


def session_summary(request, session):
    sets = list(session.sets.order_by("created_at", "pk"))
    context = {
        "session": session,
        "blocks": exercise_blocks([], sets),
        "set_count": len(sets),
        "summary": summarize(session, sets) if session.status == Session.Status.COMPLETED else None,
    }
    return render(request, "sessions_app/session_detail.html", context)


def render_exercise_changes(request, session, slot, changed_exercises, forms_by_slot=None):
    """Answer a change to the sets: the one exercise block if only it changed, else the list."""
    context = workout_context(session, forms_by_slot)
    if not request.htmx:
        return render(request, WORKOUT_TEMPLATE, context)
    if slot == "" and forms_by_slot:
        return render(request, f"{WORKOUT_TEMPLATE}#add-exercise", context)
    block = find_block(context["blocks"], slot)
    if block and set(changed_exercises) <= {slot}:
        return render(request, f"{WORKOUT_TEMPLATE}#exercise-block", {**context, "block": block})
    # Another exercise changed too: swap the whole list, and reset the add form alongside.
    exercise_list = render_to_string(f"{WORKOUT_TEMPLATE}#exercise-list", context, request)
    add_form = render_to_string(
        f"{WORKOUT_TEMPLATE}#add-exercise", {**context, "oob": True}, request
    )
    return retarget(HttpResponse(exercise_list + add_form), "#exercise-list")


@require_POST
def log_set(request, session_id):
    session = get_session(request, session_id)
    slot = request.POST.get("slot", "")
    form = SetForm(request.POST)
    if not form.is_valid():
        return render_exercise_changes(request, session, slot, [], {slot: form})
    try:
        workout_set, _ = session.log_set(**form.cleaned_data)
    except SessionClosed:
        messages.error(request, "This workout is already finished; the set was not added.")
        return redirect_to(request, session.get_absolute_url())
    except KeyTaken:
        form.add_error(None, "This form was already used for another workout. Try again.")
        return render_exercise_changes(request, session, slot, [], {slot: form})
    if not request.htmx:
        return redirect(
            f"{session.get_absolute_url()}#{ExerciseBlock(workout_set.exercise).dom_id}"
        )
    return render_exercise_changes(request, session, slot, [workout_set.exercise])


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
        changed = {old_exercise, workout_set.exercise}
        return render_exercise_changes(request, session, old_exercise, changed)
    context = {"session": session, "set": workout_set, "form": form}
    if request.htmx:
        response = render(request, f"{WORKOUT_TEMPLATE}#set-edit-form", context)
        # The form posts to its exercise's block; a form with errors replaces only itself.
        return retarget(response, f"#set-{workout_set.pk}") if form.is_bound else response
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
    return render_exercise_changes(request, session, workout_set.exercise, [workout_set.exercise])


@require_POST
def complete_session(request, session_id):
    session = get_session(request, session_id)
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
    return render(
        request, "sessions_app/progress.html", {"records": exercise_records(request.user)}
    )


@require_GET
def exercise_progress_page(request):
    exercise = request.GET.get("exercise", "").strip()[:100]
    points = exercise_progress(request.user, exercise) if exercise else []
    if not points:
        raise Http404("No completed workout has this exercise.")
    chart = chart_for(points)
    context = {"exercise": points[-1].exercise, "chart": chart, "points": chart.points}
    return render(request, "sessions_app/exercise_progress.html", context)


EXPORT_FIELDS = [
    "session__date",
    "session_id",
    "session__template",
    "exercise",
    "set_number",
    "weight",
    "reps",
    "notes",
    "set_type",
    "created_at",
    "key_text",
]


class ExportedSet:
    """One row of the export as plain values: what row_for() reads of a session and a set,
    without building a model instance per set (the export's cost was mostly those)."""

    __slots__ = ["date", "pk", "template", *EXPORT_FIELDS[3:]]

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    @property
    def key(self):
        """The key as str(UUID) writes it, from its text (reading it as a UUID first cost
        more than writing the row); SQLite keeps it as 32 hex digits, without dashes."""
        text = self.key_text
        if len(text) != 32:
            return text
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    @property
    def is_warmup(self):
        return self.set_type == SetType.WARMUP


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
            exported = ExportedSet(values)
            lines.append(
                writer.writerow([csv_safe(value) for value in row_for(exported, exported, zone)])
            )
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
