"""`manage.py import_workouts`: history from Strong, Hevy and this app's CSV becomes
completed workouts, once, whatever is imported again; a broken file stores nothing."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sessions_app.models import LifterProfile, Set, SetType, Workout
from sessions_app.progress import exercise_progress, exercise_records
from sessions_app.workout_screen import last_time
from tests.helpers import own_id
from tests.import_helpers import (
    FIXTURES,
    STRONG_HEADER,
    fixture_bytes,
    run_import,
    stored_sets,
    write_file,
)
from tests.sync_helpers import SQUAT_DAY, completed_workout

pytestmark = pytest.mark.django_db

STRONG_SETS = [
    ("2025-03-04", "Push Day", "Bench Press (Barbell)", 1, "warmup", "40", "10", "kg", None, ""),
    (
        *("2025-03-04", "Push Day", "Bench Press (Barbell)", 1, "working", "80", "5", "kg"),
        *("8", 'Paused, "competition" style'),
    ),
    ("2025-03-04", "Push Day", "Bench Press (Barbell)", 2, "working", "82.5", "5", "kg", "9.5", ""),
    ("2025-03-04", "Push Day", "Bench Press (Barbell)", 3, "drop", "60", "12", "kg", None, ""),
    ("2025-03-04", "Push Day", "Plank", 1, "working", "", "", "kg", None, "time 1:00"),
    (
        *("2025-03-06", "Leg Day", "Squat (Barbell)", 1, "working", "100", "5", "kg", None),
        "left knee\na bit sore; RPE 5",
    ),
    ("2025-03-06", "Leg Day", "Squat (Barbell)", 2, "working", "100", "5", "kg", None, ""),
    ("2025-03-06", "Leg Day", "Squat (Barbell)", 3, "working", "100", "5", "kg", None, ""),
    ("2025-03-06", "Leg Day", "Squat (Barbell)", 4, "failure", "100", "3", "kg", "10", ""),
    (
        *("2025-03-06", "Leg Day", "Running", 1, "working", "", "", "kg", None),
        "distance 5 in 30:00",
    ),
]


def test_a_strong_export_becomes_completed_workouts(alice, tmp_path):
    output = run_import(write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--unit", "kg")
    assert stored_sets(alice) == STRONG_SETS
    sessions = list(Workout.objects.filter(owner=alice).order_by("date"))
    assert [(s.pk, s.status, s.synced_to_sheets, s.note) for s in sessions] == [
        (own_id(alice, "2025-03-04_push-day"), "completed", False, "Felt strong, slept 8h"),
        (own_id(alice, "2025-03-06_leg-day"), "completed", False, ""),
    ]
    assert sessions[0].duration_minutes == 65
    assert "Strong, weights in kg" in output
    assert "Skipped line 5: a Rest Timer row, not a set" in output
    assert (
        "Imported 10 set(s) in 2 workout(s) from 2025-03-04 to 2025-03-06; 0 already here, "
        "1 line(s) skipped." in output
    )


def test_the_unit_defaults_to_the_lifters_preference(alice, tmp_path):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    run_import(write_file(tmp_path, fixture_bytes("strong.csv")))
    assert set(Set.objects.values_list("unit", flat=True)) == {"kg"}
    Set.objects.all().delete()
    LifterProfile.objects.filter(user=alice).update(weight_unit="lb")
    run_import(write_file(tmp_path, fixture_bytes("strong.csv")))
    assert set(Set.objects.values_list("unit", flat=True)) == {"lb"}


def test_importing_the_same_file_twice_adds_nothing(alice, tmp_path):
    path = write_file(tmp_path, fixture_bytes("strong.csv"))
    run_import(path)
    before = stored_sets(alice)
    output = run_import(path)
    assert stored_sets(alice) == before
    assert Workout.objects.count() == 2
    assert "Imported 0 set(s) in 0 workout(s)" in output
    assert "10 already here" in output


def test_a_newer_overlapping_export_adds_only_the_new_workouts(alice, tmp_path):
    lines = fixture_bytes("strong.csv").decode().splitlines(keepends=True)
    older = "".join(lines[:7])  # the header and the first workout
    newer = "".join(lines) + (
        "2025-03-08 07:00:00,Push Day,40m,Bench Press (Barbell),1,85,5,0,0,,,\n"
    )
    run_import(write_file(tmp_path, older, "older.csv"))
    assert Set.objects.count() == 5
    output = run_import(write_file(tmp_path, newer, "newer.csv"))
    assert "Imported 6 set(s) in 2 workout(s)" in output
    assert "5 already here" in output
    assert Set.objects.count() == 11
    assert list(Workout.objects.order_by("date").values_list("pk", flat=True)) == [
        own_id(alice, "2025-03-04_push-day"),
        own_id(alice, "2025-03-06_leg-day"),
        own_id(alice, "2025-03-08_push-day"),
    ]


def test_a_set_added_to_a_workout_already_imported_joins_that_workout(alice, tmp_path):
    lines = fixture_bytes("strong.csv").decode().splitlines(keepends=True)
    run_import(write_file(tmp_path, "".join(lines[:4]), "first.csv"))
    run_import(write_file(tmp_path, "".join(lines[:7]), "longer.csv"))
    session = Workout.objects.get()
    assert [(s.set_type, s.set_number, s.weight) for s in session.sets.order_by("pk")] == [
        ("warmup", 1, "40"),
        ("working", 1, "80"),
        ("working", 2, "82.5"),
        ("drop", 3, "60"),
        ("working", 1, ""),
    ]


def test_identical_rows_in_one_file_both_import(alice, tmp_path):
    run_import(write_file(tmp_path, fixture_bytes("strong.csv")))
    squats = Set.objects.filter(exercise_name="Squat (Barbell)", weight="100", reps="5", notes="")
    assert squats.count() == 2


def test_the_strong_older_export_imports_with_its_own_units(alice, tmp_path):
    output = run_import(write_file(tmp_path, fixture_bytes("strong_older.csv")), "alice")
    assert "Strong (older export, with units), units as the file says" in output
    assert [row[:9] for row in stored_sets(alice)] == [
        ("2019-01-07", "Morgen", "Kniebeuge", 1, "warmup", "60", "8", "kg", None),
        ("2019-01-07", "Morgen", "Kniebeuge", 1, "working", "102.5", "5", "kg", "8.5"),
        # No weight and no unit on its line: the file's unit, not the lifter's preference.
        ("2019-01-07", "Morgen", "Rudern", 1, "working", "", "", "kg", None),
        ("2019-01-09", "Morgen", "Bench Press", 1, "working", "185", "5", "lb", None),
    ]
    assert Workout.objects.get(pk=own_id(alice, "2019-01-07_morgen")).note == "Müde"


@pytest.mark.parametrize(("name", "unit"), [("hevy_kg.csv", "kg"), ("hevy_lbs.csv", "lb")])
def test_a_hevy_export_imports_in_its_unit(alice, tmp_path, name, unit):
    run_import(write_file(tmp_path, fixture_bytes(name)), "alice", "--unit", "lb")
    sets = stored_sets(alice)
    assert [(row[2], row[3], row[4], row[7]) for row in sets] == [
        ("Bench Press (Barbell)", 1, "warmup", unit),
        ("Bench Press (Barbell)", 1, "working", unit),
        ("Bench Press (Barbell)", 2, "drop", unit),
        ("Pull Up", 1, "failure", unit),
        ("Treadmill", 1, "working", unit),
    ]
    session = Workout.objects.get()
    assert (session.pk, session.routine_slug, session.note) == (
        own_id(alice, "2024-03-05_upper-a"),
        "Upper A",
        "Good session, new PR",
    )
    assert session.duration_minutes == 65


def test_windows_line_endings_and_a_byte_order_mark_import_the_same(alice, bob, tmp_path):
    windows = b"\xef\xbb\xbf" + fixture_bytes("strong.csv").replace(b"\n", b"\r\n")
    run_import(write_file(tmp_path, windows), "alice", "--unit", "kg")
    assert stored_sets(alice) == STRONG_SETS
    run_import(write_file(tmp_path, fixture_bytes("strong.csv"), "plain.csv"), "alice")
    assert Set.objects.count() == len(STRONG_SETS)


def test_a_file_with_a_bad_date_is_refused_naming_the_line_and_stores_nothing(alice, tmp_path):
    content = fixture_bytes("strong.csv").decode() + (
        "last Tuesday,Push Day,1h,Bench Press (Barbell),1,80,5,0,0,,,\n"
    )
    with pytest.raises(CommandError) as refused:
        run_import(write_file(tmp_path, content))
    assert str(refused.value) == (
        "Nothing was imported: 1 line(s) cannot be read.\n"
        "Line 14: “last Tuesday” is not a date and time like 2025-03-04 18:12:09.\n"
        "Fix the file, or choose to import the other lines and skip these."
    )
    assert not Workout.objects.exists()
    assert not Set.objects.exists()


def test_with_skip_bad_lines_the_good_rows_import_and_each_bad_line_is_listed(alice, tmp_path):
    content = fixture_bytes("strong.csv").decode() + (
        "last Tuesday,Push Day,1h,Bench Press (Barbell),1,80,5,0,0,,,\n"
        "2025-03-09 07:00:00,Push Day,1h,Bench Press (Barbell),1,80\n"
    )
    output = run_import(write_file(tmp_path, content), "alice", "--skip-bad-lines")
    assert Set.objects.count() == 10
    assert (
        "Skipped line 14: “last Tuesday” is not a date and time like 2025-03-04 18:12:09" in output
    )
    assert "Skipped line 15: 6 cells where the header has 12" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,age\nalice,30\n", "Line 1: these are not the columns of a Strong, Hevy"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "the file is not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(alice, tmp_path, content, message):
    with pytest.raises(CommandError, match=message):
        run_import(write_file(tmp_path, content))
    assert not Workout.objects.exists()


def test_a_dry_run_reports_and_stores_nothing(alice, tmp_path):
    output = run_import(write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--dry-run")
    assert "Would import 10 set(s) in 2 workout(s)" in output
    assert not Workout.objects.exists()


def test_it_names_a_missing_user_and_a_missing_file(alice, tmp_path):
    with pytest.raises(CommandError, match="There is no user named 'carol'"):
        run_import(write_file(tmp_path, fixture_bytes("strong.csv")), "carol")
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: No such file"):
        run_import(tmp_path / "missing.csv")


def test_the_same_file_imports_separately_for_two_lifters(alice, bob, tmp_path):
    path = write_file(tmp_path, fixture_bytes("hevy_kg.csv"))
    run_import(path, "alice")
    run_import(path, "bob")
    assert Set.objects.filter(workout__owner=alice).count() == 5
    assert Set.objects.filter(workout__owner=bob).count() == 5
    # Each in the lifter's own space of ids: bob's says nothing of alice's.
    assert Workout.objects.filter(owner=bob).get().pk == own_id(bob, "2024-03-05_upper-a")


def test_imported_workouts_count_in_history_last_time_and_records(alice, alice_client, tmp_path):
    run_import(write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--unit", "kg")
    history = alice_client.get(reverse("history")).content.decode()
    assert "Push Day" in history and "Leg Day" in history
    previous = last_time(alice.pk, ["Squat (Barbell)"], datetime.date(2025, 3, 10))
    assert [(s.weight, s.reps) for s in previous["squat (barbell)"].sets] == [
        ("100", "5"),
        ("100", "5"),
        ("100", "5"),
        ("100", "3"),
    ]
    records = {record.exercise.name: record for record in exercise_records(alice)}
    # 82.5 kg × 5 (Epley: 96.25 kg), kept in pounds; the warm-up and the Rest Timer row
    # count for nothing.
    best = records["Bench Press (Barbell)"].best_1rm_lb
    assert abs(best - Decimal("96.25") * Decimal("2.20462")) < Decimal("0.2")
    assert records["Squat (Barbell)"].workout_count == 1
    points = exercise_progress(alice, "Bench Press (Barbell)")
    assert len(points) == 1
    chart = alice_client.get(
        reverse("exercise_progress"), {"exercise": "Squat (Barbell)"}
    ).content.decode()
    assert "<svg" in chart


def test_an_export_of_this_app_round_trips_to_another_instance(
    alice, alice_client, lower1, tmp_path
):
    workout = completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 21))
    warmup = Set.objects.get(exercise_name="Leg Press")
    Set.objects.filter(pk=warmup.pk).update(set_type=SetType.WARMUP, rpe="7.5", unit="kg")
    Workout.objects.filter(pk=workout.pk).update(note='Tired, "heavy" day')
    exported = b"".join(alice_client.get(reverse("export_csv")).streaming_content)
    before = stored_sets(alice)
    keys = sorted(Set.objects.values_list("key", flat=True))
    Workout.objects.all().delete()  # the other instance is empty

    output = run_import(write_file(tmp_path, exported), "alice")

    assert "Workout Log (this app's export)" in output
    assert stored_sets(alice) == before
    assert sorted(Set.objects.values_list("key", flat=True)) == keys
    session = Workout.objects.get()
    assert (session.pk, session.note) == (workout.pk, 'Tired, "heavy" day')
    again = b"".join(alice_client.get(reverse("export_csv")).streaming_content)
    assert again == exported


def test_another_lifters_export_of_this_app_becomes_a_copy_and_says_nothing_of_theirs(
    alice, bob, alice_client, lower1, tmp_path
):
    completed_workout(alice, lower1, SQUAT_DAY)
    alices = stored_sets(alice)
    alices_keys = set(Set.objects.values_list("key", flat=True))
    exported = b"".join(alice_client.get(reverse("export_csv")).streaming_content)
    path = write_file(tmp_path, exported)
    output = run_import(path, "bob")
    # Answered as a file of fresh keys would be: nothing tells that the keys are alice's.
    assert "another lifter" not in output and "Skipped" not in output
    assert "Imported 3 set(s) in 1 workout(s)" in output
    assert stored_sets(bob) == alices and stored_sets(alice) == alices
    bobs_keys = set(Set.objects.filter(workout__owner=bob).values_list("key", flat=True))
    assert not bobs_keys & alices_keys
    assert "Imported 0 set(s)" in run_import(path, "bob")  # his copy, recognised


def test_call_command_takes_the_options_by_name(alice, tmp_path):
    path = write_file(tmp_path, fixture_bytes("hevy_kg.csv"))
    call_command("import_workouts", str(path), user="alice", format="hevy", dry_run=True)
    assert not Set.objects.exists()


def test_a_workout_whose_lines_are_not_together_still_imports_each_set_once(alice, tmp_path):
    header = fixture_bytes("strong.csv").decode().splitlines(keepends=True)[0]
    push = "2025-03-04 18:12:09,Push Day,1h,Bench Press (Barbell),1,80,5,0,0,,,\n"
    legs = "2025-03-06 18:00:00,Leg Day,1h,Squat (Barbell),1,100,5,0,0,,,\n"
    path = write_file(tmp_path, header + push + legs + push + push)
    run_import(path)
    run_import(path)
    assert Set.objects.filter(exercise_name="Bench Press (Barbell)").count() == 3
    assert Workout.objects.count() == 2


def test_many_skipped_lines_are_summed_up_by_reason(alice, tmp_path):
    header = fixture_bytes("strong.csv").decode().splitlines(keepends=True)[0]
    rest = "2025-03-04 18:12:09,Push Day,1h,Rest Timer,1,0,0,0,90,,,\n"
    output = run_import(write_file(tmp_path, header + rest * 12))
    assert (
        "Skipped 12 lines (2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and more): a Rest Timer row, not a set"
        in output
    )


def test_a_dry_run_of_a_newer_export_counts_what_an_import_would_add(alice, tmp_path):
    lines = fixture_bytes("strong.csv").decode().splitlines(keepends=True)
    run_import(write_file(tmp_path, "".join(lines[:4]), "older.csv"))
    output = run_import(write_file(tmp_path, "".join(lines), "newer.csv"), "alice", "--dry-run")
    assert (
        "Would import 7 set(s) in 2 workout(s) from 2025-03-04 to 2025-03-06; 3 already here"
        in (output)
    )
    assert Set.objects.count() == 3


def test_piped_output_shows_progress_as_plain_lines(alice, tmp_path):
    header = fixture_bytes("strong.csv").decode().splitlines(keepends=True)[0]
    lines = [
        f"2024-{1 + n // 1000:02d}-{1 + n // 25 % 24:02d} 18:00:00,Day,1h,Squat,{n % 25 + 1},{n},5"
        ",0,0,,,\n"
        for n in range(12_000)
    ]
    output = run_import(write_file(tmp_path, header + "".join(lines)))
    assert re.findall(r"^Read [\d,]+ lines$", output, re.MULTILINE) == ["Read 10,001 lines"]
    assert "\r" not in output and "\033" not in output
    assert "Imported 12,000 set(s)" in output


def test_rest_timer_lines_take_no_set_number_and_are_counted_as_skipped(alice, tmp_path):
    """A five-year file got 821 empty "working" sets from them, a real set 2 stored as 3."""
    content = (FIXTURES / "real" / "strong-comma-rest-timer.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    rest = sum(row["Set Order"] == "Rest Timer" for row in rows)
    output = run_import(write_file(tmp_path, content), "alice", "--unit", "lb")
    assert f"Skipped {rest} lines (" in output and "a Rest Timer row, not a set" in output
    assert Set.objects.count() == len(rows) - rest
    for workout in Workout.objects.all():
        numbers = {}
        for workout_set in workout.sets.order_by("pk"):
            numbers.setdefault(workout_set.exercise_name, []).append(workout_set.set_number)
        for exercise, found in numbers.items():
            assert found == list(range(1, len(found) + 1)), (workout.pk, exercise)
    assert not Set.objects.filter(weight="", reps="").exists()


def test_a_long_workout_title_is_kept_whole_and_a_title_past_the_limit_is_said(
    alice, alice_client, tmp_path
):
    title = "Upper body hypertrophy block, week 3: heavy day with paused benches"  # 68
    longer = "T" * 120
    content = STRONG_HEADER + (
        f'2025-03-04 18:12:09,"{title}",1h,Bench,1,80,5,0,0,,,\n'
        f"2025-03-05 18:12:09,{longer},1h,Bench,1,80,5,0,0,,,\n"
    )
    output = run_import(write_file(tmp_path, content), "alice", "--unit", "kg")
    first, second = Workout.objects.with_title().order_by("date")
    assert (first.title, first.routine_slug) == (title, title[:40])
    assert second.title == "T" * 99 + "…"
    assert "1 workout title shortened (line 3)" in output
    assert title in alice_client.get(reverse("history")).content.decode()


def test_letters_in_a_number_are_named_by_a_dry_run_and_refused(alice, tmp_path):
    """ "8O" and "b" passed a dry run with 0 lines skipped."""
    content = STRONG_HEADER + (
        "2025-03-04 18:12:09,Push,1h,Bench,1,1S.0,5,0,0,,,\n"
        "2025-03-04 18:12:09,Push,1h,Bench,2,80,8O,0,0,,,\n"
        "2025-03-04 18:12:09,Push,1h,Bench,3,b,5,0,0,,,\n"
        "2025-03-04 18:12:09,Push,1h,Bench,4,80,5,0,0,,,\n"
    )
    path = write_file(tmp_path, content)
    with pytest.raises(CommandError) as refused:
        run_import(path, "alice", "--dry-run")
    assert str(refused.value).splitlines()[1:4] == [
        "Line 2: the weight “1S.0” is not a number.",
        "Line 3: the reps “8O” is not a number.",
        "Line 4: the weight “b” is not a number.",
    ]
    output = run_import(path, "alice", "--skip-bad-lines")
    assert "Skipped line 2: the weight “1S.0” is not a number" in output
    assert [(s.weight, s.reps) for s in Set.objects.all()] == [("80", "5")]


def test_notes_past_the_forms_length_are_shortened_with_a_mark(alice, tmp_path):
    content = STRONG_HEADER + f"2025-03-04 18:12:09,Push,1h,Bench,1,80,5,0,0,{'x' * 600},,\n"
    output = run_import(write_file(tmp_path, content), "alice", "--unit", "kg")
    stored = Set.objects.get().notes
    assert (len(stored), stored[-1]) == (500, "…")
    assert "1 set note shortened (line 2)" in output


def test_a_cell_of_millions_of_characters_refuses_the_file_readably(alice, tmp_path):
    content = STRONG_HEADER + f"2025-03-04 18:12:09,Push,1h,Bench,1,80,5,0,0,{'x' * 2_000_015},,\n"
    with pytest.raises(CommandError, match="Line 2: a cell holds more than 131,072 characters"):
        run_import(write_file(tmp_path, content), "alice", "--unit", "kg")
    assert not Set.objects.exists()
