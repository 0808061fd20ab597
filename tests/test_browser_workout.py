"""A whole workout on a phone-sized Chromium: start, log, fix, complete, find in history."""

import pytest
from playwright.sync_api import expect

from sessions_app.models import Workout
from tests.browser import log_in
from tests.workout_screen import (
    card,
    complete_anyway,
    log_set,
    start_workout,
    wait_until_logged,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lifter_logs_a_workout_on_a_phone(phone, alice, lower1):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3)
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page

    squat = card(page, "Back Squat")
    for number, weight in enumerate(["225", "235", "245"], start=1):
        log_set(squat, number, weight, "5")
        wait_until_logged(page, squat, number)
    assert page.evaluate("window.sameDocument") is True

    # Fix a typo in the second set.
    squat.locator("summary").click()  # the finished exercise folded: open it again
    squat.get_by_role("link", name="Edit set 2 of Back Squat").click()
    editing = squat.locator(".set-row.editing")
    editing.get_by_label("Weight", exact=True).fill("230")
    editing.get_by_role("button", name="Save").click()
    expect(squat.locator(".set-row.done", has_text="230 lb × 5")).to_have_count(1)
    assert page.evaluate("window.sameDocument") is True

    complete_anyway(page)
    page.get_by_text("Completed").wait_for()
    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_text("3 sets").wait_for()

    session = Workout.objects.get(owner=alice)
    assert session.status == "completed"
    assert sorted(session.sets.values_list("weight", flat=True)) == ["225", "230", "245"]
