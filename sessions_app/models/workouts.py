"""Workouts and the sets logged in them.

The `sessions` and `sets` tables keep the columns of the original design (a workout is
a "session" there, and in the sheet and the API), plus an owner per workout and a
stable key per set: what makes logging idempotent and what the sheet's rows are keyed
on. A set points to its Exercise; its `exercise` column keeps the name as shown,
written from the exercise.
"""

import contextlib
import functools
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from ..derived_keys import own_key_for
from ..numbers import estimated_one_rep_max, parse_duration, parse_reps, parse_weight
from .accounts import LifterProfile
from .exercises import NAME_MAX_LENGTH, Exercise, display_name, exercise_key
from .history import mark_unsynced, sets_leave_sheet
from .units import WeightUnit

MAX_WORKOUT_SUFFIX = 1000
# Numbers past these are typos, not lifts: they stay text only.
MAX_WEIGHT = 100_000
MAX_REPS = 100_000
EMPTY_WORKOUT_SLUG = "workout"
EMPTY_WORKOUT_NAME = "Workout"
# A superset's letter (A1, A2: progression.superset_labels) stands for its group number.
SUPERSET_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_SUPERSET_GROUP = 32767  # what a small integer column holds everywhere


class ActiveWorkoutExists(Exception):
    """The lifter already has a workout in progress."""

    def __init__(self, workout):
        super().__init__(f"Workout {workout.pk} is still in progress.")
        self.workout = workout


class WorkoutClosed(Exception):
    """The workout is completed or cancelled, so its sets can no longer change."""

    def __init__(self, workout):
        super().__init__(f"Workout {workout.pk} is {workout.status}; it can no longer change.")
        self.workout = workout


class KeyTaken(Exception):
    """A set key that already belongs to another workout."""


class SetType(models.TextChoices):
    WORKING = "working", "working"
    WARMUP = "warmup", "warm-up"
    DROP = "drop", "drop set"
    FAILURE = "failure", "failure"


def slug_in_words(slug):
    """A routine's slug as a title: "push-a-2" -> "Push A" (the number only made the slug
    unique), "upper_body" -> "Upper Body"."""
    words = [word for word in re.split(r"[-_\s]+", slug or "") if word]
    if len(words) > 1 and words[-1].isdigit():
        words.pop()
    return " ".join(word[:1].upper() + word[1:] for word in words) or EMPTY_WORKOUT_NAME


class WorkoutQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def active(self):
        return self.filter(status=Workout.Status.ACTIVE)

    def completed(self):
        return self.filter(status=Workout.Status.COMPLETED)

    def shown(self):
        """Every workout but those of an import still going on (all or nothing)."""
        return self.exclude(status=Workout.Status.IMPORTING)

    def with_title(self):
        """Adds the title in the same query: the routine's name now; once the routine is
        deleted, its name when the workout started; for a workout never linked to one
        (imported from the sheet), the lifter's routine or a starter of that slug."""
        from .routines import Routine

        by_slug = (
            Routine.objects.filter(slug=OuterRef("routine_slug"))
            .filter(Q(owner=OuterRef("owner")) | Q(owner=None))
            .order_by(F("owner").asc(nulls_last=True))
            .values("name")[:1]
        )
        return self.annotate(
            current_title=Coalesce(
                F("routine__name"), NullIf(F("routine_name"), Value("")), Subquery(by_slug)
            )
        )


class Workout(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        COMPLETED = "completed"
        CANCELLED = "cancelled"
        # Written by an import that is not finished: nothing shows it or counts it until
        # the import ends, when it is completed at once (import_store.py).
        IMPORTING = "importing"

    id = models.CharField(primary_key=True, max_length=80)
    # The sheet's `template` column and the API's `template`.
    routine_slug = models.CharField(
        "routine slug",
        max_length=40,
        db_column="template",
        help_text="The routine's slug at the start (the sheet's template column).",
    )
    routine = models.ForeignKey(
        "sessions_app.Routine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workouts",
        help_text="What the workout was started from; empty for an empty workout.",
    )
    routine_name = models.CharField(
        "routine name",
        max_length=100,
        blank=True,
        db_column="name",
        help_text="The routine's name when the workout started: its title once the "
        "routine is deleted.",
    )
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField("workout note", blank=True, default="")
    # Warm-ups asked for on the workout screen ("Add warm-ups", warmups.py): {exercise
    # key: {"weight": the working weight, "logged": warm-ups logged before}}.
    planned_warmups = models.JSONField(default=dict, blank=True, editable=False)
    synced_to_sheets = models.BooleanField(default=False)
    # What each routine exercise with a progression rule asked, kept when completed: the
    # base of the next workout's target ({routine exercise id: {weight, unit, reps,
    # failures}}, progression.py).
    targets = models.JSONField(default=dict, blank=True, editable=False)
    # Bumped on every change the sheet must follow; the sync marks a workout synced
    # only if the revision it copied is still the current one.
    revision = models.PositiveIntegerField(default=0, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workouts"
    )

    objects = WorkoutQuerySet.as_manager()

    # What a workout's records are computed from, besides its sets.
    RECORD_FIELDS = {"date", "status", "completed_at"}

    class Meta:
        db_table = "sessions"
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(status="active"),
                name="one_active_session_per_owner",
            )
        ]
        indexes = [
            # History page: a lifter's completed workouts, newest first, in the page's
            # own order, so a late page skips index entries instead of sorting.
            models.Index(
                fields=["owner", "status", "-date", "-created_at"], name="session_owner_history"
            ),
            # Sync: completed workouts not yet in the sheet.
            models.Index(fields=["status", "synced_to_sheets"], name="session_sync_pending"),
        ]

    def __str__(self):
        return self.pk

    def get_absolute_url(self):
        return reverse("workout", args=[self.pk])

    @property
    def title(self):
        """The routine's name (see with_title), else the name at the start, else its slug
        in words: a lifter never reads a slug ("push-a-2" is "Push A")."""
        return (
            getattr(self, "current_title", None)
            or self.routine_name
            or slug_in_words(self.routine_slug)
        )

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @classmethod
    def start(cls, owner, routine, date=None):
        """Start a workout from a routine (the lifter's, or a starter), or an empty one
        (routine None); the id is "{date}_{slug}.{the lifter's tag}", suffixed when the
        lifter has one already.

        Raises ActiveWorkoutExists when the lifter already has one in progress.
        """
        if routine is not None and routine.owner_id not in (None, owner.pk):
            raise ValueError("A workout starts from the lifter's own routine or a starter.")
        date = date or timezone.localdate()
        slug = routine.slug if routine else EMPTY_WORKOUT_SLUG
        name = routine.name if routine else EMPTY_WORKOUT_NAME
        base_id = own_id(owner.pk, f"{date.isoformat()}_{slug}")
        for _ in range(5):
            if active := cls.objects.owned_by(owner).active().first():
                raise ActiveWorkoutExists(active)
            workout = cls(
                id=cls._free_id(base_id),
                owner=owner,
                routine_slug=slug,
                routine=routine,
                routine_name=name,
                date=date,
            )
            try:
                with transaction.atomic():
                    workout.save(force_insert=True)
            except IntegrityError:
                continue  # another request took this id or started a workout: look again
            if routine is not None and routine.owner_id is None:
                # A starter points to the library: the lifter's own exercises take the sets,
                # made now so that the first tick of each is as quick as any.
                names = routine.exercises.values_list("exercise__name", flat=True)
                Exercise.for_names(owner.pk, names)
            return workout
        raise IntegrityError(f"Could not find a free workout id for {base_id}")

    @classmethod
    def _free_id(cls, base_id):
        """The base, or the base suffixed "-2", "-3"…: ending with the lifter's tag, the
        ids it finds taken are the lifter's own."""
        taken = set(
            cls.objects.filter(Q(pk=base_id) | Q(pk__startswith=f"{base_id}-")).values_list(
                "pk", flat=True
            )
        )
        return first_free(base_id, taken)

    def ensure_open(self):
        if not self.is_active:
            raise WorkoutClosed(self)

    def log_set(self, exercise, weight="", reps="", notes="", **fields):
        """Store a set in this workout; the same key twice stores it once.

        Takes SetForm's fields. Returns (set, created). Raises WorkoutClosed or KeyTaken.
        """
        try:
            return Set.store(self.owner_id, self.pk, exercise, weight, reps, notes, **fields)
        except Workout.DoesNotExist:
            raise WorkoutClosed(self) from None

    def save_note(self, note):
        """The note rides in the sheet's rows; records do not depend on it."""
        self.note = note
        self.save(update_fields=["note"])
        mark_unsynced(self.pk)

    def complete(self, now=None):
        from ..progression import asked_of
        from .bodyweight import apply_bodyweight
        from .records import add_completed_workout

        # What it asked is kept with it: the next workout's target starts from there.
        targets = asked_of(self)
        self._close(self.Status.COMPLETED, completed_at=now or timezone.now(), targets=targets)
        self.record_superset_groups()
        apply_bodyweight(self.owner_id, [self.pk], refresh=False)
        add_completed_workout(self)
        mark_unsynced(self.pk)

    def record_superset_groups(self):
        """The sets of each superset of the routine keep its group, in the form an
        import keeps Hevy's (0 for A, 1 for B, …, as the workout screen lettered them):
        history, the sheet and the CSV show it whatever the routine becomes. Done once,
        at completion, so that logging a set costs nothing more."""
        from ..progression import superset_labels
        from .routines import RoutineExercise

        if self.routine_id is None:
            return
        rows = RoutineExercise.objects.filter(routine_id=self.routine_id).only(
            "superset_with_previous", "exercise__key"
        )
        rows = list(rows.select_related("exercise"))
        labels = superset_labels(rows)
        keys_by_group, grouped = {}, set()
        for row in rows:
            label, key = labels.get(row.pk), row.exercise.key
            if label and key not in grouped:  # an exercise twice keeps its first superset
                grouped.add(key)
                keys_by_group.setdefault(SUPERSET_LETTERS.index(label[0]), []).append(key)
        for group, keys in keys_by_group.items():
            self.sets.filter(exercise__key__in=keys).update(superset_group=group)

    def cancel(self):
        self._close(self.Status.CANCELLED)

    def _close(self, status, **changes):
        """Active -> status, decided in the database: a workout closed meanwhile (another
        tab, the API) stays as it is, and a set being stored right now goes in first."""
        self.ensure_open()
        if not Workout.objects.filter(pk=self.pk, status=self.Status.ACTIVE).update(
            status=status, **changes
        ):
            self.refresh_from_db(fields=["status"])
            raise WorkoutClosed(self)
        self.status = status
        for name, value in changes.items():
            setattr(self, name, value)

    def save_changes(self, fields, was_status):
        """Save fields changed by hand (the admin): a workout leaving "completed" takes
        its rows out of the sheet; the records follow a change they depend on."""
        from .records import refresh_records

        self.save(update_fields=fields)
        from .bodyweight import apply_bodyweight

        completed = self.Status.COMPLETED
        if was_status == completed and self.status != completed:
            sets_leave_sheet(self.owner_id, self.sets.all())
        if self.status == completed and {"date", "status"} & set(fields):
            apply_bodyweight(self.owner_id, [self.pk], refresh=False)  # the day's, now
        if completed in (was_status, self.status) and self.RECORD_FIELDS & set(fields):
            refresh_records(self.owner_id, self.exercise_ids())
        mark_unsynced(self.pk)

    def delete(self, *args, **kwargs):
        """A completed workout's rows leave the sheet, and its exercises' records follow."""
        from .records import refresh_records

        completed = self.status == self.Status.COMPLETED
        exercise_ids = self.exercise_ids()
        if completed:
            sets_leave_sheet(self.owner_id, self.sets.all())
        deleted = super().delete(*args, **kwargs)
        if completed:
            refresh_records(self.owner_id, exercise_ids)
        return deleted

    def exercise_ids(self):
        return set(self.sets.values_list("exercise_id", flat=True).distinct())

    @property
    def duration_minutes(self):
        if self.completed_at is None:
            return None
        return round((self.completed_at - self.created_at).total_seconds() / 60)

    def to_dict(self):
        return {
            "id": self.pk,
            "template": self.routine_slug,
            "date": self.date.isoformat(),
            "status": self.status,
            # In the lifter's time zone, as every date and time they see.
            "created_at": timezone.localtime(self.created_at).isoformat(),
            "completed_at": (
                timezone.localtime(self.completed_at).isoformat() if self.completed_at else None
            ),
            "note": self.note,
            "synced_to_sheets": self.synced_to_sheets,
        }


class SetQuerySet(models.QuerySet):
    def named(self, owner, *names):
        """The lifter's sets of these exercises, in any spelling."""
        return self.filter(
            exercise__owner=owner, exercise__key__in=[exercise_key(name) for name in names]
        )


class Set(models.Model):
    id = models.AutoField(primary_key=True)
    # Both indexed as the first column of the indexes below (each index slows the insert).
    workout = models.ForeignKey(
        Workout,
        on_delete=models.CASCADE,
        related_name="sets",
        db_column="session_id",
        db_index=False,
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.RESTRICT, related_name="sets", db_index=False
    )
    # The name as shown: the sheet's column and the API's field, written from the exercise.
    exercise_name = models.CharField(
        "exercise name", max_length=NAME_MAX_LENGTH, db_column="exercise", editable=False
    )
    set_number = models.PositiveIntegerField()
    # The column keeps the design's name; the unit is the set's own (unit below).
    weight = models.CharField(max_length=20, blank=True, default="", db_column="weight_lbs")
    reps = models.CharField(max_length=20, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    synced_to_sheets = models.BooleanField(default=False)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legacy_sheet_row = models.BooleanField(
        default=False,
        editable=False,
        help_text="Imported from a row without a key that was typed into the sheet; "
        "the sync leaves that row as it is.",
    )
    set_type = models.CharField(
        max_length=10,
        choices=SetType,
        default=SetType.WORKING,
        help_text="Warm-ups are left out of records and numbered apart.",
    )
    # Sets of one superset of the workout share a group: 0 is superset A, 1 is B… (a
    # routine's, recorded at completion; an import's, in the order the workout shows them).
    superset_group = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Sets of one superset share a group: 0 is A, 1 is B…"
    )
    rpe = models.DecimalField(
        "RPE", max_digits=3, decimal_places=1, null=True, blank=True, help_text="6 to 10."
    )
    # The unit the weight was typed in: a later change of preference never reinterprets it.
    unit = models.CharField(max_length=2, choices=WeightUnit, default=WeightUnit.LB)
    # Numbers read from the text above (see numbers.py), kept for charts and records.
    weight_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, editable=False)
    reps_value = models.PositiveIntegerField(null=True, editable=False)
    estimated_1rm = models.DecimalField(max_digits=8, decimal_places=1, null=True, editable=False)
    # A set on bodyweight: the lifter's bodyweight on the workout's day, in the set's unit,
    # once they record one (models/bodyweight.py); its load is this plus what was added.
    bodyweight = models.DecimalField(max_digits=6, decimal_places=2, null=True, editable=False)

    objects = SetQuerySet.as_manager()

    # What records are computed from.
    RECORD_FIELDS = {"exercise", "weight", "reps", "set_type", "unit"}

    class Meta:
        db_table = "sets"
        ordering = ["created_at", "id"]
        indexes = [
            # Last time and progress: one exercise across a lifter's workouts.
            models.Index(fields=["exercise", "workout"], name="set_exercise_workout"),
            # The next set number: the highest of an exercise within a workout.
            models.Index(fields=["workout", "exercise", "set_number"], name="set_next_number"),
        ]

    def __str__(self):
        return f"{self.exercise_name} #{self.set_number}: {self.weight} × {self.reps}"

    def save(self, *args, **kwargs):
        self.read_numbers()
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "exercise" in update_fields:
            self.exercise_name = self.exercise.name
        if update_fields:
            kwargs["update_fields"] = {
                *update_fields,
                "exercise_name",
                "weight_value",
                "reps_value",
                "estimated_1rm",
            }
        super().save(*args, **kwargs)

    def clean(self):
        if self.exercise_id and self.workout_id and self.exercise.owner_id != self.workout.owner_id:
            raise ValidationError({"exercise": "Choose one of this lifter's exercises."})

    def save_changes(self, fields, was_exercise_id=None):
        """Save fields changed by hand (fixing a set, the admin, the sheet): the sheet
        follows a completed workout, and the records a change they depend on."""
        from .records import refresh_records

        self.save(update_fields=fields)
        workout = self.workout
        if workout.status == Workout.Status.COMPLETED:
            mark_unsynced(workout.pk)
            if self.RECORD_FIELDS & set(fields):
                from .bodyweight import apply_bodyweight

                apply_bodyweight(workout.owner_id, [workout.pk], refresh=False)
                exercise_ids = {self.exercise_id, was_exercise_id} - {None}
                refresh_records(workout.owner_id, exercise_ids)

    def delete(self, *args, **kwargs):
        """A completed workout's set: its row leaves the sheet, and its records follow."""
        from .records import refresh_records

        workout = self.workout
        deleted = super().delete(*args, **kwargs)
        if workout.status == Workout.Status.COMPLETED:
            sets_leave_sheet(workout.owner_id, [self])
            refresh_records(workout.owner_id, [self.exercise_id])
            mark_unsynced(workout.pk)
        return deleted

    @property
    def is_warmup(self):
        return self.set_type == SetType.WARMUP

    def read_numbers(self):
        weight = parse_weight(self.weight)
        self.weight_value = weight if weight is None or abs(weight) < MAX_WEIGHT else None
        reps = parse_reps(self.reps)
        self.reps_value = reps if reps is None or reps < MAX_REPS else None
        # A negative load (assisted) is no record and takes nothing off the volume, until
        # the lifter's bodyweight makes it a load; a time ("60s", "1:00": a hold) is no
        # repetitions to estimate a maximum from.
        load = load_of(self.weight_value, self.bodyweight)
        loaded = load is not None and load >= 0 and parse_duration(self.reps) is None
        self.estimated_1rm = estimated_one_rep_max(load, self.reps_value) if loaded else None

    @property
    def volume(self):
        return volume_of(self.weight_value, self.reps_value, self.reps, self.bodyweight)

    def to_dict(self):
        return {
            "id": self.pk,
            "key": str(self.key),
            "session_id": self.workout_id,
            "exercise": self.exercise_name,
            "set_number": self.set_number,
            "weight": self.weight,
            "reps": self.reps,
            "notes": self.notes,
            "is_warmup": self.is_warmup,
            "set_type": self.set_type,
            "rpe": str(self.rpe) if self.rpe is not None else None,
            "unit": self.unit,
            "created_at": timezone.localtime(self.created_at).isoformat(),
        }

    @classmethod
    def store(
        cls,
        owner_id,
        workout_id,
        exercise,
        weight="",
        reps="",
        notes="",
        set_number=None,
        key=None,
        set_type=SetType.WORKING,
        rpe=None,
        unit=None,
        logged_at=None,
    ):
        """Store a set in the lifter's open workout (workout_id, or their active one).

        The parameters after the ids are SetForm's fields, so its cleaned_data fits as
        is; unit None is the lifter's own. The same key twice returns the set stored the
        first time, even once the workout is completed. A key that is another lifter's
        is answered as a fresh one: the set is stored under own_key_for() (derived from
        this lifter and the key, so sending it again still stores one set). Returns
        (set, created); raises Workout.DoesNotExist (no such workout of this lifter),
        WorkoutClosed or KeyTaken (a key of this lifter's, in another workout).
        """
        workout_set = cls(
            exercise_name=display_name(exercise),
            weight=weight,
            reps=reps,
            notes=notes,
            key=key or uuid.uuid4(),
            set_type=set_type,
            rpe=rpe,
            unit=unit,
            created_at=logged_at or timezone.now(),
        )
        workout_set.read_numbers()
        stored = insert_into_open_workout(workout_set, owner_id, workout_id, set_number)
        if stored is None and workout_set.first_of_new_exercise(owner_id, workout_id):
            stored = insert_into_open_workout(workout_set, owner_id, workout_id, set_number)
        if stored:
            workout_set.pk, workout_set.workout_id, workout_set.set_number = stored[:3]
            exercise_id, workout_set.exercise_name, workout_set.unit, kind = stored[3:]
            # The exercise as the statement found it, for the row shown back: no query.
            workout_set.exercise = Exercise(
                pk=exercise_id,
                owner_id=owner_id,
                name=workout_set.exercise_name,
                key=exercise_key(workout_set.exercise_name),
                kind=kind,
            )
            return workout_set, True
        existing = (
            cls.objects.select_related("workout", "exercise").filter(key=workout_set.key).first()
        )
        if (
            existing
            and existing.workout.owner_id == owner_id
            and workout_id in (None, existing.workout_id)
        ):
            return existing, False
        # Ownership before the key: another lifter's workout is "not found" whatever the
        # key, so the answer never tells whether a key of theirs exists.
        workout = open_or_any_workout(owner_id, workout_id)
        if workout is None:
            raise Workout.DoesNotExist
        if existing and existing.workout.owner_id != owner_id:
            own_key = own_key_for(owner_id, workout_set.key)
            fields = {"set_number": set_number, "set_type": set_type, "rpe": rpe, "unit": unit}
            return cls.store(
                owner_id, workout_id, exercise, weight, reps, notes, key=own_key,
                logged_at=logged_at, **fields,
            )  # fmt: skip
        if existing:
            raise KeyTaken("This set key already belongs to another workout.")
        raise WorkoutClosed(workout)

    def first_of_new_exercise(self, owner_id, workout_id):
        """True when the set's exercise is new to the lifter (and is now made) while their
        workout is open: the insert found no exercise to point to."""
        if getattr(self, "_key_taken", False):
            return False
        workout = open_or_any_workout(owner_id, workout_id)
        if workout is None or not workout.is_active:
            return False
        if Exercise.objects.filter(
            owner_id=owner_id, key=exercise_key(self.exercise_name)
        ).exists():
            return False
        Exercise.named_for(owner_id, self.exercise_name)
        return True


def superset_letters(group):
    """A superset's group as its letters, named as spreadsheet columns are: 0 is "A",
    25 "Z", 26 "AA"."""
    letters = ""
    group += 1
    while group:
        group, rest = divmod(group - 1, len(SUPERSET_LETTERS))
        letters = SUPERSET_LETTERS[rest] + letters
    return letters


def superset_group_of(letters):
    """The group "(superset A)" stands for (0), or None past what a set can keep."""
    group = 0
    for letter in letters:
        group = group * len(SUPERSET_LETTERS) + SUPERSET_LETTERS.index(letter) + 1
    return group - 1 if group - 1 <= MAX_SUPERSET_GROUP else None


def load_of(weight_value, bodyweight=None):
    """What a set lifted: its weight, or on bodyweight (a bodyweight known, see
    models/bodyweight.py) the bodyweight plus what was added ("BW+25": 25; assisted,
    "BW-20": −20; "BW" or no weight: nothing). The one rule of a set's load, for its
    estimated 1RM and its volume."""
    if bodyweight is None:
        return weight_value
    return bodyweight + (weight_value or 0)


def volume_of(weight_value, reps_value, reps, bodyweight=None):
    """Load × reps (load_of), for a workout's total; None when either is not a number,
    for an assisted (negative) weight without a bodyweight, and for a time ("60s": a hold
    has no reps)."""
    weight_value = load_of(weight_value, bodyweight)
    if weight_value is None or reps_value is None or weight_value < 0:
        return None
    if not reps.isdigit() and parse_duration(reps) is not None:
        return None
    return weight_value * reps_value


def own_id(owner_id, base):
    """A workout id in the lifter's own space: "{base}.{their tag}". An id never depends
    on another lifter's workouts, so it never tells of them (ids were global before, and
    a second "2026-12-02_push" became "-2": those ids stay as they are)."""
    return f"{base}.{LifterProfile.id_tag_of(owner_id)}"


def first_free(base_id, taken):
    if base_id not in taken:
        return base_id
    for suffix in range(2, MAX_WORKOUT_SUFFIX):
        if f"{base_id}-{suffix}" not in taken:
            return f"{base_id}-{suffix}"
    raise IntegrityError(f"Too many workouts named {base_id}")


def open_or_any_workout(owner_id, workout_id):
    """The lifter's workout of that id, or their active one when workout_id is None."""
    workouts = Workout.objects.filter(owner_id=owner_id)
    return workouts.filter(pk=workout_id).first() if workout_id else workouts.active().first()


# Computed by the statement itself rather than sent: see insert_into_open_workout.
COLUMNS_FROM_SQL = ("workout", "exercise", "exercise_name", "set_number", "unit")


def stored_columns():
    """The set's columns insert_into_open_workout sends as values: every concrete field
    but the id and COLUMNS_FROM_SQL, so a new field is written without a change here."""
    return [
        field
        for field in Set._meta.concrete_fields
        if field is not Set._meta.auto_field and field.name not in COLUMNS_FROM_SQL
    ]


def insert_into_open_workout(workout_set, owner_id, workout_id, set_number):
    """One INSERT ... SELECT that finds the lifter's open workout and their exercise of
    that name, numbers the set, fills in the lifter's unit when none was sent, and
    stores it.

    Logging is the hot path: as one statement, the database's write lock is held for
    microseconds, where the ORM's lookups and create held it ten times longer
    (bench/RESULTS.md). Returns (id, workout id, set number, exercise id, exercise name,
    unit, exercise kind), or None when the lifter has no such open workout or no such
    exercise yet.
    A key taken already (IntegrityError) is None too, and marks the set _key_taken.
    """
    sql = insert_statement(
        connection.vendor, workout_set.is_warmup, bool(set_number), bool(workout_id)
    )
    number_params = [SetType.WARMUP, set_number] * 2 if set_number else [SetType.WARMUP]
    params = [
        *number_params,
        workout_set.unit or None,
        WeightUnit.LB,
        *(
            value if field is None else field.get_db_prep_save(value, connection)
            for attname, field in value_preparers()
            for value in [getattr(workout_set, attname)]
        ),
        exercise_key(workout_set.exercise_name),
        owner_id,
        Workout.Status.ACTIVE,
    ]
    if workout_id:
        params.append(workout_id)
    # One statement is its own transaction: it takes the write lock as it starts (waiting
    # for it, as BEGIN IMMEDIATE would) and lets go as it ends. Wrapped in BEGIN ...
    # COMMIT, the lock was held through Django's Python too, twice as long; under 16
    # clients the other workers then slept on it (bench/RESULTS.md). Inside a
    # transaction (a test, a caller's atomic block), a savepoint keeps a taken key from
    # spoiling it.
    nested = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with nested, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except IntegrityError:
        workout_set._key_taken = True  # by this same set sent before, or by another
        return None


@functools.cache
def value_preparers():
    """(attname, field) of each stored column; the field is None where the value goes as
    it is (text, numbers, booleans), else its get_db_prep_save gives the database's own
    form (a UUID, a decimal, a time)."""
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    return [
        (field.attname, None if isinstance(field, plain) else field) for field in stored_columns()
    ]


@functools.cache
def insert_statement(vendor, warmup, with_number, with_workout_id):
    """The statement's text, built once per kind of set (a few microseconds a tick)."""
    quote = connection.ops.quote_name
    fields = stored_columns()
    sets, workouts = quote(Set._meta.db_table), quote(Workout._meta.db_table)
    exercises = quote(Exercise._meta.db_table)
    profiles = quote(LifterProfile._meta.db_table)
    sid, number_column = quote("session_id"), quote("set_number")
    # Warm-ups and working sets are numbered apart: warm-ups do not use up set 1.
    same_kind = (
        f"FROM {sets} x WHERE x.{sid} = s.{quote('id')} "
        f"AND x.{quote('exercise_id')} = e.{quote('id')} "
        f"AND x.{quote('set_type')} {'=' if warmup else '<>'} %s"
    )
    next_free = f"COALESCE((SELECT MAX(x.{number_column}) {same_kind}), 0) + 1"
    number = next_free
    if with_number:
        # A stale tab or an old offline page may send a number already used: the set
        # gets the next free one rather than a second "set 1".
        taken = f"EXISTS (SELECT 1 {same_kind} AND x.{number_column} = %s)"
        number = f"CASE WHEN {taken} THEN {next_free} ELSE %s END"
    lifters_unit = (
        f"(SELECT NULLIF(p.{quote('weight_unit')}, '') FROM {profiles} p "
        f"WHERE p.{quote('user_id')} = s.{quote('owner_id')})"
    )
    which = f"AND s.{quote('id')} = %s" if with_workout_id else ""
    # PostgreSQL runs writers side by side: hold the workout's row until the set is in,
    # so that completing it waits (SQLite has one writer at a time anyway).
    hold = "FOR SHARE OF s" if vendor == "postgresql" else ""
    column_names = ", ".join(quote(field.column) for field in fields)
    return (
        f"INSERT INTO {sets} ({sid}, {quote('exercise_id')}, {quote('exercise')}, "
        f"{number_column}, {quote('unit')}, {column_names}) "
        f"SELECT s.{quote('id')}, e.{quote('id')}, e.{quote('name')}, {number}, "
        f"COALESCE(%s, {lifters_unit}, %s), {', '.join(['%s'] * len(fields))} "
        f"FROM {workouts} s JOIN {exercises} e "
        f"ON e.{quote('owner_id')} = s.{quote('owner_id')} AND e.{quote('key')} = %s "
        f"WHERE s.{quote('owner_id')} = %s AND s.{quote('status')} = %s {which} {hold} "
        f"RETURNING {quote('id')}, {sid}, {number_column}, {quote('exercise_id')}, "
        f"{quote('exercise')}, {quote('unit')}, "
        # The page shows the set back by its exercise's kind (a timed one as its time).
        f"(SELECT k.{quote('kind')} FROM {exercises} k "
        f"WHERE k.{quote('id')} = {sets}.{quote('exercise_id')})"
    )
