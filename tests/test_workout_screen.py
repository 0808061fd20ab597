"""The workout screen's rules, through its forms as the page sends them (with and without
htmx) and through the JSON API where it shares them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from sessions_app.models import LifterProfile, Routine, Workout
from sessions_app.workout_screen import last_time
from tests.helpers import HTMX, exported_rows, past_workout, set_data


def log_url(session):
    return reverse("log_set", args=[session.pk])


def complete_url(session):
    return reverse("complete_session", args=[session.pk])


def planned_rows(page, exercise):
    section = page[page.index(f">{exercise}</h2>") :]
    section = section[: section.index("</details>")]
    return re.findall(
        r'<input type="hidden" name="set_number" value="(\d+)">.*?name="weight" value="([^"]*)"'
        r'.*?name="reps" value="([^"]*)"',
        section,
        re.DOTALL,
    )


# --- Set numbers come from the server -------------------------------------------------


def test_a_stale_tab_sending_a_used_set_number_gets_the_next_free_one(alice_client, alice_workout):
    first = set_data("Back Squat", "225", "5", set_number="1")
    stale = set_data("Back Squat", "230", "5", set_number="1")  # a second tab's row 1
    alice_client.post(log_url(alice_workout), first, headers=HTMX)
    alice_client.post(log_url(alice_workout), stale, headers=HTMX)
    alice_client.post(log_url(alice_workout), stale, headers=HTMX)  # resent: same key
    assert list(alice_workout.sets.values_list("set_number", "weight")) == [
        (1, "225"),
        (2, "230"),
    ]


def test_a_row_ticked_out_of_order_keeps_its_number(alice_client, alice_workout):
    alice_client.post(log_url(alice_workout), set_data(set_number="3"), headers=HTMX)
    alice_client.post(log_url(alice_workout), set_data(set_number="1"), headers=HTMX)
    assert sorted(alice_workout.sets.values_list("set_number", flat=True)) == [1, 3]
    rows = planned_rows(
        alice_client.get(alice_workout.get_absolute_url()).content.decode(), "Back Squat"
    )
    assert [number for number, _, _ in rows] == ["2", "4"]


def test_warm_ups_are_numbered_apart_from_working_sets(alice_workout):
    alice_workout.log_set("Back Squat", "135", "5", set_number=1, set_type="warmup")
    working, _ = alice_workout.log_set("Back Squat", "225", "5", set_number=1)
    assert working.set_number == 1
    again, _ = alice_workout.log_set("Back Squat", "95", "5", set_number=1, set_type="warmup")
    assert again.set_number == 2


def test_the_api_applies_the_same_rule_to_a_used_set_number(alice, alice_workout):
    from django.test import Client

    from sessions_app.models import ApiToken

    token = ApiToken.issue(alice)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    body = {"exercise": "Back Squat", "weight": "225", "reps": "5", "set_number": 1}
    for _ in range(2):
        answer = client.put("/api/session/log-set", body, content_type="application/json")
        assert answer.status_code == 200
    assert sorted(alice_workout.sets.values_list("set_number", flat=True)) == [1, 2]


# --- Rows: planned, prefilled, extra ---------------------------------------------------


def test_rows_are_prefilled_from_the_same_set_last_time_else_the_row_above(
    alice_client, alice, lower1
):
    past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 1),
        [("Back Squat", "225", "5"), ("Back Squat", "235", "5")],
    )
    workout = Workout.start(alice, lower1)
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert planned_rows(page, "Back Squat") == [
        ("1", "225", "5"),
        ("2", "235", "5"),
        ("3", "235", "5"),  # not done last time: as the row above
        ("4", "235", "5"),
    ]


def test_last_time_matches_names_whatever_their_case_and_however_long_ago(
    alice_client, alice, lower1
):
    past_workout(alice, lower1, datetime.date(2024, 1, 1), [("back squat ", "205", "5")])
    for day in range(20):  # twenty later workouts without it
        past_workout(
            alice,
            lower1,
            datetime.date(2024, 2, 1) + datetime.timedelta(day),
            [("Curl", "30", "10")],
        )
    history = last_time(alice.pk, ["Back Squat", "Curl"], datetime.date(2025, 1, 1))
    assert [s.weight for s in history["back squat"].sets] == ["205"]
    assert history["back squat"].date == datetime.date(2024, 1, 1)
    assert history["curl"].date == datetime.date(2024, 2, 20)
    workout = Workout.start(alice, lower1)
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert "Last time, Mon 1 Jan:" in page


def test_last_time_looks_past_many_recent_workouts_with_an_empty_one_among_them(alice, lower1):
    """Last time once read the 12 latest workouts first, and looked further back only if
    all twelve had sets: an empty one among them hid an exercise done before them."""
    past_workout(alice, lower1, datetime.date(2024, 1, 1), [("Back Squat", "205", "5")])
    for day in range(12):
        sets = [] if day == 5 else [("Curl", "30", "10")]
        past_workout(alice, lower1, datetime.date(2024, 2, 1) + datetime.timedelta(day), sets)
    history = last_time(alice.pk, ["Back Squat", "Curl"], datetime.date(2025, 1, 1))
    assert history["back squat"].date == datetime.date(2024, 1, 1)
    assert [s.weight for s in history["back squat"].sets] == ["205"]


def test_last_time_says_each_sets_unit_when_they_were_mixed(alice_client, alice, lower1):
    earlier = Workout.start(alice, lower1, datetime.date(2025, 9, 1))
    earlier.log_set("Back Squat", "100", "5", unit="kg")
    earlier.log_set("Back Squat", "225", "5", unit="lb")
    earlier.complete()
    page = alice_client.get(Workout.start(alice, lower1).get_absolute_url()).content.decode()
    last = page[page.index('class="last-time"') :]
    last = " ".join(last[: last.index("</p>")].split())
    assert "100 kg×5" in last and "225 lb×5" in last


def test_without_javascript_more_adds_a_row_to_an_exercise(alice_client, alice_workout):
    url = alice_workout.get_absolute_url()
    before = planned_rows(alice_client.get(url).content.decode(), "Leg Press")
    after = planned_rows(alice_client.get(url + "?more=Leg+Press").content.decode(), "Leg Press")
    assert len(after) == len(before) + 1
    assert after[-1][0] == str(len(before) + 1)


def test_an_exercise_whose_planned_sets_are_all_logged_is_folded(alice_client, alice_workout):
    target = alice_workout.routine.exercises.get(exercise__name="Back Squat").target_sets
    for number in range(1, target + 1):
        alice_workout.log_set("Back Squat", "225", "5", set_number=number)
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    squat = page[page.rindex("<details", 0, page.index(">Back Squat</h2>")) :]
    opening = squat[: squat.index(">")]
    assert " done" in opening and "open" not in opening.split("data-rest-seconds")[1]
    current = page[page.rindex("<details", 0, page.index(">Romanian Deadlift</h2>")) :]
    assert "current" in current[: current.index(">")]


# --- Input sanity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "weight, reps, field, message",
    [
        ("225", "", "reps", "Enter the reps, or tick"),
        ("-40", "8", "weight", "A negative weight?"),
        ("2250", "5", "weight", "More than 1,300 lb?"),
    ],
)
def test_an_unlikely_set_is_flagged_on_its_row_and_stored_only_once_confirmed(
    alice_client, alice_workout, weight, reps, field, message
):
    data = set_data("Back Squat", weight, reps, set_number="1")
    fragment = alice_client.post(log_url(alice_workout), data, headers=HTMX).content.decode()
    assert message in fragment and fragment.strip().startswith("<form")
    assert not alice_workout.sets.exists()
    alice_client.post(log_url(alice_workout), {**data, "log_as_is": "on"}, headers=HTMX)
    stored = alice_workout.sets.get()
    assert (stored.weight, stored.reps) == (weight, reps)


def test_a_negative_load_is_neither_volume_nor_a_record(alice_workout):
    assisted, _ = alice_workout.log_set("Pull-up", "-40", "8")
    assert assisted.weight_value == Decimal("-40")
    assert assisted.volume is None and assisted.estimated_1rm is None


def test_a_kilogram_lifter_is_asked_above_kilograms_bound(alice, alice_client, alice_workout):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    data = set_data("Back Squat", "700", "1", unit="kg")
    assert "More than 600 kg?" in alice_client.post(log_url(alice_workout), data).content.decode()


# --- Set type, RPE, workout note --------------------------------------------------------


def test_set_type_and_rpe_are_stored_shown_returned_and_exported(alice_client, alice_workout):
    data = set_data("Back Squat", "185", "12", set_number="1", set_type="drop", rpe="9.5")
    fragment = alice_client.post(log_url(alice_workout), data, headers=HTMX).content.decode()
    assert "Drop" in fragment and "RPE 9.5" in fragment
    stored = alice_workout.sets.get()
    assert (stored.set_type, stored.rpe) == ("drop", Decimal("9.5"))
    assert stored.to_dict() | {"set_type": "drop", "rpe": "9.5", "unit": "lb"} == stored.to_dict()
    alice_workout.complete()
    export = alice_client.get(reverse("export_csv"))
    rows = exported_rows(export)
    assert rows[1][10:13] == ["drop", "9.5", "lb"]


@pytest.mark.parametrize("rpe", ["5.5", "10.5", "8.25", "hard"])
def test_an_rpe_outside_six_to_ten_in_half_steps_is_refused(alice_client, alice_workout, rpe):
    data = set_data("Back Squat", "225", "5", rpe=rpe)
    answer = alice_client.post(log_url(alice_workout), data, headers=HTMX)
    assert answer.status_code == 200 and "errorlist" in answer.content.decode()
    assert not alice_workout.sets.exists()


def test_the_workout_note_is_saved_and_shown_in_the_summary_and_history(
    alice_client, alice_workout
):
    url = reverse("save_note", args=[alice_workout.pk])
    fragment = alice_client.post(url, {"note": "Slept 5 h; knee fine"}, headers=HTMX)
    assert "Saved." in fragment.content.decode() and "<html" not in fragment.content.decode()
    alice_workout.log_set("Back Squat", "225", "5")
    alice_client.post(complete_url(alice_workout), {"confirm": "yes"})
    assert (
        "Slept 5 h; knee fine"
        in alice_client.get(alice_workout.get_absolute_url()).content.decode()
    )
    assert "Slept 5 h; knee fine" in alice_client.get(reverse("history")).content.decode()
    export = alice_client.get(reverse("export_csv"))
    rows = exported_rows(export)
    assert rows[1][13] == "Slept 5 h; knee fine"


def test_a_too_long_workout_note_is_refused_with_a_message(alice_client, alice_workout):
    url = reverse("save_note", args=[alice_workout.pk])
    page = alice_client.post(url, {"note": "x" * 2001}).content.decode()
    assert "Ensure this value has at most 2000 characters" in page
    alice_workout.refresh_from_db()
    assert alice_workout.note == ""


def test_another_lifters_note_cannot_be_changed(alice_client, bob_workout):
    answer = alice_client.post(reverse("save_note", args=[bob_workout.pk]), {"note": "mine"})
    assert answer.status_code == 404
    bob_workout.refresh_from_db()
    assert bob_workout.note == ""


# --- Completing -------------------------------------------------------------------------


def test_completing_with_planned_sets_not_logged_asks_first(alice_client, alice_workout):
    alice_workout.log_set("Back Squat", "225", "5")
    planned = sum(e.target_sets for e in alice_workout.routine.exercises.all())
    for headers in ({}, HTMX):
        page = alice_client.post(complete_url(alice_workout), headers=headers).content.decode()
        assert f"{planned - 1} planned sets not logged" in page and "complete anyway?" in page
    alice_workout.refresh_from_db()
    assert alice_workout.status == "active"
    answer = alice_client.post(complete_url(alice_workout), {"confirm": "yes"}, headers=HTMX)
    assert answer["HX-Redirect"] == alice_workout.get_absolute_url()
    alice_workout.refresh_from_db()
    assert alice_workout.status == "completed"


def test_completing_with_every_planned_set_logged_asks_nothing(alice_client, alice):
    free = Routine.objects.create(name="Free", slug="free")  # nothing planned
    workout = Workout.start(alice, free)
    workout.log_set("Bench Press", "185", "5")
    alice_client.post(complete_url(workout))
    workout.refresh_from_db()
    assert workout.status == "completed"


def test_completing_with_no_set_is_refused(alice_client, alice_workout):
    page = alice_client.post(complete_url(alice_workout), {"confirm": "yes"}).content.decode()
    assert "No set is logged yet" in page
    alice_workout.refresh_from_db()
    assert alice_workout.status == "active"


# --- A first workout: what a row shows is what its tick logs ---------------------------


def test_a_first_workout_shows_the_plans_reps_as_values_not_hints(alice_client, alice, lower1):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3, target_reps="5")
    lower1.exercises.filter(exercise__name="Romanian Deadlift").update(target_reps="8-12")
    lower1.exercises.filter(exercise__name="Leg Press").update(target_reps="AMRAP")
    workout = Workout.start(alice, lower1)
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert planned_rows(page, "Back Squat") == [("1", "", "5"), ("2", "", "5"), ("3", "", "5")]
    assert planned_rows(page, "Romanian Deadlift")[0] == ("1", "", "8")  # the bottom of 8-12
    assert planned_rows(page, "Leg Press")[0] == ("1", "", "")  # no number to log
    # Grey hints are never numbers: what is grey is not what a tick logs.
    hints = re.findall(r'placeholder="([^"]*)"', page[page.index('id="exercise-list"') :])
    assert hints and not [hint for hint in hints if re.search(r"\d", hint)]


def test_a_tick_without_the_weight_of_a_barbell_row_asks_for_the_weight_only(
    alice_client, alice_workout
):
    row = set_data("Back Squat", "", "5", set_number="1", needs_weight="on")
    answer = alice_client.post(log_url(alice_workout), row, headers=HTMX).content.decode()
    assert "Enter the weight for this set." in answer
    assert 'name="weight" value=""' in answer and "autofocus" in answer
    assert "more-toggle" in answer and 'more-toggle" checked' not in answer  # ⋯ stays closed
    assert not alice_workout.sets.exists()
    # A bodyweight row sends no such field: reps alone log a set.
    alice_client.post(log_url(alice_workout), set_data("Dips", "", "10"), headers=HTMX)
    assert list(alice_workout.sets.values_list("weight", "reps")) == [("", "10")]
