"""Workout sessions, the sets logged in them, and the templates they start from.

The `sessions` and `sets` tables keep the columns of the original design, plus an
owner per session and a stable key per set (what makes logging idempotent and
what the Google Sheets sync keys its rows on).
"""

import datetime
import hashlib
import secrets
import uuid
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf, Trim
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from .numbers import estimated_one_rep_max, parse_reps, parse_weight

MAX_SESSION_SUFFIX = 1000
FAILING_AFTER_ATTEMPTS = 3
# Numbers past these are typos, not lifts: they stay text only.
MAX_WEIGHT_LBS = 100_000
MAX_REPS = 100_000

# Sent with session_ids when completed workouts' rows in the sheet must change.
history_changed = Signal()


class ActiveSessionExists(Exception):
    """The lifter already has a workout in progress."""

    def __init__(self, session):
        super().__init__(f"Workout {session.pk} is still in progress.")
        self.session = session


class SessionClosed(Exception):
    """The workout is completed or cancelled, so its sets can no longer change."""

    def __init__(self, session):
        super().__init__(f"Workout {session.pk} is {session.status}; it can no longer change.")
        self.session = session


class KeyTaken(Exception):
    """A set key that already belongs to another workout."""


class SetType(models.TextChoices):
    WORKING = "working", "working"
    WARMUP = "warmup", "warm-up"
    DROP = "drop", "drop set"
    FAILURE = "failure", "failure"


class WeightUnit(models.TextChoices):
    KG = "kg", "kg"
    LB = "lb", "lb"


class LifterProfile(models.Model):
    """A lifter's own settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lifter_profile"
    )
    # Empty until the lifter chooses; pounds until then, as before units existed.
    weight_unit = models.CharField(max_length=2, choices=WeightUnit, blank=True)
    # Set when the starter routines were copied into the lifter's (give_starter_routines).
    starter_routines_given = models.BooleanField(default=False, editable=False)

    def __str__(self):
        return f"{self.user}: {self.unit}"

    @property
    def unit(self):
        return self.weight_unit or WeightUnit.LB

    @classmethod
    def unit_of(cls, user_id, sent=None):
        """The lifter's unit; or the unit a request sent, when it is one (no query then)."""
        if sent in WeightUnit.values:
            return sent
        unit = cls.objects.filter(user_id=user_id).values_list("weight_unit", flat=True).first()
        return unit or WeightUnit.LB


MAX_ROUTINE_EXERCISES = 30
MAX_TARGET_SETS = 20
DEFAULT_TARGET_SETS = 3
DEFAULT_TARGET_REPS = "8"
DEFAULT_REST_SECONDS = 120
EMPTY_WORKOUT_SLUG = "workout"
EMPTY_WORKOUT_NAME = "Workout"


class RoutineQuerySet(models.QuerySet):
    def owned_by(self, owner):
        return self.filter(owner=owner)

    def starters(self):
        return self.filter(owner=None)

    def for_start(self, owner, slug):
        """The routine a slug names for this lifter: theirs, else the starter of that slug
        (what the JSON API's `template` accepted before lifters had routines)."""
        candidates = self.filter(Q(owner=owner) | Q(owner=None), slug=slug)
        return candidates.order_by(F("owner").asc(nulls_last=True)).first()


class WorkoutTemplate(models.Model):
    """A routine: the exercises of a workout in order, with their targets.

    Each lifter has their own (owner). Those without an owner are the starter set,
    edited only in the admin: each lifter gets a copy of them the first time their
    routines are used (give_starter_routines), and from then on the copies are
    theirs to change or delete.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routines",
        help_text="Empty for the starter set every new lifter gets a copy of.",
    )
    name = models.CharField(max_length=100)
    # Set once from the first name: renaming keeps it, so the API's slugs keep working.
    slug = models.SlugField(max_length=40)
    position = models.PositiveIntegerField(default=0, help_text="Order on the start page.")
    rest_seconds = models.PositiveIntegerField(
        default=DEFAULT_REST_SECONDS,
        help_text="Default rest between sets for this routine's exercises.",
    )

    objects = RoutineQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "routine"
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="routine_slug_per_owner"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(owner=None), name="starter_routine_slug"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("routine_editor", args=[self.pk])

    @classmethod
    def create_for(cls, owner, name, exercises=(), rest_seconds=DEFAULT_REST_SECONDS):
        """A new routine of the lifter's, last on their list, with these TemplateExercise
        rows (unsaved) in order. Its slug comes from the name, made unique among theirs."""
        base = slugify(name)[:30].strip("-") or "routine"
        for _ in range(5):
            mine = cls.objects.owned_by(owner)
            taken = set(mine.filter(slug__startswith=base).values_list("slug", flat=True))
            slug = next(
                candidate
                for candidate in (base, *(f"{base}-{n}" for n in range(2, 10_000)))
                if candidate not in taken
            )
            last = mine.aggregate(last=models.Max("position"))["last"]
            routine = cls(
                owner=owner,
                name=name,
                slug=slug,
                position=0 if last is None else last + 1,
                rest_seconds=rest_seconds,
            )
            try:
                with transaction.atomic():
                    routine.save(force_insert=True)
                    for position, exercise in enumerate(exercises, start=1):
                        exercise.pk, exercise.template, exercise.position = None, routine, position
                    TemplateExercise.objects.bulk_create(exercises)
                return routine
            except IntegrityError:
                continue  # the same slug taken meanwhile (another tab): look again
        raise IntegrityError(f"Could not find a free routine slug for {base}")

    def copy_exercises(self):
        return [
            TemplateExercise(
                name=exercise.name,
                target_sets=exercise.target_sets,
                target_reps=exercise.target_reps,
                rest_seconds=exercise.rest_seconds,
            )
            for exercise in self.exercises.all()
        ]

    def duplicate(self, name=None):
        """A copy of this routine, exercises and targets included, last on the list."""
        name = name or f"{self.name} (copy)"[: self._meta.get_field("name").max_length]
        return WorkoutTemplate.create_for(
            self.owner, name, self.copy_exercises(), rest_seconds=self.rest_seconds
        )

    def add_exercise(self, name, target_sets, target_reps, rest_seconds=None):
        last = self.exercises.aggregate(last=models.Max("position"))["last"] or 0
        return TemplateExercise.objects.create(
            template=self,
            name=name,
            position=last + 1,
            target_sets=target_sets,
            target_reps=target_reps,
            rest_seconds=rest_seconds,
        )

    def move_exercise(self, exercise_id, step):
        """Moves an exercise one place up (step -1) or down (+1); positions become 1..n.

        No unique (routine, position): SQLite cannot defer it, and renumbering would
        trip on it halfway. Returns False when the exercise is not in this routine.
        """
        with transaction.atomic():
            exercises = list(self.exercises.order_by("position", "pk"))
            index = next((i for i, e in enumerate(exercises) if e.pk == exercise_id), None)
            if index is None:
                return False
            other = index + step
            if 0 <= other < len(exercises):
                exercises[index], exercises[other] = exercises[other], exercises[index]
            self._renumber(exercises)
        return True

    def remove_exercise(self, exercise_id):
        with transaction.atomic():
            deleted, _ = self.exercises.filter(pk=exercise_id).delete()
            self._renumber(list(self.exercises.order_by("position", "pk")))
        return bool(deleted)

    @staticmethod
    def _renumber(exercises):
        changed = []
        for position, exercise in enumerate(exercises, start=1):
            if exercise.position != position:
                exercise.position = position
                changed.append(exercise)
        TemplateExercise.objects.bulk_update(changed, ["position"])

    @classmethod
    def from_workout(cls, session, name):
        """A new routine of the lifter's, made of a finished workout's exercises."""
        exercises = exercises_done_in(session)
        source = session.routine
        rest_seconds = source.rest_seconds if source is not None else DEFAULT_REST_SECONDS
        return cls.create_for(session.owner, name, exercises, rest_seconds=rest_seconds)


def exercises_done_in(session):
    """A workout's exercises as routine rows (unsaved), in the order they were first
    done: as many sets as were done (warm-ups apart), the reps done most often, and the
    rest times of the routine the workout came from, where it had them."""
    by_exercise = {}
    for workout_set in session.sets.order_by("created_at", "pk"):
        key = name_key(workout_set.exercise)
        by_exercise.setdefault(key, []).append(workout_set)
    rests = {}
    if session.routine is not None:
        rests = {name_key(e.name): e.rest_seconds for e in session.routine.exercises.all()}
    exercises = []
    for key, done in list(by_exercise.items())[:MAX_ROUTINE_EXERCISES]:
        working = [s for s in done if not s.is_warmup] or done
        reps = Counter(s.reps.strip() for s in working if s.reps.strip())
        exercises.append(
            TemplateExercise(
                name=done[0].exercise.strip(),
                target_sets=min(len(working), MAX_TARGET_SETS),
                target_reps=reps.most_common(1)[0][0] if reps else DEFAULT_TARGET_REPS,
                rest_seconds=rests.get(key),
            )
        )
    return exercises


def give_starter_routines(owner):
    """Copies the starter routines into the lifter's own, the first time their routines
    are used; never again (a routine they delete stays deleted). One query after that."""
    if LifterProfile.objects.filter(user=owner, starter_routines_given=True).exists():
        return
    with transaction.atomic():
        LifterProfile.objects.get_or_create(user=owner)
        # Two first requests at once: the one whose update changes the row copies.
        profiles = LifterProfile.objects.filter(user=owner, starter_routines_given=False)
        if profiles.update(starter_routines_given=True) != 1:
            return
        taken = set(WorkoutTemplate.objects.owned_by(owner).values_list("slug", flat=True))
        starters = WorkoutTemplate.objects.starters().exclude(slug__in=taken)
        for starter in starters.prefetch_related("exercises"):
            copy = WorkoutTemplate.objects.create(
                owner=owner,
                name=starter.name,
                slug=starter.slug,
                position=starter.position,
                rest_seconds=starter.rest_seconds,
            )
            exercises = starter.copy_exercises()
            for position, exercise in enumerate(exercises, start=1):
                exercise.template, exercise.position = copy, position
            TemplateExercise.objects.bulk_create(exercises)


class TemplateExercise(models.Model):
    template = models.ForeignKey(
        WorkoutTemplate, on_delete=models.CASCADE, related_name="exercises"
    )
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    target_sets = models.PositiveSmallIntegerField(default=DEFAULT_TARGET_SETS)
    target_reps = models.CharField(
        max_length=20, default=DEFAULT_TARGET_REPS, help_text='For example "5" or "8-12".'
    )
    rest_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rest after a set; empty uses the routine's."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "routine exercise"

    def __str__(self):
        return f"{self.name} {self.target_sets}×{self.target_reps}"


class SessionQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def active(self):
        return self.filter(status=Session.Status.ACTIVE)

    def completed(self):
        return self.filter(status=Session.Status.COMPLETED)

    def with_template_name(self):
        """Adds the title in the same query: the routine's name now; once the routine is
        deleted, its name when the workout started; for a workout never linked to one
        (imported from the sheet), the lifter's routine or a starter of that slug."""
        by_slug = (
            WorkoutTemplate.objects.filter(slug=OuterRef("template"))
            .filter(Q(owner=OuterRef("owner")) | Q(owner=None))
            .order_by(F("owner").asc(nulls_last=True))
            .values("name")[:1]
        )
        return self.annotate(
            template_name=Coalesce(
                F("routine__name"), NullIf(F("name"), Value("")), Subquery(by_slug)
            )
        )


class Session(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    id = models.CharField(primary_key=True, max_length=80)
    # The routine's slug when the workout started (the sheet's `template` column).
    template = models.CharField(max_length=40, help_text="The routine's slug at the start.")
    routine = models.ForeignKey(
        WorkoutTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        help_text="What the workout was started from; empty for an empty workout.",
    )
    name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The routine's name when the workout started: its title once the "
        "routine is deleted.",
    )
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField("workout note", blank=True, default="")
    synced_to_sheets = models.BooleanField(default=False)
    # Bumped on every change the sheet must follow; the sync marks a session synced
    # only if the revision it copied is still the current one.
    revision = models.PositiveIntegerField(default=0, editable=False)
    sync_attempts = models.PositiveIntegerField(default=0, editable=False)
    sync_error = models.TextField(blank=True, editable=False)
    sync_attempted_at = models.DateTimeField(null=True, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workout_sessions"
    )

    objects = SessionQuerySet.as_manager()

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
            # History page: a lifter's completed sessions, newest first, in the page's own
            # order, so a late page skips index entries instead of sorting the history.
            models.Index(
                fields=["owner", "status", "-date", "-created_at"], name="session_owner_history"
            ),
            # Sync: completed sessions not yet in the sheet.
            models.Index(fields=["status", "synced_to_sheets"], name="session_sync_pending"),
        ]

    def __str__(self):
        return self.pk

    def get_absolute_url(self):
        return reverse("workout", args=[self.pk])

    @property
    def title(self):
        """The routine's name (see with_template_name), else the name at the start."""
        return getattr(self, "template_name", None) or self.name or self.template

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @classmethod
    def start(cls, owner, template, date=None):
        """Start a workout from a routine (the lifter's, or a starter), or an empty one
        (template None); the id is "{date}_{slug}", suffixed when taken.

        Raises ActiveSessionExists when the lifter already has one in progress.
        """
        if template is not None and template.owner_id not in (None, owner.pk):
            raise ValueError("A workout starts from the lifter's own routine or a starter.")
        date = date or timezone.localdate()
        slug = template.slug if template else EMPTY_WORKOUT_SLUG
        name = template.name if template else EMPTY_WORKOUT_NAME
        base_id = f"{date.isoformat()}_{slug}"
        for _ in range(5):
            if active := cls.objects.owned_by(owner).active().first():
                raise ActiveSessionExists(active)
            session = cls(
                id=cls._free_id(base_id),
                owner=owner,
                template=slug,
                routine=template,
                name=name,
                date=date,
            )
            try:
                with transaction.atomic():
                    session.save(force_insert=True)
                return session
            except IntegrityError:
                continue  # another request took this id or started a workout: look again
        raise IntegrityError(f"Could not find a free session id for {base_id}")

    @classmethod
    def _free_id(cls, base_id):
        taken = set(
            cls.objects.filter(Q(pk=base_id) | Q(pk__startswith=f"{base_id}-")).values_list(
                "pk", flat=True
            )
        )
        if base_id not in taken:
            return base_id
        for suffix in range(2, MAX_SESSION_SUFFIX):
            if f"{base_id}-{suffix}" not in taken:
                return f"{base_id}-{suffix}"
        raise IntegrityError(f"Too many sessions named {base_id}")

    def workout_template(self):
        """The routine the workout follows; None for an empty one (or its routine deleted)."""
        return self.routine

    def ensure_open(self):
        if not self.is_active:
            raise SessionClosed(self)

    def log_set(self, exercise, weight="", reps="", notes="", **fields):
        """Store a set in this workout; the same key twice stores it once.

        Takes SetForm's fields. Returns (set, created). Raises SessionClosed or KeyTaken.
        """
        try:
            return store_set(self.owner_id, self.pk, exercise, weight, reps, notes, **fields)
        except Session.DoesNotExist:
            raise SessionClosed(self) from None

    def save_note(self, note):
        self.note = note
        self.save(update_fields=["note"])
        mark_unsynced(self.pk)  # a completed workout's rows carry the note

    def complete(self, now=None):
        self._close(self.Status.COMPLETED, completed_at=now or timezone.now())
        mark_unsynced(self.pk)

    @property
    def sync_state(self):
        """What the admin shows: synced, pending, failing, or not applicable."""
        if self.status != self.Status.COMPLETED:
            return "not synced (not completed)"
        if self.synced_to_sheets:
            return "synced"
        if self.sync_attempts >= FAILING_AFTER_ATTEMPTS:
            return "failing"
        return "pending"

    def cancel(self):
        self._close(self.Status.CANCELLED)

    def _close(self, status, **changes):
        """Active -> status, decided in the database: a workout closed meanwhile (another
        tab, the API) stays as it is, and a set being stored right now goes in first."""
        self.ensure_open()
        if not Session.objects.filter(pk=self.pk, status=self.Status.ACTIVE).update(
            status=status, **changes
        ):
            self.refresh_from_db(fields=["status"])
            raise SessionClosed(self)
        self.status = status
        for name, value in changes.items():
            setattr(self, name, value)

    @property
    def duration_minutes(self):
        if self.completed_at is None:
            return None
        return round((self.completed_at - self.created_at).total_seconds() / 60)

    def to_dict(self):
        return {
            "id": self.pk,
            "template": self.template,
            "date": self.date.isoformat(),
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "note": self.note,
            "synced_to_sheets": self.synced_to_sheets,
        }


def exercise_key(name):
    """What makes names one exercise, as SQL: "Bench press" and "bench Press " are one."""
    return Lower(Trim(name))


def name_key(name):
    """exercise_key() in Python, for names already read: trimmed, whatever their case."""
    return name.strip().casefold()


class SetQuerySet(models.QuerySet):
    def named(self, *names):
        """Sets of these exercises, matched trimmed and whatever their case."""
        wanted = [exercise_key(Value(name)) for name in names]
        return self.alias(name_key=exercise_key("exercise")).filter(name_key__in=wanted)


class Set(models.Model):
    id = models.AutoField(primary_key=True)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="sets")
    exercise = models.CharField(max_length=100)
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
    rpe = models.DecimalField(
        "RPE", max_digits=3, decimal_places=1, null=True, blank=True, help_text="6 to 10."
    )
    # The unit the weight was typed in: a later change of preference never reinterprets it.
    unit = models.CharField(max_length=2, choices=WeightUnit, default=WeightUnit.LB)
    # Numbers read from the text above (see numbers.py), kept for charts and records.
    weight_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, editable=False)
    reps_value = models.PositiveIntegerField(null=True, editable=False)
    estimated_1rm = models.DecimalField(max_digits=8, decimal_places=1, null=True, editable=False)

    objects = SetQuerySet.as_manager()

    class Meta:
        db_table = "sets"
        ordering = ["created_at", "id"]
        indexes = [
            # "Last time" numbers and progress: one exercise across a lifter's sessions.
            # Names match whatever their case ("Bench press" is "bench Press"): see named().
            # Trimmed too: an imported row keeps the sheet's text exactly, spaces included.
            models.Index(exercise_key("exercise"), "session", name="set_exercise_name_session"),
            # The next set number: the highest of an exercise within a workout.
            models.Index(fields=["session", "exercise", "set_number"], name="set_next_number"),
        ]

    def __str__(self):
        return f"{self.exercise} #{self.set_number}: {self.weight} × {self.reps}"

    def save(self, *args, **kwargs):
        self.read_numbers()
        if update_fields := kwargs.get("update_fields"):
            kwargs["update_fields"] = {
                *update_fields,
                "weight_value",
                "reps_value",
                "estimated_1rm",
            }
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        workout_set = super().from_db(db, field_names, values, **kwargs)
        # A rename must refresh the old name's records too (signals.py).
        workout_set.loaded_exercise = workout_set.__dict__.get("exercise")
        return workout_set

    @property
    def is_warmup(self):
        return self.set_type == SetType.WARMUP

    def read_numbers(self):
        weight = parse_weight(self.weight)
        self.weight_value = weight if weight is None or abs(weight) < MAX_WEIGHT_LBS else None
        reps = parse_reps(self.reps)
        self.reps_value = reps if reps is None or reps < MAX_REPS else None
        # A negative load (assisted) is no record and takes nothing off the volume.
        loaded = self.weight_value is not None and self.weight_value >= 0
        self.estimated_1rm = (
            estimated_one_rep_max(self.weight_value, self.reps_value) if loaded else None
        )

    @property
    def volume(self):
        """Weight × reps, for the session's total; None when either is not a number."""
        if self.weight_value is None or self.reps_value is None or self.weight_value < 0:
            return None
        return self.weight_value * self.reps_value

    def to_dict(self):
        return {
            "id": self.pk,
            "key": str(self.key),
            "session_id": self.session_id,
            "exercise": self.exercise,
            "set_number": self.set_number,
            "weight": self.weight,
            "reps": self.reps,
            "notes": self.notes,
            "is_warmup": self.is_warmup,
            "set_type": self.set_type,
            "rpe": str(self.rpe) if self.rpe is not None else None,
            "unit": self.unit,
            "created_at": self.created_at.isoformat(),
        }


def store_set(
    owner_id,
    session_id,
    exercise,
    weight="",
    reps="",
    notes="",
    set_number=None,
    key=None,
    set_type=SetType.WORKING,
    rpe=None,
    unit=WeightUnit.LB,
    logged_at=None,
):
    """Store a set in the lifter's open workout (session_id, or their active one).

    The parameters after the ids are SetForm's fields, so cleaned_data fits as is. The
    same key twice returns the set stored the first time, even once the workout is
    completed. Returns (set, created); raises Session.DoesNotExist (no such workout of
    this lifter), SessionClosed or KeyTaken.
    """
    workout_set = Set(
        exercise=exercise.strip(),
        weight=weight,
        reps=reps,
        notes=notes,
        set_number=set_number or 0,
        key=key or uuid.uuid4(),
        set_type=set_type,
        rpe=rpe,
        unit=unit,
        created_at=logged_at or timezone.now(),
    )
    workout_set.read_numbers()
    try:
        with transaction.atomic():
            stored = insert_into_open_workout(workout_set, owner_id, session_id, set_number)
    except IntegrityError:
        stored = None  # the key is taken: by this same set sent before, or by another
    if stored:
        workout_set.pk, workout_set.session_id, workout_set.set_number = stored
        return workout_set, True
    existing = Set.objects.select_related("session").filter(key=workout_set.key).first()
    if (
        existing
        and existing.session.owner_id == owner_id
        and session_id in (None, existing.session_id)
    ):
        return existing, False
    # Ownership before the key: another lifter's workout is "not found" whatever the key,
    # so the answer never tells whether a key of theirs exists.
    sessions = Session.objects.filter(owner_id=owner_id)
    session = sessions.filter(pk=session_id).first() if session_id else sessions.active().first()
    if session is None:
        raise Session.DoesNotExist
    if existing:
        raise KeyTaken("This set key already belongs to another workout.")
    raise SessionClosed(session)


def insert_into_open_workout(workout_set, owner_id, session_id, set_number):
    """One INSERT ... SELECT that finds the open workout, numbers the set and stores it.

    Logging is the hot path: as one statement, the database's write lock is held for
    microseconds, where the ORM's lookups and create held it ten times longer
    (bench/RESULTS.md). Returns (id, session id, set number), or None when the lifter
    has no such open workout. save() is not called, and its signals only concern sets
    of completed workouts. The numbers' columns come from read_numbers().
    """
    quote = connection.ops.quote_name
    columns = [
        "exercise",
        "weight",
        "reps",
        "notes",
        "created_at",
        "synced_to_sheets",
        "key",
        "legacy_sheet_row",
        "set_type",
        "rpe",
        "unit",
        "weight_value",
        "reps_value",
        "estimated_1rm",
    ]
    fields = [Set._meta.get_field(name) for name in columns]
    values = [
        field.get_db_prep_save(getattr(workout_set, field.attname), connection) for field in fields
    ]
    sets, sessions = quote(Set._meta.db_table), quote(Session._meta.db_table)
    sid, number_column, exercise = quote("session_id"), quote("set_number"), quote("exercise")
    # Warm-ups and working sets are numbered apart: warm-ups do not use up set 1.
    same_kind = (
        f"FROM {sets} x WHERE x.{sid} = s.{quote('id')} AND x.{exercise} = %s "
        f"AND x.{quote('set_type')} {'=' if workout_set.is_warmup else '<>'} %s"
    )
    kind_params = [workout_set.exercise, SetType.WARMUP]
    next_free = f"COALESCE((SELECT MAX(x.{number_column}) {same_kind}), 0) + 1"
    if set_number:
        # A stale tab or an old offline page may send a number already used: the set
        # gets the next free one rather than a second "set 1".
        taken = f"EXISTS (SELECT 1 {same_kind} AND x.{number_column} = %s)"
        number = f"CASE WHEN {taken} THEN {next_free} ELSE %s END"
        number_params = [*kind_params, set_number, *kind_params, set_number]
    else:
        number, number_params = next_free, kind_params
    which = f"AND s.{quote('id')} = %s" if session_id else ""
    # PostgreSQL runs writers side by side: hold the workout's row until the set is in,
    # so that completing it waits (SQLite has one writer at a time anyway).
    hold = "FOR SHARE OF s" if connection.vendor == "postgresql" else ""
    column_names = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {sets} ({sid}, {number_column}, {column_names}) "
        f"SELECT s.{quote('id')}, {number}, {', '.join(['%s'] * len(columns))} FROM {sessions} s "
        f"WHERE s.{quote('owner_id')} = %s AND s.{quote('status')} = %s {which} {hold} "
        f"RETURNING {quote('id')}, {sid}, {number_column}"
    )
    params = [*number_params, *values, owner_id, Session.Status.ACTIVE]
    if session_id:
        params.append(session_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def mark_unsynced(*session_ids):
    """Completed workouts changed: their sheet rows (and records) must follow. One UPDATE
    and one signal for them all: a rename may touch a thousand workouts."""
    completed = Session.objects.filter(pk__in=session_ids, status=Session.Status.COMPLETED)
    if completed.update(synced_to_sheets=False, revision=F("revision") + 1):
        history_changed.send(sender=Session, session_ids=list(session_ids))


class ExerciseRecord(models.Model):
    """A lifter's bests in one exercise over their completed workouts (warm-ups left out).

    Kept up to date by sessions_app.progress.refresh_records() wherever sets change, so
    the progress page reads one row per exercise however long the history. Weights are
    in pounds whatever unit each set was typed in (a kilogram is 2.20462 lb).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_records"
    )
    # exercise_key() of the name, as the database computes it (as Set.objects.named()).
    name_key = models.CharField(max_length=100)
    exercise = models.CharField(max_length=100, help_text="The lifter's most recent spelling.")
    best_1rm_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    heaviest_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    most_reps = models.PositiveIntegerField(null=True)
    sessions = models.PositiveIntegerField(default=0)
    last_done = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name_key"], name="one_record_per_exercise")
        ]

    def __str__(self):
        return f"{self.owner}: {self.exercise}"


class ExerciseWorkout(models.Model):
    """An exercise in one completed workout: its bests there, and whether they beat every
    earlier workout (by date). Kept with ExerciseRecord, so a chart reads one row per
    workout and a summary finds the best before a workout among the records."""

    record = models.ForeignKey(ExerciseRecord, on_delete=models.CASCADE, related_name="workouts")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    completed_at = models.DateTimeField(null=True)
    best_1rm_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    heaviest_lb = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    is_record = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # One exercise's chart, and the records before a workout (its summary).
            models.Index(fields=["record", "date"], name="exercise_workout_by_date"),
        ]

    def __str__(self):
        return f"{self.record} on {self.date}"


class ApiToken(models.Model):
    """A per-user token for the JSON API; only its SHA-256 digest is stored."""

    PREFIX = "wl_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12,
        editable=False,
        help_text="The token's first characters, to tell tokens apart.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"

    def __str__(self):
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def digest_of(raw_token):
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name=""):
        """Create a token and return the only copy of its secret text."""
        raw_token = cls.PREFIX + secrets.token_urlsafe(32)
        cls.objects.create(
            user=user, name=name, digest=cls.digest_of(raw_token), hint=raw_token[:8]
        )
        return raw_token

    @classmethod
    def user_id_for(cls, raw_token, now=None):
        """The id of the token's (active) user, or None.

        Every API call starts here, so it is one plain indexed query: through the ORM
        it cost more than storing the set itself (bench/RESULTS.md).
        """
        User = get_user_model()
        quote = connection.ops.quote_name
        sql = (
            f"SELECT t.{quote('id')}, t.{quote('user_id')}, t.{quote('last_used_at')} "
            f"FROM {quote(cls._meta.db_table)} t JOIN {quote(User._meta.db_table)} u "
            f"ON u.{quote(User._meta.pk.column)} = t.{quote('user_id')} "
            f"WHERE t.{quote('digest')} = %s AND u.{quote('is_active')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [cls.digest_of(raw_token)])
            found = cursor.fetchone()
        if found is None:
            return None
        token_id, user_id, last_used_at = found
        if last_used_at is not None and timezone.is_naive(last_used_at):
            last_used_at = last_used_at.replace(tzinfo=datetime.UTC)  # SQLite keeps UTC
        now = now or timezone.now()
        # Writing on every call would make each API request a write; once a minute is enough.
        if last_used_at is None or (now - last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token_id).update(last_used_at=now)
        return user_id


class LoginThrottle(models.Model):
    """Failed logins counted under one key (a username from one address, a username, an
    address); past its limit the key is locked for a while.

    Counted inside one transaction on the locked row, so guesses sent side by side to
    several web processes are all counted (healthchecks' TokenBucket accepts lost updates).
    """

    # A digest: a username field often holds a password typed in the wrong box.
    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Pruning: rows whose last failure is older than a lockout.
            models.Index(fields=["last_failure_at"], name="login_throttle_age"),
        ]

    def __str__(self):
        return f"{self.key[:12]}…: {self.failures}"

    @staticmethod
    def key_for(*parts):
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    @classmethod
    def locked_until_for(cls, keys, now):
        """When the last of these keys' lockouts ends, or None when none is locked."""
        return cls.objects.filter(key__in=keys, locked_until__gt=now).aggregate(
            until=models.Max("locked_until")
        )["until"]

    @classmethod
    def record_failure(cls, limits, now, lockout):
        """Count one failure under each key ({key: limit}); failures older than a lockout
        are forgotten. A key reaching its limit is locked until now + lockout. Returns the
        latest lockout end among the keys, or None."""
        locked_until = None
        with transaction.atomic():
            # A row quiet for a lockout's length holds nothing that still counts.
            cls.objects.filter(last_failure_at__lt=now - lockout).delete()
            for key, limit in limits.items():
                cls.objects.get_or_create(key=key, defaults={"last_failure_at": now})
                row = cls.objects.select_for_update().get(key=key)
                if row.last_failure_at < now - lockout:
                    row.failures = 0
                row.failures += 1
                row.last_failure_at = now
                if row.failures >= limit:
                    # Locked afresh: after it ends, the key has its whole allowance again.
                    row.failures, row.locked_until = 0, now + lockout
                row.save(update_fields=["failures", "last_failure_at", "locked_until"])
                if row.locked_until and row.locked_until > now:
                    locked_until = max(locked_until or row.locked_until, row.locked_until)
        return locked_until

    @classmethod
    def forget(cls, keys):
        cls.objects.filter(key__in=keys).delete()


class ImportBatch(models.Model):
    """An uploaded export between its preview and the lifter's "Import".

    The file itself is never kept: only what was read from it (`rows`, compressed),
    until the lifter confirms or cancels, and at most BATCH_HOURS. After the import
    only the summary stays, for the page that shows it, until the same expiry.
    """

    BATCH_HOURS = 24

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    file_name = models.CharField(max_length=255, blank=True)
    skip_bad_lines = models.BooleanField(default=False)
    # The records the preview read (importers.RecordedExport); emptied by the import.
    rows = models.BinaryField(null=True, editable=False)
    preview = models.JSONField(default=dict, editable=False)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    result = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.owner})"

    @classmethod
    def expired(cls, now=None):
        now = now or timezone.now()
        return cls.objects.filter(created_at__lt=now - datetime.timedelta(hours=cls.BATCH_HOURS))
