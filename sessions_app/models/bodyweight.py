"""A lifter's bodyweight, one value a day, and what it does to their bodyweight sets.

A set on bodyweight (an exercise of kind bodyweight or assisted, or a weight written
"BW", "BW+25", "BW-20") keeps, in Set.bodyweight, the lifter's bodyweight on its
workout's day (the latest entry on or before it), in the set's unit: its load is then
bodyweight + what was added (assisted: bodyweight − the assistance), and its estimated
1RM and volume follow (Set.read_numbers, volume_of: the one place they are computed).
Until a lifter records a bodyweight, nothing of this applies: their sets read as before.

Which workouts follow: a completed workout takes its day's bodyweight when it is
completed, imported, or its date or sets change; a new, changed or deleted entry applies
again to the lifter's completed workouts from its day on, and their records follow.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from .exercises import ExerciseKind
from .units import WeightUnit, in_unit

ON_BODYWEIGHT_KINDS = (ExerciseKind.BODYWEIGHT, ExerciseKind.ASSISTED)
# What numbers.parse_weight reads as bodyweight plus a load.
WRITTEN_ON_BODYWEIGHT = Q(weight__istartswith="bw") | Q(weight__istartswith="body")
HUNDREDTH = Decimal("0.01")


class BodyweightEntry(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bodyweights"
    )
    day = models.DateField()
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    unit = models.CharField(max_length=2, choices=WeightUnit)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "day"], name="one_bodyweight_a_day"),
        ]
        verbose_name_plural = "bodyweight entries"

    def __str__(self):
        return f"{self.owner} on {self.day}: {self.weight} {self.unit}"

    @property
    def weight_text(self):
        """ "80.5", "80" (as typed, without trailing zeros)."""
        from ..plates import number_text

        return number_text(self.weight)

    @classmethod
    def record(cls, owner_id, day, weight, unit):
        """The lifter's bodyweight of that day (a second entry of a day replaces the
        first); their bodyweight sets from that day on follow. Returns the entry."""
        with transaction.atomic():
            entry, _ = cls.objects.update_or_create(
                owner_id=owner_id, day=day, defaults={"weight": weight, "unit": unit}
            )
        apply_bodyweight(owner_id, since=day)
        return entry

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        apply_bodyweight(self.owner_id, since=self.day)
        return deleted


def bodyweight_on(entries, day):
    """The latest of entries (newest first: (day, weight, unit)) on or before day."""
    return next(((weight, unit) for entry_day, weight, unit in entries if entry_day <= day), None)


def is_on_bodyweight(workout_set):
    """An exercise of kind bodyweight or assisted, or a weight written "BW…"."""
    if workout_set.exercise.kind in ON_BODYWEIGHT_KINDS:
        return True
    return (workout_set.weight or "").strip().lower().startswith(("bw", "body"))


def apply_bodyweight(owner_id, workout_ids=None, since=None, refresh=True):
    """Give the bodyweight sets of the lifter's completed workouts (these, or those from
    the day since on) their day's bodyweight and the figures that follow; refresh: their
    records too (a caller about to compute them says False). Returns the exercise ids
    changed. Two queries when nothing changes."""
    from .records import refresh_records
    from .workouts import Set, Workout

    entries = list(
        BodyweightEntry.objects.filter(owner_id=owner_id).values_list("day", "weight", "unit")
    )
    if not entries and since is None:
        return set()  # never recorded: nothing to give, nothing given before
    sets = Set.objects.filter(workout__owner_id=owner_id, workout__status=Workout.Status.COMPLETED)
    # Sets on bodyweight, and those that were (a set changed to another exercise).
    on_bodyweight = Q(exercise__kind__in=ON_BODYWEIGHT_KINDS) | WRITTEN_ON_BODYWEIGHT
    sets = sets.filter(on_bodyweight | Q(bodyweight__isnull=False))
    if workout_ids is not None:
        sets = sets.filter(workout_id__in=list(workout_ids))
    if since is not None:
        sets = sets.filter(workout__date__gte=since)
    changed = []
    for workout_set in sets.select_related("workout", "exercise").only(
        "weight", "reps", "unit", "bodyweight", "workout__date", "exercise__kind"
    ):
        found = bodyweight_on(entries, workout_set.workout.date)
        bodyweight = None
        if found is not None and is_on_bodyweight(workout_set):
            weight, unit = found
            bodyweight = Decimal(in_unit(weight, unit, workout_set.unit)).quantize(HUNDREDTH)
        if bodyweight != workout_set.bodyweight:
            workout_set.bodyweight = bodyweight
            workout_set.read_numbers()
            changed.append(workout_set)
    if not changed:
        return set()
    with transaction.atomic():
        Set.objects.bulk_update(changed, ["bodyweight", "estimated_1rm"], batch_size=500)
    exercise_ids = {workout_set.exercise_id for workout_set in changed}
    if refresh:
        refresh_records(owner_id, exercise_ids)
    return exercise_ids
