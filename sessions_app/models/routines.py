"""Routines: the exercises of a workout in order, with their targets.

Each lifter has their own. Those without an owner are the starter set, edited only in
the admin and pointing to the exercise library: each lifter gets a copy of them the
first time their routines are used (give_starter_routines), pointing to the lifter's
own exercises, and from then on the copies are theirs to change or delete.
"""

from collections import Counter

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify

from .accounts import LifterProfile
from .exercises import Exercise, lifter_or_starters, unique_for_each_lifter

MAX_ROUTINE_EXERCISES = 30
MAX_TARGET_SETS = 20
DEFAULT_TARGET_SETS = 3
DEFAULT_TARGET_REPS = "8"
DEFAULT_REST_SECONDS = 120
DEFAULT_FAILURES_BEFORE_DELOAD = 3
DEFAULT_DELOAD_PERCENT = 10


class Progression(models.TextChoices):
    """How a routine exercise's target moves from one workout to the next (progression.py)."""

    NONE = "", "none"
    LINEAR = "linear", "linear"
    DOUBLE = "double", "double progression"
    REPS = "reps", "reps only"


class RoutineQuerySet(models.QuerySet):
    def owned_by(self, owner):
        return self.filter(owner=owner)

    def starters(self):
        return self.filter(owner=None)

    def as_cards(self):
        """With what a routine's card on the home page says: its exercises (and theirs),
        and when it was last done (last_done). Two queries."""
        from .workouts import Workout

        done = Q(workouts__status=Workout.Status.COMPLETED)
        return self.annotate(last_done=models.Max("workouts__date", filter=done)).prefetch_related(
            models.Prefetch("exercises", RoutineExercise.objects.select_related("exercise"))
        )

    def for_start(self, owner, slug):
        """The routine a slug names for this lifter: theirs, else the starter of that slug
        (what the JSON API's `template` accepted before lifters had routines)."""
        candidates = self.filter(Q(owner=owner) | Q(owner=None), slug=slug)
        return candidates.order_by(F("owner").asc(nulls_last=True)).first()


class Routine(models.Model):
    owner = lifter_or_starters(
        "routines", "Empty for the starter set every new lifter gets a copy of."
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
        db_table = "sessions_app_workouttemplate"
        ordering = ["position", "name"]
        constraints = unique_for_each_lifter(
            "slug", "routine_slug_per_owner", "starter_routine_slug"
        )

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("routine_editor", args=[self.pk])

    @property
    def planned_sets(self):
        """Every exercise's sets (reads the exercises prefetched by as_cards)."""
        return sum(exercise.target_sets for exercise in self.exercises.all())

    @classmethod
    def create_for(cls, owner, name, exercises=(), rest_seconds=DEFAULT_REST_SECONDS):
        """A new routine of the lifter's, last on their list, with these RoutineExercise
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
                    routine._add_rows(exercises)
                return routine
            except IntegrityError:
                continue  # the same slug taken meanwhile (another tab): look again
        raise IntegrityError(f"Could not find a free routine slug for {base}")

    def _add_rows(self, exercises):
        for position, exercise in enumerate(exercises, start=1):
            exercise.pk, exercise.routine, exercise.position = None, self, position
        RoutineExercise.objects.bulk_create(exercises)

    def copy_exercises(self):
        return [exercise.copy() for exercise in self.exercises.all()]

    def duplicate(self, name=None):
        """A copy of this routine, exercises and targets included, last on the list."""
        name = name or f"{self.name} (copy)"[: self._meta.get_field("name").max_length]
        return Routine.create_for(
            self.owner, name, self.copy_exercises(), rest_seconds=self.rest_seconds
        )

    def add_exercise(self, name, target_sets, target_reps, rest_seconds=None):
        last = self.exercises.aggregate(last=models.Max("position"))["last"] or 0
        return RoutineExercise.objects.create(
            routine=self,
            exercise=Exercise.named_for(self.owner_id, name),
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
        RoutineExercise.objects.bulk_update(changed, ["position"])

    @classmethod
    def from_workout(cls, workout, name):
        """A new routine of the lifter's, made of a finished workout's exercises."""
        source = workout.routine
        rest_seconds = source.rest_seconds if source is not None else DEFAULT_REST_SECONDS
        return cls.create_for(
            workout.owner, name, exercises_done_in(workout), rest_seconds=rest_seconds
        )


class RoutineExercise(models.Model):
    routine = models.ForeignKey(
        Routine, on_delete=models.CASCADE, related_name="exercises", db_column="template_id"
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.RESTRICT, related_name="routine_exercises"
    )
    position = models.PositiveIntegerField(default=0)
    target_sets = models.PositiveSmallIntegerField(default=DEFAULT_TARGET_SETS)
    target_reps = models.CharField(
        max_length=20, default=DEFAULT_TARGET_REPS, help_text='For example "5" or "8-12".'
    )
    rest_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rest after a set; empty uses the routine's."
    )
    progression = models.CharField(
        max_length=10, choices=Progression, blank=True, default=Progression.NONE
    )
    increment = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Weight added on success (reps only: reps or seconds); empty: by the kind.",
    )
    failures_before_deload = models.PositiveSmallIntegerField(
        default=DEFAULT_FAILURES_BEFORE_DELOAD, help_text="Linear: failed workouts in a row."
    )
    deload_percent = models.PositiveSmallIntegerField(default=DEFAULT_DELOAD_PERCENT)
    # Grouped with the exercise above it into a superset (A1, A2, …).
    superset_with_previous = models.BooleanField(default=False)

    class Meta:
        db_table = "sessions_app_templateexercise"
        ordering = ["position", "id"]
        verbose_name = "routine exercise"

    def __str__(self):
        return f"{self.name} {self.target_sets}×{self.target_reps}"

    @property
    def name(self):
        return self.exercise.name

    def copy(self, exercise=None):
        """This row, unsaved, for another routine (pointing to `exercise` if given)."""
        return RoutineExercise(
            exercise_id=exercise.pk if exercise else self.exercise_id,
            target_sets=self.target_sets,
            target_reps=self.target_reps,
            rest_seconds=self.rest_seconds,
            progression=self.progression,
            increment=self.increment,
            failures_before_deload=self.failures_before_deload,
            deload_percent=self.deload_percent,
            superset_with_previous=self.superset_with_previous,
        )


def exercises_done_in(workout):
    """A workout's exercises as routine rows (unsaved), in the order they were first
    done: as many sets as were done (warm-ups apart), the reps done most often, the
    rest times of the routine the workout came from, where it had them, and its
    supersets (an exercise of the same group as the one above joins it)."""
    by_exercise = {}
    for workout_set in workout.sets.select_related("exercise").order_by("created_at", "pk"):
        by_exercise.setdefault(workout_set.exercise_id, []).append(workout_set)
    rests = {}
    if workout.routine is not None:
        rests = {e.exercise.key: e.rest_seconds for e in workout.routine.exercises.all()}
    rows, group_above = [], None
    for done in list(by_exercise.values())[:MAX_ROUTINE_EXERCISES]:
        working = [s for s in done if not s.is_warmup] or done
        reps = Counter(s.reps.strip() for s in working if s.reps.strip())
        group = next((s.superset_group for s in done if s.superset_group is not None), None)
        rows.append(
            RoutineExercise(
                exercise=done[0].exercise,
                target_sets=min(len(working), MAX_TARGET_SETS),
                target_reps=reps.most_common(1)[0][0] if reps else DEFAULT_TARGET_REPS,
                rest_seconds=rests.get(done[0].exercise.key),
                superset_with_previous=group is not None and group == group_above,
            )
        )
        group_above = group
    return rows


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
        taken = set(Routine.objects.owned_by(owner).values_list("slug", flat=True))
        starters = list(
            Routine.objects.starters()
            .exclude(slug__in=taken)
            .prefetch_related("exercises__exercise")
        )
        library = [row.exercise for starter in starters for row in starter.exercises.all()]
        own = Exercise.for_names(owner.pk, [exercise.name for exercise in library])
        for starter in starters:
            copy = Routine.objects.create(
                owner=owner,
                name=starter.name,
                slug=starter.slug,
                position=starter.position,
                rest_seconds=starter.rest_seconds,
            )
            copy._add_rows([row.copy(own[row.exercise.key]) for row in starter.exercises.all()])
