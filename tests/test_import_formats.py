"""Reading Strong, Hevy and this app's exports: formats told from the header, each
line a set (or a line skipped with its reason), the file's quirks handled."""

import csv
import datetime
import io
import tracemalloc

import pytest
from django.utils import timezone

from sessions_app.importers import (
    BadLine,
    ImportedSet,
    ImportRefused,
    RecordedExport,
    ReplayedExport,
    Skipped,
    open_export,
)
from sessions_app.models import SetType
from tests.import_helpers import FIXTURES, STRONG_HEADER, fixture_bytes, read_export


def sets_of(records):
    return [r for r in records if isinstance(r, ImportedSet)]


def brief(record):
    return (record.exercise, record.set_type, record.weight, record.reps, record.unit)


def local(*parts):
    return timezone.make_aware(datetime.datetime(*parts))


def test_strong_current_export_reads_every_set_with_the_chosen_unit():
    records = read_export(fixture_bytes("strong.csv"), unit="kg")
    sets = sets_of(records)
    assert [brief(s) for s in sets] == [
        ("Bench Press (Barbell)", SetType.WARMUP, "40", "10", "kg"),
        ("Bench Press (Barbell)", SetType.WORKING, "80", "5", "kg"),
        ("Bench Press (Barbell)", SetType.WORKING, "82.5", "5", "kg"),
        ("Bench Press (Barbell)", SetType.DROP, "60", "12", "kg"),
        ("Plank", SetType.WORKING, "", "", "kg"),
        ("Squat (Barbell)", SetType.WORKING, "100", "5", "kg"),
        ("Squat (Barbell)", SetType.WORKING, "100", "5", "kg"),
        ("Squat (Barbell)", SetType.WORKING, "100", "5", "kg"),
        ("Squat (Barbell)", SetType.FAILURE, "100", "3", "kg"),
        ("Running", SetType.WORKING, "", "", "kg"),
    ]
    assert [s.line for s in sets] == [2, 3, 4, 6, 7, 8, 10, 11, 12, 13]
    assert {s.workout_name for s in sets} == {"Push Day", "Leg Day"}
    assert sets[1].notes == 'Paused, "competition" style'
    assert sets[0].workout_note == "Felt strong, slept 8h"
    assert sets[0].finished_at - sets[0].started_at == datetime.timedelta(hours=1, minutes=5)


def test_strong_rest_timer_rows_are_skipped_with_their_reason():
    records = read_export(fixture_bytes("strong.csv"))
    assert [r for r in records if isinstance(r, Skipped)] == [
        Skipped(5, "a Rest Timer row, not a set")
    ]


def test_strong_twelve_hour_times_with_a_narrow_no_break_space_are_read():
    squat = sets_of(read_export(fixture_bytes("strong.csv")))[5]
    assert squat.started_at == local(2025, 3, 6, 18, 30)
    assert squat.date == datetime.date(2025, 3, 6)


def test_strong_asks_for_the_unit_since_its_file_does_not_say():
    sets = sets_of(read_export(fixture_bytes("strong.csv"), unit="lb"))
    assert {s.unit for s in sets} == {"lb"}


def test_strong_rpe_in_range_is_kept_and_any_other_value_goes_to_the_notes():
    sets = sets_of(read_export(fixture_bytes("strong.csv")))
    assert [str(s.rpe) if s.rpe else None for s in sets[1:3]] == ["8", "9.5"]
    assert sets[5].rpe is None
    assert sets[5].notes == "left knee\na bit sore; RPE 5"
    assert str(sets[8].rpe) == "10"


def test_cardio_and_timed_sets_keep_their_time_and_distance_in_the_notes():
    sets = sets_of(read_export(fixture_bytes("strong.csv")))
    assert (sets[4].exercise, sets[4].notes) == ("Plank", "time 1:00")
    assert (sets[9].exercise, sets[9].notes) == ("Running", "distance 5 in 30:00")


def test_identical_lines_are_distinct_sets_with_distinct_keys():
    sets = sets_of(read_export(fixture_bytes("strong.csv")))
    assert len({s.key for s in sets}) == len(sets)


def test_keys_come_from_the_content_and_the_lifter():
    first = sets_of(read_export(fixture_bytes("strong.csv"), owner_id=1))
    again = sets_of(read_export(fixture_bytes("strong.csv"), owner_id=1, unit="lb"))
    other_lifter = sets_of(read_export(fixture_bytes("strong.csv"), owner_id=2))
    assert [s.key for s in first] == [s.key for s in again]
    assert not {s.key for s in first} & {s.key for s in other_lifter}


def test_strong_older_export_with_semicolons_units_and_decimal_commas():
    sets = sets_of(read_export(fixture_bytes("strong_older.csv"), unit="lb"))
    assert [brief(s) + (s.notes,) for s in sets] == [
        ("Kniebeuge", SetType.WARMUP, "60", "8", "kg", "Aufwärmen; locker"),
        ("Kniebeuge", SetType.WORKING, "102.5", "5", "kg", ""),
        # No weight, no unit on its line: the file's unit, not the lifter's.
        ("Rudern", SetType.WORKING, "", "", "kg", "2.5 km in 10:00"),
        ("Bench Press", SetType.WORKING, "185", "5", "lb", ""),
    ]
    assert str(sets[1].rpe) == "8.5"
    assert sets[0].workout_note == "Müde"
    assert sets[0].finished_at == local(2019, 1, 7, 7, 50)


@pytest.mark.parametrize(
    ("name", "unit", "weights", "distance"),
    [
        ("hevy_kg.csv", "kg", ["40", "85", "60", ""], "2.5 km in 15:00"),
        ("hevy_lbs.csv", "lb", ["95", "185", "135", ""], "1.5 mi in 15:00"),
    ],
)
def test_hevy_exports_in_kilograms_and_pounds(name, unit, weights, distance):
    sets = sets_of(read_export(fixture_bytes(name), unit="kg" if unit == "lb" else "lb"))
    assert [s.weight for s in sets[:4]] == weights
    assert {s.unit for s in sets} == {unit}
    assert [s.set_type for s in sets] == [
        SetType.WARMUP,
        SetType.WORKING,
        SetType.DROP,
        SetType.FAILURE,
        SetType.WORKING,
    ]
    assert sets[3].reps == "12"
    assert sets[4].notes == distance
    assert sets[0].started_at == local(2024, 3, 5, 18, 0)
    assert sets[0].finished_at == local(2024, 3, 5, 19, 5)
    assert sets[0].workout_note == "Good session, new PR"
    assert str(sets[1].rpe) == "8.5"


def test_hevy_keeps_an_exercise_note_once_not_on_every_set():
    sets = sets_of(read_export(fixture_bytes("hevy_kg.csv")))
    assert [s.notes for s in sets[:3]] == ['Elbows tucked, "slow" eccentric', "", ""]


def test_a_byte_order_mark_and_windows_line_endings_are_read():
    plain = sets_of(read_export(fixture_bytes("strong.csv")))
    windows = b"\xef\xbb\xbf" + fixture_bytes("strong.csv").replace(b"\n", b"\r\n")
    records = read_export(windows)
    assert [brief(s) + (s.line, s.key) for s in sets_of(records)] == [
        brief(s) + (s.line, s.key) for s in plain
    ]
    assert sets_of(records)[5].notes == "left knee\na bit sore; RPE 5"


def test_a_file_of_another_kind_is_refused_on_line_one():
    with pytest.raises(ImportRefused, match="Line 1: these are not the columns"):
        read_export(b"name,age\nalice,30\n")


def test_a_file_that_is_not_text_is_refused():
    with pytest.raises(ImportRefused, match="Line 1: the file is not UTF-8 text"):
        read_export(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5\xff\xfe")


def test_a_file_in_another_encoding_is_refused_naming_the_line():
    latin1 = (STRONG_HEADER + "2019-01-07 07:05:00,Müde,1h,Squat,1,100,5,0,0,,,\n").encode(
        "latin-1"
    )
    with pytest.raises(ImportRefused, match="Line 2: the file is not UTF-8 text"):
        read_export(latin1)


def test_an_empty_file_is_refused():
    with pytest.raises(ImportRefused, match="the file is empty"):
        read_export(b"")


def test_a_chosen_format_that_does_not_match_the_header_is_refused():
    with pytest.raises(ImportRefused, match="this is not a Hevy export: its columns are those of"):
        read_export(fixture_bytes("strong.csv"), format="hevy")
    assert sets_of(read_export(fixture_bytes("strong_older.csv"), format="strong"))


def test_a_date_that_does_not_parse_is_a_bad_line_named_by_its_number():
    content = STRONG_HEADER + (
        "2025-03-04 18:12:09,Push,1h,Bench,1,80,5,0,0,,,\n"
        "yesterday evening,Push,1h,Bench,2,80,5,0,0,,,\n"
        "2025-03-04 18:12:09,Push,1h,Bench,3,80\n"
    )
    records = read_export(content.encode())
    assert records[1:] == [
        BadLine(3, "“yesterday evening” is not a date and time like 2025-03-04 18:12:09."),
        BadLine(4, "6 cells where the header has 12."),
    ]


@pytest.mark.parametrize("name", ["strong.csv", "hevy_lbs.csv", "strong_older.csv"])
def test_what_a_preview_recorded_replays_as_the_same_records(name):
    recorded = RecordedExport(open_export(io.BytesIO(fixture_bytes(name)), 1, "auto", "kg"))
    records = list(recorded)
    replayed = ReplayedExport(recorded.recorded(), recorded.format_name, "kg", True)
    assert list(replayed) == records
    assert fixture_bytes(name)[:200] not in recorded.recorded()  # compressed, not the file


def test_a_sheet_downloaded_with_the_first_header_reads_its_marks_and_keys():
    key = "0b9f3c1e-8a52-4a61-9d0e-2f7f5f6b8c11"
    content = (
        "date,session id,template,exercise,set number,weight (lb),reps,notes,logged at,key\n"
        "2025-09-21,2025-09-21_lower1,lower1, Back Squat ,1,100,5,"
        '"(warm-up) (RPE 8) (kg) belt, tight (workout note: Good day)",'
        f"2025-09-21 18:04:11+02:00,{key}\n"
        "2025-09-22,,,Deadlift,1,315,3,,,\n"
    )
    first, typed_by_hand = sets_of(read_export(content.encode()))
    assert (first.exercise, first.set_type, str(first.rpe), first.unit) == (
        "Back Squat",
        SetType.WARMUP,
        "8",
        "kg",
    )
    assert (first.notes, first.workout_note, str(first.key)) == ("belt, tight", "Good day", key)
    assert (first.session_id, first.workout_name, first.set_number) == (
        "2025-09-21_lower1",
        "lower1",
        1,
    )
    assert first.logged_at == datetime.datetime.fromisoformat("2025-09-21 18:04:11+02:00")
    assert (typed_by_hand.session_id, typed_by_hand.unit, typed_by_hand.weight) == (
        "2025-09-22_imported",
        "lb",
        "315",
    )
    assert typed_by_hand.date == datetime.date(2025, 9, 22)


def test_strong_rest_timer_lines_in_the_set_order_column_are_not_sets():
    content = (FIXTURES / "real" / "strong-comma-rest-timer.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    rest_lines = [n for n, row in enumerate(rows, start=2) if row["Set Order"] == "Rest Timer"]
    records = read_export(content)
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert [r.line for r in skipped] == rest_lines and len(rest_lines) == 45
    assert {r.reason for r in skipped} == {"a Rest Timer row, not a set"}
    assert len(sets_of(records)) == len(rows) - 45


def test_strong_every_cell_quoted_export_says_its_units_in_the_header():
    sets = sets_of(read_export(fixture_bytes("strong-quoted-lbs-miles.csv"), unit="kg"))
    assert [brief(s) + (s.notes,) for s in sets] == [
        ("Squat (Barbell)", SetType.WARMUP, "135", "8", "lb", ""),
        ("Squat (Barbell)", SetType.WORKING, "285", "5", "lb", ""),
        ("Squat (Barbell)", SetType.WORKING, "285", "5", "lb", ""),
        ("Squat (Barbell)", SetType.FAILURE, "285", "3", "lb", "Belt"),
        ("Squat (Barbell)", SetType.DROP, "205", "8", "lb", ""),
        ("Leg Curl (Machine)", SetType.WORKING, "97.5", "12", "lb", ""),
        ("Running", SetType.WORKING, "", "", "lb", "1.5 mi in 12:00"),
        ("Bench Press (Barbell)", SetType.WORKING, "185", "5", "lb", ""),
        ("Bench Press (Barbell)", SetType.WORKING, "185", "5", "lb", ""),
    ]
    assert [str(s.rpe) for s in sets[1:4]] == ["8.5", "9", "10"]
    assert sets[0].workout_note == "Knee felt fine"
    assert sets[0].finished_at - sets[0].started_at == datetime.timedelta(seconds=4210)


def test_strong_weights_with_a_floats_trail_keep_three_decimals():
    content = (FIXTURES / "real" / "strong-quoted-kg-warm-up.csv").read_bytes()
    weights = {s.weight for s in sets_of(read_export(content))}
    assert {"65.181", "75.58", "24.948", "6.804"} <= weights
    assert not any(len(weight.partition(".")[2]) > 3 for weight in weights)


def test_a_header_no_app_writes_is_quoted_as_the_file_writes_it():
    with pytest.raises(ImportRefused) as refused:
        read_export(b'"Workout";"When";"Lift"\n"1";"2025-01-01";"Squat"\n')
    assert '(the file starts with “"Workout";"When";"Lift"”)' in str(refused.value)


def test_strong_2016_export_reads_its_units_and_windows_line_endings():
    records = read_export(fixture_bytes("strong-2016-lbs-mi-crlf.csv"), unit="kg")
    assert [brief(s) + (s.notes,) for s in sets_of(records)] == [
        ("Squat", SetType.WORKING, "135", "5", "lb", ""),
        ("Squat", SetType.WORKING, "135", "5", "lb", ""),
        ("Squat", SetType.WORKING, "140", "5", "lb", "Slow"),
        ("Plank", SetType.WORKING, "", "", "lb", "time 1:00"),
        ("Treadmill", SetType.WORKING, "", "", "lb", "1.2 mi in 10:00"),
        ("Deadlift", SetType.WORKING, "225", "5", "lb", ""),
    ]
    assert [s.line for s in sets_of(records)] == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("weight_column", "distance_column", "unit", "distance"),
    [
        ("weight_kg", "distance_miles", "kg", "2.5 mi"),
        ("weight_lbs", "distance_km", "lb", "2.5 km"),
    ],
)
def test_hevy_reads_each_column_in_its_own_unit(weight_column, distance_column, unit, distance):
    content = (
        fixture_bytes("hevy-kg-miles.csv")
        .decode()
        .replace("weight_kg", weight_column)
        .replace("distance_miles", distance_column)
    )
    sets = sets_of(read_export(content.encode()))
    assert {s.unit for s in sets} == {unit}
    assert sets[-1].notes == f"{distance} in 25:00"


def test_hevy_keeps_each_notes_of_an_exercise_done_twice_in_one_workout():
    sets = sets_of(read_export(fixture_bytes("hevy-kg-miles.csv")))
    assert [(s.exercise, s.notes) for s in sets if s.exercise == "Squat (Barbell)"] == [
        ("Squat (Barbell)", "Low bar"),
        ("Squat (Barbell)", ""),
        ("Squat (Barbell)", "Pause squats now"),
    ]


def test_hevy_superset_ids_are_kept_on_the_sets():
    sets = sets_of(read_export(fixture_bytes("hevy-kg-miles.csv")))
    assert [(s.exercise, s.superset) for s in sets[2:4]] == [
        ("Leg Extension (Machine)", "0"),
        ("Lying Leg Curl (Machine)", "0"),
    ]
    assert sets[0].superset == ""


@pytest.mark.parametrize(
    ("weight", "reps", "reason"),
    [
        ("1S.0", "5", "the weight “1S.0” is not a number."),
        ("80", "8O", "the reps “8O” is not a number."),
        ("b", "5", "the weight “b” is not a number."),
        ("1e999999", "5", "the weight “1e999999” is not a number."),
        ("80", "5", None),
    ],
)
def test_letters_in_a_number_column_make_the_line_bad(weight, reps, reason):
    content = STRONG_HEADER + f"2025-03-04 18:12:09,Push,1h,Bench,1,{weight},{reps},0,0,,,\n"
    (record,) = read_export(content.encode())
    assert record == BadLine(2, reason) if reason else isinstance(record, ImportedSet)


def test_this_apps_own_csv_keeps_the_text_a_lifter_typed_for_weight_and_reps():
    content = (
        "date,session id,template,exercise,set number,weight,reps,notes,logged at,key,"
        "set type,rpe,unit,workout note\n"
        "2025-09-22,,,Dips,1,BW+25,AMRAP,,,,,,lb,\n"
    )
    (record,) = read_export(content.encode())
    assert (record.weight, record.reps) == ("BW+25", "AMRAP")


def test_a_number_written_with_an_exponent_is_never_expanded():
    """664 bytes of these made ten sets with 2,000,015-character notes (issue 23)."""
    line = "2025-03-04 18:12:09,Push,1h,Bench,1,1e999999,5,0,0,1e999999,,\n"
    content = (STRONG_HEADER + line * 10).encode()
    tracemalloc.start()
    records = read_export(content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert records == [BadLine(n, "the weight “1e999999” is not a number.") for n in range(2, 12)]
    assert peak < 2_000_000


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("Squ\x00at,1,100,5,0,0,,,", "the exercise name holds a control character"),
        ("Squat,1,100,5,0,0,Deep\x07,,", "the set note holds a control character"),
        ("Squat,1,100,5,0,0,,Good\x1bday,", "the workout note holds a control character"),
    ],
)
def test_control_characters_make_the_line_bad_as_every_form_refuses_them(cells, reason):
    content = STRONG_HEADER + f"2025-03-04 18:12:09,Push,1h,{cells}\n"
    (record,) = read_export(content.encode())
    assert isinstance(record, BadLine) and record.reason.startswith(reason)


def test_a_nul_in_this_apps_own_csv_makes_the_line_bad():
    content = (
        "date,session id,template,exercise,set number,weight (lb),reps,notes,logged at,key\n"
        "2025-09-22,,,Dips,1,B\x00X,5,,,\n"
    )
    (record,) = read_export(content.encode())
    assert record == BadLine(
        2, "the weight holds a control character (such as NUL), which no form takes."
    )


def test_texts_longer_than_the_forms_take_are_shortened_with_a_mark_and_counted():
    long_note, long_title = "n" * 600, "T" * 120
    line = f"2025-03-04 18:12:09,{long_title},1h,Squat,1,100,5,0,0,{long_note},,\n"
    content = STRONG_HEADER + line
    export = open_export(io.BytesIO(content.encode()), 1, "auto", "kg")
    (record,) = list(export)
    assert (len(record.notes), record.notes[-1]) == (500, "…")
    assert (len(record.workout_name), record.workout_name[-1]) == (100, "…")
    assert export.notices.as_list() == [("set note", 1, [2]), ("workout title", 1, [2])]


def test_fitnotes_exports_are_told_from_their_header():
    content = (FIXTURES / "real" / "fitnotes-lbs-cardio.csv").read_bytes()
    export = open_export(io.BytesIO(content), 1, "auto", "kg")
    sets = sets_of(list(export))
    assert (export.format_name, export.unit_from_file) == ("FitNotes", True)
    assert {s.unit for s in sets if s.weight} == {"lb"}
    cardio = [s for s in sets if not s.weight and not s.reps]
    assert cardio[0].notes == "1.23 mi in 9:21"


def test_fitnotes_names_with_an_unquoted_comma_keep_their_comma():
    content = (FIXTURES / "real" / "fitnotes-weight-unit.csv").read_bytes()
    names = {s.exercise for s in sets_of(read_export(content))}
    assert "Overhead Press (Each Side, Dumbbells)" in names
