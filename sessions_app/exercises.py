"""A lifter's exercises, as named in what they logged: the list (workouts and record of
each), renaming one, and merging a misspelling into the real one.

Names match trimmed and whatever their case (Set.objects.named); the list shows the
spelling the lifter used most. Renaming and merging change past sets, so each completed
workout they touch is marked for the sheet to rewrite its rows (an .update() sends no
post_save, so the sync would not hear of it otherwise).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Count, Max, Q, When
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .forms import EXERCISE_MAX_LENGTH
from .models import LifterProfile, Session, Set, SetType, WeightUnit, mark_unsynced
from .progress import ONE_DECIMAL, in_unit, refresh_records

# What numbers.parse_weight reads as bodyweight plus a load.
BODYWEIGHT = Q(weight__istartswith="bw") | Q(weight__istartswith="body")


@dataclass
class Exercise:
    key: str  # the name lowercased, as the database compares it
    name: str = ""  # the spelling used most
    workouts: int = 0
    last_done: object = None
    record: Decimal | None = None  # best estimated 1RM, in the lifter's unit
    on_bodyweight: bool = False  # the record is a load added to bodyweight ("BW+10")
    spellings: dict = field(default_factory=dict)  # {spelling: sets}

    @property
    def other_spellings(self):
        return [spelling for spelling in self.spellings if spelling != self.name]


def logged_sets(owner):
    """The lifter's sets that count as logged: completed workouts and the one in progress."""
    return Set.objects.filter(session__owner=owner).exclude(
        session__status=Session.Status.CANCELLED
    )


def lifter_exercises(owner, unit=WeightUnit.LB):
    """Every exercise the lifter has logged, by name; three queries.

    The record is a plain aggregate for now (progress.py owns records): the highest
    estimated 1RM of the non-warm-up sets of completed workouts, per unit the sets were
    logged in, converted to the lifter's unit.
    """
    sets = logged_sets(owner).annotate(name_key=Lower("exercise"))
    exercises = {}
    totals = sets.values("name_key").annotate(
        workouts=Count("session", distinct=True), last_done=Max("session__date")
    )
    for row in totals:
        exercises[row["name_key"]] = Exercise(
            row["name_key"], workouts=row["workouts"], last_done=row["last_done"]
        )
    spellings = (
        sets.values("name_key", "exercise")
        .annotate(used=Count("id"), latest=Max("created_at"))
        .order_by("-used", "-latest")
    )
    for row in spellings:
        exercise = exercises[row["name_key"]]
        exercise.spellings[row["exercise"]] = row["used"]
        exercise.name = exercise.name or row["exercise"]  # most used, then latest
    records = (
        sets.filter(session__status=Session.Status.COMPLETED, estimated_1rm__isnull=False)
        .exclude(set_type=SetType.WARMUP)
        .annotate(on_bodyweight=Case(When(BODYWEIGHT, then=True), default=False))
        .values("name_key", "unit", "on_bodyweight")
        .annotate(best=Max("estimated_1rm"))
        # A load on top of bodyweight ("BW+10") is no match for a barbell's: it counts
        # only where the exercise has no other record.
        .order_by("on_bodyweight")
    )
    for row in records:
        exercise = exercises[row["name_key"]]
        if row["on_bodyweight"] and exercise.record is not None and not exercise.on_bodyweight:
            continue
        exercise.on_bodyweight = row["on_bodyweight"]
        best = in_unit(row["best"], row["unit"], unit).quantize(ONE_DECIMAL)
        exercise.record = max(exercise.record or best, best)
    return sorted(exercises.values(), key=lambda exercise: exercise.name.casefold())


def find_exercise(owner, name, exercises):
    """The lifter's exercise of that name (any case, trimmed) among theirs, or 404."""
    wanted = logged_sets(owner).named(name).values_list(Lower("exercise"), flat=True).first()
    exercise = next((e for e in exercises if e.key == wanted), None)
    if exercise is None:
        raise Http404("You have logged no exercise of that name.")
    return exercise


@dataclass
class Changed:
    sets: int
    workouts: int


def rename_exercise(owner, exercise, new_name):
    """Every set of the exercise takes the new name; returns what changed."""
    with transaction.atomic():
        sets = logged_sets(owner).named(exercise.name).exclude(exercise=new_name)
        session_ids = set(sets.values_list("session_id", flat=True))
        changed = sets.update(exercise=new_name)
        mark_unsynced(*session_ids)
        refresh_records(owner.pk, [exercise.name])  # the old name has no sets left
    return Changed(changed, len(session_ids))


def merge_exercise(owner, source, target):
    """The source's sets become the target's, under its name. In a workout that had
    both, the target's sets are numbered again in the order they were done, so that no
    two share a number (warm-ups apart, as when logging)."""
    with transaction.atomic():
        moving = logged_sets(owner).named(source.name)
        session_ids = set(moving.values_list("session_id", flat=True))
        changed = moving.update(exercise=target.name)
        renumber(Set.objects.filter(session_id__in=session_ids).named(target.name))
        mark_unsynced(*session_ids)
        refresh_records(owner.pk, [source.name])
    return Changed(changed, len(session_ids))


def renumber(sets):
    groups = defaultdict(list)
    for workout_set in sets.order_by("created_at", "pk"):
        groups[workout_set.session_id, workout_set.is_warmup].append(workout_set)
    changed = []
    for group in groups.values():
        for number, workout_set in enumerate(group, start=1):
            if workout_set.set_number != number:
                workout_set.set_number = number
                changed.append(workout_set)
    Set.objects.bulk_update(changed, ["set_number"])


class RenameExerciseForm(forms.Form):
    name = forms.CharField(label="New name", max_length=EXERCISE_MAX_LENGTH)

    def __init__(self, *args, owner, exercise, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.exercise = owner, exercise
        self.fields["name"].initial = exercise.name

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name in self.exercise.spellings and len(self.exercise.spellings) == 1:
            raise forms.ValidationError("That is its name already.")
        # Another exercise already has this name (whatever its case): that is a merge.
        sets = logged_sets(self.owner)
        other = sets.named(name).exclude(pk__in=sets.named(self.exercise.name).values("pk"))
        if other_name := other.values_list("exercise", flat=True).first():
            raise forms.ValidationError(
                f"You already have “{other_name}”. To combine the two, use Merge below."
            )
        return name


class MergeExerciseForm(forms.Form):
    into = forms.ChoiceField(label="Merge into")

    def __init__(self, *args, exercise, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {other.key: other for other in others}
        self.fields["into"].choices = [("", "Choose an exercise")] + [
            (other.key, f"{other.name} ({other.workouts} workout{'s' * (other.workouts != 1)})")
            for other in others
        ]
        self.fields["into"].error_messages["invalid_choice"] = "Choose one of your exercises."

    def clean_into(self):
        return self.others[self.cleaned_data["into"]]


@require_GET
def exercise_list(request):
    unit = LifterProfile.unit_of(request.user.pk)
    context = {"exercises": lifter_exercises(request.user, unit), "unit": unit}
    return render(request, "sessions_app/exercises/list.html", context)


@require_http_methods(["GET", "POST"])
def exercise_detail(request):
    """One exercise, renamed or merged: ?name= says which (any case)."""
    unit = LifterProfile.unit_of(request.user.pk)
    exercises = lifter_exercises(request.user, unit)
    name = request.GET.get("name", "")[:EXERCISE_MAX_LENGTH]
    exercise = find_exercise(request.user, name, exercises)
    others = [e for e in exercises if e.key != exercise.key]
    action = request.POST.get("action") if request.method == "POST" else None
    rename_form = RenameExerciseForm(
        request.POST if action == "rename" else None, owner=request.user, exercise=exercise
    )
    merge_form = MergeExerciseForm(
        request.POST if action == "merge" else None, exercise=exercise, others=others
    )
    if action == "rename" and rename_form.is_valid():
        new_name = rename_form.cleaned_data["name"]
        changed = rename_exercise(request.user, exercise, new_name)
        messages.success(
            request,
            f"Renamed “{exercise.name}” to “{new_name}” in {plural(changed.workouts, 'workout')}.",
        )
        return redirect(reverse("exercise_list"))
    if action == "merge" and merge_form.is_valid():
        target = merge_form.cleaned_data["into"]
        changed = merge_exercise(request.user, exercise, target)
        messages.success(
            request,
            f"Merged “{exercise.name}” into “{target.name}”: "
            f"{plural(changed.sets, 'set')} in {plural(changed.workouts, 'workout')} moved.",
        )
        return redirect(reverse("exercise_list"))
    context = {
        "exercise": exercise,
        "unit": unit,
        "rename_form": rename_form,
        "merge_form": merge_form,
        "has_others": bool(others),
    }
    return render(request, "sessions_app/exercises/detail.html", context)


def plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"
