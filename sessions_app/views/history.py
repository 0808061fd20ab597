"""A lifter's history: the list of completed workouts, the CSV export, and fixing a
finished workout without the admin (its sets, changed or deleted, and its note).

Fixing goes through the same model methods as everywhere (Set.save_changes,
Workout.save_note): the sheet follows, as for edits in the admin.
"""

import csv
from collections import namedtuple
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..export import COLUMNS, csv_row, row_for
from ..forms import EditSetForm, WorkoutNoteForm
from ..models import LifterProfile, Set, Workout
from ..progress import history_digests

HISTORY_PAGE_SIZE = 20
EXPORT_CHUNK_ROWS = 2000
FIX_TEMPLATE = "sessions_app/fix_workout.html"


@require_GET
def history(request):
    """Completed workouts, newest first, each in one glance (progress.history_digests): the
    count and the page read the lifter's workouts through their index, then only the
    page's workouts have their sets and records read."""
    workouts = (
        Workout.objects.owned_by(request.user)
        .completed()
        .with_title()
        .order_by("-date", "-created_at")
    )
    page = Paginator(workouts, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    digests = history_digests(page.object_list, LifterProfile.unit_of(request.user.pk))
    for workout in page.object_list:
        workout.digest = digests[workout.pk]
    context = {"page": page, "this_year": timezone.localdate().year}
    return render(request, "sessions_app/history.html", context)


# What the export reads of each set, and the attribute row_for() finds it under.
EXPORT_FIELDS = {
    "workout__date": "date",
    "workout_id": "pk",
    "workout__routine_slug": "routine_slug",
    "workout__note": "note",
    "exercise_name": "exercise_name",
    "set_number": "set_number",
    "weight": "weight",
    "reps": "reps",
    "notes": "notes",
    "set_type": "set_type",
    "rpe": "rpe",
    "unit": "unit",
    "superset_group": "superset_group",
    "created_at": "created_at",
    "key_text": "key_text",
}


class ExportedSet(namedtuple("ExportedValues", EXPORT_FIELDS.values())):
    """One row of the export as plain values: what row_for() reads of a workout and a
    set, without building a model instance per set (the export's cost was mostly those).
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
        Set.objects.filter(workout__owner=request.user, workout__status=Workout.Status.COMPLETED)
        .order_by("workout__date", "workout_id", "created_at", "pk")
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


def get_completed_workout(request, session_id):
    workouts = Workout.objects.with_title().completed()
    return get_object_or_404(workouts, pk=session_id, owner=request.user)


def get_completed_set(request, set_id):
    sets = Set.objects.select_related("workout").filter(workout__status=Workout.Status.COMPLETED)
    return get_object_or_404(sets, pk=set_id, workout__owner=request.user)


def fix_url(workout_set):
    return f"{reverse('fix_workout', args=[workout_set.workout_id])}#fix-set-{workout_set.pk}"


@dataclass
class ExerciseSets:
    name: str
    rows: list = field(default_factory=list)  # (set, form)


def fix_context(workout, bound_form=None, note_form=None):
    """The workout's sets by exercise in the order first done, each with its form; a
    bound form (with errors) takes its set's place."""
    exercises = {}
    for workout_set in workout.sets.select_related("exercise").order_by("created_at", "pk"):
        form = EditSetForm.for_set(workout_set)
        if bound_form is not None and bound_form.prefix == form.prefix:
            form = bound_form
        exercise = exercises.setdefault(
            workout_set.exercise_id, ExerciseSets(workout_set.exercise_name)
        )
        exercise.rows.append((workout_set, form))
    for exercise in exercises.values():
        exercise.rows.sort(key=lambda row: (row[0].is_warmup is False, row[0].set_number))
    return {
        "session": workout,
        "exercises": list(exercises.values()),
        "note_form": note_form or WorkoutNoteForm(initial={"note": workout.note}),
    }


@require_http_methods(["GET", "POST"])
def fix_workout(request, session_id):
    """The page; POST saves the workout's note."""
    workout = get_completed_workout(request, session_id)
    if request.method == "GET":
        return render(request, FIX_TEMPLATE, fix_context(workout))
    form = WorkoutNoteForm(request.POST, initial={"note": workout.note})
    if not form.is_valid():
        return render(request, FIX_TEMPLATE, fix_context(workout, note_form=form))
    if form.has_changed():
        workout.save_note(form.cleaned_data["note"])
        messages.success(request, "Note saved.")
    return redirect("fix_workout", workout.pk)


@require_POST
def fix_set(request, set_id):
    workout_set = get_completed_set(request, set_id)
    form = EditSetForm.for_set(workout_set, request.POST)
    if not form.is_valid():
        workout = get_completed_workout(request, workout_set.workout_id)
        return render(request, FIX_TEMPLATE, fix_context(workout, bound_form=form))
    if form.has_changed():
        form.apply_to(workout_set)
        messages.success(
            request, f"Saved set {workout_set.set_number} of {workout_set.exercise_name}."
        )
    return redirect(fix_url(workout_set))
