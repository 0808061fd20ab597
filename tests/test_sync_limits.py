"""Google's limits never stop the sync for everyone: appends go in chunks, a cell too long
for Google is cut (the app keeps it whole), and a workout Google refuses for good is set
aside, with its reason, while the other lifters' workouts go on."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sessions_app.models import Set, Workout, mark_unsynced
from sync_app.admin import sheet_state
from sync_app.pull import run_pull
from sync_app.push import run_sync
from sync_app.rows import CUT_MARK, KEY_COLUMN, MAX_CELL_CHARACTERS
from tests.conftest import SPREADSHEET_ID
from tests.sync_helpers import (
    SQUAT_DAY,
    completed_workout,
    data_rows,
    keys_in_sheet,
    long_workout,
)

NOTES_COLUMN = 8


def append_sizes(imitation):
    return [len(call.body["values"]) for call in imitation.calls if call.kind == "values.append"]


def test_a_600_row_workout_goes_in_chunks_of_the_setting(sheets, settings, alice, lower1):
    settings.SHEETS_ROWS_PER_CALL = 250
    workout = long_workout(alice, lower1, 600)

    result = run_sync()

    assert result.outcome == "success", result.summary()
    # The header is one of the first chunk's rows.
    assert append_sizes(sheets) == [250, 250, 101]
    keys = keys_in_sheet(sheets)
    assert len(keys) == len(set(keys)) == 600
    assert sorted(keys) == sorted(str(key) for key in workout.sets.values_list("key", flat=True))


def test_a_chunked_append_stopped_after_its_first_chunk_never_duplicates(
    sheets, settings, alice, bob, lower1
):
    settings.SHEETS_ROWS_PER_CALL = 250
    long_one = long_workout(alice, lower1, 600)
    short_one = completed_workout(bob, lower1, SQUAT_DAY)
    # The second append is refused (the quota): the run reads the key column again and
    # plans afresh, so the first chunk is never sent twice. The next append's fate is
    # unknown (503): the run stops there, and the next run goes on.
    sheets.fail_next(429, kinds=["values.append"], skip=1)
    sheets.fail_next(503, kinds=["values.append"])

    first = run_sync()

    assert first.outcome == "failed", first.summary()  # settling: this run stops there
    written = keys_in_sheet(sheets)
    assert len(written) == len(set(written)) == 249  # the header took one row of 250

    second = run_sync()

    assert second.outcome == "success", second.summary()
    keys = keys_in_sheet(sheets)
    assert len(keys) == len(set(keys)) == 603
    expected = {str(s.key) for s in Set.objects.filter(workout__in=[long_one, short_one])}
    assert set(keys) == expected


def test_a_note_longer_than_a_cell_is_cut_in_the_sheet_and_whole_in_the_app(sheets, alice, lower1):
    workout = completed_workout(alice, lower1, SQUAT_DAY)
    long_note = "a long story. " * 4300  # 60,200 characters
    workout.sets.filter(set_number=1, exercise_name="Leg Press").update(notes=long_note)
    workout.note = "ok " * 20_000  # 60,000 characters
    workout.save(update_fields=["note"])

    result = run_sync()

    assert result.outcome == "success", result.summary()
    rows = data_rows(sheets)
    leg_press = next(row for row in rows if row[3] == "Leg Press")
    cut = leg_press[NOTES_COLUMN - 1]
    assert len(cut) == MAX_CELL_CHARACTERS
    assert cut.endswith(CUT_MARK)
    assert long_note.startswith(cut.removesuffix(CUT_MARK))
    assert all(len(row[-1]) == MAX_CELL_CHARACTERS for row in rows)  # the workout note
    assert Set.objects.get(exercise_name="Leg Press").notes == long_note
    workout.refresh_from_db()
    assert workout.note == "ok " * 20_000
    # The row cut is the row the sync meant to write: no drift, nothing to rewrite.
    assert run_sync().outcome == "nothing to do"
    call_command("sync", "--check", stdout=StringIO())  # no difference: no CommandError


@pytest.fixture
def sheet_nearly_full(sheets):
    """The shared sheet holds 100 rows more (26 columns each) than it has now, no more."""
    sheets.limit_cells(SPREADSHEET_ID, sheets.cell_count(SPREADSHEET_ID) + 100 * 26)
    return sheets


def test_a_workout_google_refuses_does_not_stop_another_lifters(
    sheet_nearly_full, settings, alice, bob, lower1
):
    settings.SHEETS_ROWS_PER_CALL = 500
    too_big = long_workout(alice, lower1, 300)
    bobs = completed_workout(bob, lower1, SQUAT_DAY)

    result = run_sync()

    assert result.outcome == "partial", result.summary()
    assert keys_in_sheet(sheet_nearly_full) == [str(s.key) for s in bobs.sets.order_by("pk")]
    bobs.refresh_from_db()
    too_big.refresh_from_db()
    assert bobs.synced_to_sheets and not too_big.synced_to_sheets
    reason = too_big.failing_push.error
    assert "above the limit of" in reason and too_big.failing_push.set_aside
    assert "set aside" in result.summary()

    # Set aside: the next runs leave it out instead of meeting the same refusal.
    calls_before = len(sheet_nearly_full.calls)
    assert run_sync().outcome == "nothing to do"
    assert len(sheet_nearly_full.calls) == calls_before


def test_a_set_aside_workout_says_why_in_the_admin_the_lifters_page_and_check(
    sheet_nearly_full, alice, alice_client, lower1
):
    too_big = long_workout(alice, lower1, 300)
    run_sync()
    too_big.refresh_from_db()

    state = sheet_state(too_big)
    assert state.startswith("set aside: Appending to 'Log': Google Sheets answered 400")
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "Google refused to take <a href" in page
    assert f"your workout of {too_big.date:%a %-d %b %Y}</a> (300 sets)" in page
    assert re.search(r"Last sync (now|\d+ seconds? ago)\.", page)  # not "0 minutes ago"
    assert "above the limit of" in page
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("sync", "--check", stdout=out)
    lines = out.getvalue()
    assert f"{too_big.pk} is set aside" in lines and "above the limit of" in lines


def test_changing_a_set_aside_workout_tries_it_again(sheet_nearly_full, alice, lower1):
    too_big = long_workout(alice, lower1, 300)
    run_sync()
    sheet_nearly_full.limit_cells(SPREADSHEET_ID, 10_000_000)  # the operator made room

    too_big.sets.filter(set_number__gt=50).delete()  # the lifter fixes the workout
    mark_unsynced(too_big.pk)

    assert run_sync().outcome == "success"
    assert len(keys_in_sheet(sheet_nearly_full)) == 50
    too_big.refresh_from_db()
    assert too_big.synced_to_sheets


def test_only_the_refused_workout_is_set_aside_when_several_share_a_chunk(
    sheet_nearly_full, settings, alice, bob, lower1, django_user_model
):
    settings.SHEETS_ROWS_PER_CALL = 500
    carol = django_user_model.objects.create_user("carol", password="carol-password")
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    too_big = long_workout(alice, lower1, 300)
    carols = completed_workout(carol, lower1, SQUAT_DAY)

    result = run_sync()

    assert result.outcome == "partial", result.summary()
    keys = keys_in_sheet(sheet_nearly_full)
    expected = [str(s.key) for w in (bobs, carols) for s in w.sets.order_by("pk")]
    assert keys == expected
    assert all(len(row) >= KEY_COLUMN for row in data_rows(sheet_nearly_full))
    assert Workout.objects.filter(synced_to_sheets=True).count() == 2
    too_big.refresh_from_db()
    assert too_big.failing_push.set_aside and "above the limit" in too_big.failing_push.error


def test_a_fix_typed_next_to_a_cut_note_keeps_the_whole_note_in_the_app(sheets, alice, lower1):
    workout = completed_workout(alice, lower1, SQUAT_DAY)
    long_note = "x" * 60_000
    workout.sets.filter(exercise_name="Leg Press").update(notes=long_note)
    assert run_sync().outcome == "success"
    rows = sheets.rows(SPREADSHEET_ID, "Log")
    number = next(n for n, row in enumerate(rows) if row[3] == "Leg Press")
    rows[number][6] = 15  # the lifter fixes the reps in the sheet
    sheets.set_rows(SPREADSHEET_ID, "Log", rows)

    result = run_pull()

    assert result.taken == 1 and result.conflicts == 0, result.summary()
    leg_press = Set.objects.get(exercise_name="Leg Press")
    assert (leg_press.reps, leg_press.notes) == ("15", long_note)


def test_the_operator_tries_a_set_aside_workout_again_from_the_admin(
    sheet_nearly_full, admin_client, alice, lower1
):
    too_big = long_workout(alice, lower1, 300)
    run_sync()
    sheet_nearly_full.limit_cells(SPREADSHEET_ID, 10_000_000)  # the operator made room

    response = admin_client.post(
        reverse("admin:sessions_app_workout_changelist"),
        {"action": "try_set_aside_again", "_selected_action": [too_big.pk]},
        follow=True,
    )

    assert "1 set-aside workout(s) will be sent again by the next sync" in response.content.decode()
    assert run_sync().outcome == "success"
    assert len(keys_in_sheet(sheet_nearly_full)) == 300
    too_big.refresh_from_db()
    assert too_big.synced_to_sheets


def test_a_set_aside_workout_is_not_reported_as_waiting_for_a_spreadsheet(
    sheet_nearly_full, alice, lower1
):
    from sync_app.status import current_status

    long_workout(alice, lower1, 300)
    run_sync()

    status = current_status()

    assert status.set_aside == 1 and status.pending == 0
    assert status.lifters_without_spreadsheet == []
