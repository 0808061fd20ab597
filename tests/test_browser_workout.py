"""A whole workout on a phone-sized Chromium: start, log, fix, complete, find in history."""

import pytest

from sessions_app.models import Session
from tests.browser import log_in, screenshot, wait_until_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lifter_logs_a_workout_on_a_phone(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_label("Lower 1").check()
    page.get_by_role("button", name="Start workout").click()
    page.wait_for_url("**/workouts/*/")
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page

    squat = page.locator("section.exercise", has=page.get_by_role("heading", name="Back Squat"))
    for count, weight in enumerate(["225", "235", "245"], start=1):
        squat.get_by_label("Weight (lb)").fill(weight)
        squat.get_by_label("Reps").fill("5")
        squat.get_by_role("button", name="Log set").click()
        wait_until_saved(page, squat, count)
    assert squat.locator(".set-row").count() == 3
    assert squat.get_by_label("Set", exact=True).input_value() == "4"
    assert page.evaluate("window.sameDocument") is True
    screenshot(page, "logging-sets")

    # Fix a typo in the second set.
    squat.locator(".set-row", has_text="235 × 5").get_by_role("link", name="Edit").click()
    editing = squat.locator(".set-row.editing")
    editing.get_by_label("Weight (lb)").fill("230")
    editing.get_by_role("button", name="Save").click()
    squat.locator(".set-row", has_text="230 × 5").wait_for()
    assert page.evaluate("window.sameDocument") is True

    page.get_by_role("button", name="Complete workout").click()
    page.get_by_text("Completed").wait_for()
    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_text("3 sets").wait_for()

    session = Session.objects.get(owner=alice)
    assert session.status == "completed"
    assert sorted(session.sets.values_list("weight", flat=True)) == ["225", "230", "245"]
