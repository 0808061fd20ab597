"""Progress: every exercise with its record, and one exercise's chart."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms import EXERCISE_MAX_LENGTH
from ..models import LifterProfile
from ..progress import chart_for, exercise_progress, exercise_records


@require_GET
def progress(request):
    unit = LifterProfile.unit_of(request.user.pk)
    context = {"records": exercise_records(request.user, unit), "unit": unit}
    return render(request, "sessions_app/progress.html", context)


@require_GET
def exercise_chart(request):
    exercise = request.GET.get("exercise", "")[:EXERCISE_MAX_LENGTH]
    unit = LifterProfile.unit_of(request.user.pk)
    points = exercise_progress(request.user, exercise, unit) if exercise.strip() else []
    if not points:
        raise Http404("No completed workout has this exercise.")
    chart = chart_for(points)
    context = {
        "exercise": points[-1].exercise,
        "chart": chart,
        "points": chart.points,
        "unit": unit,
    }
    return render(request, "sessions_app/exercise_progress.html", context)
