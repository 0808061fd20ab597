"""A lifter's exercises: each is a thing with a name, one key and a kind, and every set
and routine exercise points to one.

exercise_key() is the one rule that makes two spellings one exercise ("Bench press",
" bench  PRESS ", "BENCH PRESS"): computed here, in Python, when a name is written, and
stored; the database never lowers a name itself. Exercises without an owner are the
library (a few hundred common exercises, migration 0016, which the starter routines use
too): a lifter's own are made from them, spelled as the library spells them and of their
kind, the first time the lifter names one in any spelling.
"""

import functools
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from .batches import batched
from .history import mark_unsynced
from .units import WeightUnit

NAME_MAX_LENGTH = 100
# Names suggested as a lifter types one: all of their own and the library's, in practice.
SUGGESTIONS = 1000
# Case-folding may lengthen a name ("ß" is "ss"): room for three times the name.
KEY_MAX_LENGTH = 3 * NAME_MAX_LENGTH


def display_name(name):
    """A name as shown and stored: Unicode NFC, trimmed, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


@functools.lru_cache(maxsize=4096)  # an import asks for the same few names many times
def exercise_key(name):
    """What makes names one exercise: display_name(), case-folded (and NFC again, which
    case-folding may undo)."""
    return unicodedata.normalize("NFC", display_name(name).casefold())


class ExerciseKind(models.TextChoices):
    BARBELL = "barbell", "barbell"
    DUMBBELL = "dumbbell", "dumbbell"
    MACHINE = "machine", "machine or cable"
    BODYWEIGHT = "bodyweight", "bodyweight"
    ASSISTED = "assisted", "assisted bodyweight"
    TIMED = "timed", "timed"
    CARDIO = "cardio", "cardio"
    OTHER = "other", "other"


# The equipment Strong and Hevy write after a name: "Bench Press (Barbell)".
SUFFIX_KINDS = {
    "barbell": ExerciseKind.BARBELL,
    "ez bar": ExerciseKind.BARBELL,
    "trap bar": ExerciseKind.BARBELL,
    "dumbbell": ExerciseKind.DUMBBELL,
    "machine": ExerciseKind.MACHINE,
    "cable": ExerciseKind.MACHINE,
    "smith machine": ExerciseKind.MACHINE,
    "plate loaded": ExerciseKind.MACHINE,
    "bodyweight": ExerciseKind.BODYWEIGHT,
    "weighted": ExerciseKind.BODYWEIGHT,
    "weighted bodyweight": ExerciseKind.BODYWEIGHT,
    "reps only": ExerciseKind.BODYWEIGHT,
    "assisted": ExerciseKind.ASSISTED,
    "assisted bodyweight": ExerciseKind.ASSISTED,
    "duration": ExerciseKind.TIMED,
    "cardio": ExerciseKind.CARDIO,
}
SUFFIX = re.compile(r"\(([^()]+)\)\s*$")
# Words that say the kind when no suffix does, tried in this order.
WORD_KINDS = [
    (ExerciseKind.ASSISTED, ("assisted",)),
    (ExerciseKind.DUMBBELL, ("dumbbell", "db ")),
    (ExerciseKind.MACHINE, ("machine", "cable", "pulldown", "pushdown", "leg press", "leg curl")),
    (ExerciseKind.CARDIO, ("running", "treadmill", "cycling", "elliptical", "rowing machine")),
    (ExerciseKind.TIMED, ("plank", "hold", "wall sit")),
    (
        ExerciseKind.BODYWEIGHT,
        ("pull-up", "pull up", "chin-up", "chin up", "push-up", "push up", "dip", "leg raise"),
    ),
    (
        ExerciseKind.BARBELL,
        ("barbell", "back squat", "front squat", "deadlift", "bench press", "overhead press"),
    ),
]


def guessed_kind(name):
    """The kind a name says: its equipment suffix first, else a word in it; "other"."""
    suffix = SUFFIX.search(name)
    if suffix and (kind := SUFFIX_KINDS.get(exercise_key(suffix.group(1)))):
        return kind
    key = exercise_key(name)
    for kind, words in WORD_KINDS:
        if any(word in key for word in words):
            return kind
    return ExerciseKind.OTHER


def unique_for_each_lifter(field, name, shared_name):
    """A value once per lifter, and once among the rows without one (the starters')."""
    return [
        models.UniqueConstraint(fields=["owner", field], name=name),
        models.UniqueConstraint(fields=[field], condition=Q(owner=None), name=shared_name),
    ]


class ExerciseQuerySet(models.QuerySet):
    def owned_by(self, owner):
        return self.filter(owner=owner)

    def named(self, owner, name):
        """The lifter's exercise of this name (any spelling), or None."""
        return self.filter(owner=owner, key=exercise_key(name)).first()

    def library(self):
        return self.filter(owner=None)

    def suggested_names(self, owner, limit=SUGGESTIONS):
        """Names to suggest as the lifter types one: their own first, then the library's
        they do not have (in any spelling). Two queries."""
        own = list(self.owned_by(owner).order_by("key").values_list("key", "name")[:limit])
        taken = {key for key, _ in own}
        library = self.library().order_by("key").values_list("key", "name")
        return [name for _, name in own] + [
            name for key, name in library[: limit + len(taken)] if key not in taken
        ][: max(0, limit - len(own))]


def lifter_or_starters(related_name, help_text):
    """The lifter a row belongs to; empty for what every lifter starts from."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=help_text,
    )


class Exercise(models.Model):
    owner = lifter_or_starters("exercises", "Empty for the library the starter routines use.")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    key = models.CharField(max_length=KEY_MAX_LENGTH, editable=False)
    kind = models.CharField(max_length=12, choices=ExerciseKind, default=ExerciseKind.OTHER)
    # A bar of its own (EZ bar, trap bar: plates.py), in the unit it was typed in; empty:
    # the lifter's bar.
    bar_weight = models.DecimalField(
        "bar weight", max_digits=6, decimal_places=2, null=True, blank=True
    )
    bar_unit = models.CharField(max_length=2, choices=WeightUnit, blank=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = unique_for_each_lifter(
            "key", "one_exercise_per_key", "one_library_exercise_per_key"
        )

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = display_name(self.name)
        self.key = exercise_key(self.name)
        if update_fields := kwargs.get("update_fields"):
            kwargs["update_fields"] = {*update_fields, "key"}
        super().save(*args, **kwargs)

    def clean(self):
        """Two spellings of one name are one exercise: the admin is told, not refused by
        the database."""
        same = Exercise.objects.filter(owner=self.owner, key=exercise_key(self.name))
        if (other := same.exclude(pk=self.pk).first()) is not None:
            raise ValidationError({"name": f"“{other.name}” is this exercise already."})

    @classmethod
    def for_names(cls, owner_id, names):
        """{key: the lifter's exercise} for these names, made where missing: as the
        library spells it and of its kind, else named as first written here, of the kind
        the name says. Three queries at most, whatever the number of names."""
        wanted = {}
        for name in names:
            if shown := display_name(name):
                wanted.setdefault(exercise_key(shown), shown)
        found = cls._by_key(cls.objects.filter(owner_id=owner_id), wanted)
        if missing := {key: wanted[key] for key in wanted.keys() - found.keys()}:
            library = cls._by_key(cls.objects.filter(owner=None), missing)
            new = [
                library[key].copy_for(owner_id)
                if key in library
                else cls(owner_id=owner_id, name=name, key=key, kind=guessed_kind(name))
                for key, name in missing.items()
            ]
            # Another request may make the same one meanwhile: theirs is as good.
            cls.objects.bulk_create(new, ignore_conflicts=True)
            found |= cls._by_key(cls.objects.filter(owner_id=owner_id), missing)
        return found

    def copy_for(self, owner_id):
        """A lifter's own exercise made from this one of the library (unsaved)."""
        return Exercise(owner_id=owner_id, name=self.name, key=self.key, kind=self.kind)

    @staticmethod
    def _by_key(exercises, keys):
        found = {}
        for batch in batched(keys):
            found |= {exercise.key: exercise for exercise in exercises.filter(key__in=batch)}
        return found

    @classmethod
    def named_for(cls, owner_id, name):
        """The lifter's exercise of this name, made if missing."""
        return cls.for_names(owner_id, [name])[exercise_key(name)]

    def rename(self, new_name):
        """One row changes: the sets' text and the sheet follow, once; routines follow
        because they point here. Returns (sets, workouts) changed."""
        with transaction.atomic():
            self.name = new_name
            self.save(update_fields=["name"])
            sets = self.sets.exclude(exercise_name=self.name)
            workout_ids = set(sets.values_list("workout_id", flat=True))
            changed = sets.update(exercise_name=self.name)
            mark_unsynced(*workout_ids)
        return changed, len(workout_ids)

    def merge_into(self, target):
        """This exercise's sets and routine rows become the target's; this one goes. In a
        workout that had both, the target's sets are numbered again in the order they
        were done (warm-ups apart). Returns (sets, workouts) moved."""
        from .records import refresh_records

        with transaction.atomic():
            moving = self.sets.all()
            workout_ids = set(moving.values_list("workout_id", flat=True))
            moved = moving.update(exercise=target, exercise_name=target.name)
            renumber(target.sets.filter(workout_id__in=workout_ids))
            # A routine with both keeps the target's row.
            self.routine_exercises.filter(routine__exercises__exercise=target).delete()
            self.routine_exercises.update(exercise=target)
            self.delete()
            refresh_records(target.owner_id, [target.pk])
            mark_unsynced(*workout_ids)
        return moved, len(workout_ids)


def renumber(sets):
    """Sets numbered 1, 2, … per workout in the order done, warm-ups apart."""
    groups = {}
    for workout_set in sets.order_by("created_at", "pk"):
        groups.setdefault((workout_set.workout_id, workout_set.is_warmup), []).append(workout_set)
    changed = []
    for group in groups.values():
        for number, workout_set in enumerate(group, start=1):
            if workout_set.set_number != number:
                workout_set.set_number = number
                changed.append(workout_set)
    sets.model.objects.bulk_update(changed, ["set_number"])
