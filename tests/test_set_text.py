"""Bodyweight and timed sets read as what they are, on every page: "10 reps", "BW × 8",
"BW+10 kg × 8", "1:00", never "– kg × 10"."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from sessions_app.models import Exercise, ExerciseKind, Workout
from sessions_app.set_text import compact_text, load_text
from sessions_app.workout_screen import PreviousSet
from tests.browser import log_in
from tests.helpers import HTMX, past_workout, set_data

# (weight, reps, unit, timed) -> text; outbox.js's loadText is checked against the same.
CASES = [
    (("135", "5", "lb", False), "135 lb × 5"),
    (("12.5", "8-10", "kg", False), "12.5 kg × 8-10"),
    (("", "10", "kg", False), "10 reps"),
    (("", "1", "kg", False), "1 rep"),
    (("BW", "8", "kg", False), "BW × 8"),
    (("bw", "8", "kg", False), "bw × 8"),
    (("BW+10", "8", "kg", False), "BW+10 kg × 8"),
    (("BW-20", "6", "lb", False), "BW-20 lb × 6"),
    (("", "60s", "kg", False), "1:00"),
    (("", "60", "kg", True), "1:00"),
    (("BW", "1:30", "kg", True), "1:30"),
    (("20", "45", "kg", True), "20 kg · 0:45"),
    (("", "2 min", "lb", False), "2:00"),
    (("", "1:02:03", "lb", False), "1:02:03"),
    (("225", "", "lb", False), "225 lb"),
    (("", "", "lb", False), "–"),
    (("2x20", "10", "kg", False), "2x20 kg × 10"),
    (("heavy", "5", "kg", False), "heavy × 5"),
    (("", "AMRAP", "kg", False), "AMRAP reps"),
]


@pytest.mark.parametrize("arguments, expected", CASES)
def test_a_set_reads_as_what_it_is(arguments, expected):
    assert load_text(*arguments) == expected


def test_an_imported_time_kept_in_the_notes_reads_as_the_time():
    assert load_text("", "", "kg", notes="time 1:00") == "1:00"
    assert load_text("", "", "kg", notes="Felt easy; time 12:05") == "12:05"
    assert load_text("", "", "kg", notes="5 km in 30:00") == "–"
    assert load_text("", "10", "kg", notes="time 1:00") == "10 reps"


def previous(weight, reps, unit="kg", set_type="working"):
    return PreviousSet(1, weight, reps, set_type, unit)


def test_last_time_on_one_line():
    assert compact_text([previous("100", "5"), previous("105", "5")]) == "100×5, 105×5 kg"
    assert compact_text([previous("", "10"), previous("", "8")]) == "10, 8 reps"
    assert compact_text([previous("BW", "8"), previous("BW+10", "6")]) == "BW×8, BW+10×6 kg"
    assert compact_text([previous("BW", "8"), previous("", "10")]) == "BW×8, 10 reps"
    assert compact_text([previous("", "60"), previous("", "45")], timed=True) == "1:00, 0:45"
    mixed = [previous("100", "5", "kg"), previous("225", "5", "lb")]
    assert compact_text(mixed) == "100 kg×5, 225 lb×5"


@pytest.fixture
def plank_and_dips(alice):
    Exercise.named_for(alice.pk, "Plank")
    Exercise.named_for(alice.pk, "Dips")
    kinds = dict(Exercise.objects.filter(owner=alice).values_list("name", "kind"))
    assert kinds == {"Plank": ExerciseKind.TIMED, "Dips": ExerciseKind.BODYWEIGHT}


def page_text(client, url):
    return " ".join(strip_tags(client.get(url).content.decode()).split())


def test_the_workout_screen_and_the_summary_show_bodyweight_and_timed_sets(
    alice_client, alice, lower1, plank_and_dips
):
    past_workout(
        alice,
        lower1,
        datetime.date.today() - datetime.timedelta(days=3),
        [("Dips", "BW", "8"), ("Dips", "", "10"), ("Plank", "", "45")],
    )
    workout = Workout.start(alice, lower1)
    log = reverse("log_set", args=[workout.pk])
    for exercise, weight, reps in [("Dips", "BW+10", "8"), ("Dips", "", "12"), ("Plank", "", "60")]:
        answer = alice_client.post(log, set_data(exercise, weight, reps), headers=HTMX)
        assert "–" not in strip_tags(answer.content.decode())
    shown = page_text(alice_client, workout.get_absolute_url())
    assert "BW+10 lb × 8" in shown and "12 reps" in shown and "1:00" in shown
    assert "BW×8, 10 reps" in shown  # last time's dips
    assert "0:45" in shown  # last time's plank, a timed exercise's seconds
    assert "– lb" not in shown and "lb × –" not in shown
    workout.complete()
    summary = page_text(alice_client, workout.get_absolute_url())
    assert "BW+10 lb × 8" in summary and "12 reps" in summary and "1:00" in summary
    assert "– lb" not in summary and "✓" not in summary  # no tick on every finished set


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_phone_writes_a_waiting_set_as_the_pages_do(phone, alice):
    log_in(phone, "alice", "alice-password")
    written = phone.evaluate(
        "(cases) => cases.map((set) => window.WorkoutLog.loadText(...set))",
        [list(arguments) for arguments, _ in CASES],
    )
    assert written == [expected for _, expected in CASES]


def days_ago(days):
    return datetime.date.today() - datetime.timedelta(days=days)


def chart_page(client, exercise):
    response = client.get(reverse("exercise_progress"), {"exercise": exercise})
    assert response.status_code == 200
    text = " ".join(strip_tags(response.content.decode()).split())
    return response.context["chart"], response.context["points"], text


def test_an_exercise_without_a_load_is_charted_by_its_best_and_total_reps(
    alice_client, alice, lower1, plank_and_dips
):
    past_workout(alice, lower1, days_ago(14), [("Dips", "BW", "8"), ("Dips", "BW", "6")])
    past_workout(alice, lower1, days_ago(7), [("Dips", "", "10"), ("Dips", "", "8")])
    past_workout(alice, lower1, days_ago(1), [("Dips", "", "9"), ("Dips", "", "9")])
    chart, points, text = chart_page(alice_client, "Dips")
    assert chart.kind == "reps"
    assert [(p.most_reps, p.total_reps, p.is_record) for p in points] == [
        (8, 14, True),
        (10, 18, True),
        (9, 18, False),
    ]
    assert "From 8 to 18 reps over 3 workouts" in text
    assert (chart.low_text, chart.high_text) == ("8", "18")
    assert "DateBest repsTotal reps" in text  # the table's head
    assert "0 lb" not in text and "Est. 1RM" not in text
    assert all(p.y is not None and p.second_y is not None for p in chart.points)


def test_a_timed_exercise_is_charted_by_its_longest_time(
    alice_client, alice, lower1, plank_and_dips
):
    past_workout(alice, lower1, days_ago(8), [("Plank", "", "45"), ("Plank", "", "40")])
    past_workout(alice, lower1, days_ago(1), [("Plank", "BW", "1:05")])
    chart, points, text = chart_page(alice_client, "Plank")
    assert chart.kind == "time"
    assert [(p.value_text, p.is_record) for p in points] == [("0:45", True), ("1:05", True)]
    assert (chart.low_text, chart.high_text) == ("0:45", "1:05")
    assert "Longest" in text and "longest time" in text and "reps" not in text.split("Log out")[0]
    assert [p.second_y for p in chart.points] == [None, None]
    progress = page_text(alice_client, reverse("progress"))
    assert "Plank 1:05 longest" in progress


def test_the_axis_writes_half_kilos_and_two_workouts_of_a_day_stand_apart(
    alice_client, alice, lower1
):
    LifterProfile_kg(alice)
    past_workout(alice, lower1, days_ago(9), [("Bench Press", "60", "1")])
    past_workout(alice, lower1, days_ago(2), [("Bench Press", "62.5", "1")])
    past_workout(alice, lower1, days_ago(2), [("Bench Press", "61", "1")])
    chart, points, text = chart_page(alice_client, "Bench Press")
    assert chart.high_text == "62.5" and "62.5" in text
    second, third = chart.points[1:]
    assert abs(second.x - third.x) >= 6  # one never hides the other
    assert chart.left <= min(p.x for p in chart.points)
    assert max(p.x for p in chart.points) <= chart.right


def LifterProfile_kg(lifter):  # noqa: N802
    from sessions_app.models import LifterProfile

    LifterProfile.objects.update_or_create(user=lifter, defaults={"weight_unit": "kg"})
