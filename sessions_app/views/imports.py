"""The Import page: upload an export, see what it holds, import it (or not).

Upload → preview → confirm, all plain forms (no JavaScript needed). The preview is a
dry run of the very import: its counts are what confirming stores. The uploaded file
is gone once the upload request ends; the batch keeps only what was read from it,
until the lifter confirms or cancels.
"""

import datetime

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms import IMPORT_MAX_BYTES, ImportForm, too_large_message
from ..import_store import ImportRefused, import_history
from ..importers import RecordedExport, ReplayedExport, open_export
from ..models import ImportBatch, LifterProfile, SetType


def get_batch(request, batch_id, with_rows=False):
    batches = ImportBatch.objects.all() if with_rows else ImportBatch.objects.defer("rows")
    return get_object_or_404(batches, pk=batch_id, owner=request.user)


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
        return render(request, "sessions_app/import.html", {"form": form})
    files = request.FILES  # reads the body (if CSRF has not), the size handler first
    if getattr(request, "upload_too_large", False):
        return too_large(request)
    form = ImportForm(request.POST, files)
    if form.is_valid():
        try:
            batch = preview_upload(request.user, form.cleaned_data)
        except ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("import_preview", batch.pk)
    return render(request, "sessions_app/import.html", {"form": form})


def too_large(request):
    size = int(request.META.get("CONTENT_LENGTH") or 0) / 1024 / 1024
    form = ImportForm(
        initial={"unit": request.POST.get("unit") or LifterProfile.unit_of(request.user.pk)}
    )
    context = {"form": form, "upload_error": too_large_message(size)}
    return render(request, "sessions_app/import.html", context)


def preview_upload(owner, data):
    """Read the file once: a dry run for the preview, its records kept for the import."""
    upload = data["file"]
    ImportBatch.expired().delete()
    with upload.open("rb") as stream:
        export = RecordedExport(open_export(stream, owner.pk, data["format"], data["unit"]))
        summary = import_history(owner, export, skip_bad_lines=data["skip_bad_lines"], dry_run=True)
    return ImportBatch.objects.create(
        owner=owner,
        file_name=upload.name[:255],
        skip_bad_lines=data["skip_bad_lines"],
        rows=export.recorded(),
        preview=described(summary),
    )


def described(summary):
    """What the preview and result pages show of a summary, as JSON."""
    return {
        "format_name": summary.format_name,
        "unit": summary.unit,
        "unit_from_file": summary.unit_from_file,
        "workouts": summary.sessions_created + summary.sessions_extended,
        "sets": summary.sets_created,
        "already_present": summary.already_present,
        "first_date": summary.first_date and summary.first_date.isoformat(),
        "last_date": summary.last_date and summary.last_date.isoformat(),
        "skipped": list(summary.skipped_lines()),
        "skipped_count": summary.skipped_count,
        "first_sets": [
            {
                "date": row.date.isoformat(),
                "workout": row.workout_name,
                "exercise": row.exercise,
                "set_type": row.set_type,
                "weight": row.weight,
                "reps": row.reps,
                "unit": row.unit,
                "notes": row.notes,
            }
            for row in summary.first_sets
        ],
        "summary": summary.summary(),
    }


@require_GET
def preview(request, batch_id):
    batch = get_batch(request, batch_id)
    shown = batch.result or batch.preview
    context = {
        "batch": batch,
        "shown": shown,
        "first_date": optional_date(shown["first_date"]),
        "last_date": optional_date(shown["last_date"]),
        "workouts": grouped_by_workout(shown["first_sets"]),
    }
    return render(request, "sessions_app/import_preview.html", context)


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
    batch = get_batch(request, batch_id, with_rows=True)
    with transaction.atomic():
        # A second tap waits for the first and then finds the batch imported.
        claimed = ImportBatch.objects.filter(pk=batch.pk, imported_at__isnull=True).update(
            imported_at=timezone.now()
        )
        if claimed:
            stored = batch.preview
            replay = ReplayedExport(
                batch.rows, stored["format_name"], stored["unit"], stored["unit_from_file"]
            )
            try:
                summary = import_history(request.user, replay, batch.skip_bad_lines)
            except ImportRefused as error:  # the preview refused such a file already
                transaction.set_rollback(True)
                messages.error(request, str(error))
                return redirect("import_workouts")
            ImportBatch.objects.filter(pk=batch.pk).update(rows=None, result=described(summary))
    return redirect("import_preview", batch.pk)


@require_POST
def cancel(request, batch_id):
    batch = get_batch(request, batch_id)
    if batch.imported_at is None:
        batch.delete()
        messages.info(request, "Nothing was imported.")
    return redirect(reverse("history"))
