"""The pull reads only sheets that may have changed (Drive's modifiedTime), and the
sheets of lifters active lately more often than those of dormant ones."""

import datetime
from decimal import Decimal

import requests
from django.utils import timezone

from sessions_app.models import Workout
from sync_app.models import SheetsProfile, SheetState
from sync_app.pull import due_for_pull, run_pull
from sync_app.push import run_sync
from sync_app.targets import Target, lifters_by_target
from tests.conftest import SPREADSHEET_ID
from tests.sync_helpers import SQUAT_DAY, completed_workout, sheet

WEIGHT = 5


def edit_weight(imitation, row_number, value, spreadsheet_id=SPREADSHEET_ID):
    """What a lifter does by hand: change one cell."""
    rows = sheet(imitation, spreadsheet_id=spreadsheet_id)
    rows[row_number - 1][WEIGHT] = value
    imitation.set_rows(spreadsheet_id, "Log", rows)


def drive_modified_time(imitation, spreadsheet_id):
    answer = requests.get(
        f"{imitation.url}/drive/v3/files/{spreadsheet_id}", params={"fields": "modifiedTime"}
    )
    assert answer.status_code == 200
    assert list(answer.json()) == ["modifiedTime"]
    return answer.json()["modifiedTime"]


def test_the_imitation_moves_modified_time_on_writes_and_hand_edits_only(sheets, alice, lower1):
    before = drive_modified_time(sheets, SPREADSHEET_ID)
    assert drive_modified_time(sheets, SPREADSHEET_ID) == before  # asking changes nothing
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()  # reads, then an append
    pushed = drive_modified_time(sheets, SPREADSHEET_ID)
    assert pushed > before
    sheets.reset_calls()
    run_pull(force=True)  # reads only
    assert drive_modified_time(sheets, SPREADSHEET_ID) == pushed
    edit_weight(sheets, 2, 230)
    assert drive_modified_time(sheets, SPREADSHEET_ID) > pushed
    missing = requests.get(f"{sheets.url}/drive/v3/files/no-such-file")
    assert missing.status_code == 404


def test_an_unchanged_sheet_is_not_read_and_a_hand_edit_makes_it_read(sheets, alice, lower1):
    workout = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    first = run_pull()
    assert (first.outcome, first.skipped, first.api_calls) == ("success", 0, 2)

    sheets.reset_calls()
    again = run_pull()
    assert (again.outcome, again.skipped, again.taken) == ("success", 1, 0)
    assert sheets.call_count() == 0  # not one Sheets call for it
    assert sheets.drive_calls == [SPREADSHEET_ID]  # one Drive call instead
    assert "1 sheet(s) unchanged and not read" in again.summary()

    edit_weight(sheets, 2, 230)
    sheets.reset_calls()
    after_edit = run_pull()
    assert (after_edit.skipped, after_edit.taken) == (0, 1)
    assert sheets.call_count() == 2  # metadata, one batchGet of the tab
    assert workout.sets.get(set_number=1, exercise_name="Back Squat").weight_value == Decimal(
        "230.00"
    )
    state = SheetState.objects.get(target=str(Target(SPREADSHEET_ID, "Log")))
    assert state.modified_time == sheets.modified_time(SPREADSHEET_ID)


def test_without_drive_metadata_the_pull_reads_the_sheet(sheets, settings, alice, lower1):
    settings.GOOGLE_DRIVE_API_URL = f"{sheets.url}/no-drive-here"  # answers 404 (and is
    # recorded as an unknown call)
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    run_pull()
    sheets.reset_calls()
    result = run_pull()
    assert (result.outcome, result.skipped) == ("success", 0)
    assert (sheets.call_count("metadata"), sheets.call_count("values.batchGet")) == (1, 1)
    assert "Drive did not tell its last change" in result.summary()


def test_the_scheduled_pull_looks_at_active_lifters_sheets_often_and_dormant_ones_rarely(
    sheets, settings, alice, bob, lower1
):
    settings.SYNC_PULL_INTERVAL_MINUTES = 60
    settings.SYNC_DORMANT_PULL_INTERVAL_MINUTES = 1440
    settings.SYNC_ACTIVE_LIFTER_DAYS = 14
    for lifter, spreadsheet_id in ((alice, "active-sheet"), (bob, "dormant-sheet")):
        sheets.create_spreadsheet(spreadsheet_id, worksheets=("Log",))
        SheetsProfile.objects.create(user=lifter, spreadsheet_id=spreadsheet_id, worksheet="Log")
        completed_workout(lifter, lower1, SQUAT_DAY)
    Workout.objects.filter(owner=bob).update(
        completed_at=timezone.now() - datetime.timedelta(days=30)
    )
    run_sync()
    assert run_pull(scheduled=True).targets_done == 2  # never pulled: both due

    def pulled(ago):
        SheetState.objects.update(pulled_at=timezone.now() - ago)
        sheets.reset_calls()
        run_pull(scheduled=True)
        return sheets.drive_calls

    assert pulled(datetime.timedelta(minutes=20)) == []
    assert pulled(datetime.timedelta(minutes=61)) == ["active-sheet"]
    assert pulled(datetime.timedelta(hours=25)) == ["active-sheet", "dormant-sheet"]


def test_a_sheet_read_late_in_a_long_scheduled_pull_is_due_at_the_next_one(
    sheets, settings, alice, bob, lower1
):
    """Its pull counts from when the run began: a run of thousands of sheets takes
    minutes, and the tenth of slack must not make its last sheets wait two intervals."""
    settings.SYNC_PULL_INTERVAL_MINUTES = 5 / 60  # 5 s, so 0.5 s of slack
    for lifter, spreadsheet_id in ((alice, "first-sheet"), (bob, "second-sheet")):
        sheets.create_spreadsheet(spreadsheet_id, worksheets=("Log",))
        SheetsProfile.objects.create(user=lifter, spreadsheet_id=spreadsheet_id, worksheet="Log")
        completed_workout(lifter, lower1, SQUAT_DAY)
    run_sync()
    sheets.delay_next(0.7, times=2, kinds=["metadata"])  # each sheet's read: a long run
    began = timezone.now()
    assert run_pull(scheduled=True).targets_done == 2
    assert timezone.now() - began >= datetime.timedelta(seconds=1.4)

    next_tick = began + datetime.timedelta(minutes=settings.SYNC_PULL_INTERVAL_MINUTES)
    work = lifters_by_target()
    assert len(due_for_pull(work, now=next_tick)) == 2
