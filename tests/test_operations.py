"""What an operator relies on: the health check, backups, logs, production settings."""

import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from sessions_app.models import ApiToken
from sync_app.models import SyncRun, SyncState
from sync_app.tasks import heartbeat
from workoutsite.logs import JsonLinesFormatter

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_is_200_when_the_worker_is_alive_and_needs_no_login(db):
    heartbeat()
    SyncRun.objects.create(outcome="success", finished_at=timezone.now())
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is True and body["database"] == "ok" and body["worker_alive"] is True
    assert body["last_sync_outcome"] == "success"
    assert body["worker_heartbeat_age_seconds"] < 5
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_worker_is_silent_and_shows_no_secrets(db, settings):
    settings.SHEETS_SPREADSHEET_ID = "secret-sheet-id"
    SyncState.load()
    SyncState.objects.update(worker_heartbeat_at=timezone.now() - timezone.timedelta(minutes=10))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker_alive"] is False
    text = response.content.decode()
    assert "secret-sheet-id" not in text and settings.SECRET_KEY not in text


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup")
def test_backup_copies_the_database_while_it_is_in_use_and_keeps_the_newest(
    transactional_db, alice_workout, tmp_path
):
    alice_workout.log_set("Back Squat", "225", "5")
    out = io.StringIO()
    for _ in range(3):
        call_command("backup", "--to", str(tmp_path), "--keep", "2", stdout=out)
    assert "removed 1 older copy" in out.getvalue()
    copies = sorted(tmp_path.glob("workouts-*.sqlite3"))
    assert len(copies) == 2
    restored = sqlite3.connect(copies[-1])
    assert restored.execute("select exercise, weight_lbs from sets").fetchall() == [
        ("Back Squat", "225")
    ]


def test_backup_on_postgresql_points_to_pg_dump(db):
    if connection.vendor == "sqlite":
        pytest.skip("this instance runs on SQLite")
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup")


def test_log_lines_are_json_with_the_event_fields():
    record = logging.makeLogRecord(
        {
            "name": "sync",
            "levelname": "WARNING",
            "msg": "sync retry",
            "attempt": 2,
            "target": "x / Log",
        }
    )
    line = JsonLinesFormatter().format(record)
    event = json.loads(line)
    assert "\n" not in line
    assert (event["logger"], event["level"], event["message"], event["attempt"]) == (
        "sync",
        "warning",
        "sync retry",
        2,
    )


def test_a_failed_request_is_logged_as_one_line_without_the_token(alice, caplog):
    token = "wl_" + "x" * 40
    with caplog.at_level(logging.WARNING):
        Client(headers={"Authorization": f"Bearer {token}"}).get("/api/session/active")
    lines = [JsonLinesFormatter().format(record) for record in caplog.records]
    assert any('"message": "api token rejected"' in line for line in lines)
    assert any(
        '"status": 401' in line and '"path": "/api/session/active"' in line for line in lines
    )
    assert not any(token in line or token[:12] in line for line in lines)


def test_plain_log_lines_keep_the_events_fields_for_a_person_to_read():
    from workoutsite.logs import PlainFormatter

    record = logging.makeLogRecord(
        {"name": "sync", "levelname": "INFO", "msg": "sync run", "outcome": "success"}
    )
    record.appended = 3
    line = PlainFormatter().format(record)
    assert line.endswith(" INFO sync: sync run outcome=success appended=3")


def test_wrong_tokens_are_rate_limited_per_address_but_a_valid_one_still_works(
    alice, settings, monkeypatch
):
    settings.API_FAILED_TOKEN_LIMIT_PER_MINUTE = 3
    monkeypatch.setattr(time, "time", lambda: 60 * 28_333_333 + 40.0)  # 40 s into a minute
    client = Client(headers={"Authorization": "Bearer wl_wrong"})
    statuses = [client.get("/api/session/active").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    limited = client.get("/api/session/active")
    assert limited["Retry-After"] == "20"
    assert limited.json()["error"] == "Too many wrong API tokens from this address; wait a minute."
    valid = Client(headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})
    assert valid.get("/api/session/active").status_code == 200  # same address, right token
    other = Client(headers={"Authorization": "Bearer wl_wrong"}, REMOTE_ADDR="10.0.0.9")
    assert other.get("/api/session/active").status_code == 401
    monkeypatch.setattr(time, "time", lambda: 60 * 28_333_334 + 1.0)  # the next minute
    assert client.get("/api/session/active").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_wrong_tokens_sent_at_once_to_several_web_processes_get_no_more_than_the_limit():
    """Two gunicorn processes of eight threads each: the counter is shared and atomic."""
    import threading

    import requests

    from tests.processes import free_port, start_gunicorn, stop

    if time.time() % 60 > 45:  # the count is per minute: stay inside one
        time.sleep(61 - time.time() % 60)
    port = free_port()
    server = start_gunicorn(port, GUNICORN_THREADS="8")
    statuses, start_together = [], threading.Barrier(30)

    def guess():
        start_together.wait()
        response = requests.get(
            f"http://127.0.0.1:{port}/api/session/active",
            headers={"Authorization": "Bearer wl_wrong"},
            timeout=30,
        )
        statuses.append(response.status_code)

    try:
        guessers = [threading.Thread(target=guess) for _ in range(30)]
        for thread in guessers:
            thread.start()
        for thread in guessers:
            thread.join()
    finally:
        stop(server)
    assert sorted(statuses) == [401] * 10 + [429] * 20


def test_production_settings_pass_the_deployment_checks():
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "workouts.example.com",
        "DJANGO_BEHIND_PROXY": "true",
    }
    for name in ("DJANGO_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set for the tests only
        environment.pop(name, None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "System check identified no issues" in finished.stdout


def test_production_pages_send_the_security_headers(db, settings, alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_healthz_answers_plain_http_even_when_https_is_enforced(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code in (200, 503)
    assert Client().get("/accounts/login/").status_code == 301


def test_the_first_password_is_kept_out_of_a_log_and_its_file_goes_once_changed(
    db, settings, tmp_path, monkeypatch
):
    monkeypatch.delenv("WORKOUT_ADMIN_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    out = io.StringIO()  # not a terminal: a container's or a service's log
    call_command("ensure_login", stdout=out)
    kept = tmp_path / "first-login.txt"
    password = kept.read_text().split()[-1]
    assert password not in out.getvalue() and str(kept) in out.getvalue()
    assert kept.stat().st_mode & 0o777 == 0o600
    assert Client().login(username="lifter", password=password)

    again = io.StringIO()
    call_command("ensure_login", stdout=again)
    assert f"Its first password is in {kept}." in again.getvalue()
    lifter = get_user_model().objects.get(username="lifter")
    lifter.set_password("a new one the lifter chose")
    lifter.save()
    call_command("ensure_login", stdout=io.StringIO())
    assert not kept.exists()
