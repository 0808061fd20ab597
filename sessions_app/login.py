"""Logging in, slowed against guessing without letting a guesser lock a lifter out.

Failed logins are counted under keys (see LoginThrottle). Which keys an attempt counts
under depends on where it comes from:

- a browser the lifter logged in with before (a signed "known device" cookie): that
  browser's own count for the lifter, nothing else;
- an address the lifter logged in from before: the count for the lifter from that
  address, nothing else;
- anywhere else: the lifter from that address, the lifter from anywhere, and the address
  whatever the username.

Past a key's free failures, every attempt under it waits a delay (no password is checked
meanwhile) that doubles with each further failure, up to LOGIN_DELAY_MAX_MINUTES. A
key's count is forgotten LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS after its last failure.
So guesses from elsewhere only ever slow down attempts from elsewhere.
"""

import datetime
import math
import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.utils import timezone

from .models import LoginThrottle

KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "sessions_app.login.known-device"
# Lifters remembered per browser (a family's shared tablet); the oldest goes first.
KNOWN_LIFTERS_PER_DEVICE = 5


def client_address(request):
    """The caller's address; behind a proxy, the one the proxy saw (the last hop)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def pooled(username):
    """Usernames pool whatever their case and surrounding spaces."""
    return username.strip().casefold()


@dataclass(frozen=True)
class KnownDevice:
    """What the known-device cookie says: the browser's own id, and the lifters (digests
    of their usernames) who logged in with it, each with the day of their last login.
    Signed with the instance's secret key: it cannot be made up or edited."""

    device: str
    lifters: dict

    @classmethod
    def of(cls, request, now):
        value = request.COOKIES.get(KNOWN_DEVICE_COOKIE, "")
        oldest = (now - datetime.timedelta(days=settings.LOGIN_KNOWN_DEVICE_DAYS)).timestamp()
        try:
            found = signing.loads(value, salt=KNOWN_DEVICE_SALT)
            lifters = {
                str(lifter): float(since)
                for lifter, since in found["lifters"].items()
                if float(since) >= oldest
            }
            return cls(str(found["device"]), lifters)
        except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
            return cls(secrets.token_urlsafe(16), {})

    def knows(self, username):
        return LoginThrottle.username_key_for(pooled(username)) in self.lifters

    def with_lifter(self, username, now):
        lifter = LoginThrottle.username_key_for(pooled(username))
        others = sorted(
            (item for item in self.lifters.items() if item[0] != lifter), key=lambda item: item[1]
        )
        kept = dict(others[-(KNOWN_LIFTERS_PER_DEVICE - 1) :])
        return KnownDevice(self.device, {**kept, lifter: now.timestamp()})

    def cookie_value(self):
        return signing.dumps(
            {"device": self.device, "lifters": self.lifters}, salt=KNOWN_DEVICE_SALT
        )


@dataclass(frozen=True)
class Attempt:
    """One login attempt: the keys it counts under ({key: (free failures, username key)}),
    and those of them that are the lifter's alone (this browser's count)."""

    username: str
    address: str
    device: KnownDevice
    keys: dict
    own_keys: tuple = ()

    @property
    def username_key(self):
        return LoginThrottle.username_key_for(pooled(self.username))

    @property
    def place_key(self):
        """This lifter from this address: the key a success marks as known."""
        return LoginThrottle.key_for("username+address", pooled(self.username), self.address)


def attempt_for(username, request, now):
    address, device = client_address(request), KnownDevice.of(request, now)
    name = pooled(username)
    lifter = LoginThrottle.username_key_for(name)
    per_place = (settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS, lifter)
    place_key = LoginThrottle.key_for("username+address", name, address)
    if device.knows(username):
        device_key = LoginThrottle.key_for("username+device", name, device.device)
        return Attempt(username, address, device, {device_key: per_place}, (device_key,))
    if LoginThrottle.is_known_place(place_key, now):
        return Attempt(username, address, device, {place_key: per_place})
    keys = {
        place_key: per_place,
        LoginThrottle.key_for("username", name): (settings.LOGIN_FAILURES_PER_USERNAME, lifter),
        LoginThrottle.key_for("address", address): (settings.LOGIN_FAILURES_PER_ADDRESS, ""),
    }
    return Attempt(username, address, device, keys)


def paused_error(locked_until, now):
    seconds = max(1, math.ceil((locked_until - now).total_seconds()))
    if seconds < 60:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return forms.ValidationError(
        f"Too many failed logins. For safety, logging in is paused: try again in {wait}.",
        code="locked_out",
    )


def refuse_while_paused(attempt, now):
    if locked_until := LoginThrottle.locked_until_for(list(attempt.keys), now):
        raise paused_error(locked_until, now)


def count_failure(attempt, now):
    """Counts a wrong password; raises the pause it starts, if it starts one."""
    if locked_until := LoginThrottle.record_failure(attempt.keys, now):
        raise paused_error(locked_until, now)


def count_success(attempt, request, now):
    """The lifter is known from this address and in this browser from now on; other keys
    keep their counts, so that one good login hands a guesser elsewhere nothing."""
    LoginThrottle.record_success(attempt.place_key, attempt.own_keys, now, attempt.username_key)
    request.known_device = attempt.device.with_lifter(attempt.username, now)


def remember_known_device(request, response):
    """After a successful login, the browser keeps (or renews) its known-device cookie."""
    device = getattr(request, "known_device", None)
    if device is not None:
        response.set_cookie(
            KNOWN_DEVICE_COOKIE,
            device.cookie_value(),
            max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 24 * 60 * 60,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def check_password_throttled(user, password, request):
    """The lifter's password, checked inside the app (changing it, logging out
    everywhere, a new API token): wrong ones count as failed logins, so a borrowed
    phone's open session is no way around the delays. Raises the pause's ValidationError."""
    now = timezone.now()
    attempt = attempt_for(user.get_username(), request, now)
    refuse_while_paused(attempt, now)
    if user.check_password(password):
        return True
    count_failure(attempt, now)
    return False


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        now = timezone.now()
        attempt = attempt_for(username, self.request, now)
        refuse_while_paused(attempt, now)
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                count_failure(attempt, now)
            raise
        count_success(attempt, self.request, now)
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login counts and slows the same way: it is no way around the limit."""


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm

    def form_valid(self, form):
        return remember_known_device(self.request, super().form_valid(form))
