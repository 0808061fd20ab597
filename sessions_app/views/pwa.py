"""What makes the app installable and usable offline: manifest, service worker, offline page."""

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

SHELL_FILES = [
    "sessions_app/app.css",
    "sessions_app/dark.css",
    "sessions_app/outbox.js",
    "sessions_app/rest-timer.js",
    "sessions_app/pwa.js",
    "sessions_app/icon.svg",
    "sessions_app/icon-192.png",
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
