"""A lifter's own account: kg or lb, changing the password, logging out everywhere, and
their API tokens. (Operators add lifters with `manage.py add_lifter`.)"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..forms import (
    THEME_CHOICES,
    ApiTokenForm,
    BarAndPlatesForm,
    LogOutEverywhereForm,
    ThemeForm,
    ThrottledPasswordChangeForm,
    TimeZoneForm,
    WarmupRampForm,
    WeightUnitForm,
)
from ..models import ApiToken, LifterProfile
from ..models.accounts import time_zone_names
from ..plates import number_text, plates_text
from ..time_zones import remember_zone, zone_name
from ..warmups import ramp_of, ramp_text
from .bodyweight import bodyweight_context

SETTINGS_TEMPLATE = "sessions_app/account/settings.html"
# A new token's secret waits here, in the lifter's own session, for the one page that shows
# it: never in a URL, a message or a log, and gone from the session once shown.
NEW_TOKEN_SESSION_KEY = "new_api_token"
# How the app looks is this browser's choice (a dim gym on the phone, a bright desk at
# home): a cookie base.html reads, so no page costs a query for it.
THEME_COOKIE = "theme"
THEME_COOKIE_DAYS = 400


def needs_unit_choice(user):
    """Until the lifter has chosen kg or lb, the home page asks."""
    return not LifterProfile.objects.filter(user=user).exclude(weight_unit="").exists()


def settings_context(request, **overrides):
    unit = LifterProfile.unit_of(request.user.pk)
    zone = zone_name(request)
    profile = LifterProfile.at_the_bar(request.user.pk)
    bar_and_plates = profile.bar_and_plates()
    context = {
        **bodyweight_context(request, unit),
        "ramp_form": WarmupRampForm(initial={"ramp": ramp_text(ramp_of(profile))}),
        "unit": unit,
        "plates_form": BarAndPlatesForm(
            initial={
                "bar": number_text(bar_and_plates.bar),
                "plates": plates_text(bar_and_plates.plates),
            }
        ),
        "unit_form": WeightUnitForm(initial={"weight_unit": unit}),
        "theme_form": ThemeForm(initial={"theme": theme_of(request)}),
        "zone_form": TimeZoneForm(initial={"time_zone": zone or settings.TIME_ZONE}),
        "zone_chosen": bool(zone),
        "token_form": ApiTokenForm(request=request),
        "logout_form": LogOutEverywhereForm(request=request),
        "tokens": request.user.api_tokens.order_by("-created_at"),
        "new_token": None,
    }
    return {**context, **overrides}


@require_GET
@never_cache
def settings_page(request):
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    return render(request, SETTINGS_TEMPLATE, settings_context(request, new_token=new_token))


@require_POST
def choose_unit(request):
    form = WeightUnitForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("account_settings")
    if not form.is_valid():
        messages.error(request, "Choose kg or lb.")
        return redirect(back)
    unit = form.cleaned_data["weight_unit"]
    LifterProfile.objects.update_or_create(user=request.user, defaults={"weight_unit": unit})
    messages.success(
        request,
        f"New sets are in {unit}. Sets already logged keep the unit they were logged in; "
        "change this any time in Settings.",
    )
    return redirect(back)


@require_POST
def choose_plates(request):
    """The lifter's bar and plates, in their unit (the other unit's stay as they were)."""
    form = BarAndPlatesForm(request.POST)
    if not form.is_valid():
        return render(request, SETTINGS_TEMPLATE, settings_context(request, plates_form=form))
    unit = LifterProfile.unit_of(request.user.pk)
    bar, plates = form.cleaned_data["bar"], plates_text(form.cleaned_data["plates"])
    LifterProfile.objects.update_or_create(
        user=request.user, defaults={f"bar_{unit}": bar, f"plates_{unit}": plates}
    )
    messages.success(request, f"Your bar: {number_text(bar)} {unit}; your plates: {plates}.")
    return redirect(reverse("account_settings") + "#plates-title")


@require_POST
def choose_warmup_ramp(request):
    form = WarmupRampForm(request.POST)
    if not form.is_valid():
        return render(request, SETTINGS_TEMPLATE, settings_context(request, ramp_form=form))
    ramp = ramp_text(form.cleaned_data["ramp"])
    LifterProfile.objects.update_or_create(user=request.user, defaults={"warmup_ramp": ramp})
    messages.success(request, f"Your warm-ups: {ramp}.")
    return redirect(reverse("account_settings") + "#warmups-title")


def theme_of(request):
    theme = request.COOKIES.get(THEME_COOKIE, "system")
    return theme if theme in dict(THEME_CHOICES) else "system"


@require_POST
def choose_theme(request):
    form = ThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the app looks.")
        return redirect("account_settings")
    theme = form.cleaned_data["theme"]
    messages.success(
        request,
        f"Colours: {dict(THEME_CHOICES)[theme].lower()}, on this phone or browser.",
    )
    response = redirect("account_settings")
    response.set_cookie(
        THEME_COOKIE,
        theme,
        max_age=THEME_COOKIE_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_POST
def choose_time_zone(request):
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return render(request, SETTINGS_TEMPLATE, settings_context(request, zone_form=form))
    name = form.cleaned_data["time_zone"]
    LifterProfile.save_time_zone(request.user.pk, name)
    remember_zone(request, request.user.pk, name)
    messages.success(request, f"Your time zone is {name}: today, and every time, follow it.")
    return redirect("account_settings")


@require_POST
def browser_time_zone(request):
    """The zone the browser says, kept the first time only (the lifter's choice in
    Settings is never replaced). Asked by time-zone.js; answers 204 whatever it was."""
    name = request.POST.get("time_zone", "")
    if name in time_zone_names() and LifterProfile.save_time_zone(
        request.user.pk, name, only_if_unset=True
    ):
        remember_zone(request, request.user.pk, name)
    return HttpResponse(status=204)


@require_POST
@never_cache
def create_token(request):
    """Redirects to Settings, which shows the secret once (a reload shows it no more)."""
    form = ApiTokenForm(request.POST, request=request)
    if not form.is_valid():
        return render(request, SETTINGS_TEMPLATE, settings_context(request, token_form=form))
    request.session[NEW_TOKEN_SESSION_KEY] = ApiToken.issue(
        request.user, name=form.cleaned_data["name"]
    )
    return redirect("account_settings")


def revoked_tokens_sentence(form, user):
    """Revokes the lifter's tokens when the form asked to, and says what became of them."""
    if not form.cleaned_data.get("revoke_api_tokens"):
        return "Your API tokens still work."
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count == 0:
        return ""
    return f"and your {count} API token{' was' if count == 1 else 's were'} revoked."


@require_POST
def revoke_token(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    label = f"“{token.name}” ({token.hint}…)" if token.name else f"{token.hint}…"
    messages.success(request, f"Revoked the API token {label}; it no longer works.")
    return redirect("account_settings")


@require_POST
def logout_everywhere(request):
    """Ends every other session: the password is stored again with a new salt, which
    changes the hash each session was signed with (any session backend). This one is
    signed again and stays."""
    form = LogOutEverywhereForm(request.POST, request=request)
    if not form.is_valid():
        context = settings_context(request, logout_form=form)
        return render(request, SETTINGS_TEMPLATE, context)
    user = request.user
    user.set_password(form.cleaned_data["password"])
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    messages.success(request, done_sentence("Logged out on every other device", form, user))
    return redirect("account_settings")


def done_sentence(done, form, user):
    """ "Done, and your 2 API tokens were revoked." or "Done. Your API tokens still work." """
    tokens = revoked_tokens_sentence(form, user)
    if tokens.startswith("and "):
        return f"{done}, {tokens}"
    return f"{done}. {tokens}".strip()


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's view (validators; other sessions end, this one stays), in the app's style."""

    form_class = ThrottledPasswordChangeForm
    template_name = "sessions_app/account/password_change.html"
    success_url = reverse_lazy("account_settings")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        tokens = self.request.user.api_tokens.count()
        return {**super().get_context_data(**kwargs), "api_token_count": tokens}

    def get_success_message(self, cleaned_data):
        return done_sentence(
            "Password changed. Other devices are logged out", self.form, self.request.user
        )

    def form_valid(self, form):
        self.form = form
        return super().form_valid(form)


password_change = PasswordChangeView.as_view()
