"""Starting a workout on a 390 × 844 phone: the lifter's routines as cards, each with its
own Start, today by default and another day one tap away; Routines in the top bar."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import Routine, Workout, give_starter_routines
from tests.browser import assert_fits_the_phone, log_in
from tests.helpers import past_workout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_routine_is_a_card_with_its_own_start_for_today(
    phone, alice, lower1, upper1, screenshots
):
    give_starter_routines(alice)
    mine = Routine.objects.get(owner=alice, slug="lower1")
    three_days_ago = datetime.date.today() - datetime.timedelta(days=3)
    past_workout(alice, mine, three_days_ago, [("Back Squat", "100", "5")])
    page = phone
    log_in(page, "alice", "alice-password")
    cards = page.locator(".routine-card")
    expect(cards).to_have_count(Routine.objects.filter(owner=alice).count())
    lower = cards.filter(has=page.get_by_role("heading", name="Lower 1"))
    text = " ".join(lower.inner_text().split())
    sets = sum(mine.exercises.values_list("target_sets", flat=True))
    assert f"{mine.exercises.count()} exercises · {sets} sets" in text
    squat = mine.exercises.get(exercise__name="Back Squat")
    assert f"Back Squat {squat.target_sets}×{squat.target_reps}" in text
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
