"""What an operator sees of the sync per lifter's sheet: waiting pushes, sheets backing
off, the last 429, the lag; and a push never waiting behind another lifter's pull."""

import datetime
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Workout
from sync_app.models import SheetsProfile, SheetState
from sync_app.pull import run_pull
from sync_app.push import run_sync
from sync_app.tasks import heartbeat
from tests.sync_helpers import SQUAT_DAY, completed_workout

ALICE_SHEET, BOB_SHEET = "alice-sheet", "bob-sheet"


def own_sheet(sheets, lifter, spreadsheet_id):
    sheets.create_spreadsheet(spreadsheet_id, worksheets=("Log",))
    SheetsProfile.objects.create(user=lifter, spreadsheet_id=spreadsheet_id, worksheet="Log")


def test_the_panel_shows_waiting_pushes_sheets_backing_off_and_the_last_429(
    sheets, settings, admin_client, alice, bob, lower1
):
    settings.SHEETS_MAX_ATTEMPTS = 2
    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    Workout.objects.filter(owner=alice).update(
        completed_at=timezone.now() - datetime.timedelta(hours=2)
    )
    completed_workout(bob, lower1, SQUAT_DAY)
    sheets.fail_next(429, times=2, retry_after=0, spreadsheet_ids=[ALICE_SHEET])
    assert run_sync(trigger="queue").outcome == "partial"  # Bob's went, Alice's backs off
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Sessions pending</th>\n      <td>1; oldest completed 2\xa0hours ago" in page
    assert "Sheets backing off</th>\n      <td><strong>1</strong>" in page
    assert "alice (alice-sheet / Log): 1 failed run(s) in a row" in page
    assert "answered 429" in page and "last 429 (quota used up) 0\xa0minutes ago" in page
    # The shared budget (budget.py): Bob's run took reads and writes; a 429 paused it.
    assert re.search(r"reads [1-9]\d* of \d+ a \d+ s window \(\d+ %\)", page)
    assert re.search(r"writes [1-9]\d* of \d+ a \d+ s window", page)


def test_the_panel_says_when_nothing_backs_off_and_no_429_was_met(sheets, admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Sheets backing off</th>\n      <td>none</td>" in page
    assert "no 429 met" in page


def test_healthz_answers_503_when_a_workout_waits_past_the_lag_threshold(
    sheets, settings, alice, lower1
):
    settings.SYNC_LAG_ALERT_MINUTES = 30
    heartbeat()
    completed_workout(alice, lower1, SQUAT_DAY)
    Workout.objects.update(completed_at=timezone.now() - datetime.timedelta(minutes=20))
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["sync_lagging"] is False
    assert 1190 < response.json()["sync_lag_seconds"] < 1300

    Workout.objects.update(completed_at=timezone.now() - datetime.timedelta(minutes=45))
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert (body["ok"], body["sync_lagging"], body["worker_alive"]) == (False, True, True)
    assert body["sync_lag_alert_seconds"] == 1800

    run_sync()
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["sync_lag_seconds"] == 0


def test_a_scheduled_pull_lets_a_waiting_push_go_first(sheets, alice, bob, lower1):
    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(bob, lower1, SQUAT_DAY)
    run_sync()
    completed_workout(alice, lower1, SQUAT_DAY)  # waits for its push
    sheets.reset_calls()
    result = run_pull(scheduled=True)
    assert result.outcome == "success"
    calls = [(call.kind, call.path.split("/")[3]) for call in sheets.calls]
    alice_append = calls.index(("values.append", ALICE_SHEET))
    bob_read = calls.index(("values.batchGet", BOB_SHEET))  # the pull's read of his tab
    assert alice_append < bob_read
    assert Workout.objects.get(owner=alice).synced_to_sheets


def test_an_operator_ends_a_sheets_back_off_and_its_push_goes_at_once(
    sheets, settings, admin_client, alice, lower1, django_capture_on_commit_callbacks
):
    settings.SHEETS_MAX_ATTEMPTS = 1
    own_sheet(sheets, alice, ALICE_SHEET)
    workout = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.fail_next(503, spreadsheet_ids=[ALICE_SHEET])
    assert run_sync(trigger="queue").outcome == "failed"
    assert run_sync(trigger="queue").outcome == "backing off"  # left alone for a minute
    state = SheetState.objects.get()
    url = reverse("admin:sync_app_sheetstate_changelist")
    page = admin_client.get(url + "?retry_at__isempty=0").content.decode()
    assert "alice-sheet / Log" in page and "answered 503" in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            url, {"action": "try_again_now", "_selected_action": [state.pk]}, follow=True
        )
    assert "1 sheet(s) no longer backing off" in response.content.decode()
    assert len(queued) == 1  # a sync queued once the request commits
    assert run_sync(trigger="queue").outcome == "success"
    assert Workout.objects.get(pk=workout.pk).synced_to_sheets
