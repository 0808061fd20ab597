"""Imported history reaches the lifter's sheet through the usual sync: once, as one
backlog, in a bounded number of API calls."""

import io
import math

import pytest
from django.core.management import call_command

from sessions_app.models import Set, Workout
from sync_app.models import Tombstone
from sync_app.push import run_sync
from sync_app.rows import HEADER
from sync_app.tasks import sync_pending
from tests.conftest import queued_task_count
from tests.helpers import own_id
from tests.import_helpers import STRONG_HEADER, fixture_bytes, run_import, write_file
from tests.sync_helpers import SQUAT_DAY, completed_workout, data_rows, keys_in_sheet

pytestmark = pytest.mark.django_db


def strong_history(workouts, sets_per_workout=20):
    lines = [STRONG_HEADER]
    for number in range(workouts):
        day = f"2021-{1 + number // 28:02d}-{1 + number % 28:02d} 18:00:00"
        for set_number in range(sets_per_workout):
            lines.append(f"{day},Full Body,1h,Exercise {set_number % 5},1,{60 + number},5,0,0,,,\n")
    return "".join(lines)


def test_an_imported_history_reaches_the_sheet_exactly_once(
    sheets, alice, tmp_path, django_capture_on_commit_callbacks
):
    path = write_file(tmp_path, fixture_bytes("strong.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        run_import(path, "alice", "--unit", "kg")
    assert queued_task_count() == 1  # one sync for the whole import, not one per workout

    sync_pending()

    keys = sorted(str(key) for key in Set.objects.values_list("key", flat=True))
    assert sorted(keys_in_sheet(sheets)) == keys
    rows = {row[9]: row for row in data_rows(sheets)}  # the key column
    bench = Set.objects.get(exercise_name="Bench Press (Barbell)", set_type="drop")
    assert rows[str(bench.key)][:8] == [
        "2025-03-04",
        own_id(alice, "2025-03-04_push-day"),
        "Push Day",
        "Bench Press (Barbell)",
        3,
        60,
        12,
        "",
    ]
    # A new tab has the version 2 columns: set type, RPE, unit, workout note.
    assert rows[str(bench.key)][10:] == ["drop", "", "kg", "Felt strong, slept 8h"]
    assert not Workout.objects.filter(synced_to_sheets=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        run_import(path, "alice")  # the same file again: nothing new
    sheets.reset_calls()
    assert run_sync().outcome == "nothing to do"
    assert sheets.call_count() == 0
    assert sorted(keys_in_sheet(sheets)) == keys


def test_a_long_history_is_one_backlog_synced_in_one_run_of_few_calls(
    sheets, settings, alice, tmp_path
):
    run_import(write_file(tmp_path, strong_history(workouts=300)), "alice")
    assert Set.objects.count() == 6000

    result = run_sync()

    assert (result.outcome, result.sessions, result.appended) == ("success", 300, 6000)
    # Opening the tab, reading its keys, then the 6,000 rows and the header in chunks.
    appends = math.ceil(6001 / settings.SHEETS_ROWS_PER_CALL)
    assert sheets.call_count("values.append") == appends
    assert result.api_calls <= 3 + appends
    assert not result.more_pending
    assert len(keys_in_sheet(sheets)) == 6000


def numbers_by_key():
    return {
        str(key): (workout_id, exercise, number, set_type)
        for key, workout_id, exercise, number, set_type in Set.objects.values_list(
            "key", "workout_id", "exercise_name", "set_number", "set_type"
        )
    }


def test_import_sheets_numbers_sets_as_the_file_import_does(sheets, alice, tmp_path):
    """One import store: a Strong file with warm-ups, synced, then the database lost and
    filled again from the sheet, gives the same set numbers; and rows typed into the
    sheet without numbers are numbered as logging numbers them, warm-ups apart."""
    run_import(write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--unit", "kg")
    run_sync()
    from_the_file = numbers_by_key()
    assert sorted(
        number
        for _, exercise, number, kind in from_the_file.values()
        if exercise == "Squat (Barbell)"
    ) == [1, 2, 3, 4]
    rows = sheets.rows("workout-log-test", "Log")
    typed = [
        ["2025-03-09", "", "push", "Dips", "", "BW", 8, "", "", "", "warmup", "", "kg", ""],
        ["2025-03-09", "", "push", "Dips", "", "BW+10", 8, "", "", "", "", "", "kg", ""],
        ["2025-03-09", "", "push", "Dips", "", "BW+10", 7, "", "", "", "", "", "kg", ""],
    ]
    sheets.set_rows("workout-log-test", "Log", [*rows, *typed])

    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    call_command("import_sheets", "alice", stdout=io.StringIO())
    restored = numbers_by_key()
    assert {key: restored[key] for key in from_the_file} == from_the_file
    dips = Set.objects.filter(exercise_name="Dips").order_by("created_at", "pk")
    assert [(s.set_type, s.set_number) for s in dips] == [
        ("warmup", 1),
        ("working", 1),
        ("working", 2),
    ]


def test_rows_typed_with_another_lifters_workout_id_go_to_a_workout_of_ones_own(
    sheets, alice, bob, lower1
):
    """The sheet's session id is not the lifter's to take: the rows are imported all the
    same, in a workout of their own, and nothing says whose id it was."""
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    typed = ["2025-09-21", bobs.pk, "lower1", "Dips", "", "BW", 8, "", "", "", "", "", "lb", ""]
    sheets.set_rows("workout-log-test", "Log", [HEADER, typed])
    out = io.StringIO()
    call_command("import_sheets", "alice", "--whole-sheet", stdout=out)
    assert "another lifter" not in out.getvalue() and "row(s) skipped" in out.getvalue()
    (alices,) = Workout.objects.filter(owner=alice)
    assert alices.pk == own_id(alice, "2025-09-21_lower1")
    assert [s.exercise_name for s in alices.sets.all()] == ["Dips"]
    assert bobs.sets.count() == 3  # untouched
