"""Starting a workout on a 390 × 844 phone: the lifter's routines as cards, each with its
own Start, today by default and another day one tap away; Routines in the top bar."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Routine, Workout
from tests.browser import assert_fits_the_phone, log_in
from tests.helpers import past_workout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def routines_of(lifter):
    """A lifter's own routines, as a new lifter may have them (the picture's, whatever
    the starters left by other tests)."""
    LifterProfile.objects.update_or_create(
        user=lifter, defaults={"weight_unit": "kg", "starter_routines_given": True}
    )
    plans = {
        "Upper 1": [("Bench Press", 4, "5"), ("Barbell Row", 4, "6"), ("Overhead Press", 3, "8")]
        + [("Lat Pulldown", 3, "10"), ("Dumbbell Curl", 3, "12")],
        "Lower 1": [("Back Squat", 4, "5"), ("Romanian Deadlift", 3, "8"), ("Leg Press", 3, "10")]
        + [("Lying Leg Curl", 3, "12"), ("Plank", 3, "60s")],
        "Full Body": [("Deadlift", 3, "5"), ("Dips", 3, "8-12"), ("Pull-up", 3, "6-8")],
    }
    for name, exercises in plans.items():
        routine = Routine.create_for(lifter, name)
        for exercise, sets, reps in exercises:
            routine.add_exercise(exercise, sets, reps)
    return Routine.objects.get(owner=lifter, name="Lower 1")


def test_each_routine_is_a_card_with_its_own_start_for_today(phone, alice, screenshots):
    mine = routines_of(alice)
    three_days_ago = datetime.date.today() - datetime.timedelta(days=3)
    past_workout(alice, mine, three_days_ago, [("Back Squat", "100", "5")])
    page = phone
    log_in(page, "alice", "alice-password")
    cards = page.locator(".routine-card")
    expect(cards).to_have_count(3)
    lower = cards.filter(has=page.get_by_role("heading", name="Lower 1"))
    text = " ".join(lower.inner_text().split())
    assert "5 exercises · 16 sets" in text
    assert "Back Squat 4×5" in text and "Plank 3×60s" in text
    assert f"Last done {three_days_ago:%a} {three_days_ago.day} {three_days_ago:%b}" in text
    upper = cards.filter(has=page.get_by_role("heading", name="Upper 1"))
    assert "Not done yet" in upper.inner_text()
    assert page.locator("input[type=date]").input_value() == datetime.date.today().isoformat()
    expect(page.locator("input[type=date]")).to_be_hidden()  # behind "Another day"
    expect(page.locator(".topbar").get_by_role("link", name="Routines")).to_be_visible()
    assert_fits_the_phone(page)
    screenshots.take(page, "home")

    lower.get_by_role("button", name="Start Lower 1").click()
    page.wait_for_url("**/workouts/*/")
    workout = Workout.objects.get(owner=alice, status="active")
    assert (workout.routine, workout.date) == (mine, datetime.date.today())


def test_another_day_is_one_tap_away(phone, alice, lower1, upper1):
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_text("Another day").click()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    page.locator("input[type=date]").fill(yesterday.isoformat())
    page.get_by_role("button", name="Start Upper 1").click()
    page.wait_for_url("**/workouts/*/")
    workout = Workout.objects.get(owner=alice, status="active")
    assert (workout.routine.name, workout.date) == ("Upper 1", yesterday)


def test_without_javascript_a_routine_starts_from_its_card(phone_without_javascript, alice, lower1):
    page = phone_without_javascript
    log_in(page, "alice", "alice-password")
    page.get_by_role("button", name="Start Lower 1").click()
    page.wait_for_url("**/workouts/*/")
    assert Workout.objects.get(owner=alice, status="active").routine.name == "Lower 1"
