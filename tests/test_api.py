"""The JSON API: same operations as the original design, owner-scoped, errors as JSON."""

import json
import uuid

import pytest
from django.core.management import call_command
from django.test import Client

from sessions_app.derived_keys import own_key_for
from sessions_app.models import ApiToken, Set, Workout
from tests.helpers import own_id


@pytest.fixture
def alice_token(alice):
    return ApiToken.issue(alice, name="phone")


@pytest.fixture
def api(alice_token):
    """Alice's API client, authenticated by token."""
    client = Client(headers={"Authorization": f"Bearer {alice_token}"})

    def call(method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = getattr(client, method)(
            f"/api/{path}", data=data, content_type="application/json"
        )
        return response.status_code, response.json()

    return call


def test_start_log_complete_round_trip(api, alice, lower1):
    status, body = api("post", "session/start", {"template": "lower1", "date": "2025-09-21"})
    workout_id = own_id(alice, "2025-09-21_lower1")
    assert (status, body["success"], body["session_id"]) == (200, True, workout_id)

    status, body = api(
        "put",
        "session/log-set",
        {
            "session_id": workout_id,
            "exercise": "Back Squat",
            "set_number": 1,
            "weight": "225",
            "reps": 5,
            "notes": "belt",
        },
    )
    assert status == 200 and body["created"] is True
    assert {k: body["set"][k] for k in ("exercise", "set_number", "weight", "reps", "notes")} == {
        "exercise": "Back Squat",
        "set_number": 1,
        "weight": "225",
        "reps": "5",
        "notes": "belt",
    }

    status, body = api("get", "session/active")
    assert body["session"]["id"] == workout_id and len(body["sets"]) == 1

    status, body = api("post", "session/complete", {})
    assert (status, body["session"]["status"]) == (200, "completed")
    assert api("get", "session/active")[1] == {"success": True, "session": None, "sets": []}


def test_same_key_twice_returns_the_stored_set_and_stores_nothing_new(api, alice_workout):
    key = str(uuid.uuid4())
    payload = {
        "session_id": alice_workout.pk,
        "exercise": "Back Squat",
        "weight": "225",
        "reps": "5",
        "key": key,
    }
    first = api("put", "session/log-set", payload)[1]
    second = api("put", "session/log-set", {**payload, "weight": "315"})[1]
    assert (first["created"], second["created"]) == (True, False)
    assert second["set"] == first["set"] and second["set"]["key"] == key
    assert Set.objects.filter(workout=alice_workout).count() == 1


def test_a_replayed_key_still_answers_after_the_workout_is_completed(api, alice_workout):
    key = str(uuid.uuid4())
    payload = {"session_id": alice_workout.pk, "exercise": "Back Squat", "reps": "5", "key": key}
    api("put", "session/log-set", payload)
    alice_workout.complete()
    status, body = api("put", "session/log-set", payload)
    assert (status, body["created"], body["set"]["key"]) == (200, False, key)


def test_omitted_set_number_is_the_next_for_that_exercise(api, alice_workout):
    for _ in range(2):
        api(
            "put",
            "session/log-set",
            {"session_id": alice_workout.pk, "exercise": "Back Squat", "reps": "5"},
        )
    body = api("put", "session/log-set", {"exercise": "Back Squat", "reps": "5"})[1]
    assert body["set"]["set_number"] == 3


def test_cancel(api, alice_workout):
    status, body = api("post", "session/cancel", {"session_id": alice_workout.pk})
    alice_workout.refresh_from_db()
    assert (status, alice_workout.status) == (200, "cancelled")


def test_starting_while_one_is_active_names_the_active_workout(api, alice_workout):
    status, body = api("post", "session/start", {"template": "upper1"})
    assert status == 409
    assert body["active_session_id"] == alice_workout.pk
    assert "still in progress" in body["error"]


@pytest.mark.parametrize(
    "method, path, raw, status, error",
    [
        ("put", "session/log-set", "{not json", 400, "The request body is not valid JSON."),
        ("put", "session/log-set", "[1, 2]", 400, "The request body must be a JSON object."),
        ("put", "session/log-set", '"text"', 400, "The request body must be a JSON object."),
        ("post", "session/start", "\xff\xfe", 400, "The request body is not valid JSON."),
        ("post", "session/start", "[" * 100000, 400, "The request body is not valid JSON."),
        ("get", "session/log-set", "", 405, "Use PUT or POST for this endpoint."),
        ("delete", "session/start", "", 405, "Use POST for this endpoint."),
        ("get", "session/nope", "", 404, "There is no such API endpoint."),
    ],
)
def test_malformed_requests_get_a_json_error(api, alice_workout, method, path, raw, status, error):
    assert api(method, path, raw=raw) == (status, {"success": False, "error": error})


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({"exercise": ["Squat"], "reps": "5"}, {"exercise": ["Send text or a number."]}),
        ({"exercise": "Squat", "reps": {"n": 5}}, {"reps": ["Send text or a number."]}),
        ({"exercise": "Squat", "reps": True}, {"reps": ["Send text or a number."]}),
        (
            {"exercise": "Squat", "reps": "5", "set_number": "two"},
            {"set_number": ["Enter a whole number."]},
        ),
        (
            {"exercise": "Squat", "reps": "5", "set_number": 0},
            {"set_number": ["1 or more."]},
        ),
        ({"exercise": "Squat", "reps": "5", "key": "not-a-uuid"}, {"key": ["Enter a valid UUID."]}),
        ({"reps": "5"}, {"exercise": ["This field is required."]}),
        (
            {"exercise": "S" * 101, "reps": "5"},
            {"exercise": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
        (
            {"exercise": "Squat\x00", "reps": "5"},
            {"exercise": ["Null characters are not allowed."]},
        ),
    ],
)
def test_invalid_values_get_a_message_per_field_and_store_nothing(
    api, alice_workout, payload, fields
):
    status, body = api("put", "session/log-set", {"session_id": alice_workout.pk, **payload})
    assert status == 400
    assert body == {
        "success": False,
        "error": "Some values are missing or not valid.",
        "fields": fields,
    }
    assert not Set.objects.exists()


def test_unknown_template_is_a_field_error(api, alice):
    status, body = api("post", "session/start", {"template": "nope"})
    assert (status, body["fields"]) == (
        400,
        {"template": ["There is no workout template with that name."]},
    )
    assert not Workout.objects.exists()


def test_unknown_session_is_404(api, alice_workout):
    status, body = api(
        "put",
        "session/log-set",
        {"session_id": "2020-01-01_nope", "exercise": "Squat", "reps": "5"},
    )
    assert (status, body["error"]) == (404, "No workout '2020-01-01_nope' was found.")


@pytest.mark.parametrize(
    "method, path",
    [("put", "session/log-set"), ("post", "session/complete"), ("post", "session/cancel")],
)
def test_another_lifters_session_is_404_never_403(api, bob_workout, method, path):
    status, body = api(
        method, path, {"session_id": bob_workout.pk, "exercise": "Squat", "reps": "5"}
    )
    assert status == 404 and body["error"] == f"No workout {bob_workout.pk!r} was found."
    bob_workout.refresh_from_db()
    assert bob_workout.status == "active" and not bob_workout.sets.exists()


def test_a_completed_session_cannot_change(api, alice_workout):
    alice_workout.complete()
    status, body = api(
        "put", "session/log-set", {"session_id": alice_workout.pk, "exercise": "Squat", "reps": "5"}
    )
    assert (status, body["error"]) == (
        409,
        f"Workout {alice_workout.pk} is completed; it can no longer change.",
    )
    assert api("post", "session/complete", {"session_id": alice_workout.pk})[0] == 409
    assert api("post", "session/cancel", {"session_id": alice_workout.pk})[0] == 409


def test_no_workout_in_progress(api, alice):
    assert api("post", "session/complete", {}) == (
        404,
        {"success": False, "error": "There is no workout in progress."},
    )


def test_a_key_from_another_lifters_set_is_answered_as_a_fresh_one(api, alice_workout, bob_workout):
    """Answering 409 told whether a key existed (issue 23): the set is stored under a
    key of alice's own, and sending it again still stores one."""
    theirs, _ = bob_workout.log_set("Squat", "100", "5")
    sent = {"exercise": "Squat", "reps": "5"}
    fresh = api("put", "session/log-set", {**sent, "key": str(uuid.uuid4())})
    first = api("put", "session/log-set", {**sent, "key": str(theirs.key)})
    again = api("put", "session/log-set", {**sent, "key": str(theirs.key)})
    assert (fresh[0], fresh[1]["created"]) == (first[0], first[1]["created"]) == (200, True)
    assert (again[0], again[1]["created"], again[1]["set"]["id"]) == (
        200,
        False,
        first[1]["set"]["id"],
    )
    assert alice_workout.sets.count() == 2
    assert bob_workout.sets.get() == theirs  # untouched
    assert first[1]["set"]["key"] == str(own_key_for(alice_workout.owner_id, theirs.key))


def test_another_lifters_workout_with_one_of_their_keys_is_404_like_a_fresh_key(
    api, alice_workout, bob_workout
):
    theirs, _ = bob_workout.log_set("Squat", "100", "5")
    answers = [
        api(
            "put",
            "session/log-set",
            {"session_id": bob_workout.pk, "exercise": "Squat", "reps": "5", "key": key},
        )
        for key in (str(theirs.key), str(uuid.uuid4()))
    ]
    not_found = (404, {"success": False, "error": f"No workout {bob_workout.pk!r} was found."})
    assert answers == [not_found, not_found]  # the key's existence does not show
    assert list(bob_workout.sets.all()) == [theirs] and not alice_workout.sets.exists()


@pytest.mark.parametrize(
    "headers, error",
    [
        ({}, "Log in, or send an API token as: Authorization: Bearer <token>."),
        ({"Authorization": "Bearer wl_wrong"}, "That API token is not valid."),
        ({"Authorization": "Basic abc"}, "Send the token as: Authorization: Bearer <token>."),
        ({"Authorization": "Bearer "}, "Send the token as: Authorization: Bearer <token>."),
    ],
)
def test_missing_or_wrong_token_is_401(alice_workout, headers, error):
    response = Client(headers=headers).get("/api/session/active")
    assert (response.status_code, response.json()["error"]) == (401, error)


def test_browser_session_works_and_needs_csrf_for_writes(alice, alice_workout):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/session/active").json()["session"]["id"] == alice_workout.pk
    body = json.dumps({"exercise": "Squat", "reps": "5"})
    refused = client.put("/api/session/log-set", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"].startswith("CSRF check failed")
    client.get("/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.put(
        "/api/session/log-set",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200
    assert alice_workout.sets.count() == 1


def test_create_api_token_prints_a_token_and_stores_only_its_digest(alice, capsys):
    call_command("create_api_token", "alice", "--name", "watch")
    token = capsys.readouterr().out.strip()
    stored = ApiToken.objects.get(user=alice)
    assert token.startswith("wl_") and len(token) > 40
    assert stored.digest == ApiToken.digest_of(token) and token not in stored.digest
    assert ApiToken.user_id_for(token) == alice.pk


def test_create_api_token_for_an_unknown_user_fails_with_one_line(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no user named 'ghost'."):
        call_command("create_api_token", "ghost")


def test_using_a_token_records_when_it_was_last_used(api, alice):
    api("get", "session/active")
    token = ApiToken.objects.get(user=alice)
    assert token.last_used_at is not None
    first_use = token.last_used_at
    api("get", "session/active")  # within the minute: no write on every call
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_a_deactivated_users_token_stops_working(alice, alice_token):
    alice.is_active = False
    alice.save()
    assert ApiToken.user_id_for(alice_token) is None


@pytest.mark.parametrize("field", ["exercise", "notes", "session_id"])
def test_text_that_is_not_valid_unicode_is_refused(api, alice_workout, field):
    body = {"session_id": alice_workout.pk, "exercise": "Squat", "reps": "5"}
    raw = json.dumps(body)[:-1] + f', "{field}": "\\ud800"}}'
    status, answer = api("put", "session/log-set", raw=raw)
    assert (status, answer["error"]) == (
        400,
        "The request body has text that is not valid Unicode.",
    )
    assert not Set.objects.exists()


def test_a_set_sent_late_keeps_the_time_it_was_done(api, alice_workout):
    from datetime import timedelta

    from django.utils import timezone

    done = timezone.now() - timedelta(minutes=40)
    body = {"exercise": "Squat", "reps": "5", "logged_at": done.isoformat()}
    answer = api("put", "session/log-set", body)[1]
    assert answer["set"]["created_at"] == done.isoformat()
    for far in (timezone.now() + timedelta(hours=1), timezone.now() - timedelta(days=3)):
        before = timezone.now()
        answer = api("put", "session/log-set", {**body, "logged_at": far.isoformat()})[1]
        assert answer["set"]["created_at"] >= before.isoformat()  # out of reach: now instead


def test_logging_a_set_is_one_statement_after_the_token(
    api, alice, lower1, django_assert_num_queries
):
    """The hot path: the token (with its user's state) and one statement that finds the
    open workout and the exercise, numbers the set, fills in the lifter's unit and
    stores it. (In a test it runs in a savepoint: SAVEPOINT and RELEASE are counted.)"""
    api("post", "session/start", {"template": "lower1"})
    body = {"exercise": "Back Squat", "weight": "225", "reps": 5}
    api("put", "session/log-set", body)  # the token's first use is written down, once a minute
    with django_assert_num_queries(4):
        status, answer = api("put", "session/log-set", body)
    assert status == 200 and answer["set"]["set_number"] == 2 and answer["set"]["unit"] == "lb"
