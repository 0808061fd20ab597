"""Kilograms on a 390 × 844 phone in real Chromium: chosen once on the home page, then
on the workout screen's rows, the logged sets and the summary."""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Set, Workout
from tests.browser import assert_fits_the_phone, log_in
from tests.workout_screen import (
    card,
    complete_anyway,
    log_set,
    planned_row,
    row_texts,
    start_workout,
    wait_until_logged,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lifter_who_chooses_kg_logs_and_sees_the_summary_in_kg(phone, alice, lower1, screenshots):
    page = phone
    log_in(page, "alice", "alice-password")
    question = page.locator(".unit-question")
    expect(question).to_contain_text("Do you lift in kilograms or pounds?")
    question.get_by_role("button", name="kg").click()
    expect(page.get_by_text("New sets are in kg.")).to_be_visible()
    expect(page.locator(".unit-question")).to_have_count(0)  # asked once
    assert LifterProfile.unit_of(alice.pk) == "kg"

    start_workout(page)
    squat = card(page, "Back Squat")
    expect(squat.locator(".target")).to_have_text(re.compile(r"^\d+ × 5 · kg$"))
    first = planned_row(squat, 1)
    expect(first.locator("[name=weight]")).to_have_attribute("placeholder", "kg")
    expect(first.locator("[name=weight]")).to_have_accessible_name("Set 1 weight (kg)")
    log_set(squat, 1, "100", "5")
    wait_until_logged(page, squat, 1)
    assert row_texts(squat, ".set-row.done .set-load") == ["100 kg × 5"]
    log_set(squat, 2, "105", "5")
    wait_until_logged(page, squat, 2)
    assert row_texts(squat, ".set-row.done .set-load") == ["100 kg × 5", "105 kg × 5"]
    stored = Set.objects.filter(workout__owner=alice).order_by("set_number")
    assert [(s.weight, s.reps, s.unit) for s in stored] == [("100", "5", "kg"), ("105", "5", "kg")]

    complete_anyway(page)
    page.get_by_text("Completed").wait_for()
    summary = page.get_by_role("region", name="Summary")
    expect(summary.locator("dd").first).to_have_text("1,025 kg")  # 100 × 5 + 105 × 5
    expect(summary).to_contain_text("working sets, in kg (sets logged in lb converted)")
    assert Workout.objects.get(owner=alice).status == "completed"
    assert_fits_the_phone(page)
    screenshots.take(page, "summary-in-kg")
