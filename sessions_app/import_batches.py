"""An import from upload to summary, for the Import page (through the worker) and for
`import_workouts` (in the foreground), the same steps either way:

1. keep: the uploaded file, compressed, in a batch (a lifter's earlier batch waiting
   for their "Import" is replaced: one at a time);
2. read: the worker reads the file once, as a dry run of the import (what the preview
   shows), and writes down what it read, compressed; the file itself is then gone;
3. choose: the lifter confirms (or changes) which of their exercises each of the file's
   exercise names means; one import of theirs runs at a time;
4. import: the worker stores what was read, in short transactions (import_store.py),
   all or nothing, and the summary stays for a day.

Progress is written on the batch as the worker goes, for the page to poll. A batch
whose worker stopped saying anything (killed mid-way) is failed by the cleaning that
runs on a schedule, and what it had written is taken back.
"""

import datetime
import io
import time
import zlib

from django.db import transaction
from django.utils import timezone

from .import_store import ImportRefused, discard_unfinished_imports, import_history
from .importers import RecordedExport, ReplayedExport, open_export
from .models import Exercise, ExerciseKind, ImportBatch, ImportedName, LifterProfile
from .models.accounts import zone_named
from .models.exercises import exercise_key
from .models.imports import proposed_exercises, without_equipment

# The worker says how far it got at most this often.
PROGRESS_EVERY_SECONDS = 1
# A batch whose worker has said nothing for this long was left by a worker that died.
STALLED_AFTER = datetime.timedelta(minutes=10)
COMPRESS_CHUNK_BYTES = 1024 * 1024
NEVER_TAKEN = (
    "No background worker took the file: ask whoever runs the app to start it "
    "(manage.py qcluster), then upload the file again."
)
INTERRUPTED = (
    "The import stopped (the background worker was interrupted); nothing of it was kept. "
    "Upload the file again."
)


def keep_upload(owner, upload, format, unit, skip_bad_lines):
    """A new batch holding the uploaded file, compressed (read from disk in chunks: a
    request holds a few MB, whatever the file); the lifter's batch waiting before is
    replaced."""
    compressor, parts = zlib.compressobj(level=1), []
    with upload.open("rb") as stream:
        while chunk := stream.read(COMPRESS_CHUNK_BYTES):
            parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    with transaction.atomic():
        owner.import_batches.filter(status__in=ImportBatch.PENDING).delete()
        return ImportBatch.objects.create(
            owner=owner,
            file_name=upload.name[:255],
            format=format,
            unit=unit,
            time_zone=LifterProfile.objects.filter(user=owner)
            .values_list("time_zone", flat=True)
            .first()
            or "",
            skip_bad_lines=skip_bad_lines,
            upload=b"".join(parts),
            progress_total=upload.size,
        )


class Reporter:
    """Calls say() on the batch at most once a PROGRESS_EVERY_SECONDS; raises Gone when
    the batch was deleted meanwhile (cancelled, replaced by a new upload)."""

    class Gone(Exception):
        pass

    def __init__(self, batch, field_for):
        self.batch = batch
        self.field_for = field_for
        self.last = 0.0

    def __call__(self, lines, sets):
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        if not self.batch.say(progress=self.field_for(lines, sets)):
            raise self.Gone


def read_upload(batch_id):
    """Step 2, in the worker: read the batch's file as a dry run; the preview and the
    records read are kept, the file is dropped."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.WAITING)
    if not claimed.update(status=ImportBatch.Status.READING, updated_at=timezone.now()):
        return "nothing to read"
    batch = ImportBatch.objects.get(pk=batch_id)
    raw = DecompressedFile(batch.upload)
    report = Reporter(batch, lambda lines, sets: raw.bytes_read)
    zone = zone_named(batch.time_zone)
    try:
        stream = io.BufferedReader(raw, buffer_size=DecompressedFile.CHUNK_BYTES)
        export = RecordedExport(open_export(stream, batch.owner_id, batch.format, batch.unit, zone))
        summary = import_history(
            batch.owner, export, skip_bad_lines=batch.skip_bad_lines, dry_run=True, progress=report
        )
    except Reporter.Gone:
        return "cancelled"
    except ImportRefused as refused:
        batch.say(status=ImportBatch.Status.REFUSED, message=str(refused), upload=None)
        return "refused"
    except Exception as error:  # said on the page; raised again for the worker's list
        message = f"The file could not be read ({error}); nothing was imported."
        batch.say(status=ImportBatch.Status.FAILED, message=message, upload=None)
        raise
    batch.say(
        status=ImportBatch.Status.READY,
        upload=None,
        rows=export.recorded(),
        preview=described(summary, name_choices(batch.owner_id, summary)),
        progress=batch.progress_total,
    )
    return "read"


class DecompressedFile(io.RawIOBase):
    """The kept upload read back as a binary file, a chunk at a time."""

    CHUNK_BYTES = 64 * 1024

    def __init__(self, compressed):
        self.compressed = memoryview(bytes(compressed))
        self.decompressor = zlib.decompressobj()
        self.position = 0
        self.pending = b""
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        # At most a chunk out at a time: a few KB of a hostile file may stand for GBs.
        while not self.pending:
            if self.decompressor.unconsumed_tail:
                part = self.decompressor.unconsumed_tail
            elif self.position < len(self.compressed):
                part = self.compressed[self.position : self.position + self.CHUNK_BYTES]
                self.position += self.CHUNK_BYTES
            else:
                break
            self.pending = self.decompressor.decompress(part, self.CHUNK_BYTES)
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        self.bytes_read += size
        return size


def name_choices(owner_id, summary):
    """The file's exercise names for the preview, each with the lifter's exercise that
    is proposed for it (or none: kept as its own), and why."""
    names = sorted(summary.names.values(), key=lambda item: item[0].casefold())
    proposals = proposed_exercises(owner_id, [name for name, _ in names])
    choices = []
    for name, sets in names:
        exercise, why = proposals[name]
        choices.append(
            {
                "name": name,
                "sets": sets,
                "proposal": exercise.name if exercise else "",
                "why": why,
                "same": exercise is not None and exercise.key == exercise_key(name),
            }
        )
    return choices


def proposed_names(batch):
    """{name in the file: the proposed exercise's name} from the preview."""
    choices = batch.preview.get("names", [])
    return {choice["name"]: choice["proposal"] or choice["name"] for choice in choices}


def confirm(batch, names):
    """Step 3: the lifter's choices kept and the import claimed, unless an import of
    theirs is running (one at a time). Returns True when the worker may start it."""
    with transaction.atomic():
        # One confirmation at a time per lifter (a row lock on PostgreSQL; SQLite has one
        # writer anyway).
        LifterProfile.objects.get_or_create(user_id=batch.owner_id)
        LifterProfile.objects.select_for_update().get(user_id=batch.owner_id)
        if running_import(batch.owner_id, other_than=batch.pk):
            return False
        return bool(
            ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.READY).update(
                status=ImportBatch.Status.IMPORTING,
                names=names,
                progress=0,
                progress_total=batch.preview.get("sets", 0),
                updated_at=timezone.now(),
            )
        )


def running_import(owner_id, other_than=None):
    running = ImportBatch.objects.filter(
        owner_id=owner_id,
        status=ImportBatch.Status.IMPORTING,
        updated_at__gte=timezone.now() - STALLED_AFTER,
    )
    return running.exclude(pk=other_than).exists()


def import_batch(batch_id):
    """Step 4, in the worker: store what was read, with the lifter's choices."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.IMPORTING).first()
    if batch is None or batch.rows is None:
        return "nothing to import"
    preview = batch.preview
    replay = ReplayedExport(
        batch.rows, preview["format_name"], preview["unit"], preview["unit_from_file"]
    )
    return store_batch(batch, replay)


def store_batch(batch, export, progress=None):
    """Import an opened (or replayed) export for the batch; the summary, the lifter's
    name choices remembered, and the batch imported (or failed, nothing kept)."""
    report = Reporter(batch, lambda lines, sets: sets)

    def both(lines, sets):
        report(lines, sets)
        if progress:
            progress(lines, sets)

    try:
        summary = import_history(
            batch.owner, export, batch.skip_bad_lines, progress=both, names=batch.names
        )
    except ImportRefused as refused:
        batch.say(status=ImportBatch.Status.FAILED, message=str(refused), rows=None)
        raise
    except Exception as error:
        message = f"The import failed ({error}); nothing of it was kept."
        batch.say(status=ImportBatch.Status.FAILED, message=message, rows=None)
        raise
    remember_choices(batch.owner_id, batch.names)
    result = described(summary, batch.preview.get("names", []))
    result["shortened"] = batch.preview.get("shortened", [])  # said by the reading
    batch.say(
        status=ImportBatch.Status.IMPORTED,
        rows=None,
        imported_at=timezone.now(),
        result=result,
        progress=summary.sets_created,
    )
    return summary


def remember_choices(owner_id, names):
    """The lifter's choices, for the next import; an exercise of no particular kind takes
    the kind the file's equipment says ("Bench Press (Barbell)": barbell)."""
    if not names:
        return
    exercises = Exercise.for_names(owner_id, set(names.values()))
    chosen = {name: exercises[exercise_key(choice)] for name, choice in names.items()}
    ImportedName.remember(owner_id, chosen)
    for name, exercise in chosen.items():
        kind = without_equipment(name)[1]
        if kind and exercise.kind == ExerciseKind.OTHER:
            Exercise.objects.filter(pk=exercise.pk, kind=ExerciseKind.OTHER).update(kind=kind)


def clean(now=None):
    """On a schedule: batches past their day go (with what they hold), and imports whose
    worker died are failed and what they wrote taken back."""
    now = now or timezone.now()
    stalled = ImportBatch.objects.filter(
        status__in=ImportBatch.WORKING, updated_at__lt=now - STALLED_AFTER
    )
    owners = set()
    for batch in stalled:
        waited = batch.status == ImportBatch.Status.WAITING
        failed = batch.say(
            status=ImportBatch.Status.FAILED,
            message=NEVER_TAKEN if waited else INTERRUPTED,
            rows=None,
            upload=None,
        )
        if failed and not waited:
            owners.add(batch.owner_id)
    for owner_id in owners:
        if not running_import(owner_id):
            discard_unfinished_imports(owner_id)
    deleted, _ = ImportBatch.expired(now).delete()
    return f"{len(owners)} stalled import(s) stopped, {deleted} expired batch(es) deleted"


def described(summary, names):
    """What the preview and result pages show of a summary, as JSON."""
    return {
        "format_name": summary.format_name,
        "unit": summary.unit,
        "unit_from_file": summary.unit_from_file,
        "workouts": summary.sessions_created + summary.sessions_extended,
        "sets": summary.sets_created,
        "already_present": summary.already_present,
        "lines": summary.lines_read,
        "first_date": summary.first_date and summary.first_date.isoformat(),
        "last_date": summary.last_date and summary.last_date.isoformat(),
        "skipped": list(summary.skipped_lines()),
        "skipped_count": summary.skipped_count,
        "shortened": list(summary.shortened_lines()),
        "names": names,
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
