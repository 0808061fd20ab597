"""Warm-ups on a 390 × 844 phone in real Chromium: "+ Warm-ups" plans the ramp's rows in
place, and each is logged with one tap, once, numbered apart."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Set
from tests.browser import log_in
from tests.helpers import past_workout
from tests.workout_screen import card, log_set, start_workout, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_warmup_rows_are_added_and_logged_with_one_tap_each(phone, alice, lower1, screenshots):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    past_workout(
        alice,
        lower1,
        datetime.date.today() - datetime.timedelta(days=3),
        [("Back Squat", "100", "5"), ("Back Squat", "100", "5")],
    )
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    squat = card(page, "Back Squat")
    squat.locator("form.log-set:not(.warmup) [name=weight]").first.fill("102.5")
    squat.get_by_role("button", name="Add warm-ups to Back Squat").click()
    warmups = squat.locator("form.log-set.warmup")
    expect(warmups).to_have_count(4)
    weights = warmups.locator("[name=weight]").evaluate_all(
        "(fields) => fields.map((f) => f.value)"
    )
    assert weights == ["20", "40", "62.5", "82.5"]
    expect(warmups.locator(".set-number")).to_have_text(["W", "W", "W", "W"])
    expect(squat.get_by_role("button", name="Add warm-ups to Back Squat")).to_have_count(0)
    # What was typed in the rows stays as typed.
    expect(squat.locator("form.log-set:not(.warmup) [name=weight]").first).to_have_value("102.5")
    warmups.first.locator("[name=weight]").click()
    expect(warmups.first.locator(".plates-line")).to_have_text("20 kg bar alone")
    screenshots.take(page, "warm-ups")

    for _ in range(4):
        squat.locator("form.log-set.warmup button.tick").first.click()
    expect(squat.locator(".set-row.done.warmup")).to_have_count(4, timeout=15_000)
    log_set(squat, 1, "102.5", "5")
    wait_until_logged(page, squat, 5)
    assert page.evaluate("window.sameDocument") is True
    stored = Set.objects.filter(workout__owner=alice, workout__status="active")
    assert sorted((s.set_type, s.set_number, s.weight) for s in stored) == [
        ("warmup", 1, "20"),
        ("warmup", 2, "40"),
        ("warmup", 3, "62.5"),
        ("warmup", 4, "82.5"),
        ("working", 1, "102.5"),
    ]
    screenshots.take(page, "warm-ups-logged")


def test_without_javascript_warmups_are_a_form_that_reloads_the_page(
    phone_without_javascript, alice, lower1
):
    LifterProfile.objects.create(user=alice, weight_unit="lb")
    past_workout(
        alice,
        lower1,
        datetime.date.today() - datetime.timedelta(days=3),
        [("Back Squat", "225", "5")],
    )
    page = phone_without_javascript
    log_in(page, "alice", "alice-password")
    start_workout(page)
    card(page, "Back Squat").get_by_role("button", name="Add warm-ups to Back Squat").click()
    squat = card(page, "Back Squat")
    warmups = squat.locator("form.log-set.warmup")
    expect(warmups).to_have_count(4)
    weights = warmups.locator("[name=weight]").evaluate_all(
        "(fields) => fields.map((f) => f.value)"
    )
    assert weights == ["45", "90", "135", "180"]
    warmups.first.locator("button.tick").click()
    squat = card(page, "Back Squat")
    expect(squat.locator(".set-row.done.warmup")).to_have_count(1)
    expect(squat.locator("form.log-set.warmup")).to_have_count(3)
    assert Set.objects.filter(set_type="warmup", weight="45", reps="10").count() == 1
