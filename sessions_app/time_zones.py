"""The lifter's own time zone: what "today" is for them, and how every date and time is
shown to them (the pages, the API, the CSV; the sheet and an imported file's times take
it from their profile).

It is activated for each request (LifterTimeZoneMiddleware), read from the session,
where logging in puts it; the session reads it again every few minutes, so that a change
made on another phone follows without a query on every request. Until the lifter has
one (their browser says it on the first page, or they choose it in Settings), the
instance's TIME_ZONE is theirs.
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from .models import LifterProfile
from .models.accounts import zone_named

SESSION_KEY = "lifter_time_zone"
READ_AGAIN_SECONDS = 600


def remember_zone(request, user_id, name=None):
    """The lifter's zone name ("" for none yet) in their session, read now (or given)."""
    if name is None:
        name = (
            LifterProfile.objects.filter(user_id=user_id)
            .values_list("time_zone", flat=True)
            .first()
            or ""
        )
    request.session[SESSION_KEY] = [name, time.time()]
    return name


def zone_name(request):
    """The requesting lifter's zone name, "" when they have none."""
    remembered = request.session.get(SESSION_KEY)
    if not remembered or time.time() - remembered[1] > READ_AGAIN_SECONDS:
        return remember_zone(request, request.user.pk)
    return remembered[0]


class LifterTimeZoneMiddleware:
    """Activates the lifter's time zone for the request; request.time_zone_unset tells the
    page to ask the browser for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.time_zone_unset = False
        if not request.user.is_authenticated:
            return self.get_response(request)
        name = zone_name(request)
        request.time_zone_unset = not name
        with timezone.override(zone_named(name)):
            return self.get_response(request)


@receiver(user_logged_in)
def zone_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_zone(request, user.pk)
