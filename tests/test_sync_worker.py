"""End to end with a real django-q2 cluster: nobody runs `sync`, the rows still arrive."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from sessions_app.models import ApiToken
from tests.conftest import SPREADSHEET_ID, database_url
from tests.sync_helpers import keys_in_sheet

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent


def cluster_environment(sheets_url):
    """The worker sees the test database file and the same Sheets imitation."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # tasks in the queue are signed with it
        "SHEETS_SPREADSHEET_ID": SPREADSHEET_ID,
        "GOOGLE_SHEETS_API_URL": sheets_url,
        "SHEETS_BACKOFF_SECONDS": "0.1",
        "Q_WORKERS": "1",
    }


@pytest.fixture
def qcluster(sheets):
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=cluster_environment(sheets.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield worker
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_completed_workout_reaches_the_sheet_through_the_worker(qcluster, sheets, alice, lower1):
    api = Client(headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})

    def call(path, body):
        return api.post(
            f"/api/session/{path}", json.dumps(body), content_type="application/json"
        ).json()

    session_id = call("start", {"template": "lower1"})["session_id"]
    keys = [
        call("log-set", {"exercise": "Back Squat", "weight": w, "reps": "5"})["set"]["key"]
        for w in ("225", "235", "245")
    ]
    assert call("complete", {})["success"]
    assert sheets.call_count() == 0  # completing did not talk to Google

    arrived = wait_for(
        lambda: sheets.rows(SPREADSHEET_ID, "Log") and len(keys_in_sheet(sheets)) == 3
    )
    if not arrived:
        qcluster.terminate()
        pytest.fail("rows never arrived; worker output:\n" + qcluster.communicate(timeout=20)[0])
    assert sorted(keys_in_sheet(sheets)) == sorted(keys)
    assert wait_for(lambda: alice.workouts.get(pk=session_id).synced_to_sheets, seconds=10)
