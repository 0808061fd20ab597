"""The workout screen on a 390 × 844 phone in real Chromium: one tap per set."""

import pytest

from sessions_app.models import Session, Set
from tests.browser import log_in, screenshot
from tests.workout_screen import card, planned_row, start_workout, tick, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_whole_exercise_is_logged_with_one_tap_per_set(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    squat = card(page, "Back Squat")
    planned_row(squat, 1).locator("[name=weight]").fill("225")
    planned_row(squat, 1).locator("[name=reps]").fill("5")
    screenshot(page, "workout-before-first-set")
    for number in (1, 2, 3):
        tick(squat, number)
        wait_until_logged(page, squat, number)
    assert page.evaluate("window.sameDocument") is True
    session = Session.objects.get(owner=alice)
    assert list(session.sets.values_list("set_number", "weight", "reps")) == [
        (1, "225", "5"),
        (2, "225", "5"),
        (3, "225", "5"),
    ]
    screenshot(page, "workout-mid")
    assert Set.objects.count() == 3
