"""The Import page: upload an export, see what it holds, choose which of your exercises
its names mean, import it (or not).

Upload → the worker reads the file → preview → confirm → the worker imports it → the
summary; all plain forms (no JavaScript needed). While the worker is on it the page
says how far it got, and asks again every two seconds (htmx polls the progress alone;
without JavaScript the page refreshes itself). No request reads a whole file: a request
keeps the upload, compressed, and says how far the worker is (import_batches.py).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from .. import tasks
from ..forms import IMPORT_MAX_BYTES, ExerciseChoicesForm, ImportForm, too_large_message
from ..import_batches import confirm as confirm_import
from ..import_batches import keep_upload
from ..import_store import MAX_SETS_PER_WORKOUT
from ..models import Exercise, ImportBatch, LifterProfile, SetType

PAGE = "sessions_app/import_preview.html"
# How often a page that waits for the worker asks again.
POLL_SECONDS = 2


def get_batch(request, batch_id):
    batches = ImportBatch.objects.defer("rows", "upload")  # what was read stays in the worker
    return get_object_or_404(batches, pk=batch_id, owner=request.user)


def limits():
    """What one file may hold, as the page says it."""
    return {
        "megabytes": IMPORT_MAX_BYTES // 1024 // 1024,
        "sets": settings.IMPORT_MAX_SETS,
        "workouts": settings.IMPORT_MAX_WORKOUTS,
        "sets_per_workout": MAX_SETS_PER_WORKOUT,
    }


class SizeLimitedUpload(FileUploadHandler):
    """Stops reading an upload once it passes the limit, so that a huge file is never
    written to the server's disk only to be refused after."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > IMPORT_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)  # the rest of the body is discarded
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or a temporary file) keeps the file


@csrf_exempt  # only so that the handler is in place before the body is read; see below
@require_http_methods(["GET", "POST"])
def upload(request):
    request.upload_handlers.insert(0, SizeLimitedUpload(request))
    return checked_upload(request)


@csrf_protect
def checked_upload(request):
    if request.method == "GET":
        form = ImportForm(initial={"unit": LifterProfile.unit_of(request.user.pk)})
        return upload_page(request, form)
    files = request.FILES  # reads the body (if CSRF has not), the size handler first
    if getattr(request, "upload_too_large", False):
        return too_large(request)
    form = ImportForm(request.POST, files)
    if not form.is_valid():
        return upload_page(request, form)
    data = form.cleaned_data
    batch = keep_upload(
        request.user, data["file"], data["format"], data["unit"], data["skip_bad_lines"]
    )
    tasks.enqueue(tasks.READ_TASK, batch.pk)
    return redirect("import_preview", batch.pk)


def upload_page(request, form, **context):
    context = {"form": form, "limits": limits(), **context}
    return render(request, "sessions_app/import.html", context)


def too_large(request):
    size = int(request.META.get("CONTENT_LENGTH") or 0) / 1024 / 1024
    form = ImportForm(
        initial={"unit": request.POST.get("unit") or LifterProfile.unit_of(request.user.pk)}
    )
    return upload_page(request, form, upload_error=too_large_message(size))


@require_GET
def preview(request, batch_id):
    """The batch as far as it got: the worker's progress, the preview and the choice of
    exercises, the summary, or why it was refused."""
    batch = get_batch(request, batch_id)
    if request.htmx and request.GET.get("progress"):
        if not batch.is_working:
            return HttpResponseClientRefresh()  # done: the whole page changes
        return render(request, f"{PAGE}#progress", {"batch": batch, "poll_seconds": POLL_SECONDS})
    return render(request, PAGE, batch_context(request, batch))


def batch_context(request, batch, names_form=None):
    shown = batch.result or batch.preview
    context = {
        "batch": batch,
        "shown": shown,
        "poll_seconds": POLL_SECONDS,
        "limits": limits(),
        "first_date": optional_date(shown.get("first_date")),
        "last_date": optional_date(shown.get("last_date")),
        "workouts": grouped_by_workout(shown.get("first_sets", [])),
    }
    if batch.status == ImportBatch.Status.READY:
        choices = shown.get("names", [])
        context["names_form"] = names_form or ExerciseChoicesForm(choices)
        context["own_exercises"] = Exercise.objects.owned_by(request.user).values_list(
            "name", flat=True
        )
    return context


def grouped_by_workout(rows):
    """The preview's first sets under their workout, as the History page shows them."""
    groups = []
    for row in rows:
        if not groups or (groups[-1]["date_text"], groups[-1]["name"]) != (
            row["date"],
            row["workout"],
        ):
            groups.append(
                {
                    "date_text": row["date"],
                    "date": datetime.date.fromisoformat(row["date"]),
                    "name": row["workout"],
                    "sets": [],
                }
            )
        kind = SetType(row["set_type"]) if row["set_type"] in SetType.values else None
        type_label = kind.label if kind and kind != SetType.WORKING else ""
        groups[-1]["sets"].append({**row, "type_label": type_label})
    return groups


def optional_date(text):
    return datetime.date.fromisoformat(text) if text else None


@require_POST
def confirm(request, batch_id):
    """The lifter's choice of exercises, and the import handed to the worker."""
    batch = get_batch(request, batch_id)
    if batch.status != ImportBatch.Status.READY:
        return redirect("import_preview", batch.pk)  # a second tap: already on its way
    form = ExerciseChoicesForm(batch.preview.get("names", []), request.POST)
    if not form.is_valid():
        return render(request, PAGE, batch_context(request, batch, names_form=form))
    if not confirm_import(batch, form.chosen()):
        messages.error(
            request, "Another import of yours is running: this one can start once it is done."
        )
        return redirect("import_preview", batch.pk)
    tasks.enqueue(tasks.IMPORT_TASK, batch.pk)
    return redirect("import_preview", batch.pk)


@require_POST
def cancel(request, batch_id):
    batch = get_batch(request, batch_id)
    if batch.status in ImportBatch.PENDING or batch.status == ImportBatch.Status.FAILED:
        batch.delete()
        messages.info(request, "Nothing was imported.")
    return redirect(reverse("history"))
