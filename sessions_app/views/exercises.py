"""A lifter's exercises: the list (workouts and record of each), and one exercise's
page, to change its kind, rename it, or merge a misspelling into another.

Renaming and merging are the exercise's own methods (models/exercises.py): the sets'
text, the sheet and the records follow there.
"""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Case, Count, Max, Q, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from ..forms import (
    EXERCISE_MAX_LENGTH,
    ExerciseBarForm,
    ExerciseKindForm,
    MergeExerciseForm,
    RenameExerciseForm,
)
from ..models import Exercise, LifterProfile, Set, SetType, WeightUnit, Workout
from ..models.units import in_unit
from ..plates import exercise_bar, number_text
from ..progress import ONE_DECIMAL

# What numbers.parse_weight reads as bodyweight plus a load.
BODYWEIGHT = Q(weight__istartswith="bw") | Q(weight__istartswith="body")
LOGGED = Q(sets__workout__status__in=[Workout.Status.ACTIVE, Workout.Status.COMPLETED])


def lifter_exercises(owner, unit=WeightUnit.LB):
    """Every exercise the lifter has logged (in a completed workout or the one in
    progress), with its workouts, when last done and its record; two queries.

    best_1rm is the highest estimated 1RM of the non-warm-up sets of completed
    workouts, converted to the lifter's unit. A load on top of bodyweight ("BW+10") is
    no match for a barbell's: it counts only where the exercise has no other record.
    """
    exercises = list(
        Exercise.objects.owned_by(owner)
        .annotate(
            workouts=Count("sets__workout", filter=LOGGED, distinct=True),
            last_done=Max("sets__workout__date", filter=LOGGED),
        )
        .filter(workouts__gt=0)
    )
    by_id = {exercise.pk: exercise for exercise in exercises}
    for exercise in exercises:
        exercise.best_1rm, exercise.on_bodyweight = None, False
    bests = (
        Set.objects.filter(
            exercise__in=exercises,
            workout__status=Workout.Status.COMPLETED,
            estimated_1rm__isnull=False,
        )
        .exclude(set_type=SetType.WARMUP)
        .annotate(on_bodyweight=Case(When(BODYWEIGHT, then=True), default=False))
        .values("exercise_id", "unit", "on_bodyweight")
        .annotate(best=Max("estimated_1rm"))
        .order_by("on_bodyweight")
    )
    for row in bests:
        exercise = by_id[row["exercise_id"]]
        if row["on_bodyweight"] and exercise.best_1rm is not None and not exercise.on_bodyweight:
            continue
        exercise.on_bodyweight = row["on_bodyweight"]
        best = in_unit(row["best"], row["unit"], unit).quantize(ONE_DECIMAL)
        exercise.best_1rm = max(exercise.best_1rm or Decimal(0), best)
    return sorted(exercises, key=lambda exercise: exercise.key)


@require_GET
def exercise_list(request):
    unit = LifterProfile.unit_of(request.user.pk)
    context = {"exercises": lifter_exercises(request.user, unit), "unit": unit}
    return render(request, "sessions_app/exercises/list.html", context)


@require_http_methods(["GET", "POST"])
def exercise_detail(request):
    """One exercise, its kind changed, renamed or merged: ?name= says which (any spelling)."""
    unit = LifterProfile.unit_of(request.user.pk)
    exercises = lifter_exercises(request.user, unit)
    name = request.GET.get("name", "")[:EXERCISE_MAX_LENGTH]
    exercise = Exercise.objects.named(request.user, name)
    if exercise is None:
        raise Http404("You have no exercise of that name.")
    shown = next((e for e in exercises if e.pk == exercise.pk), None)
    if shown is not None:
        exercise = shown
    else:
        exercise.workouts, exercise.best_1rm, exercise.on_bodyweight = 0, None, False
    others = [e for e in exercises if e.pk != exercise.pk]
    action = request.POST.get("action") if request.method == "POST" else None
    kind_form = ExerciseKindForm(request.POST if action == "kind" else None, instance=exercise)
    rename_form = RenameExerciseForm(
        request.POST if action == "rename" else None, exercise=exercise
    )
    merge_form = MergeExerciseForm(request.POST if action == "merge" else None, others=others)
    bar = exercise_bar(exercise, unit)
    bar_form = ExerciseBarForm(
        request.POST if action == "bar" else None,
        initial={"bar_weight": None if bar is None else number_text(bar)},
    )
    if action == "bar" and bar_form.is_valid():
        exercise.bar_weight = bar_form.cleaned_data["bar_weight"]
        exercise.bar_unit = "" if exercise.bar_weight is None else unit
        exercise.save(update_fields=["bar_weight", "bar_unit"])
        bar_text = "your usual bar" if exercise.bar_weight is None else "a bar of "
        if exercise.bar_weight is not None:
            bar_text += f"{number_text(exercise.bar_weight)} {unit}"
        messages.success(request, f"{exercise.name} is loaded on {bar_text}.")
        return redirect(detail_url(exercise))
    if action == "kind" and kind_form.is_valid():
        kind_form.save()
        messages.success(request, f"{exercise.name} is a {exercise.get_kind_display()} exercise.")
        return redirect(detail_url(exercise))
    if action == "rename" and rename_form.is_valid():
        old_name, new_name = exercise.name, rename_form.cleaned_data["name"]
        _, workouts = exercise.rename(new_name)
        messages.success(
            request, f"Renamed “{old_name}” to “{exercise.name}” in {plural(workouts, 'workout')}."
        )
        return redirect(reverse("exercise_list"))
    if action == "merge" and merge_form.is_valid() and not request.POST.get("confirm"):
        # It cannot be undone: the question first, with what it will move.
        target = merge_form.cleaned_data["into"]
        context = {"exercise": exercise, "target": target, "sets": exercise.sets.count()}
        return render(request, "sessions_app/exercises/merge.html", context)
    if action == "merge" and merge_form.is_valid():
        target = merge_form.cleaned_data["into"]
        moved, workouts = exercise.merge_into(target)
        messages.success(
            request,
            f"Merged “{exercise.name}” into “{target.name}”: "
            f"{plural(moved, 'set')} in {plural(workouts, 'workout')} moved.",
        )
        return redirect(reverse("exercise_list"))
    context = {
        "exercise": exercise,
        "unit": unit,
        "kind_form": kind_form,
        "rename_form": rename_form,
        "merge_form": merge_form,
        "bar_form": bar_form,
        "has_others": bool(others),
    }
    return render(request, "sessions_app/exercises/detail.html", context)


def detail_url(exercise):
    return f"{reverse('exercise_detail')}?{urlencode({'name': exercise.name})}"


def plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"
