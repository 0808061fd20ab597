"""What starts a sync: completing a workout, admin edits, the schedule; and what the
operator sees in the admin."""

import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule

from sync_app.models import SyncRun, SyncState
from sync_app.push import run_sync
from sync_app.tasks import (
    HEARTBEAT_SCHEDULE_NAME,
    PULL_SCHEDULE_NAME,
    SYNC_SCHEDULE_NAME,
    ensure_schedules,
    heartbeat,
)
from tests.conftest import queued_task_count
from tests.sync_helpers import SQUAT_DAY, completed_workout


def test_the_schedules_exist_once_however_often_migrate_runs(db):
    ensure_schedules()
    ensure_schedules()
    call_command("migrate", verbosity=0)
    sync = Schedule.objects.get(name=SYNC_SCHEDULE_NAME)
    assert (sync.func, sync.schedule_type, sync.minutes, sync.repeats) == (
        "sync_app.tasks.scheduled_sync",
        Schedule.MINUTES,
        5,
        -1,
    )
    assert Schedule.objects.filter(name=HEARTBEAT_SCHEDULE_NAME).count() == 1
    pull = Schedule.objects.get(name=PULL_SCHEDULE_NAME)
    assert (pull.func, pull.minutes, pull.repeats) == ("sync_app.tasks.pull_sheets", 60, -1)
    names = list(Schedule.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))  # each schedule once (sessions_app has its own)


def test_completing_a_workout_queues_one_sync_after_commit_and_calls_no_api(
    sheets, alice_client, alice_workout, django_capture_on_commit_callbacks
):
    alice_workout.log_set("Back Squat", "225", "5")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alice_client.post(reverse("complete_session", args=[alice_workout.pk]), {"confirm": "yes"})
    assert len(callbacks) >= 1
    assert queued_task_count() == 1
    assert sheets.call_count() == 0  # the request never talked to Google


def test_many_changes_queue_a_single_task_until_it_runs(
    sheets, alice, lower1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = completed_workout(alice, lower1, SQUAT_DAY)
        for workout_set in session.sets.all():
            workout_set.notes = "edited"
            workout_set.save_changes(["notes"])
    assert queued_task_count() == 1


def test_the_queued_task_syncs_and_frees_the_queue_flag(
    sheets, alice, lower1, django_capture_on_commit_callbacks
):
    from sync_app.tasks import sync_pending

    with django_capture_on_commit_callbacks(execute=True):
        completed_workout(alice, lower1, SQUAT_DAY)
    assert SyncState.load().sync_queued_at is not None
    assert sync_pending().startswith("Success")
    assert SyncState.load().sync_queued_at is None


def test_heartbeat_is_recorded(db):
    heartbeat()
    assert (timezone.now() - SyncState.load().worker_heartbeat_at).total_seconds() < 5


def test_status_panel_answers_at_a_glance(sheets, settings, admin_client, alice, lower1):
    settings.SHEETS_MAX_ATTEMPTS = 1
    completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 1))
    run_sync()
    completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 2))
    sheets.fail_next(500)
    run_sync()
    heartbeat()
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Google Sheets sync" in page
    assert "workout-log-test / Log" in page
    assert "Sessions pending</th>\n      <td>1;" in page
    assert "<strong>Failed</strong>" in page and "answered 500" in page
    assert "alive (heartbeat" in page
    assert "3 appended" in page


def test_status_panel_says_when_sync_is_not_configured(db, admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert (
        "<strong>no</strong>. Sheets sync is not configured: set SHEETS_SPREADSHEET_ID (or a "
        "spreadsheet in a lifter&#x27;s Google Sheets profile) and GOOGLE_SERVICE_ACCOUNT_FILE; "
        "see the README." in page
    )
    assert "<strong>never seen</strong>" in page


def test_session_list_shows_sync_state_and_failures(sheets, settings, admin_client, alice, lower1):
    settings.SHEETS_MAX_ATTEMPTS = 1
    session = completed_workout(alice, lower1, SQUAT_DAY)
    for _ in range(3):
        sheets.fail_next(503)
        run_sync()
    page = admin_client.get(reverse("admin:sessions_app_workout_changelist")).content.decode()
    assert "failing (3 attempts)" in page and "answered 503" in page
    run_sync()
    page = admin_client.get(reverse("admin:sessions_app_workout_changelist")).content.decode()
    assert session.pk in page and ">synced<" in page


def test_admin_actions_mark_for_resync_and_sync_now(
    sheets, admin_client, alice, lower1, django_capture_on_commit_callbacks
):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    get_broker().purge_queue()
    SyncState.objects.update(sync_queued_at=None)
    changelist = reverse("admin:sessions_app_workout_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            changelist, {"action": "mark_for_resync", "_selected_action": [session.pk]}
        )
    session.refresh_from_db()
    assert not session.synced_to_sheets
    assert queued_task_count() == 1
    run_sync()
    get_broker().purge_queue()
    SyncState.objects.update(sync_queued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "sync_now", "_selected_action": [session.pk]})
    assert queued_task_count() == 1


def test_sync_runs_are_listed_for_the_operator(sheets, admin_client, alice, lower1):
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    page = admin_client.get(reverse("admin:sync_app_syncrun_changelist")).content.decode()
    assert SyncRun.objects.get().outcome == "success" and "success" in page


def test_a_lifters_own_spreadsheet_is_set_on_their_user(admin_client, alice):
    page = admin_client.get(reverse("admin:auth_user_change", args=[alice.pk])).content.decode()
    assert "Google Sheets profile" in page and 'name="sheets_profile-0-spreadsheet_id"' in page
