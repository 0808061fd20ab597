"""Each lifter's sheet on its own: its lease, its place in line, its back-off."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from sessions_app.models import Workout
from sync_app.models import SheetsProfile, SheetState, SyncRun
from sync_app.pull import run_pull
from sync_app.push import run_sync
from sync_app.targets import Target
from tests.processes import wait_for
from tests.sync_helpers import SQUAT_DAY, completed_workout, keys_in_sheet

ALICE_SHEET = "alice-sheet"
BOB_SHEET = "bob-sheet"


def own_sheet(sheets, lifter, spreadsheet_id):
    sheets.create_spreadsheet(spreadsheet_id, worksheets=("Log",))
    SheetsProfile.objects.create(user=lifter, spreadsheet_id=spreadsheet_id, worksheet="Log")
    return Target(spreadsheet_id, "Log")


def calls_to(sheets, spreadsheet_id):
    return [call.kind for call in sheets.calls if f"/spreadsheets/{spreadsheet_id}" in call.path]


def keys_of(workout):
    return sorted(str(s.key) for s in workout.sets.all())


def in_thread(results, **kwargs):
    def run():
        try:
            results.append(run_sync(**kwargs))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_two_runs_push_two_lifters_sheets_side_by_side(sheets, settings, alice, bob, lower1):
    settings.SHEETS_TIMEOUT_SECONDS = 20
    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    alices = completed_workout(alice, lower1, SQUAT_DAY)  # waited longest: first in line
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    # Alice's append is carried out, then its answer hangs: her run holds her sheet.
    sheets.delay_next(4, kinds=["values.append"], after_apply=True, spreadsheet_ids=[ALICE_SHEET])
    first, second = [], []
    alice_run = in_thread(first)
    try:
        assert wait_for(lambda: "values.append" in calls_to(sheets, ALICE_SHEET), seconds=10)
        bob_run = in_thread(second)  # another worker, meanwhile
        bob_run.join(timeout=10)
        # Bob's rows are in his sheet while Alice's run still waits on hers.
        assert alice_run.is_alive()
        assert second[0].appended == 3 and list(second[0].busy) == [f"{ALICE_SHEET} / Log"]
        assert sorted(keys_in_sheet(sheets, spreadsheet_id=BOB_SHEET)) == keys_of(bobs)
        assert Workout.objects.get(pk=bobs.pk).synced_to_sheets
    finally:
        alice_run.join(timeout=20)
    assert first[0].outcome == "success"
    assert sorted(keys_in_sheet(sheets, spreadsheet_id=ALICE_SHEET)) == keys_of(alices)
    assert calls_to(sheets, BOB_SHEET).count("values.append") == 1  # never twice


@pytest.mark.django_db(transaction=True)
def test_one_sheet_never_has_two_writers(sheets, settings, alice, lower1):
    settings.SHEETS_TIMEOUT_SECONDS = 20
    target = own_sheet(sheets, alice, ALICE_SHEET)
    workout = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.delay_next(3, kinds=["values.append"], after_apply=True)
    first, second = [], []
    writing = in_thread(first)
    try:
        assert wait_for(lambda: "values.append" in calls_to(sheets, ALICE_SHEET), seconds=10)
        calls_before = len(sheets.calls)
        holder = SheetState.objects.get(target=str(target)).lease_holder
        in_thread(second).join(timeout=10)
        assert second[0].outcome == "busy"  # the sheet is another run's: left to it
        assert len(sheets.calls) == calls_before  # not even a read of it
        assert SheetState.objects.get(target=str(target)).lease_holder == holder
    finally:
        writing.join(timeout=20)
    assert first[0].outcome == "success"
    assert sorted(keys_in_sheet(sheets, spreadsheet_id=ALICE_SHEET)) == keys_of(workout)
    assert SheetState.objects.get(target=str(target)).lease_holder == ""


def test_a_failing_sheet_does_not_delay_another_lifters_push(sheets, settings, alice, bob, lower1):
    settings.SHEETS_BACKOFF_SECONDS = 0.5
    settings.SHEETS_MAX_ATTEMPTS = 3
    settings.SYNC_SHEET_BACKOFF_SECONDS = 60
    alice_sheet = own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)  # waited longest: first in line
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    sheets.fail_next(503, times=1000, spreadsheet_ids=[ALICE_SHEET])

    result = run_sync(trigger="queue")
    assert (result.outcome, result.appended, result.retries) == ("partial", 3, 2)
    assert sorted(keys_in_sheet(sheets, spreadsheet_id=BOB_SHEET)) == keys_of(bobs)
    # Bob's push went between Alice's first try and her retries, not after them all.
    order = [call.path.split("/")[3] for call in sheets.calls]
    alice_tries = [n for n, spreadsheet in enumerate(order) if spreadsheet == ALICE_SHEET]
    bob_append = [call.kind for call in sheets.calls].index("values.append")
    assert len(alice_tries) == 3 and alice_tries[0] < bob_append < alice_tries[1]

    # Her sheet now backs off: the next automatic runs leave it alone, Bob's goes on.
    state = SheetState.objects.get(target=str(alice_sheet))
    assert state.failures == 1 and "answered 503" in state.last_error
    first_delay = (state.retry_at - timezone.now()).total_seconds()
    assert 55 < first_delay <= 60
    sheets.reset_calls()
    later = completed_workout(bob, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 23))
    result = run_sync(trigger="queue")
    assert (result.outcome, result.appended, result.backing_off) == ("success", 3, 1)
    assert calls_to(sheets, ALICE_SHEET) == []
    assert set(keys_of(later)) <= set(keys_in_sheet(sheets, spreadsheet_id=BOB_SHEET))

    # An operator's run tries her sheet at once; failing again doubles the wait.
    assert run_sync(trigger="command").outcome == "failed"
    state.refresh_from_db()
    assert state.failures == 2
    assert 115 < (state.retry_at - timezone.now()).total_seconds() <= 120

    sheets.clear_faults()
    assert run_sync(trigger="command").outcome == "success"
    state.refresh_from_db()
    assert (state.failures, state.retry_at, state.last_error) == (0, None, "")


def test_the_sheet_whose_workout_waited_longest_goes_first(sheets, alice, bob, lower1):
    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(bob, lower1, SQUAT_DAY)
    completed_workout(alice, lower1, SQUAT_DAY)
    Workout.objects.filter(owner=alice).update(
        completed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert run_sync().outcome == "success"
    first_calls = [call.path.split("/")[3] for call in sheets.calls[:3]]
    assert first_calls == [ALICE_SHEET] * 3


@pytest.mark.django_db(transaction=True)
def test_a_push_does_not_wait_behind_another_lifters_slow_pull(
    sheets, settings, alice, bob, lower1
):
    settings.SHEETS_TIMEOUT_SECONDS = 20
    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(bob, lower1, SQUAT_DAY)
    assert run_sync().outcome == "success"
    sheets.delay_next(4, kinds=["values.batchGet"], spreadsheet_ids=[BOB_SHEET])
    pulled = []

    def pull():
        try:
            pulled.append(run_pull(owner_ids=[bob.pk]))
        finally:
            connection.close()

    pulling = threading.Thread(target=pull)
    pulling.start()
    try:
        assert wait_for(lambda: "values.batchGet" in calls_to(sheets, BOB_SHEET)[-1:], seconds=10)
        alices = completed_workout(alice, lower1, SQUAT_DAY)
        assert run_sync().outcome == "success"
        assert pulling.is_alive()  # Bob's pull still reads his sheet
        assert sorted(keys_in_sheet(sheets, spreadsheet_id=ALICE_SHEET)) == keys_of(alices)
    finally:
        pulling.join(timeout=20)
    assert pulled[0].outcome == "success"


def test_a_run_says_which_sheets_it_left_alone_and_why(sheets, settings, alice, bob, lower1):
    settings.SHEETS_MAX_ATTEMPTS = 1
    alice_sheet = own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    SheetState.failed(alice_sheet, "Google Sheets answered 503")
    result = run_sync(trigger="schedule")
    assert (result.outcome, result.appended) == ("success", 3)
    assert result.summary().endswith("1 sheet(s) left alone: they are backing off after failing.")


@pytest.mark.django_db(transaction=True)
def test_a_run_alive_on_a_slow_sheet_is_not_taken_for_an_interrupted_one(
    sheets, settings, alice, bob, lower1
):
    settings.SHEETS_TIMEOUT_SECONDS = 20
    settings.SYNC_LEASE_SECONDS = 0.6
    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    sheets.delay_next(2.5, kinds=["values.append"], spreadsheet_ids=[ALICE_SHEET])
    slow = []
    alice_run = in_thread(slow)
    try:
        assert wait_for(lambda: "values.append" in calls_to(sheets, ALICE_SHEET), seconds=10)
        time.sleep(1.2)  # twice the lease: a run recorded then, silent since, was killed
        completed_workout(bob, lower1, SQUAT_DAY)
        assert (
            run_sync(
                workout_ids=list(Workout.objects.filter(owner=bob).values_list("pk", flat=True))
            ).outcome
            == "success"
        )
        assert SyncRun.objects.filter(outcome="running").count() == 1  # Alice's, alive
    finally:
        alice_run.join(timeout=20)
    assert slow[0].outcome == "success"
    assert sorted(SyncRun.objects.values_list("outcome", "error")) == [("success", "")] * 2


def test_sheets_a_run_had_no_time_for_wait_for_the_next_run_without_backing_off(
    sheets, settings, alice, bob, lower1
):
    """A pull over thousands of sheets may use up its time: the sheets it never came to
    are left to the next run, not held against them (their lifters' pushes go on)."""
    own_sheet(sheets, alice, ALICE_SHEET)
    bob_sheet = own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    run_sync()
    settings.SYNC_RUN_BUDGET_SECONDS = 0.5
    sheets.delay_next(0.8, kinds=["metadata"], spreadsheet_ids=[ALICE_SHEET])

    result = run_pull(trigger="pull")
    assert result.targets_done == 1
    assert "This run used its time; the next run goes on." in result.summary()
    assert str(bob_sheet) not in SheetState.backing_off()
    assert SheetState.objects.get(target=str(bob_sheet)).failures == 0

    later = completed_workout(bob, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 23))
    assert run_sync(trigger="queue").backing_off == 0
    assert set(keys_of(later)) <= set(keys_in_sheet(sheets, spreadsheet_id=BOB_SHEET))


def test_a_scheduled_pull_that_ran_out_of_time_queues_the_next_at_once(
    sheets, settings, alice, bob, lower1
):
    """The sheets it never came to are read by the pull queued right after, not an hour
    later at the next tick; a pull that came to every sheet queues nothing."""
    from sync_app.tasks import pull_sheets
    from tests.conftest import queued_task_count

    own_sheet(sheets, alice, ALICE_SHEET)
    own_sheet(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    run_sync()
    queued_before = queued_task_count()
    settings.SYNC_RUN_BUDGET_SECONDS = 0.5
    sheets.delay_next(0.8, kinds=["metadata"], spreadsheet_ids=[ALICE_SHEET])

    assert "This run used its time" in pull_sheets("schedule")
    assert queued_task_count() == queued_before + 1

    settings.SYNC_RUN_BUDGET_SECONDS = 60
    pull_sheets("schedule")  # the one queued, as the worker would run it
    assert SheetState.objects.filter(pulled_at__isnull=False).count() == 2
    assert queued_task_count() == queued_before + 1
