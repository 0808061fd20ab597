"""The JSON API of the original design: start, log a set, complete, cancel, active.

Every endpoint validates with the same forms as the pages, answers errors as JSON
with a 4xx status and a message per field, and only ever sees the caller's sessions.
"""

import json
import logging
import time
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.csrf import csrf_exempt

from .forms import ApiSetForm, StartWorkoutForm, WorkoutRefForm
from .login import client_address
from .models import (
    ActiveWorkoutExists,
    ApiToken,
    KeyTaken,
    LifterProfile,
    Set,
    Workout,
    WorkoutClosed,
    give_starter_routines,
)
from .models.accounts import zone_named

SCALAR_TYPES = (str, int, float)
logger = logging.getLogger("api")


def error(message, status=400, fields=None, **extra):
    body = {"success": False, "error": message, **extra}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status)


class ApiError(Exception):
    def __init__(self, message, status=400, fields=None, headers=None, **extra):
        super().__init__(message)
        self.response = error(message, status, fields, **extra)
        for name, value in (headers or {}).items():
            self.response[name] = value


def count_failure(key):
    """Add one to a counter that lives two minutes; every process sees the same count.

    add() and incr() are each atomic (Redis; the file cache's lock, workoutsite/cache.py).
    Between the two the counter may expire: then it is created again and counted.
    """
    for _ in range(3):
        cache.add(key, 0, 2 * 60)
        try:
            return cache.incr(key)
        except ValueError:  # expired (or was cleared) between add and incr
            continue
    raise RuntimeError(f"The cache keeps losing the counter {key}.")


def owner_for_token(request, raw_token):
    """(The token's user's id, their time zone name). A valid token always works; wrong
    ones are counted per address and minute, and past the limit answered 429 (slowing
    down guessing)."""
    if (owner := ApiToken.owner_for(raw_token)) is not None:
        return owner
    address = client_address(request)
    failures = count_failure(f"api-token-failures:{address}:{int(time.time() // 60)}")
    logger.warning("api token rejected", extra={"client": address, "failures": failures})
    if failures > settings.API_FAILED_TOKEN_LIMIT_PER_MINUTE:
        raise ApiError(
            "Too many wrong API tokens from this address; wait a minute.",
            429,
            headers={"Retry-After": str(60 - int(time.time()) % 60)},
        )
    raise ApiError("That API token is not valid.", 401)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_failure_reason(request):
    check = _CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def authenticated_user(request):
    """The token's user, or the logged-in user (with a CSRF check for writes)."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, raw_token = header.partition(" ")
        if scheme.lower() != "bearer" or not raw_token.strip():
            raise ApiError("Send the token as: Authorization: Bearer <token>.", 401)
        user_id, request.time_zone_name = owner_for_token(request, raw_token.strip())
        # Most calls need only the id: the user is loaded if a view asks for more.
        request.user_id = user_id
        return SimpleLazyObject(lambda: get_user_model().objects.get(pk=user_id))
    if not request.user.is_authenticated:
        raise ApiError("Log in, or send an API token as: Authorization: Bearer <token>.", 401)
    if request.method not in ("GET", "HEAD", "OPTIONS") and (
        reason := csrf_failure_reason(request)
    ):
        raise ApiError(f"CSRF check failed ({reason}). Send the X-CSRFToken header.", 403)
    request.user_id = request.user.pk
    return request.user


def json_body(request):
    """The request body as a JSON object; an empty body is an empty object."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError("The request body is too large.", 413) from None
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.")
    try:
        # JSON may carry lone surrogates ("\ud800"): text no database can store.
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ApiError("The request body has text that is not valid Unicode.") from None
    return body


def form_data(body, form_class):
    """The body's values for the form's fields, and the fields of the wrong JSON type."""
    data, wrong_types = {}, {}
    for name, form_field in form_class.base_fields.items():
        value = body.get(name)
        if value is None:
            continue
        if isinstance(form_field, forms.BooleanField):
            if isinstance(value, bool):
                data[name] = value
            else:
                wrong_types[name] = ["Send true or false."]
        elif isinstance(value, bool) or not isinstance(value, SCALAR_TYPES):
            wrong_types[name] = ["Send text or a number."]
        else:
            data[name] = str(value)
    return data, wrong_types


def validated(body, form_class, **form_options):
    """The form's cleaned data, or an ApiError with a message per field."""
    data, wrong_types = form_data(body, form_class)
    form = form_class(data=data, **form_options)
    form.is_valid()
    errors = {
        name: [str(message) for message in messages] for name, messages in form.errors.items()
    }
    errors.update(wrong_types)
    if errors:
        raise ApiError("Some values are missing or not valid.", fields=errors)
    return form.cleaned_data


def api_endpoint(*methods):
    def decorator(view):
        @csrf_exempt
        @login_not_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = error(f"Use {' or '.join(methods)} for this endpoint.", 405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                request.user = authenticated_user(request)
                # A token's lifter: their zone ("today", the dates answered); a logged-in
                # one has theirs from the middleware already.
                if (name := getattr(request, "time_zone_name", None)) is not None:
                    with timezone.override(zone_named(name)):
                        return view(request, *args, **kwargs)
                return view(request, *args, **kwargs)
            except ApiError as api_error:
                return api_error.response

        return wrapper

    return decorator


def workout_not_found(session_id):
    if session_id:
        return ApiError(f"No workout {session_id!r} was found.", 404)
    return ApiError("There is no workout in progress.", 404)


def find_workout(user, session_id):
    """The caller's workout by id, or their active one; another user's is "not found"."""
    workouts = Workout.objects.owned_by(user)
    workout = workouts.filter(pk=session_id).first() if session_id else workouts.active().first()
    if workout is None:
        raise workout_not_found(session_id)
    return workout


def closed_error(workout):
    return ApiError(f"Workout {workout.pk} is {workout.status}; it can no longer change.", 409)


@api_endpoint("POST")
def start(request):
    give_starter_routines(request.user)
    data = validated(json_body(request), StartWorkoutForm, owner=request.user)
    try:
        workout = Workout.start(request.user, data["template"], data["date"])
    except ActiveWorkoutExists as exists:
        raise ApiError(
            f"Workout {exists.workout.pk} is still in progress: resume it, or complete or "
            "cancel it before starting another.",
            409,
            active_session_id=exists.workout.pk,
        ) from None
    return JsonResponse({"success": True, "session_id": workout.pk, "session": workout.to_dict()})


@api_endpoint("PUT", "POST")
def log_set(request):
    """The body, the form, the one statement that stores the set (a set sent without its
    unit is in the lifter's: the statement fills it in), and the set as JSON."""
    lifter_unit = LifterProfile.unit_lookup(request.user_id)
    data = validated(json_body(request), ApiSetForm, lifter_unit=lifter_unit)
    session_id = data.pop("session_id") or None
    try:
        workout_set, created = Set.store(request.user_id, session_id, **data)
    except Workout.DoesNotExist:
        raise workout_not_found(session_id) from None
    except WorkoutClosed as closed:
        raise closed_error(closed.workout) from None
    except KeyTaken as taken:
        raise ApiError(str(taken), 409, fields={"key": [str(taken)]}) from None
    return JsonResponse({"success": True, "created": created, "set": workout_set.to_dict()})


def change_status(request, change):
    session_id = validated(json_body(request), WorkoutRefForm)["session_id"]
    workout = find_workout(request.user, session_id)
    try:
        change(workout)
    except WorkoutClosed:
        raise closed_error(workout) from None
    return JsonResponse({"success": True, "session_id": workout.pk, "session": workout.to_dict()})


@api_endpoint("POST")
def complete(request):
    return change_status(request, Workout.complete)


@api_endpoint("POST")
def cancel(request):
    return change_status(request, Workout.cancel)


@api_endpoint("GET")
def active(request):
    workout = Workout.objects.owned_by(request.user).active().first()
    if workout is None:
        return JsonResponse({"success": True, "session": None, "sets": []})
    sets = [s.to_dict() for s in workout.sets.order_by("created_at", "pk")]
    return JsonResponse({"success": True, "session": workout.to_dict(), "sets": sets})


@csrf_exempt
@login_not_required
def not_found(request, path=""):
    return error("There is no such API endpoint.", 404)
