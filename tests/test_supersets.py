"""Supersets: consecutive routine exercises grouped (A1, A2), their cards together, the
current row moving A1 → A2 → A1…; the group each set keeps (logged here or imported from
Hevy), carried by the sheet and the CSV in the notes cell, read back by the pull and
`import_sheets`, and shown in history."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from sessions_app.export import read_row, row_for
from sessions_app.models import Routine, Set, Workout
from sessions_app.progression import superset_labels
from sessions_app.workout_screen import workout_plan
from sync_app.conflicts import conflicts_for_workout
from sync_app.models import Tombstone
from sync_app.pull import run_pull
from sync_app.push import run_sync
from sync_app.rows import as_text, fingerprint
from tests.import_helpers import fixture_bytes, run_import, write_file
from tests.sync_helpers import sheet


@pytest.fixture
def arms(alice):
    routine = Routine.create_for(alice, "Arms")
    for name in ("Bench Press", "Barbell Curl", "Triceps Pushdown", "Plank"):
        routine.add_exercise(name, 2, "10")
    # Curl and pushdown are a superset; bench and plank stand alone.
    routine.exercises.filter(exercise__name="Triceps Pushdown").update(superset_with_previous=True)
    return routine


def test_consecutive_exercises_are_lettered_as_a_superset(arms):
    rows = list(arms.exercises.select_related("exercise"))
    labels = superset_labels(rows)
    assert [labels.get(row.pk, "") for row in rows] == ["", "A1", "A2", ""]


def test_a_lone_mark_on_the_first_exercise_makes_no_superset(alice):
    routine = Routine.create_for(alice, "Odd")
    first = routine.add_exercise("Bench Press", 2, "10")
    first.superset_with_previous = True
    first.save()
    assert superset_labels(list(routine.exercises.all())) == {}


def current_of(workout):
    plan = workout_plan(workout)
    return [card.name for card in plan.cards if card.current], [
        card.superset_label for card in plan.cards
    ]


def test_the_current_exercise_moves_through_the_round(alice, arms):
    workout = Workout.start(alice, arms)
    for number in (1, 2):
        workout.log_set("Bench Press", "100", "10", set_number=number)
    assert current_of(workout) == (["Barbell Curl"], ["", "A1", "A2", ""])
    workout.log_set("Barbell Curl", "40", "10", set_number=1)
    assert current_of(workout)[0] == ["Triceps Pushdown"]  # A2, not A1's second set
    workout.log_set("Triceps Pushdown", "30", "10", set_number=1)
    assert current_of(workout)[0] == ["Barbell Curl"]  # round two
    workout.log_set("Barbell Curl", "40", "10", set_number=2)
    workout.log_set("Triceps Pushdown", "30", "10", set_number=2)
    assert current_of(workout)[0] == ["Plank"]


def test_the_workout_page_shows_the_superset_labels(alice_client, alice, arms):
    workout = Workout.start(alice, arms)
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert page.count('data-superset="A"') == 2
    assert '<span class="superset-label">A1</span>' in page
    assert '<span class="superset-label">A2</span>' in page


def test_hevy_superset_ids_are_stored_as_groups(tmp_path, alice):
    run_import(write_file(tmp_path, fixture_bytes("hevy-kg-miles.csv")), "alice")
    grouped = Set.objects.filter(workout__owner=alice, superset_group__isnull=False)
    assert sorted(set(grouped.values_list("exercise_name", "superset_group"))) == [
        ("Leg Extension (Machine)", 0),
        ("Lying Leg Curl (Machine)", 0),
    ]
    assert Set.objects.filter(workout__owner=alice, superset_group__isnull=True).exists()


# --- The group a set keeps: logged in the app, imported, and in the sheet and CSV ---


def groups_of(workout):
    return [
        (s.exercise_name, s.set_type, s.superset_group)
        for s in workout.sets.order_by("created_at", "pk")
    ]


@pytest.fixture
def two_supersets(alice, arms):
    """Arms, and Plank with Side Plank after it: superset B."""
    arms.add_exercise("Side Plank", 2, "30s")
    arms.exercises.filter(exercise__name="Side Plank").update(superset_with_previous=True)
    return arms


def test_sets_logged_in_a_superset_keep_its_group_once_the_workout_completes(alice, two_supersets):
    workout = Workout.start(alice, two_supersets)
    workout.log_set("Barbell Curl", "20", "10", set_type="warmup")
    for name in ("Bench Press", "Barbell Curl", "Triceps Pushdown", "Plank", "Side Plank"):
        workout.log_set(name, "20", "10")
    workout.log_set("Dips", "BW", "10")  # added by the lifter: in no superset
    workout.complete()
    # The same form as an imported superset: a number per group of the workout, from 0
    # (A) in the routine's order; the warm-up belongs to its exercise's group.
    assert groups_of(workout) == [
        ("Barbell Curl", "warmup", 0),
        ("Bench Press", "working", None),
        ("Barbell Curl", "working", 0),
        ("Triceps Pushdown", "working", 0),
        ("Plank", "working", 1),
        ("Side Plank", "working", 1),
        ("Dips", "working", None),
    ]


def test_a_starter_routines_superset_groups_the_lifters_own_exercises(alice, lower1):
    lower1.exercises.filter(exercise__name="Leg Press").update(superset_with_previous=True)
    workout = Workout.start(alice, lower1)
    workout.log_set("Back Squat", "200", "5")
    workout.log_set("romanian deadlift", "200", "8")  # sets and routine meet by key
    workout.log_set("Leg Press", "300", "10")
    workout.complete()
    assert [group for _, _, group in groups_of(workout)] == [None, 0, 0]


def test_a_workout_without_a_superset_records_no_group(alice, arms):
    arms.exercises.update(superset_with_previous=False)
    workout = Workout.start(alice, arms)
    workout.log_set("Barbell Curl", "20", "10")
    workout.complete()
    assert groups_of(workout) == [("Barbell Curl", "working", None)]


def test_hevy_groups_are_lettered_in_the_order_the_workout_shows_them(tmp_path, alice):
    """Hevy numbers a workout's supersets its own way (the first one shown is "2" in this
    lifter's file): stored in the order they come, the first is A everywhere."""
    run_import(write_file(tmp_path, fixture_bytes("real/hevy-lbs-miles.csv")), "alice")
    workout = Workout.objects.get(owner=alice, routine_name="Compound Upper")
    firsts = {}
    for name, _, group in groups_of(workout):
        firsts.setdefault(name, group)
    assert firsts == {
        "Lateral Raise (Cable)": 0,
        "Face Pull": 0,
        "Bench Press (Dumbbell)": 1,
        "Dumbbell Row": 1,
        "Pull Up (Assisted)": 2,
        "Chest Dip (Assisted)": 2,
        "Butterfly (Pec Deck)": None,
    }


@pytest.fixture
def arms_day(alice, arms):
    """A completed Arms workout: bench alone, curl and pushdown as superset A."""
    workout = Workout.start(alice, arms)
    workout.note = "Short on time"
    workout.save()
    workout.log_set("Bench Press", "100", "5", notes="paused")
    workout.log_set("Barbell Curl", "40", "10", notes="strict")
    workout.log_set("Triceps Pushdown", "30", "12")
    workout.complete()
    return workout


def notes_cells(workout, version):
    return [
        row_for(workout, s, version, with_workout_note=False)[7]
        for s in workout.sets.order_by("created_at")
    ]


@pytest.mark.parametrize("version", [1, 2])
def test_a_superset_rides_in_the_notes_cell_of_either_header_version(arms_day, version):
    # Neither header has a column for it: a mark like the set type's, before the notes.
    assert notes_cells(arms_day, version) == ["paused", "(superset A) strict", "(superset A)"]
    for workout_set in arms_day.sets.all():
        texts = [as_text(value) for value in row_for(arms_day, workout_set, version)]
        values = read_row(texts, version)
        assert (values.superset_group, values.notes, values.workout_note) == (
            workout_set.superset_group,
            workout_set.notes,
            "Short on time",
        )


def test_the_mark_of_a_superset_past_z_reads_back(arms_day):
    curl = arms_day.sets.get(exercise_name="Barbell Curl")
    for group, mark in ((1, "(superset B)"), (25, "(superset Z)"), (27, "(superset AB)")):
        curl.superset_group = group
        cell = row_for(arms_day, curl, 1, with_workout_note=False)[7]
        assert cell == f"{mark} strict"
        assert read_row([""] * 7 + [cell], 1).superset_group == group
    assert read_row([""] * 7 + ["(superset ZZZZ) x"], 1).notes == "(superset ZZZZ) x"


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(
    "typed",
    ["(superset B) after the Hevy one", "(warm-up) felt like one", "(kg) not lb", "(note) x"],
)
def test_a_lifters_own_note_that_starts_like_a_mark_reads_back_as_typed(arms_day, version, typed):
    bench = arms_day.sets.get(exercise_name="Bench Press")
    bench.notes = typed
    texts = [as_text(value) for value in row_for(arms_day, bench, version)]
    values = read_row(texts, version)
    assert (values.notes, values.superset_group, values.set_type, values.unit) == (
        typed,
        None,
        "working",
        "lb",
    )


def test_a_row_outside_any_superset_keeps_the_fingerprint_it_had():
    """Fingerprints remembered before groups existed still match the same rows: a pull
    after the upgrade finds no change in them."""
    key = "8d3c5a2e-6f1b-4c8e-9a7d-2b1e0f3c4d5a"
    row = ["2025-09-21", "2025-09-21_lower1.x", "lower1", "Back Squat", 2, 235, 5]
    row_v1 = [*row, "(warm-up) belt", "2025-09-21 10:00:00+00:00", key]
    row_v2 = [*row, "belt", "2025-09-21 10:00:00+00:00", key, "warmup", 8, "kg", "Heavy"]
    assert fingerprint(row_v1, 1) == "965b646e90b8a875ad375246"
    assert fingerprint(row_v2, 2) == "eebc6fd78315ee12dcf63517"


def everything_about_the_sets():
    return {
        str(s.key): (s.exercise_name, s.set_number, s.notes, s.superset_group)
        for s in Set.objects.all()
    }


@pytest.mark.parametrize("header", ["version 1", "version 2"])
def test_import_sheets_gives_the_sets_their_groups_back(sheets, arms_day, header):
    from sessions_app.export import HEADERS

    sheets.set_rows("workout-log-test", "Log", [HEADERS[int(header[-1])]])
    run_sync()
    out = io.StringIO()
    call_command("sync", "--check", stdout=out)
    assert "The sheet matches the database." in out.getvalue()
    before = everything_about_the_sets()
    assert sorted(group for *_, group in before.values() if group is not None) == [0, 0]
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    call_command("import_sheets", "alice", stdout=io.StringIO())
    assert everything_about_the_sets() == before


NOTES = 7


def pulled_after_typing(imitation, exercise, notes):
    rows = sheet(imitation)
    row = next(row for row in rows if row[3] == exercise)
    row[NOTES] = notes
    imitation.set_rows("workout-log-test", "Log", rows)
    return run_pull()


def test_a_note_fixed_in_the_sheet_keeps_the_sets_group(sheets, arms_day):
    run_sync()
    assert run_pull(force=True).taken == 0  # the marks read back as written: no change
    result = pulled_after_typing(sheets, "Barbell Curl", "(superset A) strict, slow down")
    assert result.taken == 1
    curl = arms_day.sets.get(exercise_name="Barbell Curl")
    assert (curl.notes, curl.superset_group) == ("strict, slow down", 0)
    assert (run_sync().updated, run_sync().appended) == (0, 0)


def test_a_superset_mark_typed_away_in_the_sheet_ungroups_the_set(sheets, arms_day):
    run_sync()
    assert pulled_after_typing(sheets, "Triceps Pushdown", "rope").taken == 1
    pushdown = arms_day.sets.get(exercise_name="Triceps Pushdown")
    assert (pushdown.notes, pushdown.superset_group) == ("rope", None)
    assert pulled_after_typing(sheets, "Triceps Pushdown", "(superset B) rope").taken == 1
    pushdown.refresh_from_db()
    assert (pushdown.notes, pushdown.superset_group) == ("rope", 1)


def test_a_conflict_shows_the_superset_by_its_letter(sheets, arms_day):
    run_sync()
    curl = arms_day.sets.get(exercise_name="Barbell Curl")
    curl.notes = "strict, fixed in the app"
    curl.save_changes(["notes"])
    assert pulled_after_typing(sheets, "Barbell Curl", "(superset B) strict").conflicts == 1
    (conflict,) = conflicts_for_workout(arms_day)
    assert conflict.differences == [
        ("notes", "strict", "strict, fixed in the app"),
        ("superset", "B", "A"),
    ]


# --- History shows the supersets ---


def card_titles(page):
    """The finished workout's cards, as their titles read: "A1 Barbell Curl"."""
    titles = re.findall(
        r'<section class="exercise finished"[^>]*>\s*<header[^>]*><h2>(.*?)</h2>', page
    )
    return [re.sub(r"<[^>]+>", "", title).strip() for title in titles]


def test_history_shows_a_superset_logged_here_as_a1_a2(alice_client, arms_day):
    page = alice_client.get(arms_day.get_absolute_url()).content.decode()
    assert card_titles(page) == ["Bench Press", "A1 Barbell Curl", "A2 Triceps Pushdown"]
    assert page.count('data-superset="A"') == 2  # joined by the line of the workout screen


def test_history_shows_hevys_supersets_in_the_order_the_workout_shows_them(
    tmp_path, alice, alice_client
):
    run_import(write_file(tmp_path, fixture_bytes("real/hevy-lbs-miles.csv")), "alice")
    upper = Workout.objects.get(owner=alice, routine_name="Compound Upper")
    page = alice_client.get(upper.get_absolute_url()).content.decode()
    assert card_titles(page) == [
        "A1 Lateral Raise (Cable)",
        "A2 Face Pull",
        "B1 Bench Press (Dumbbell)",
        "B2 Dumbbell Row",
        "C1 Pull Up (Assisted)",
        "C2 Chest Dip (Assisted)",
        "Butterfly (Pec Deck)",
    ]
    # A superset whose exercises the file lists apart keeps its letter across the one
    # between them.
    morning = Workout.objects.get(owner=alice, routine_name__startswith="Morning")
    page = alice_client.get(morning.get_absolute_url()).content.decode()
    assert card_titles(page) == [
        "A1 Sled Push",
        "A2 sled back peddle pull",
        "B1 Nordic Hamstrings Curls",
        "Dumbbell Step Up",
        "B2 Lateral Lunges (weighted)",
        "single leg box jump",
    ]


def test_a_superset_left_with_one_exercise_shows_no_label(alice, alice_client, arms):
    workout = Workout.start(alice, arms)
    workout.log_set("Barbell Curl", "40", "10")  # its partner skipped today
    workout.complete()
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert card_titles(page) == ["Barbell Curl"]
    assert "data-superset" not in page


def test_a_workout_saved_as_a_routine_keeps_its_supersets(tmp_path, alice, alice_client):
    run_import(write_file(tmp_path, fixture_bytes("real/hevy-lbs-miles.csv")), "alice")
    upper = Workout.objects.get(owner=alice, routine_name="Compound Upper")
    alice_client.post(reverse("save_workout_as_routine", args=[upper.pk]), {"name": "Upper"})
    rows = list(Routine.objects.get(owner=alice, name="Upper").exercises.select_related("exercise"))
    labels = superset_labels(rows)
    assert [(labels.get(row.pk, ""), row.exercise.name) for row in rows] == [
        ("A1", "Lateral Raise (Cable)"),
        ("A2", "Face Pull"),
        ("B1", "Bench Press (Dumbbell)"),
        ("B2", "Dumbbell Row"),
        ("C1", "Pull Up (Assisted)"),
        ("C2", "Chest Dip (Assisted)"),
        ("", "Butterfly (Pec Deck)"),
    ]
