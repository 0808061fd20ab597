"""Odd values a client or a file can send: a clear answer, never a 500, nothing half-done."""

import pytest
from django.core.management import CommandError
from django.urls import reverse

from sessions_app.export import COLUMNS
from sessions_app.models import Set, Workout
from tests.helpers import HTMX, own_id, set_data
from tests.import_helpers import STRONG_HEADER, run_import, write_file


def strong_file(tmp_path, *lines):
    return write_file(tmp_path, STRONG_HEADER + "".join(line + "\n" for line in lines))


def test_a_row_sent_again_with_a_problem_under_a_number_already_logged_says_what_is_wrong(
    alice_client, alice_workout
):
    """A stale tab's row 1, sent with no reps after set 1 was logged elsewhere."""
    alice_workout.log_set("Back Squat", "225", "5", set_number=1)
    data = set_data("Back Squat", "225", "", set_number="1")
    answer = alice_client.post(reverse("log_set", args=[alice_workout.pk]), data, headers=HTMX)
    fragment = answer.content.decode()
    assert answer.status_code == 200 and "Enter the reps" in fragment
    assert 'name="set_number" value="2"' in fragment  # shown as the first row still to do
    assert alice_workout.sets.count() == 1


def test_a_workout_id_with_a_slash_in_a_file_still_gets_an_address(alice, alice_client, tmp_path):
    row = {name: "" for name in COLUMNS}
    row.update({"date": "2025-03-04", "session id": "a/b", "template": "Push", "exercise": "Bench"})
    row.update({"set number": "1", "weight": "100", "reps": "5", "unit": "kg"})
    path = write_file(tmp_path, ",".join(COLUMNS) + "\n" + ",".join(row.values()) + "\n")
    run_import(path, "alice")
    workout_ids = list(Workout.objects.filter(owner=alice).values_list("pk", flat=True))
    assert workout_ids == [own_id(alice, "a-b")]
    assert alice_client.get("/").status_code == 200
    assert alice_client.get(reverse("history")).status_code == 200


@pytest.mark.parametrize(
    "line, reason",
    [
        ("2025-03-04 18:00:00,Push,1h,Bench,1,80,5,0,0,,,NaN", "the RPE “NaN” is not a number"),
        ("2025-03-04 18:00:00,Push,1h,Bench,1,80,5,0,Infinity,,,", "the seconds “Infinity”"),
    ],
)
def test_a_number_that_is_not_one_is_a_bad_line_named_by_its_number(alice, tmp_path, line, reason):
    with pytest.raises(CommandError, match=f"Line 2: {reason}"):
        run_import(strong_file(tmp_path, line), "alice", "--unit", "kg")
    assert not Set.objects.exists()


@pytest.mark.parametrize(
    "duration, refused",
    [("99999999999h", False), ("99999999999999", False), ("²", False)],
    ids=["hours", "seconds", "superscript"],
)
def test_an_impossible_duration_is_no_crash(alice, tmp_path, duration, refused):
    """What is no duration of a workout (hours or seconds past a month, "²") is left
    out: the workout has its sets and no end time."""
    path = strong_file(
        tmp_path,
        "2025-03-04 18:00:00,Push,1h,Bench,1,80,5,0,0,,,",
        f"2025-03-05 18:00:00,Pull,{duration},Row,1,60,8,0,0,,,",
    )
    output = run_import(path, "alice", "--unit", "kg", "--skip-bad-lines")
    assert Set.objects.filter(exercise_name="Bench").count() == 1
    assert Set.objects.filter(exercise_name="Row").count() == (0 if refused else 1)
    assert ("line 3" in output and "out of range" in output) is refused


def test_odd_ids_in_the_routine_editor_are_ignored(alice_client, alice):
    from sessions_app.models import give_starter_routines

    give_starter_routines(alice)
    routine = alice.routines.first()
    url = reverse("routine_editor", args=[routine.pk])
    for query in ("?remove=²", "?remove=" + "9" * 5000):
        assert alice_client.get(url + query).status_code == 200
    assert alice_client.post(url, {"name": routine.name, "move": "² up"}).status_code in (
        200,
        302,
    )


def test_a_logged_at_time_past_the_calendars_end_is_left_out(alice, tmp_path):
    row = {name: "" for name in COLUMNS}
    row.update({"date": "2025-03-04", "template": "Push", "exercise": "Bench"})
    row.update({"reps": "5", "unit": "kg", "logged at": "9999-12-31T23:59:59-14:00"})
    path = write_file(tmp_path, ",".join(COLUMNS) + "\n" + ",".join(row.values()) + "\n")
    run_import(path, "alice")
    assert Set.objects.get().created_at.year == 2025  # the workout's own day instead


@pytest.mark.parametrize("cell", [1e300, -1e300, 10**20])
def test_a_sheet_cell_no_date_or_time_stands_for_is_read_as_text(cell):
    from sync_app.rows import as_text, normalized, parse_logged_at

    assert parse_logged_at(cell) is None
    assert normalized([cell, "s", "t", "e", 1, 1, 1, "", cell, "k"], 1)[0] == as_text(cell)


@pytest.mark.parametrize("field", ["exercise", "weight", "reps", "notes"])
def test_every_text_of_a_set_refuses_control_characters(alice_client, alice_workout, field):
    """As the imports do (issue 23): NUL, bell, escape… are no one's typing."""
    data = set_data("Back Squat", "225", "5", notes="belt")
    data[field] = data[field][:1] + "\x07" + data[field][1:]
    answer = alice_client.post(reverse("log_set", args=[alice_workout.pk]), data, headers=HTMX)
    assert "Control characters are not allowed." in answer.content.decode()
    assert not alice_workout.sets.exists()
