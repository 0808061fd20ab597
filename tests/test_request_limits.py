"""A request is bounded as a whole: its declared size before any of it is read, its file
parts, and what it may keep in memory; and answers with a lifter's data are private."""

import datetime
import socket
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions_app.forms import IMPORT_MAX_BYTES
from sessions_app.models import ImportBatch
from tests.import_helpers import fixture_bytes

MEGABYTE = 1024 * 1024


def spooled_files():
    return set(Path(tempfile.gettempdir()).glob("*.upload*"))


def test_the_request_limit_leaves_room_for_the_largest_import_file():
    assert settings.REQUEST_MAX_BYTES >= IMPORT_MAX_BYTES + MEGABYTE


def test_an_upload_declaring_more_than_the_limit_is_refused_before_it_is_read(alice_client):
    """Three files of 15 MB, each under the import's own limit: 45 MB in one request."""
    before = spooled_files()
    files = [SimpleUploadedFile(f"part{n}.csv", b"x" * (15 * MEGABYTE)) for n in range(3)]
    response = alice_client.post(reverse("import_workouts"), {"file": files, "unit": "kg"})
    assert response.status_code == 413
    page = response.content.decode()
    assert (
        "This request is too large (45.0 MB): the most this app accepts in one request "
        "is 21 MB." in page
    )
    assert "Nothing was stored." in page
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    assert not ImportBatch.objects.exists()
    assert spooled_files() - before == set()


def test_two_file_parts_in_one_request_are_refused(alice_client):
    first = SimpleUploadedFile("strong.csv", fixture_bytes("strong.csv"))
    second = SimpleUploadedFile("again.csv", fixture_bytes("strong.csv"))
    response = alice_client.post(
        reverse("import_workouts"), {"file": [first, second], "unit": "kg"}
    )
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_an_api_call_over_the_limit_gets_a_json_answer(alice_client):
    body = b'{"notes": "' + b"x" * (settings.REQUEST_MAX_BYTES) + b'"}'
    response = alice_client.put(reverse("api_log_set"), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "success": False,
        "error": "This request is too large (21.0 MB): the most this app accepts in one "
        "request is 21 MB.",
    }


def test_a_file_just_under_the_import_limit_still_reaches_the_import(alice_client):
    content = fixture_bytes("strong.csv")
    content += b"\n" * (IMPORT_MAX_BYTES - len(content) - 10)
    response = alice_client.post(
        reverse("import_workouts"),
        {"file": SimpleUploadedFile("strong.csv", content), "unit": "kg"},
    )
    assert response.status_code == 302
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_413_without_waiting_for_a_huge_body():
    """A client announces 200 MB and sends a few bytes: the answer comes at once, instead
    of a worker waiting for (and spooling) the whole body."""
    from tests.processes import free_port, start_gunicorn, stop

    port = free_port()
    server = start_gunicorn(port)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            started = time.monotonic()
            connection.sendall(
                b"PUT /api/session/log-set HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nAuthorization: Bearer wl_none\r\n"
                + f"Content-Length: {200 * MEGABYTE}\r\n\r\n".encode()
                + b'{"notes": "'
            )
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            elapsed = time.monotonic() - started
    finally:
        stop(server)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"the most this app accepts in one request is 21 MB" in answer
    assert elapsed < 5


@pytest.fixture
def alices_pages(alice, lower1, alice_client):
    """Every page that shows alice's data, by name: a finished workout, the one in
    progress, an import waiting for her confirmation."""
    from sessions_app.models import Workout
    from tests.helpers import past_workout

    finished = past_workout(alice, lower1, datetime.date(2025, 9, 1), [("Back Squat", "225", "5")])
    active = Workout.start(alice, lower1)
    alice_client.post(
        reverse("import_workouts"),
        {"file": SimpleUploadedFile("strong.csv", fixture_bytes("strong.csv")), "unit": "kg"},
    )
    batch = ImportBatch.objects.get()
    return {
        "home": reverse("home"),
        "history": reverse("history"),
        "export": reverse("export_csv"),
        "workout": reverse("workout", args=[active.pk]),
        "summary": reverse("workout", args=[finished.pk]),
        "fix": reverse("fix_workout", args=[finished.pk]),
        "import preview": reverse("import_preview", args=[batch.pk]),
        "exercises": reverse("exercise_list"),
        "progress": reverse("progress"),
        "chart": reverse("exercise_progress") + "?exercise=Back+Squat",
        "routines": reverse("routine_list"),
        "settings": reverse("account_settings"),
        "password": reverse("password_change"),
        "api": reverse("api_active"),
    }


def test_pages_with_a_lifters_data_are_never_kept_by_a_browser_or_proxy(alice_client, alices_pages):
    for name, url in alices_pages.items():
        response = alice_client.get(url)
        assert response.status_code == 200, name
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, (name, response.get("Cache-Control"))
