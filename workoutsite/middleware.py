"""Middleware of the whole site: a request body is bounded before any of it is read, and
answers that may carry a lifter's data are never kept by a browser or a proxy."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

MEGABYTE = 1024 * 1024


def declared_length(request):
    """The body's length as the client announced it; 0 when absent or unreadable (Django
    then reads no body at all, so a chunked upload without a length stores nothing)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large_response(request, length):
    limit = settings.REQUEST_MAX_BYTES
    message = (
        f"This request is too large ({length / MEGABYTE:.1f} MB): "
        f"the most this app accepts in one request is {limit / MEGABYTE:.0f} MB."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"success": False, "error": message}, status=413)
    response = render(request, "413.html", {"message": message}, status=413)
    # The client may still be sending: do not let it reuse this connection for more.
    response["Connection"] = "close"
    return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over REQUEST_MAX_BYTES before Django reads
    a byte of it (uploads would otherwise be spooled to disk first, whatever their number).
    Django's own limits then bound what is read: form fields in memory
    (DATA_UPLOAD_MAX_MEMORY_SIZE), file parts per request (DATA_UPLOAD_MAX_NUMBER_FILES)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length > settings.REQUEST_MAX_BYTES:
            return too_large_response(request, length)
        return self.get_response(request)


class PrivateAnswersMiddleware:
    """Every answer the app builds itself is private to whoever asked: `Cache-Control:
    private, no-store`, unless the view chose its own (the service worker, say). Static
    files never come this far (whitenoise answers them first, cacheable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
