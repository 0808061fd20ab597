"""Faults that must lose nothing: processes killed mid-work, Google out of reach."""

import os
import signal
import threading
import time
import uuid

import pytest
import requests
from django.urls import reverse

from sessions_app.models import ApiToken, Set, Workout
from sync_app.admin import sheet_state
from sync_app.models import SheetsProfile, SheetState, SyncRun
from sync_app.push import run_sync
from sync_app.tasks import enqueue_sync
from tests.conftest import SPREADSHEET_ID
from tests.processes import free_port, kill_hard, start_gunicorn, start_qcluster, stop, wait_for
from tests.sync_helpers import SQUAT_DAY, completed_workout, keys_in_sheet, sheet

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 4


def test_killing_the_web_server_loses_no_acknowledged_set(alice, lower1):
    session = Workout.start(alice, lower1)
    token = ApiToken.issue(alice)
    port = free_port()
    server = start_gunicorn(port)
    acknowledged, unanswered, stop_sending = set(), set(), threading.Event()
    lock = threading.Lock()

    def lifter():
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        while not stop_sending.is_set():
            key = str(uuid.uuid4())
            body = {"session_id": session.pk, "exercise": "Back Squat", "reps": "5", "key": key}
            try:
                response = http.put(
                    f"http://127.0.0.1:{port}/api/session/log-set", json=body, timeout=5
                )
                answered = response.status_code == 200 and response.json()["set"]["key"] == key
            except requests.RequestException:
                answered = False
            with lock:
                (acknowledged if answered else unanswered).add(key)
            if not answered:
                stop_sending.wait(0.05)

    lifters = [threading.Thread(target=lifter) for _ in range(CLIENTS)]
    for thread in lifters:
        thread.start()
    try:
        assert wait_for(lambda: len(acknowledged) >= 40, seconds=30)
        kill_hard(server)  # kill -9, mid-traffic
        assert wait_for(lambda: len(unanswered) >= 1, seconds=10)
        stop_sending.set()
        for thread in lifters:
            thread.join()
        assert set(map(str, Set.objects.values_list("key", flat=True))) >= acknowledged

        server = start_gunicorn(port)
        # The phones send again what got no answer; the keys keep them from doubling.
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        for key in sorted(unanswered):
            body = {"session_id": session.pk, "exercise": "Back Squat", "reps": "5", "key": key}
            assert (
                http.put(f"http://127.0.0.1:{port}/api/session/log-set", json=body).status_code
                == 200
            )
        stored = [
            str(key) for key in Set.objects.filter(workout=session).values_list("key", flat=True)
        ]
        assert sorted(stored) == sorted(acknowledged | unanswered)  # each set exactly once
    finally:
        stop_sending.set()
        stop(server)


def test_killing_the_worker_between_append_and_mark_never_doubles_a_row(sheets, alice, lower1):
    # The append is carried out, then its answer is held back: the worker dies waiting.
    sheets.delay_next(60, kinds=["values.append"], after_apply=True)
    cluster_settings = {
        "SHEETS_SPREADSHEET_ID": SPREADSHEET_ID,
        "GOOGLE_SHEETS_API_URL": sheets.url,
        "SHEETS_TIMEOUT_SECONDS": "90",
        "SHEETS_SETTLE_SECONDS": "0",
        "SYNC_LEASE_SECONDS": "3",  # the dead worker's lease lapses quickly
    }
    worker = start_qcluster(**cluster_settings)
    try:
        session = completed_workout(alice, lower1, SQUAT_DAY)  # queues a sync after commit
        keys = sorted(str(s.key) for s in session.sets.all())
        assert wait_for(lambda: sheet(sheets) and sorted(keys_in_sheet(sheets)) == keys)
        session.refresh_from_db()
        assert not session.synced_to_sheets  # appended, not yet marked
        kill_hard(worker)

        sheets.clear_faults()
        worker = start_qcluster(**cluster_settings)
        enqueue_sync()
        assert wait_for(lambda: Workout.objects.get(pk=session.pk).synced_to_sheets, seconds=60)
        assert sorted(keys_in_sheet(sheets)) == keys  # each set exactly once
        assert len(sheet(sheets)) == 1 + len(keys)  # and one header
    finally:
        stop(worker)


@pytest.mark.cluster
def test_a_worker_killed_mid_append_blocks_the_sync_only_until_its_short_lease_lapses(
    sheets, alice, lower1
):
    lease_seconds = 6
    # The append is carried out, then its answer is held for longer than the lease.
    sheets.delay_next(60, kinds=["values.append"], after_apply=True)
    cluster_settings = {
        "SHEETS_SPREADSHEET_ID": SPREADSHEET_ID,
        "GOOGLE_SHEETS_API_URL": sheets.url,
        "SHEETS_TIMEOUT_SECONDS": "90",
        "SHEETS_SETTLE_SECONDS": "0",
        "SYNC_LEASE_SECONDS": str(lease_seconds),
    }
    worker = start_qcluster(**cluster_settings)
    try:
        session = completed_workout(alice, lower1, SQUAT_DAY)  # queues a sync after commit
        assert wait_for(lambda: "values.append" in {call.kind for call in sheets.calls})
        time.sleep(2 * lease_seconds)
        # Hanging in one call for twice the lease, the live run still holds it.
        assert run_sync().outcome == "busy"
        assert SheetState.objects.get().lease_holder != ""

        kill_hard(worker)  # kill -9 mid-append: nobody gives the lease back
        killed_at = time.monotonic()
        sheets.clear_faults()
        worker = start_qcluster(**cluster_settings)
        enqueue_sync()  # the next run, while the dead worker's lease still stands
        assert wait_for(lambda: Workout.objects.get(pk=session.pk).synced_to_sheets, seconds=60)
        # Within the lease (plus the poll of a waiting run and a worker's start).
        assert time.monotonic() - killed_at < lease_seconds + 15
        keys = sorted(str(s.key) for s in session.sets.all())
        assert sorted(keys_in_sheet(sheets)) == keys  # each set exactly once
        interrupted = SyncRun.objects.get(outcome="failed")
        assert interrupted.error.startswith("Interrupted")
    finally:
        stop(worker)


@pytest.mark.cluster
def test_two_workers_fifty_lifters_one_killed_mid_run_every_row_once(
    sheets, lower1, django_user_model
):
    lifters = []
    for number in range(50):
        lifter = django_user_model.objects.create_user(f"lifter{number}", password="x")
        sheets.create_spreadsheet(f"sheet-{number}", worksheets=("Log",))
        SheetsProfile.objects.create(user=lifter, spreadsheet_id=f"sheet-{number}", worksheet="Log")
        lifters.append(lifter)
    workouts = [completed_workout(lifter, lower1, SQUAT_DAY) for lifter in lifters]
    # Every append is carried out, then its answer comes late: a kill lands mid-append.
    sheets.delay_next(0.3, times=10_000, kinds=["values.append"], after_apply=True)
    cluster_settings = {
        "SHEETS_SPREADSHEET_ID": "",
        "GOOGLE_SHEETS_API_URL": sheets.url,
        "SHEETS_TIMEOUT_SECONDS": "20",
        "SHEETS_SETTLE_SECONDS": "0",
        "SYNC_LEASE_SECONDS": "3",  # the dead worker's sheet is free again soon
    }
    cluster = start_qcluster(workers=2, **cluster_settings)  # two worker processes
    enqueue_sync()
    synced = Workout.objects.filter(synced_to_sheets=True)
    holders = set()  # host:pid:run of each lease seen

    def leases_held():
        held = SheetState.objects.exclude(lease_holder="").values_list("lease_holder", flat=True)
        holders.update(held)
        return list(held)

    try:
        # Both workers at work on different sheets at once.
        assert wait_for(lambda: len({h.split(":")[1] for h in holders | set(leases_held())}) >= 2)
        assert wait_for(lambda: synced.count() >= 10 and leases_held(), every=0.05)
        victim = int(leases_held()[0].split(":")[1])
        os.kill(victim, signal.SIGKILL)  # kill -9 of one worker, mid-run
        assert synced.count() < 50
        assert wait_for(lambda: synced.count() == 50, seconds=120)
    finally:
        stop(cluster)
    for number, workout in enumerate(workouts):
        expected = sorted(str(s.key) for s in workout.sets.all())
        keys = keys_in_sheet(sheets, spreadsheet_id=f"sheet-{number}")
        assert sorted(keys) == expected  # each row exactly once
        assert len(sheet(sheets, spreadsheet_id=f"sheet-{number}")) == 1 + len(expected)


def test_sheets_out_of_reach_for_a_while_loses_and_doubles_nothing(
    sheets, settings, alice, bob, lower1, django_user_model
):
    settings.GOOGLE_SHEETS_API_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens
    workouts = [
        completed_workout(alice, lower1, SQUAT_DAY),
        completed_workout(bob, lower1, SQUAT_DAY),
    ]
    for _ in range(3):
        result = run_sync(sleep=lambda seconds: None)
        assert result.outcome == "failed" and "ConnectionError" in result.errors[0]
    assert {sheet_state(s).split(" ")[0] for s in Workout.objects.all()} == {"failing"}

    operator = django_user_model.objects.create_superuser("operator", password="x")
    from django.test import Client

    admin = Client()
    admin.force_login(operator)
    runs_page = admin.get(reverse("admin:sync_app_syncrun_changelist")).content.decode()
    assert runs_page.count("ConnectionError") == 3  # the failing period, run by run
    sessions_page = admin.get(reverse("admin:sessions_app_workout_changelist")).content.decode()
    assert sessions_page.count("failing (3 attempts)") == 2

    settings.GOOGLE_SHEETS_API_URL = sheets.url  # back
    assert run_sync().outcome == "success"
    expected = sorted(str(s.key) for session in workouts for s in session.sets.all())
    assert sorted(keys_in_sheet(sheets)) == expected
    assert {sheet_state(s).split(" ")[0] for s in Workout.objects.all()} == {"synced"}
    assert list(SyncRun.objects.values_list("outcome", flat=True)) == ["success"] + ["failed"] * 3
