"""The lifter's bodyweight: recorded from home, Settings or its own page (one value a
day, the latest counts), and charted with the Progress chart."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import BodyweightForm
from ..models import BodyweightEntry, LifterProfile
from ..progress import TWO_DECIMALS, bodyweight_points, chart_for, weight_text

BODYWEIGHT_TEMPLATE = "sessions_app/bodyweight.html"
ENTRIES_SHOWN = 30


def bodyweight_form(request, unit, data=None):
    return BodyweightForm(data, unit=unit, initial={"day": timezone.localdate()})


def bodyweight_context(request, unit=None):
    """The quick entry of home and Settings: the form, the latest entry."""
    unit = unit or LifterProfile.unit_of(request.user.pk)
    return {
        "bodyweight_form": bodyweight_form(request, unit),
        "latest": BodyweightEntry.objects.filter(owner=request.user).first(),
        "unit": unit,
    }


@require_http_methods(["GET", "POST"])
def bodyweight(request):
    unit = LifterProfile.unit_of(request.user.pk)
    form = bodyweight_form(request, unit, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        day, weight = form.cleaned_data["day"], form.cleaned_data["weight"]
        BodyweightEntry.record(request.user.pk, day, weight, unit)
        messages.success(
            request, f"Bodyweight {weight_text(weight, TWO_DECIMALS)} {unit} on {day:%a %-d %b}."
        )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("bodyweight")
        return redirect(back)
    points = bodyweight_points(request.user, unit)
    chart = chart_for(points) if points else None
    context = {
        "form": form,
        "unit": unit,
        "exercise": "Bodyweight",
        "chart": chart,
        "points": chart.points if chart else [],
        "entries": list(reversed(points))[:ENTRIES_SHOWN],
        "latest": None,
        "form_title": "Record your bodyweight",
    }
    return render(request, BODYWEIGHT_TEMPLATE, context)


@require_POST
def delete_bodyweight(request, day):
    """A mistyped entry taken back; the lifter's bodyweight sets from its day follow."""
    try:
        day = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404("No such day.") from None
    entry = get_object_or_404(BodyweightEntry, owner=request.user, day=day)
    entry.delete()
    messages.success(request, f"Deleted {entry.weight_text} {entry.unit} of {day:%a %-d %b}.")
    return redirect("bodyweight")
