"""Whatever a client sends to the API: never a 500, never a half-written workout."""

import json

import pytest
from django.db.models import Count, F, Q
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_app.models import ApiToken, Set, Workout

ENDPOINTS = [
    ("post", "/api/session/start"),
    ("put", "/api/session/log-set"),
    ("post", "/api/session/log-set"),
    ("post", "/api/session/complete"),
    ("post", "/api/session/cancel"),
    ("get", "/api/session/active"),
    ("delete", "/api/session/start"),
]
FIELDS = [
    "template",
    "date",
    "session_id",
    "exercise",
    "set_number",
    "weight",
    "reps",
    "notes",
    "key",
    "is_warmup",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=200)
    | st.sampled_from(
        ["lower1", "upper1", "2025-09-21", "0001-01-01", "9999-12-31", "BW", "5", "0"]
    )
    | st.uuids().map(str)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), json_values, max_size=10)
raw_bodies = st.one_of(
    bodies.map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=500),
    st.text(max_size=500).map(str.encode),
)


@pytest.fixture
def api_client(alice, lower1, upper1):
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})


def assert_nothing_half_written():
    assert (
        not Workout.objects.values("owner")
        .filter(status="active")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not Set.objects.filter(Q(exercise_name="") | Q(set_number__lt=1)).exists()
    assert (
        not Set.objects.exclude(workout__status="active")
        .filter(created_at__gt=F("workout__completed_at"))
        .exists()
    )
    assert all(len(s.weight) <= 20 and len(s.reps) <= 20 for s in Set.objects.all())


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(ENDPOINTS), body=raw_bodies)
def test_any_body_gets_a_json_answer_below_500(api_client, endpoint, body):
    method, path = endpoint
    response = api_client.generic(method.upper(), path, data=body, content_type="application/json")
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["success"] is (response.status_code == 200)
    assert_nothing_half_written()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(ENDPOINTS[:5]),
            st.fixed_dictionaries(
                {},
                optional={
                    "template": st.sampled_from(["lower1", "upper1", "nope"]),
                    "exercise": st.sampled_from(["Back Squat", "Deadlift", "", " "]),
                    "reps": st.sampled_from(["5", "", "AMRAP", 8]),
                    "weight": st.sampled_from(["225", "BW", "", 12.5]),
                    "key": st.sampled_from(["6f1c2d4e-0000-4000-8000-000000000001", "bad"]),
                    "set_number": st.sampled_from([1, 2, 0, "x", None]),
                },
            ),
        ),
        max_size=8,
    )
)
def test_any_sequence_of_calls_keeps_the_workouts_whole(api_client, calls):
    for (method, path), body in calls:
        response = getattr(api_client, method)(
            path, data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code < 500
    assert_nothing_half_written()
