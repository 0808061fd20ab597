"""A lifter's own account: kg or lb, changing the password, logging out everywhere, and
their API tokens. (Operators add lifters with `manage.py add_lifter`.)"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..forms import (
    ApiTokenForm,
    CurrentPasswordForm,
    ThrottledPasswordChangeForm,
    WeightUnitForm,
)
from ..models import ApiToken, LifterProfile

SETTINGS_TEMPLATE = "sessions_app/account/settings.html"


def needs_unit_choice(user):
    """Until the lifter has chosen kg or lb, the home page asks."""
    return not LifterProfile.objects.filter(user=user).exclude(weight_unit="").exists()


def settings_context(request, **overrides):
    unit = LifterProfile.unit_of(request.user.pk)
    context = {
        "unit_form": WeightUnitForm(initial={"weight_unit": unit}),
        "token_form": ApiTokenForm(),
        "logout_form": CurrentPasswordForm(request=request),
        "tokens": request.user.api_tokens.order_by("-created_at"),
        "new_token": None,
    }
    return {**context, **overrides}


@require_GET
@never_cache
def settings_page(request):
    return render(request, SETTINGS_TEMPLATE, settings_context(request))


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
@never_cache
def create_token(request):
    """The secret is in this response only: never in a message, a log or a redirect."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, SETTINGS_TEMPLATE, settings_context(request, token_form=form))
    new_token = ApiToken.issue(request.user, name=form.cleaned_data["name"])
    return render(request, SETTINGS_TEMPLATE, settings_context(request, new_token=new_token))


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
    form = CurrentPasswordForm(request.POST, request=request)
    if not form.is_valid():
        context = settings_context(request, logout_form=form)
        return render(request, SETTINGS_TEMPLATE, context)
    user = request.user
    user.set_password(form.cleaned_data["password"])
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    messages.success(
        request,
        "Logged out on every other device. API tokens still work: revoke them below if needed.",
    )
    return redirect("account_settings")


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's view (validators; other sessions end, this one stays), in the app's style."""

    form_class = ThrottledPasswordChangeForm
    template_name = "sessions_app/account/password_change.html"
    success_url = reverse_lazy("account_settings")
    success_message = "Password changed. Other devices are logged out."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


password_change = PasswordChangeView.as_view()
