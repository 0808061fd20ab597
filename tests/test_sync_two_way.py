"""Editing in the sheet: fixes come back, are never overwritten, and conflicts wait for a choice.

Against the local Sheets imitation over real HTTP with real gspread, as the rest of the sync.
"""

import datetime
import io
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Set, Workout
from sync_app.conflicts import resolve
from sync_app.models import SheetConflict, SheetState, SyncRun, Tombstone, WrittenRow
from sync_app.pull import run_pull
from sync_app.push import run_sync
from tests.helpers import bulk_completed_sessions
from tests.sync_helpers import SQUAT_DAY, completed_workout, data_rows, keys_in_sheet, sheet

SPREADSHEET = "workout-log-test"
WEIGHT, NOTES, DATE = 5, 7, 0


def edit_in_sheet(imitation, row_number, column, value):
    """What a lifter does by hand: change one cell (row_number counts the header as 1)."""
    rows = sheet(imitation)
    rows[row_number - 1] += [""] * (column + 1 - len(rows[row_number - 1]))
    rows[row_number - 1][column] = value
    imitation.set_rows(SPREADSHEET, "Log", rows)


def delete_in_sheet(imitation, row_number):
    rows = sheet(imitation)
    del rows[row_number - 1]
    imitation.set_rows(SPREADSHEET, "Log", rows)


def check():
    out = io.StringIO()
    try:
        call_command("sync", "--check", stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


@pytest.fixture
def synced(sheets, alice, lower1):
    """Alice's squat day, in the sheet: rows 2, 3 and 4."""
    session = completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().appended == 3
    return session


def squat(session, number):
    return session.sets.get(exercise_name="Back Squat", set_number=number)


def test_a_fix_typed_into_the_sheet_is_taken_by_the_pull(sheets, synced):
    edit_in_sheet(sheets, 3, WEIGHT, 245)
    edit_in_sheet(sheets, 3, NOTES, "belt, felt heavy")
    before = sheet(sheets)
    sheets.reset_calls()
    result = run_pull()
    assert (result.outcome, result.taken, result.conflicts) == ("success", 1, 0)
    assert "1 row(s) taken from the sheet" in result.summary()
    assert sheets.call_count() == 2  # metadata, one batchGet of the whole tab
    second = squat(synced, 2)
    assert (second.weight, second.notes, second.weight_value) == (
        "245",
        "belt, felt heavy",
        Decimal("245.00"),
    )
    run = SyncRun.objects.first()
    assert (run.trigger, run.rows_taken, run.conflicts) == ("pull", 1, 0)
    # The push that follows writes nothing back: the row already says it.
    sheets.reset_calls()
    result = run_sync()
    assert (result.updated, result.appended) == (0, 0)
    assert sheets.call_count(kind="values.batchUpdate") == 0
    assert sheet(sheets) == before
    synced.refresh_from_db()
    assert synced.synced_to_sheets
    assert check()[1] is None


def test_a_date_fixed_in_the_sheet_moves_the_workout_and_its_other_rows(sheets, synced):
    edit_in_sheet(sheets, 2, DATE, "2025-09-20")
    assert run_pull().taken == 1
    synced.refresh_from_db()
    assert synced.date == datetime.date(2025, 9, 20) and not synced.synced_to_sheets
    result = run_sync()
    assert result.updated == 2  # the two other rows follow; the fixed one is left as is
    assert [row[DATE] for row in data_rows(sheets)] == ["2025-09-20"] * 3
    assert check()[1] is None


def test_a_fix_survives_a_later_app_edit_of_another_set(sheets, synced):
    edit_in_sheet(sheets, 3, WEIGHT, 245)  # set 2 fixed in the sheet...
    first = squat(synced, 1)
    first.weight = "230"  # ...then set 1 edited in the app: the workout is re-synced
    first.save_changes(["weight"])
    result = run_sync()
    assert (result.updated, result.taken, result.conflicts) == (1, 1, 0)
    rows = data_rows(sheets)
    assert (rows[0][WEIGHT], rows[1][WEIGHT]) == (230, 245)  # the fix was not rewritten
    assert squat(synced, 2).weight == "245"
    assert run_sync().updated == 0  # and it stays
    assert data_rows(sheets)[1][WEIGHT] == 245
    assert check()[1] is None


@pytest.fixture
def conflict(sheets, synced):
    edit_in_sheet(sheets, 3, WEIGHT, 245)
    second = squat(synced, 2)
    second.weight = "240"
    second.save_changes(["weight"])
    result = run_sync()
    assert (result.updated, result.conflicts, result.taken) == (0, 1, 0)
    return SheetConflict.objects.get()


def test_both_sides_changed_is_a_conflict_and_nothing_is_overwritten(sheets, synced, conflict):
    assert conflict.kind == "both" and conflict.row_number == 3
    assert data_rows(sheets)[1][WEIGHT] == 245
    assert squat(synced, 2).weight == "240"
    assert run_pull().conflicts == 0  # already known, still left alone
    Workout.objects.filter(pk=synced.pk).update(synced_to_sheets=False)
    assert run_sync().updated == 0
    assert data_rows(sheets)[1][WEIGHT] == 245
    out, error = check()
    assert f"conflict: {synced.pk} Back Squat #2" in out
    assert "changed in the sheet and in the app" in out
    assert error and "difference(s)" in error


def test_keeping_the_sheets_version_takes_it(sheets, synced, conflict):
    resolve(conflict, "sheet")
    assert squat(synced, 2).weight == "245"
    assert not SheetConflict.objects.exists()
    assert run_sync().updated == 0
    assert data_rows(sheets)[1][WEIGHT] == 245
    assert check()[1] is None


def test_keeping_the_apps_version_rewrites_the_row(sheets, synced, conflict):
    resolve(conflict, "app")
    result = run_sync()
    assert (result.updated, result.conflicts) == (1, 0)
    assert data_rows(sheets)[1][WEIGHT] == 240
    assert squat(synced, 2).weight == "240"
    assert check()[1] is None


def test_the_lifter_resolves_a_conflict_on_their_workout_page(
    sheets, synced, conflict, alice_client, bob_client
):
    url = reverse("resolve_sheet_conflict", args=[conflict.set_id])
    assert bob_client.post(url, {"choice": "sheet"}).status_code == 404
    page = alice_client.get(synced.get_absolute_url()).content.decode()
    assert "<td>245</td><td>240</td>" in page.replace("\n", "").replace("  ", "")
    assert f'action="{url}"' in page and "Keep the sheet" in page
    response = alice_client.post(url, {"choice": "app"})
    assert response.status_code == 302 and response.url == synced.get_absolute_url()
    assert not SheetConflict.objects.exists()
    assert alice_client.post(url, {"choice": "app"}).status_code == 404


def test_a_row_deleted_by_hand_is_reported_never_deleted_silently(sheets, synced):
    gone = squat(synced, 2)
    delete_in_sheet(sheets, 3)
    result = run_pull()
    assert result.conflicts == 1
    conflict = SheetConflict.objects.get()
    assert (conflict.set_id, conflict.kind) == (gone.pk, "deleted")
    assert Set.objects.filter(pk=gone.pk).exists()
    # An app edit of the workout does not write it back behind the lifter's back.
    first = squat(synced, 1)
    first.notes = "edited"
    first.save_changes(["notes"])
    assert run_sync().appended == 0
    assert str(gone.key) not in keys_in_sheet(sheets)
    out, error = check()
    assert "Back Squat #2" in out and "row deleted in the sheet" in out and error
    from sync_app.status import current_status

    assert current_status().rows_deleted_in_sheet == 1


def test_a_row_deleted_by_hand_can_be_written_back(sheets, synced):
    gone = squat(synced, 2)
    delete_in_sheet(sheets, 3)
    run_pull()
    resolve(SheetConflict.objects.get(), "app")
    assert run_sync().appended == 1
    assert str(gone.key) in keys_in_sheet(sheets)
    assert check()[1] is None


def test_a_row_deleted_by_hand_can_be_deleted_in_the_app(sheets, synced):
    gone = squat(synced, 2)
    delete_in_sheet(sheets, 3)
    run_pull()
    resolve(SheetConflict.objects.get(), "sheet")
    assert not Set.objects.filter(pk=gone.pk).exists()
    result = run_sync()
    assert (result.appended, result.deleted) == (0, 0)
    assert len(keys_in_sheet(sheets)) == 2
    assert check()[1] is None


def test_a_workout_typed_into_the_sheet_without_keys_is_imported_once(sheets, synced):
    rows = sheet(sheets)
    typed = [
        ["2025-09-23", "", "upper1", "Bench Press", 1, 185, 5, "typed on my phone", "", ""],
        ["2025-09-23", "", "upper1", "Bench Press", 2, 185, 5, "", "", ""],
    ]
    sheets.set_rows(SPREADSHEET, "Log", [*rows, *typed])
    result = run_pull()
    assert (result.imported, result.taken) == (2, 0)
    assert "2 hand-typed row(s) imported" in result.summary()
    imported = Workout.objects.get(pk="2025-09-23_upper1")
    assert [(s.weight, s.notes, s.legacy_sheet_row) for s in imported.sets.all()] == [
        ("185", "typed on my phone", True),
        ("185", "", True),
    ]
    assert run_pull().imported == 0
    assert Set.objects.count() == 5
    assert run_sync().outcome == "nothing to do"
    assert len(sheet(sheets)) == 6  # the typed rows stay as they are


def test_values_that_come_back_in_another_form_are_not_changes(sheets, alice, lower1):
    session = completed_workout(
        alice, lower1, [("Back Squat", "135", "5", "=SUM(1,2)"), ("Back Squat", "12.5", "8", "")]
    )
    run_sync()
    assert data_rows(sheets)[0][NOTES] == "=SUM(1,2)"  # kept as text
    edit_in_sheet(sheets, 2, WEIGHT, 135.0)  # a number typed again, read back as a float
    edit_in_sheet(sheets, 2, 4, 1.0)
    edit_in_sheet(sheets, 2, DATE, 45921)  # 2025-09-21 as Sheets' serial day number
    logged_at = data_rows(sheets)[1][8]
    in_utc = datetime.datetime.fromisoformat(logged_at).astimezone(datetime.UTC)
    edit_in_sheet(sheets, 3, 8, in_utc.isoformat())  # the same instant, another offset
    result = run_pull()
    assert (result.taken, result.conflicts) == (0, 0)
    assert [s.weight for s in session.sets.all()] == ["135", "12.5"]
    # And a push after an app edit of the workout leaves those rows alone.
    Workout.objects.filter(pk=session.pk).update(synced_to_sheets=False)
    result = run_sync()
    assert (result.updated, result.taken, result.conflicts) == (0, 0, 0)


def test_rows_written_before_fingerprints_get_one_then_fixes_are_taken(sheets, synced):
    WrittenRow.objects.all().delete()  # as if written by a version without two-way sync
    edit_in_sheet(sheets, 4, 6, 15)  # Leg Press reps fixed
    assert run_pull().taken == 1
    assert WrittenRow.objects.count() == 3
    assert synced.sets.get(exercise_name="Leg Press").reps == "15"
    assert run_pull().taken == 0


@pytest.mark.parametrize("session_count", [1, 500])
def test_a_pull_reads_at_most_3_times_whatever_the_history(sheets, alice, session_count):
    bulk_completed_sessions(alice, session_count)
    run_sync()
    edit_in_sheet(sheets, 2, WEIGHT, 205)
    sheets.reset_calls()
    result = run_pull()
    assert result.taken == 1
    assert sheets.call_count() <= 3
    assert [call.kind for call in sheets.calls] == ["metadata", "values.batchGet"]
    assert result.api_calls == 2


def test_sync_pull_from_the_shell_prints_a_summary(sheets, synced):
    edit_in_sheet(sheets, 3, WEIGHT, 245)
    out = io.StringIO()
    call_command("sync", "--pull", stdout=out)
    assert "Success: 1 row(s) taken from the sheet, 0 conflict(s)" in out.getvalue()
    assert SyncRun.objects.first().trigger == "command-pull"


def test_a_restore_remembers_the_rows_so_a_later_fix_is_not_overwritten(sheets, synced):
    Workout.objects.all().delete()  # the database is lost, and restored from the sheet
    Tombstone.objects.all().delete()
    call_command("import_sheets", "alice", stdout=io.StringIO())
    assert WrittenRow.objects.count() == 3
    restored = Workout.objects.get()
    edit_in_sheet(sheets, 3, WEIGHT, 245)
    first = squat(restored, 1)
    first.notes = "edited after the restore"
    first.save_changes(["notes"])
    result = run_sync()
    assert (result.updated, result.taken) == (1, 1)
    assert data_rows(sheets)[1][WEIGHT] == 245


def test_importing_the_sheet_again_does_not_hide_a_fix_typed_there(sheets, synced):
    edit_in_sheet(sheets, 3, WEIGHT, 245)  # fixed in the sheet...
    second = squat(synced, 2)
    second.weight = "240"  # ...and changed in the app
    second.save_changes(["weight"])
    call_command("import_sheets", "alice", stdout=io.StringIO())  # nothing new to bring
    result = run_sync()
    assert (result.updated, result.conflicts) == (0, 1)
    assert data_rows(sheets)[1][WEIGHT] == 245


def test_the_operator_sees_and_resolves_conflicts_in_the_admin(
    sheets, synced, conflict, admin_client
):
    page = admin_client.get("/admin/").content.decode()
    assert "1 changed on both sides, 0 deleted in the sheet" in page
    listing = admin_client.get("/admin/sync_app/sheetconflict/").content.decode()
    assert "weight: &#x27;245&#x27; → &#x27;240&#x27;" in listing
    response = admin_client.post(
        "/admin/sync_app/sheetconflict/",
        {"action": "keep_sheet", "_selected_action": [conflict.pk]},
        follow=True,
    )
    assert "1 conflict(s) resolved: the sheet&#x27;s version kept." in response.content.decode()
    assert squat(synced, 2).weight == "245"


def test_a_version_1_tab_with_a_workout_note_is_pulled_without_false_changes(sheets, alice, lower1):
    from sessions_app.export import COLUMNS_V1

    sheets.set_rows(SPREADSHEET, "Log", [COLUMNS_V1])
    session = Workout.start(alice, lower1, datetime.date(2025, 9, 21))
    session.note = "Gym was packed"
    session.save()
    for weight in ("135", "185", "225"):
        session.log_set("Back Squat", weight, "5", unit="kg")
    session.complete()
    run_sync()
    assert sheet(sheets)[1][NOTES] == "(kg) (workout note: Gym was packed)"
    WrittenRow.objects.all().delete()
    assert (run_pull().taken, WrittenRow.objects.count()) == (0, 3)
    edit_in_sheet(sheets, 2, NOTES, "(kg) paused (workout note: Gym was packed, knees ok)")
    result = run_pull()
    assert (result.taken, result.conflicts) == (1, 0)
    session.refresh_from_db()
    assert session.note == "Gym was packed, knees ok"
    first = session.sets.order_by("created_at").first()
    assert (first.notes, first.unit) == ("paused", "kg")
    assert run_sync().updated == 0
    assert check()[1] is None


def test_what_cannot_be_taken_is_written_back(sheets, synced):
    edit_in_sheet(sheets, 2, 1, "my-own-session-name")  # the session id is the app's
    run_pull()
    synced.refresh_from_db()
    assert synced.pk.startswith("2025-09-21_lower1.") and not synced.synced_to_sheets
    assert run_sync().updated == 1
    assert data_rows(sheets)[0][1] == synced.pk
    assert check()[1] is None


def test_a_dry_run_says_what_it_would_take_and_leave_alone(sheets, synced):
    edit_in_sheet(sheets, 3, WEIGHT, 245)
    delete_in_sheet(sheets, 4)
    first = squat(synced, 1)
    first.weight = "230"
    first.save_changes(["weight"])
    out = io.StringIO()
    call_command("sync", "--dry-run", stdout=out)
    assert f"update  row 2: {synced.pk} Back Squat #1" in out.getvalue()
    assert f"take    row 3 from the sheet: {synced.pk} Back Squat #2" in out.getvalue()
    assert "leave   a deleted row alone: deleted conflict" in out.getvalue()
    assert squat(synced, 2).weight == "235" and not SheetConflict.objects.exists()


@pytest.mark.parametrize(
    "column, written, read_back",
    [
        (WEIGHT, 135, 135.0),  # a number read back as a float
        (4, 2, 2.0),
        (DATE, "2025-09-21", 45921),  # a date read back as Sheets' serial day number
        (8, "2025-09-21 18:04:11+02:00", "2025-09-21T16:04:11+00:00"),  # the same instant
        (NOTES, "=SUM(1,2)", "=SUM(1,2)"),  # formula-looking text, written raw, stays text
    ],
)
def test_a_value_google_returns_in_another_form_keeps_the_fingerprint(column, written, read_back):
    from sync_app.rows import fingerprint

    row = ["2025-09-21", "s", "lower1", "Back Squat", 2, 135, 5, "", "", "k", "working", "", "lb"]
    row[column] = written
    again = list(row)
    again[column] = read_back
    assert fingerprint(again, 2) == fingerprint(row, 2)
    again[WEIGHT] = 140
    assert fingerprint(again, 2) != fingerprint(row, 2)


@pytest.mark.django_db(transaction=True)
def test_a_pull_slower_than_its_lease_keeps_it_and_a_sync_meanwhile_waits(
    sheets, alice, lower1, settings
):
    completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().appended == 3
    completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 23))  # to push
    settings.SYNC_LEASE_SECONDS = 0.6
    sheets.delay_next(1.5, kinds=["values.batchGet"])  # the pull's one read of the tab
    outcomes = []

    def pull():
        try:
            outcomes.append(run_pull().outcome)
        finally:
            connection.close()

    pulling = threading.Thread(target=pull)
    pulling.start()
    try:
        time.sleep(1.0)  # past the lease, the pull still waiting on the sheet
        state = SheetState.objects.get()  # the one sheet's lease
        assert state.lease_holder and state.lease_expires_at > timezone.now()
        assert run_sync().outcome == "busy"
    finally:
        pulling.join(timeout=20)
    assert outcomes == ["success"]
    assert SheetState.objects.get().lease_holder == ""
