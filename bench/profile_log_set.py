"""Where `PUT /api/session/log-set` spends its time, in one process (no gunicorn, no network).

    .venv/bin/python bench/profile_log_set.py

Runs the request through Django's test client on a throwaway SQLite database (the app's
settings, DEBUG off) next to bench/empty and bench/insert (bench/views.py), and prints:

- the SQL of one log-set request;
- per endpoint, the median time per request and how long the SQLite write lock is held
  (from BEGIN IMMEDIATE to the end of COMMIT): with one writer at a time, that span is
  what bounds throughput under concurrency;
- a cProfile breakdown of log-set by step of the view.
"""

import cProfile
import json
import os
import pstats
import shutil
import statistics
import time

from common import django_in_temporary_data_dir

REQUESTS = 500
WARM_UP = 50
SET_BODY = {"exercise": "Back Squat", "weight": "225", "reps": "5"}
# (label, file suffix, function name) of the steps of log-set reported by cProfile.
STEPS = [
    ("whole request (test client)", "django/test/client.py", "request"),
    ("api_endpoint wrapper", "sessions_app/api.py", "wrapper"),
    ("  token -> user id (authenticated_user)", "sessions_app/api.py", "authenticated_user"),
    ("  log_set view", "sessions_app/api.py", "log_set"),
    ("    body and form (json_body, validated)", "sessions_app/api.py", "validated"),
    ("    Set.store", "sessions_app/models/workouts.py", "store"),
    (
        "      read_numbers (weight and reps as numbers)",
        "sessions_app/models/workouts.py",
        "read_numbers",
    ),
    (
        "      insert_into_open_workout (the statement)",
        "sessions_app/models/workouts.py",
        "insert_into_open_workout",
    ),
    ("    set.to_dict + JsonResponse", "django/http/response.py", "__init__"),
]


class WriteLockTimer:
    """Times how long the write lock is held on the default connection: from BEGIN
    IMMEDIATE to the end of COMMIT, or, for a write statement run on its own (its own
    transaction), that statement's execution."""

    def __init__(self):
        from django.db import connections

        self.connection = connections["default"]
        self.spans = []
        self._began = None
        begin, commit = self.connection._start_transaction_under_autocommit, self.connection._commit

        def timed_begin():
            self._began = time.perf_counter()
            begin()

        def timed_commit():
            try:
                return commit()
            finally:
                if self._began is not None:
                    self.spans.append(time.perf_counter() - self._began)
                    self._began = None

        self.connection._start_transaction_under_autocommit = timed_begin
        self.connection._commit = timed_commit
        self.connection.execute_wrappers.append(self.time_lone_writes)

    def time_lone_writes(self, execute, sql, params, many, context):
        if self.connection.in_atomic_block or not sql.startswith(("INSERT", "UPDATE")):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spans.append(time.perf_counter() - started)


def setup():
    os.environ.update(DJANGO_SETTINGS_MODULE="bench.settings", DJANGO_DEBUG="false")
    os.environ.update(DJANGO_HTTPS="false", LOG_LEVEL="ERROR")
    data_dir = django_in_temporary_data_dir()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from bench.views import CREATE_TABLE
    from sessions_app.models import ApiToken, Routine, Workout

    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
    lifter = get_user_model().objects.create_user("bench")
    token = ApiToken.issue(lifter)
    session = Workout.start(lifter, Routine.objects.starters().get(slug="lower1"))
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"session_id": session.pk, **SET_BODY})
    return client, body, data_dir


def requester(client, path, body):
    def put():
        answer = client.put(path, body, content_type="application/json")
        assert answer.status_code == 200, answer.content

    return put


def print_queries(put):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        put()
    print(f"SQL of one log-set request ({len(captured.captured_queries)} statements):")
    for query in captured.captured_queries:
        sql = query["sql"]
        print(f"  {sql[:110]}{' ...' if len(sql) > 110 else ''}")


def time_requests(put, timer):
    for _ in range(WARM_UP):
        put()
    timer.spans.clear()
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        put()
        times.append(time.perf_counter() - started)
    median_ms = statistics.median(times) * 1000
    lock_ms = statistics.median(timer.spans) * 1000 if timer.spans else 0.0
    return median_ms, lock_ms


def profile(put):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS):
        put()
    profiler.disable()
    return pstats.Stats(profiler).stats


def cumulative_ms(stats, suffix, name):
    total = sum(
        entry[3]
        for (filename, _, function), entry in stats.items()
        if function == name and filename.endswith(suffix)
    )
    return total / REQUESTS * 1000


def main():
    client, body, data_dir = setup()
    try:
        report(client, body)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def report(client, body):
    timer = WriteLockTimer()
    log_set = requester(client, "/api/session/log-set", body)
    log_set()  # the token's first use also records it (an UPDATE, then once a minute)
    print_queries(log_set)
    print()
    print(f"{'endpoint':<14}{'median per request':>20}{'write lock held':>18}")
    for name, path in [
        ("bench/empty", "/bench/empty"),
        ("bench/insert", "/bench/insert"),
        ("log-set", "/api/session/log-set"),
    ]:
        median_ms, lock_ms = time_requests(requester(client, path, body), timer)
        print(f"{name:<14}{median_ms:>17.3f} ms{lock_ms:>15.3f} ms")
    print()
    stats = profile(log_set)
    print("log-set under cProfile (ms per request, cumulative; cProfile inflates all of them):")
    steps = {label: cumulative_ms(stats, suffix, name) for label, suffix, name in STEPS}
    for label, milliseconds in steps.items():
        print(f"  {label:<48}{milliseconds:>7.3f}")
    measured_parts = (
        "      read_numbers (weight and reps as numbers)",
        "      insert_into_open_workout (the statement)",
    )
    rest = steps["    Set.store"] - sum(steps[label] for label in measured_parts)
    print(f"  {'      the rest: the set made, its key, the answer':<48}{rest:>7.3f}")


if __name__ == "__main__":
    main()
