"""Plates at the bar on a 390 × 844 phone in real Chromium: a tap on a barbell row's
weight shows the plates per side, worked out in the page, with no network."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile
from tests.browser import log_in, wait_for_service_worker
from tests.helpers import past_workout
from tests.workout_screen import card, planned_row, start_workout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tap_on_the_weight_shows_the_plates_per_side_offline(phone, alice, lower1, screenshots):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    past_workout(
        alice,
        lower1,
        datetime.date.today() - datetime.timedelta(days=3),
        [("Back Squat", "100", "5"), ("Back Squat", "100", "5"), ("Back Squat", "100", "5")],
    )
    page = phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    start_workout(page)
    page.context.set_offline(True)
    page.reload()  # offline: the page and plates.js the phone kept
    squat = card(page, "Back Squat")
    first = planned_row(squat, 1)
    line = first.locator(".plates-line")
    expect(line).to_be_hidden()  # until the weight is tapped
    first.locator("[name=weight]").click()
    expect(line).to_have_text("20 kg bar + 25 + 15 each side")
    first.locator("[name=weight]").fill("102.3")
    expect(line).to_have_text(
        "102.3 kg cannot be loaded · 102.5 kg: 20 kg bar + 25 + 15 + 1.25 each side"
    )
    first.locator("[name=weight]").fill("140")
    expect(line).to_have_text("20 kg bar + 25 + 25 + 10 each side")
    screenshots.take(page, "plates")

    # The ⋯ of another row shows its plates too; a machine's row has none.
    second = planned_row(squat, 2)
    second.locator(".more").click()
    expect(second.locator(".plates-line")).to_have_text("20 kg bar + 25 + 15 each side")
    press = card(page, "Leg Press")
    press.locator("summary").click()  # not reached yet: folded to one line
    leg_press = planned_row(press, 1)
    leg_press.locator("[name=weight]").click()
    expect(leg_press.locator(".plates-line")).to_have_count(0)


def test_a_row_added_in_the_page_shows_plates_too(phone, alice, lower1):
    LifterProfile.objects.create(user=alice, weight_unit="lb")
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    squat.locator("[data-add-set]").click()
    added = squat.locator("form.log-set").last
    added.locator("[name=weight]").fill("225")
    expect(added.locator(".plates-line")).to_have_text("45 lb bar + 45 + 45 each side")


def test_without_javascript_the_plates_are_under_the_rows_dots(
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
    first = planned_row(card(page, "Back Squat"), 1)
    expect(first.locator(".plates-line")).to_be_hidden()
    first.locator(".more").click()
    expect(first.locator(".plates-line")).to_have_text("45 lb bar + 45 + 45 each side")
