"""Logging in, slowed against guessing: failed logins are counted per username from one
address, per username, and per address (see LoginThrottle); past a limit, that key is
locked for LOGIN_LOCKOUT_MINUTES and no password is checked meanwhile."""

import datetime
import math

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from .models import LoginThrottle


def client_address(request):
    """The caller's address; behind a proxy, the one the proxy saw (the last hop)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def own_key(username, address):
    """This username from this address. Usernames pool whatever their case and spaces."""
    return LoginThrottle.key_for("username+address", username.strip().casefold(), address)


def throttle_keys(username, address):
    """{key: failures allowed} for a login attempt."""
    return {
        own_key(username, address): settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS,
        LoginThrottle.key_for("username", username.strip().casefold()): (
            settings.LOGIN_FAILURES_PER_USERNAME
        ),
        LoginThrottle.key_for("address", address): settings.LOGIN_FAILURES_PER_ADDRESS,
    }


def locked_out_error(locked_until, now):
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return forms.ValidationError(
        "Too many failed logins. For safety, logging in is paused: "
        f"try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        code="locked_out",
    )


def check_password_throttled(user, password, request):
    """The lifter's password, checked inside the app (changing it, logging out
    everywhere): wrong ones count as failed logins, so a borrowed phone's open session
    is no way around the lockout. Raises the lockout's ValidationError."""
    now, address = timezone.now(), client_address(request)
    keys = throttle_keys(user.get_username(), address)
    if locked_until := LoginThrottle.locked_until_for(list(keys), now):
        raise locked_out_error(locked_until, now)
    if user.check_password(password):
        return True
    lockout = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    if locked_until := LoginThrottle.record_failure(keys, now, lockout):
        raise locked_out_error(locked_until, now)
    return False


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        now, address = timezone.now(), client_address(self.request)
        keys = throttle_keys(username, address)
        if locked_until := LoginThrottle.locked_until_for(list(keys), now):
            raise locked_out_error(locked_until, now)
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                lockout = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                if locked_until := LoginThrottle.record_failure(keys, now, lockout):
                    raise locked_out_error(locked_until, now) from None
            raise
        # This lifter from this address is known now; other keys keep their counts, so
        # that one good login does not hand a guesser elsewhere a fresh allowance.
        LoginThrottle.forget([own_key(username, address)])
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login counts and locks the same way: it is no way around the limit."""
