"""The lifter's "Your Google Sheet" page (linked from Settings): share, check, connect,
sync now, disconnect. Every answer from Google comes from the worker, never from here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from .connection import (
    CannotConnect,
    connect,
    disconnect,
    lifter_sync_state,
    request_check,
    service_account_email,
)
from .forms import ConnectSheetForm, SheetAddressForm
from .models import SheetCheck, SheetsProfile
from .sheets import has_credentials
from .tasks import enqueue_sync

PAGE = "sync_app/sheet.html"
# Past this, a check still waiting means the worker is not running (or its task was lost).
CHECK_SLOW_AFTER_SECONDS = 60


def page_context(request, address_form=None, connect_form=None):
    check = SheetCheck.objects.filter(user=request.user).first()
    state = lifter_sync_state(request.user)
    if address_form is None:
        initial = {"worksheet": "Log"}
        if check is not None:
            initial = {"sheet": check.spreadsheet_id, "worksheet": check.worksheet}
        elif state.own_sheet:
            initial = {"sheet": state.target.spreadsheet_id, "worksheet": state.target.worksheet}
        address_form = SheetAddressForm(initial=initial)
    if connect_form is None and check is not None:
        connect_form = ConnectSheetForm(
            initial={"spreadsheet_id": check.spreadsheet_id, "worksheet": check.worksheet}
        )
    waited = (timezone.now() - check.requested_at).total_seconds() if check else 0
    return {
        "check": check,
        "check_is_slow": check is not None and waited > CHECK_SLOW_AFTER_SECONDS,
        "checking": check is not None and check.outcome == SheetCheck.Outcome.CHECKING,
        "connected_to_check": check is not None
        and state.own_sheet
        and (state.target.spreadsheet_id, state.target.worksheet)
        == (check.spreadsheet_id, check.worksheet),
        "state": state,
        "email": service_account_email(request.user),
        "moved_from": SheetsProfile.objects.filter(user=request.user)
        .values_list("moved_from_account", flat=True)
        .first(),
        "configured": has_credentials(),
        "address_form": address_form,
        "connect_form": connect_form,
    }


def back_to_page(request):
    return HttpResponseClientRedirect(reverse("my_sheet")) if request.htmx else redirect("my_sheet")


@require_GET
def sheet_page(request):
    """The page; for htmx, the check's answer alone (polled while the worker checks)."""
    template = f"{PAGE}#check" if request.htmx else PAGE
    return render(request, template, page_context(request))


@require_POST
def check_sheet(request):
    form = SheetAddressForm(request.POST)
    if not form.is_valid():
        context = page_context(request, address_form=form)
        if not request.htmx:
            return render(request, PAGE, context)
        response = render(request, f"{PAGE}#check-form", context)
        return reswap(retarget(response, "#sheet-check-form"), "outerHTML")
    request_check(request.user, form.cleaned_data["sheet"], form.cleaned_data["worksheet"])
    if request.htmx:
        return render(request, f"{PAGE}#check", page_context(request))
    return redirect("my_sheet")


@require_POST
def connect_sheet(request):
    form = ConnectSheetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check your sheet first.")
        return back_to_page(request)
    data = form.cleaned_data
    try:
        connect(request.user, data["spreadsheet_id"], data["worksheet"], data["rows_are_mine"])
    except CannotConnect as error:
        messages.error(request, str(error))
        return back_to_page(request)
    messages.success(
        request,
        f"Connected: your workouts go to the tab “{data['worksheet']}” from now on, your past "
        "ones included, within a few minutes.",
    )
    return back_to_page(request)


@require_POST
def disconnect_sheet(request):
    disconnect(request.user)
    messages.success(
        request,
        "Disconnected: nothing more goes to a sheet. Nothing was deleted: your workouts stay "
        "here and the sheet keeps its rows. Connect again any time.",
    )
    return back_to_page(request)


@require_POST
def sync_now(request):
    state = lifter_sync_state(request.user)
    if state.target is None or not has_credentials():
        messages.error(request, "Connect a sheet first.")
    else:
        enqueue_sync()
        messages.success(request, "Sync queued: your waiting workouts go to the sheet in a moment.")
    return back_to_page(request)
