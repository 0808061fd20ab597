"""A lifter's own account: kg or lb, changing the password, logging out everywhere, and
their API tokens. (Operators add lifters with `manage.py add_lifter`.)"""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .login import check_password_throttled
from .models import ApiToken, LifterProfile, WeightUnit

SETTINGS_TEMPLATE = "sessions_app/account/settings.html"


class WeightUnitForm(forms.Form):
    weight_unit = forms.ChoiceField(
        label="Weights in",
        choices=WeightUnit,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose kg or lb."},
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What it is for",
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. phone shortcut", "autocomplete": "off"}),
    )


class CurrentPasswordForm(forms.Form):
    """The lifter's password, for an action that ends their other sessions."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not check_password_throttled(self.request.user, password, self.request):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's form; a wrong old password counts as a failed login."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not check_password_throttled(self.user, old_password, self.request):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


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
