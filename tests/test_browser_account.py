"""On the phone, in real Chromium: renaming an exercise and changing the password."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Set, SetType, Workout
from tests.browser import assert_fits_the_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HISTORY = [
    ("Back Squat", "140", "5", "kg"),
    ("Romanian Deadlift", "110", "8", "kg"),
    ("Bench Press", "92.5", "5", "kg"),
    ("Benchpress", "95", "3", "kg"),
    ("Overhead Press", "60", "5", "kg"),
    ("Chin-up", "BW+10", "6", "kg"),
    ("Barbell Row", "80", "8", "kg"),
    ("Bulgarian Split Squat (each leg, dumbbells)", "24", "10", "kg"),
    ("Leg Press", "405", "12", "lb"),
]


def history(owner, template):
    """Three weeks of workouts with the exercises above, in kilograms (and one in pounds)."""
    LifterProfile.objects.update_or_create(user=owner, defaults={"weight_unit": "kg"})
    for week in range(3):
        day = datetime.date(2025, 9, 1) + datetime.timedelta(days=7 * week)
        session = Workout.start(owner, template, day)
        for exercise, weight, reps, unit in HISTORY:
            if exercise == "Benchpress" and week:
                continue  # a typo made once
            session.log_set(exercise, weight, "5", set_type=SetType.WARMUP, unit=unit)
            session.log_set(exercise, weight, reps, unit=unit)
        session.complete()


def test_renaming_an_exercise_on_the_phone(phone, alice, lower1, screenshots):
    history(alice, lower1)
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("link", name="Exercises").click()
    page.wait_for_url("**/exercises/")
    rows = page.locator(".exercise-list li")
    expect(rows).to_have_count(9)
    assert_fits_the_phone(page)
    screenshots.take(page, "exercise-list")

    rows.filter(has_text="Benchpress").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Benchpress", level=1)).to_be_visible()
    page.get_by_label("New name").fill("Paused Bench Press")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_url("**/exercises/")
    expect(page.get_by_role("status")).to_contain_text(
        "Renamed “Benchpress” to “Paused Bench Press” in 1 workout."
    )
    expect(rows.filter(has_text="Paused Bench Press")).to_have_count(1)
    expect(rows.filter(has_text="Benchpress")).to_have_count(0)
    assert_fits_the_phone(page)
    assert Set.objects.filter(exercise_name="Paused Bench Press").count() == 2
    assert not Set.objects.filter(exercise_name="Benchpress").exists()


def test_changing_the_password_on_the_phone(phone, alice):
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/accounts/settings/")
    assert_fits_the_phone(page)
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Old password").fill("alice-password")
    page.get_by_label("New password", exact=True).fill("heavy-singles-2026")
    page.get_by_label("New password confirmation").fill("heavy-singles-2026")
    assert_fits_the_phone(page)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/accounts/settings/")
    expect(page.get_by_role("status")).to_contain_text("Password changed.")

    page.get_by_role("button", name="Log out", exact=True).click()
    page.wait_for_url("**/accounts/login/")
    log_in(page, "alice", "heavy-singles-2026")
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
