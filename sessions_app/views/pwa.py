"""What makes the app installable and usable offline: manifest, service worker, offline
page, and the installed app's start (the workout in progress)."""

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from ..models import Workout

# Every file the workout page loads: it must open whole without a network
# (tests/test_offline_shell.py).
SHELL_FILES = [
    "sessions_app/app.css",
    "sessions_app/dark.css",
    "sessions_app/outbox.js",
    "sessions_app/rest-timer.js",
    "sessions_app/workout.js",
    "sessions_app/plates.js",
    "sessions_app/workout-note.js",
    "sessions_app/time-zone.js",
    "sessions_app/pwa.js",
    "sessions_app/icon.svg",
    "sessions_app/icon-192.png",
    "sessions_app/icon-512.png",
    "sessions_app/icon-maskable-512.png",
    "django_htmx/htmx-2.min.js",
]


@login_not_required
@require_GET
def manifest(request):
    response = render(request, "sessions_app/manifest.webmanifest")
    response["Content-Type"] = "application/manifest+json"
    return response


@login_not_required
@require_GET
def service_worker(request):
    shell = [static(name) for name in SHELL_FILES]
    # A new version of any shell file (hashed names in production) makes a new worker.
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    response = render(
        request, "sessions_app/service-worker.js", {"shell": shell, "version": version}
    )
    response["Content-Type"] = "text/javascript; charset=utf-8"
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def offline(request):
    return render(request, "sessions_app/offline.html")


@require_GET
def current_workout(request):
    """Where the installed app opens: the workout in progress, else the home page. (The
    service worker remembers where this led, to open the same page offline.)"""
    active = Workout.objects.owned_by(request.user).active().first()
    return redirect(active.get_absolute_url() if active else "home")
