"""The sheet's two header versions: what a set looks like in each, and reading it back."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from sessions_app.export import COLUMNS_V1, COLUMNS_V2, logged_at, read_row, row_for
from sessions_app.models import LifterProfile, Set, Workout
from sync_app.models import Tombstone
from sync_app.push import run_sync
from sync_app.rows import as_text
from tests.helpers import exercise_for, exported_rows
from tests.sync_helpers import sheet, trimmed


@pytest.fixture
def kg_workout(alice, lower1):
    session = Workout.start(alice, lower1, datetime.date(2025, 9, 1))
    session.note = "Slept badly (again)"
    session.save()
    session.log_set("Back Squat", "100", "5", set_type="drop", rpe=Decimal("8.5"), unit="kg")
    session.log_set("Back Squat", "60", "8", notes="easy (ish)", set_type="warmup")
    return session


def test_version_2_adds_its_columns_to_the_right_of_key():
    assert COLUMNS_V2[:10] == [*COLUMNS_V1[:5], "weight", *COLUMNS_V1[6:]]
    assert COLUMNS_V2[10:] == ["set type", "rpe", "unit", "workout note"]


def test_a_version_2_row_has_columns_for_type_rpe_unit_and_workout_note(kg_workout):
    drop = kg_workout.sets.get(weight="100")
    row = row_for(kg_workout, drop)
    assert row[5:8] == [100, 5, ""]
    assert row[10:] == ["drop", 8.5, "kg", "Slept badly (again)"]


def test_a_version_1_row_carries_them_as_marks_in_the_notes_cell(kg_workout):
    drop = kg_workout.sets.get(weight="100")
    warmup = kg_workout.sets.get(weight="60")
    assert len(row_for(kg_workout, drop, version=1)) == len(COLUMNS_V1)
    assert row_for(kg_workout, drop, version=1)[7] == (
        "(drop set) (RPE 8.5) (kg) (workout note: Slept badly (again))"
    )
    assert row_for(kg_workout, warmup, version=1, with_workout_note=False)[7] == (
        "(warm-up) easy (ish)"
    )


@pytest.mark.parametrize("version", [1, 2])
def test_read_row_gives_back_what_row_for_wrote(kg_workout, version):
    for workout_set in kg_workout.sets.all():
        texts = [as_text(value) for value in row_for(kg_workout, workout_set, version=version)]
        values = read_row(texts, version)
        assert (values.exercise, values.weight, values.reps) == (
            workout_set.exercise_name,
            workout_set.weight,
            workout_set.reps,
        )
        assert (values.notes, values.set_type, values.rpe, values.unit) == (
            workout_set.notes,
            workout_set.set_type,
            workout_set.rpe,
            workout_set.unit,
        )
        assert values.workout_note == kg_workout.note
        assert values.key == str(workout_set.key)


def test_an_lb_set_on_a_version_1_tab_looks_exactly_as_before(alice, lower1):
    session = Workout.start(alice, lower1, datetime.date(2025, 9, 1))
    workout_set, _ = session.log_set("Back Squat", "225", "5", notes="belt")
    assert row_for(session, workout_set, version=1)[7] == "belt"
    assert read_row(["2025-09-01"] + [""] * 6 + ["belt"], version=1).unit == "lb"


# --- The sync writes each tab in its own header version, and import_sheets reads both ---


def logged_workout(owner, template, date, unit, note=""):
    session = Workout.start(owner, template, date)
    session.note = note
    session.save()
    session.log_set("Back Squat", "60", "8", set_type="warmup", unit=unit)
    session.log_set("Back Squat", "100", "5", notes="belt", rpe=Decimal("8"), unit=unit)
    session.log_set("Back Squat", "90", "8", set_type="drop", unit=unit)
    session.complete()
    return session


def everything_about_the_sets():
    return {
        str(s.key): (
            s.workout_id,
            s.workout.date,
            s.workout.note,
            s.exercise_name,
            s.set_number,
            s.weight,
            s.reps,
            s.notes,
            s.set_type,
            s.rpe,
            s.unit,
        )
        for s in Set.objects.select_related("workout")
    }


def restored_from_the_sheet(username):
    """Lose the database, fill it again from the sheet, and say what came back."""
    before = everything_about_the_sets()
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    call_command("import_sheets", username, stdout=io.StringIO())
    return before, everything_about_the_sets()


def check(*arguments):
    out = io.StringIO()
    call_command("sync", "--check", *arguments, stdout=out)
    return out.getvalue()


def test_a_kg_lifters_new_sheet_has_a_unit_column_and_never_says_pounds(sheets, alice, lower1):
    logged_workout(alice, lower1, datetime.date(2025, 9, 1), "kg", note="Knees (sore)")
    run_sync()
    header, *rows = sheet(sheets)
    assert header == COLUMNS_V2 and "weight (lb)" not in header
    assert [row[5] for row in rows] == [60, 100, 90]
    assert [row[10:] for row in rows] == [
        ["warmup", "", "kg", "Knees (sore)"],
        ["working", 8, "kg", "Knees (sore)"],
        ["drop", "", "kg", "Knees (sore)"],
    ]
    assert [row[7] for row in rows] == ["", "belt", ""]
    before, after = restored_from_the_sheet("alice")
    assert after == before
    assert "The sheet matches the database." in check()


def test_an_lb_lifters_version_1_sheet_keeps_its_ten_columns(sheets, alice, lower1):
    old_row = ["2025-01-05", "", "lower1", "Back Squat", 1, 185, 5, "notebook", "", ""]
    sheets.set_rows("workout-log-test", "Log", [COLUMNS_V1, old_row])
    session = logged_workout(alice, lower1, datetime.date(2025, 9, 1), "lb", note="Felt good")
    run_sync()
    header, first, *rows = sheet(sheets)
    assert header == COLUMNS_V1 and first == trimmed(old_row)
    assert all(len(row) == len(COLUMNS_V1) for row in rows)  # keyed: nothing is trimmed
    assert [row[7] for row in rows] == [
        "(warm-up) (workout note: Felt good)",
        "(RPE 8) belt",
        "(drop set)",
    ]
    # A working lb set without RPE looks exactly as it did before set types existed
    # (added in the admin: the workout is completed).
    plain = Set.objects.create(
        workout=session,
        exercise=exercise_for(session.owner, "Leg Press"),
        set_number=1,
        weight="270",
        reps="10",
    )
    plain.save_changes(["exercise"])  # as the admin adds it
    run_sync()
    assert trimmed(sheet(sheets)[-1])[:9] == [
        "2025-09-01",
        session.pk,
        "lower1",
        "Leg Press",
        1,
        270,
        10,
        "",
        logged_at(plain.created_at),
    ]
    before, after = restored_from_the_sheet("alice")
    assert {key: values for key, values in after.items() if key in before} == before
    assert "The sheet matches the database." in check()


@pytest.mark.parametrize("header", [COLUMNS_V1, None], ids=["version 1 tab", "new tab"])
def test_a_lifter_who_switches_units_halfway_keeps_each_sets_own(sheets, alice, lower1, header):
    if header:
        sheets.set_rows("workout-log-test", "Log", [header])
    logged_workout(alice, lower1, datetime.date(2025, 9, 1), "lb")
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    logged_workout(alice, lower1, datetime.date(2025, 9, 3), "kg", note="First day in kg")
    run_sync()
    rows = sheet(sheets)[1:]
    says_kg = (lambda row: "(kg)" in row[7]) if header else (lambda row: row[12] == "kg")
    units = [says_kg(row) for row in rows]
    assert units == [False] * 3 + [True] * 3
    before, after = restored_from_the_sheet("alice")
    assert after == before
    assert [values[10] for values in after.values()] == ["lb"] * 3 + ["kg"] * 3
    assert "The sheet matches the database." in check()


def test_the_csv_of_a_kg_lifter_says_kg(alice_client, alice, lower1):
    logged_workout(alice, lower1, datetime.date(2025, 9, 1), "kg")
    response = alice_client.get("/history/export.csv")
    header, *rows = exported_rows(response)
    assert header == COLUMNS_V2
    assert [row[12] for row in rows] == ["kg"] * 3


# --- Upgrading a tab on purpose ---


def test_upgrade_header_rewrites_row_1_and_then_the_rows(sheets, alice, lower1):
    sheets.set_rows("workout-log-test", "Log", [COLUMNS_V1])
    session = logged_workout(alice, lower1, datetime.date(2025, 9, 1), "kg", note="Heavy")
    run_sync()
    old_rows = sheet(sheets)[1:]
    assert "(kg)" in old_rows[0][7]
    sheets.reset_calls()
    out = io.StringIO()
    call_command("sync", "--upgrade-header", stdout=out)
    assert "workout-log-test / Log: header upgraded to version 2" in out.getvalue()
    assert "1 tab(s) upgraded, 0 already up to date; 1 workout(s)" in out.getvalue()
    assert sheets.call_count() == 3  # metadata, row 1, one write
    assert sheet(sheets)[0] == COLUMNS_V2
    assert sheet(sheets)[1:] == old_rows  # nothing else changed by the upgrade itself
    # The old rows read the same in the new header: nothing to report meanwhile.
    session.refresh_from_db()
    assert not session.synced_to_sheets
    result = run_sync()
    assert (result.updated, result.appended) == (3, 0)
    rows = sheet(sheets)[1:]
    assert [row[7] for row in rows] == ["", "belt", ""]
    assert [row[10:] for row in rows] == [
        ["warmup", "", "kg", "Heavy"],
        ["working", 8, "kg", "Heavy"],
        ["drop", "", "kg", "Heavy"],
    ]
    assert "The sheet matches the database." in check()
    again = io.StringIO()
    call_command("sync", "--upgrade-header", stdout=again)
    assert "already version 2" in again.getvalue()


def test_a_sync_never_upgrades_a_header_by_itself(sheets, alice, lower1):
    sheets.set_rows("workout-log-test", "Log", [COLUMNS_V1])
    logged_workout(alice, lower1, datetime.date(2025, 9, 1), "kg", note="Heavy")
    run_sync()
    run_sync()
    assert sheet(sheets)[0] == COLUMNS_V1


def test_the_admin_upgrades_the_selected_lifters_sheets(sheets, admin_client, alice, lower1):
    sheets.set_rows("workout-log-test", "Log", [COLUMNS_V1])
    logged_workout(alice, lower1, datetime.date(2025, 9, 1), "lb")
    run_sync()
    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "upgrade_sheet_header", "_selected_action": [alice.pk]},
        follow=True,
    )
    assert "header upgraded to version 2" in response.content.decode()
    assert sheet(sheets)[0] == COLUMNS_V2
    assert Workout.objects.get().synced_to_sheets is False
