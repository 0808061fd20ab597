"""`manage.py sync` and `manage.py import_sheets`, as an operator runs them."""

import datetime
import io
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape

from sessions_app.export import COLUMNS_V1
from sessions_app.models import Set, Workout
from sync_app.models import SyncRun
from sync_app.rows import HEADER
from tests.sync_helpers import (
    SQUAT_DAY,
    completed_workout,
    data_rows,
    keys_in_sheet,
    sheet,
    trimmed,
)
from workoutsite.logs import JsonLinesFormatter


def sync(*args):
    out = io.StringIO()
    call_command("sync", *args, stdout=out)
    return out.getvalue()


def test_sync_prints_progress_and_a_summary(sheets, alice, lower1):
    completed_workout(alice, lower1, SQUAT_DAY)
    output = sync()
    assert "reading the sheet" in output
    assert "Success: 1 session(s), 3 row(s) appended, 0 updated, 0 deleted, 3 API call(s)" in output


NOT_CONFIGURED = (
    "Sheets sync is not configured: set SHEETS_SPREADSHEET_ID (or a spreadsheet in a lifter's "
    "Google Sheets profile) and GOOGLE_SERVICE_ACCOUNT_FILE; see the README."
)


@pytest.mark.parametrize("arguments", [[], ["--check"], ["--dry-run"]])
def test_sync_and_check_without_configuration_fail_with_one_line_naming_what_is_missing(
    db, settings, arguments
):
    settings.SHEETS_SPREADSHEET_ID = ""
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    with pytest.raises(CommandError) as raised:
        sync(*arguments)
    assert str(raised.value) == NOT_CONFIGURED


def test_the_admin_panel_gives_the_same_sentence(admin_client, settings):
    settings.SHEETS_SPREADSHEET_ID = ""
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    assert escape(NOT_CONFIGURED) in admin_client.get("/admin/").content.decode()


def test_without_configuration_only_the_missing_part_is_named(db, settings):
    settings.SHEETS_SPREADSHEET_ID = "a-spreadsheet"
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    for arguments in ([], ["--check"]):
        with pytest.raises(CommandError) as raised:
            sync(*arguments)
        assert str(raised.value) == (
            "Sheets sync is not configured: set GOOGLE_SERVICE_ACCOUNT_FILE; see the README."
        )


def test_sync_failure_is_a_non_zero_exit_with_the_reason(sheets, alice, lower1):
    completed_workout(alice, lower1, SQUAT_DAY)
    sheets.fail_next(403)
    with pytest.raises(CommandError, match="answered 403"):
        sync()


def test_dry_run_lists_the_changes_and_writes_nothing(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    output = sync("--dry-run")
    assert "write the header row" in output
    assert f"append  {session.pk} Back Squat #2" in output
    assert (
        "Dry run, nothing was written: 1 session(s), would append 3 row(s), update 0, "
        "delete 0; 2 API call(s) (reads), 0 retry(ies)." in output
    )
    assert "Success" not in output
    assert sheet(sheets) == []
    assert not SyncRun.objects.exists()
    session.refresh_from_db()
    assert not session.synced_to_sheets
    assert {call.kind for call in sheets.calls} <= {"metadata", "values.batchGet"}


def test_dry_run_is_marked_in_the_log_line(sheets, alice, lower1, caplog):
    completed_workout(alice, lower1, SQUAT_DAY)
    with caplog.at_level(logging.INFO, logger="sync"):
        sync("--dry-run")
        sync()
    lines = [
        json.loads(JsonLinesFormatter().format(record))
        for record in caplog.records
        if record.name == "sync"
    ]
    assert [(line["message"], line["dry_run"], line["appended"]) for line in lines] == [
        ("sync dry run: nothing was written", True, 3),
        ("sync run", False, 3),
    ]


def test_check_reports_workouts_waiting_for_the_sync_without_calling_them_drift(
    sheets, alice, lower1
):
    synced = completed_workout(alice, lower1, SQUAT_DAY)
    sync()
    waiting = completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 23))
    Workout.objects.filter(pk=waiting.pk).update(
        completed_at=datetime.datetime(2025, 9, 23, 18, 30, tzinfo=datetime.UTC)
    )
    completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 25))
    output = sync("--check")  # no CommandError: exit status 0
    assert "The sheet matches the database." not in output
    assert (
        "2 completed workout(s) wait for the sync (the next run writes them); the oldest, "
        f"{waiting.pk}, was completed 2025-09-23 18:30 UTC." in output
    )
    assert "The synced workouts match the sheet." in output

    rows = sheet(sheets)
    rows[1][6] = 6  # and a real difference: exit status 1, pending still reported
    sheets.set_rows("workout-log-test", "Log", rows)
    out = io.StringIO()
    with pytest.raises(CommandError, match="^1 difference"):
        call_command("sync", "--check", stdout=out)
    assert f"row 2 ({synced.pk} Back Squat #1): reps is '6'" in out.getvalue()
    assert "2 completed workout(s) wait for the sync" in out.getvalue()


def test_sync_one_session(sheets, alice, bob, lower1):
    alices = completed_workout(alice, lower1, SQUAT_DAY)
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    sync("--session", bobs.pk)
    assert sorted(keys_in_sheet(sheets)) == sorted(str(s.key) for s in bobs.sets.all())
    alices.refresh_from_db()
    assert not alices.synced_to_sheets


def test_sync_an_unknown_session_fails(sheets, db):
    with pytest.raises(CommandError, match="No session 2020-01-01_nope."):
        sync("--session", "2020-01-01_nope")


def test_check_finds_a_row_changed_by_hand(sheets, alice, lower1):
    sheets.set_rows("workout-log-test", "Log", [COLUMNS_V1])  # a tab of version 1
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sync()
    assert "The sheet matches the database." in sync("--check")
    rows = sheet(sheets)
    rows[2][5] = 255  # a lifter "fixes" a weight in the sheet
    sheets.set_rows("workout-log-test", "Log", rows)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("sync", "--check", stdout=out)
    assert (
        f"row 3 ({session.pk} Back Squat #2): weight (lb) is '255' in the sheet, "
        "'235' in the database" in out.getvalue()
    )


def test_check_reports_missing_rows_duplicates_and_strangers(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sync()
    header, first, second, third = sheet(sheets)
    stranger = [
        "2025-01-01",
        "x",
        "y",
        "Curl",
        1,
        20,
        10,
        "",
        "",
        "0e0e0e0e-0000-4000-8000-000000000000",
    ]
    sheets.set_rows("workout-log-test", "Log", [header, first, first, third, stranger])
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 difference"):
        call_command("sync", "--check", stdout=out)
    report = out.getvalue()
    assert f"missing row for {session.pk} Back Squat #2" in report
    assert f"{session.pk} Back Squat #1 appears on rows 2, 3" in report
    assert (
        "has key 0e0e0e0e-0000-4000-8000-000000000000 of no known set; it is left alone" in report
    )


def test_import_restores_an_empty_database_and_check_sees_no_drift(
    sheets, alice, django_user_model, lower1
):
    legacy = ["2024-12-30", "", "upper1", "Bench Press", 1, 155, 8, "from my notebook", "", ""]
    sheets.set_rows("workout-log-test", "Log", [HEADER, legacy])
    first = completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 20))
    second = completed_workout(
        alice, lower1, [("Deadlift", "405", "3", "=SUM(1,2)")], date=datetime.date(2025, 9, 22)
    )
    sync()
    expected = {
        str(s.key): (s.workout_id, s.exercise_name, s.set_number, s.weight, s.reps, s.notes)
        for s in Set.objects.all()
    }
    before = sheet(sheets)

    Workout.objects.all().delete()  # the database is lost...
    from sync_app.models import Tombstone

    Tombstone.objects.all().delete()
    out = io.StringIO()
    call_command("import_sheets", "alice", stdout=out)  # ...and restored from the sheet
    assert "Imported 5 set(s) (1 from rows without a key) into 3 new session(s)" in out.getvalue()

    restored = {
        str(s.key): (s.workout_id, s.exercise_name, s.set_number, s.weight, s.reps, s.notes)
        for s in Set.objects.filter(legacy_sheet_row=False)
    }
    assert restored == expected
    assert {s.pk for s in Workout.objects.filter(owner=alice)} == {
        first.pk,
        second.pk,
        "2024-12-30_upper1",
    }
    assert all(s.status == "completed" and s.synced_to_sheets for s in Workout.objects.all())
    assert "The sheet matches the database." in sync("--check")
    assert "Nothing to sync" in sync()
    assert sheet(sheets) == before

    again = io.StringIO()
    call_command("import_sheets", "alice", stdout=again)
    assert "Imported 0 set(s)" in again.getvalue() and "5 already here" in again.getvalue()


def test_imported_legacy_sets_are_never_written_back(sheets, alice, lower1):
    legacy = ["2024-12-30", "", "upper1", "Bench Press", 1, 155, 8, "", "", ""]
    sheets.set_rows("workout-log-test", "Log", [HEADER, legacy])
    call_command("import_sheets", "alice", stdout=io.StringIO())
    imported = Set.objects.get()
    imported.notes = "edited in the admin"
    imported.save_changes(["notes"])
    sync()
    assert [trimmed(row) for row in data_rows(sheets)] == [trimmed(legacy)]


def test_import_skips_rows_it_cannot_read(sheets, alice):
    rows = [
        HEADER,
        ["not a date", "", "upper1", "Bench", 1, 100, 5, "", "", ""],
        ["2025-01-01", "", "upper1", "", 1, 100, 5, "", "", ""],
        ["2025-01-01", "", "upper1", "Bench", 1, 100, 5, "", "", "not-a-key"],
    ]
    sheets.set_rows("workout-log-test", "Log", rows)
    out = io.StringIO()
    call_command("import_sheets", "alice", stdout=out)
    assert "row 2: 'not a date' is not a date like 2025-09-21" in out.getvalue()
    assert "row 3: no exercise" in out.getvalue()
    assert "row 4: 'not-a-key' is not a key this app wrote" in out.getvalue()
    assert not Set.objects.exists()


def test_import_for_an_unknown_user_fails(sheets, db):
    with pytest.raises(CommandError, match="There is no user named 'ghost'."):
        call_command("import_sheets", "ghost")


def test_sync_runs_from_a_shell_with_the_system_checks(sheets, transactional_db):
    """As an operator types it: a real process, Django's system checks included."""
    import os
    import subprocess
    import sys

    from tests.conftest import database_url

    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SHEETS_SPREADSHEET_ID": "workout-log-test",
        "GOOGLE_SHEETS_API_URL": sheets.url,
    }
    for arguments in ([], ["--dry-run"], ["--check"]):
        finished = subprocess.run(
            [sys.executable, "manage.py", "sync", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert finished.returncode == 0, finished.stderr
        assert "Traceback" not in finished.stderr
    del environment["SHEETS_SPREADSHEET_ID"]
    finished = subprocess.run(
        [sys.executable, "manage.py", "sync"], env=environment, capture_output=True, text=True
    )
    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [
        # The imitation's address stands in for credentials: only the spreadsheet is missing.
        "CommandError: Sheets sync is not configured: set SHEETS_SPREADSHEET_ID (or a "
        "spreadsheet in a lifter's Google Sheets profile); see the README."
    ]
