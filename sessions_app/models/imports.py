"""Imports of exported files: the batch between an upload and its import (the Import page
and `import_workouts`), and the exercise names of exports that the lifter matched to
their own exercises."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.utils import timezone

from .exercises import KEY_MAX_LENGTH, SUFFIX, SUFFIX_KINDS, ExerciseKind, exercise_key


class ImportBatch(models.Model):
    """One import, from the upload to its summary.

    The upload waits compressed (`upload`) until the worker reads it; then only what was
    read from it (`rows`, compressed) waits for the lifter's "Import", at most
    BATCH_HOURS; after the import only the summary stays, until the same expiry. A
    lifter has at most one batch waiting: a new upload replaces it.
    """

    BATCH_HOURS = 24

    class Status(models.TextChoices):
        WAITING = "waiting", "waiting for the worker"
        READING = "reading", "reading the file"
        READY = "ready", "ready to import"
        REFUSED = "refused", "refused"
        IMPORTING = "importing", "importing"
        IMPORTED = "imported", "imported"
        FAILED = "failed", "failed"

    # Still to be read, or read and waiting for the lifter.
    PENDING = (Status.WAITING, Status.READING, Status.READY, Status.REFUSED)
    # The worker is on it.
    WORKING = (Status.WAITING, Status.READING, Status.IMPORTING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    # What the lifter chose with the upload.
    format = models.CharField(max_length=12, default="auto")
    unit = models.CharField(max_length=2, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    skip_bad_lines = models.BooleanField(default=False)
    # The file as uploaded, compressed, until the worker has read it.
    upload = models.BinaryField(null=True, editable=False)
    # The records the preview read (importers.RecordedExport); emptied by the import.
    rows = models.BinaryField(null=True, editable=False)
    # Lines read (reading) or sets stored (importing), of progress_total, and when the
    # worker last said so (a batch that stops moving was left by a worker that died).
    progress = models.PositiveIntegerField(default=0, editable=False)
    progress_total = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Why the file was refused, or the import failed.
    message = models.TextField(blank=True, editable=False)
    preview = models.JSONField(default=dict, editable=False)
    # The lifter's choice for each exercise name of the file: {name in the file: name}.
    names = models.JSONField(default=dict, editable=False)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    result = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "import batches"
        indexes = [
            # The cleaning: batches past their day, and imports whose worker stopped.
            models.Index(fields=["status", "updated_at"], name="import_batch_status"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.owner})"

    @classmethod
    def expired(cls, now=None):
        """Batches past their day; an import going on is never cut off."""
        now = now or timezone.now()
        return cls.objects.filter(
            created_at__lt=now - datetime.timedelta(hours=cls.BATCH_HOURS)
        ).exclude(status=cls.Status.IMPORTING)

    @property
    def is_working(self):
        return self.status in self.WORKING

    @property
    def quiet_minutes(self):
        """Minutes since the worker last said anything of a batch it works on (0 when it
        did lately): a worker that is not running says nothing."""
        if not self.is_working:
            return 0
        minutes = int((timezone.now() - self.updated_at).total_seconds() // 60)
        return minutes if minutes >= QUIET_MINUTES else 0

    def say(self, **changes):
        """Progress and state, written at once (the page polls them); False when the
        batch is gone (cancelled, replaced by a new upload)."""
        changes["updated_at"] = timezone.now()
        for name, value in changes.items():
            setattr(self, name, value)
        return bool(ImportBatch.objects.filter(pk=self.pk).update(**changes))


class ImportedName(models.Model):
    """An exercise name an export uses, and the lifter's exercise it means: chosen on an
    import's preview (or in `--map`), proposed again at the next import."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_names"
    )
    key = models.CharField(max_length=KEY_MAX_LENGTH, help_text="The file's name, as a key.")
    exercise = models.ForeignKey(
        "sessions_app.Exercise", on_delete=models.CASCADE, related_name="imported_names"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_name_choice")]

    def __str__(self):
        return f"{self.key} → {self.exercise_id}"

    @classmethod
    def remember(cls, owner_id, choices):
        """choices: {name in the file: the lifter's Exercise}."""
        for name, exercise in choices.items():
            cls.objects.update_or_create(
                owner_id=owner_id, key=exercise_key(name), defaults={"exercise": exercise}
            )


# Past this, the Import page asks whether the background worker runs.
QUIET_MINUTES = 2
WITHOUT_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


def without_equipment(name):
    """A name's key without the equipment an app writes after it ("Bench Press (Barbell)"
    is "bench press"); the kind that equipment says, or None."""
    suffix = SUFFIX.search(name)
    kind = SUFFIX_KINDS.get(exercise_key(suffix.group(1))) if suffix else None
    if kind is None:
        return exercise_key(name), None
    return exercise_key(WITHOUT_SUFFIX.sub("", name)), kind


def proposed_exercises(owner_id, names):
    """{name in the file: (the lifter's Exercise or None for a new one, why)}.

    A choice made at an earlier import comes first; then the lifter's exercise of the
    same name; then one whose name is the same once the equipment is set aside ("Bench
    Press (Barbell)" and "Bench Press"), when the equipment says the exercise's kind
    (or the exercise has none): "Bench Press (Dumbbell)" is not a barbell bench press.
    """
    from .exercises import Exercise

    exercises = list(Exercise.objects.owned_by(owner_id))
    by_key = {exercise.key: exercise for exercise in exercises}
    by_base = {}
    for exercise in exercises:
        by_base.setdefault(without_equipment(exercise.name)[0], []).append(exercise)
    remembered = {
        choice.key: choice.exercise
        for choice in ImportedName.objects.filter(
            owner_id=owner_id, key__in=[exercise_key(name) for name in names]
        ).select_related("exercise")
    }
    proposals = {}
    for name in names:
        key = exercise_key(name)
        base, kind = without_equipment(name)
        if key in remembered:
            proposals[name] = (remembered[key], "your choice last time")
        elif key in by_key:
            proposals[name] = (by_key[key], "the same name")
        elif match := kind_match(by_base.get(base, []), kind):
            proposals[name] = (match, "the same name without the equipment")
        else:
            proposals[name] = (None, "")
    return proposals


def kind_match(candidates, kind):
    for exercise in candidates:
        if kind is None or exercise.kind in (kind, ExerciseKind.OTHER):
            return exercise
    return None
