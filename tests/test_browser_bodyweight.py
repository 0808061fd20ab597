"""Bodyweight on a 390 × 844 phone in real Chromium: recorded from home in one line,
charted on its own page."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sessions_app.models import BodyweightEntry, LifterProfile
from tests.browser import assert_fits_the_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bodyweight_typed_on_home_is_charted(phone, alice, screenshots):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    today = datetime.date.today()
    for days, weight in [(28, "82.4"), (21, "81.9"), (14, "81.6"), (7, "81.2")]:
        BodyweightEntry.record(
            alice.pk, today - datetime.timedelta(days=days), Decimal(weight), "kg"
        )
    page = phone
    log_in(page, "alice", "alice-password")
    form = page.locator("form.bodyweight-form")
    form.get_by_label("Bodyweight").fill("80.8")
    form.scroll_into_view_if_needed()
    screenshots.take(page, "bodyweight-home")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Last: 80.8 kg on {today:%a} {today.day} {today:%b}")).to_be_visible()
    assert BodyweightEntry.objects.get(owner=alice, day=today).weight == Decimal("80.8")
    assert_fits_the_phone(page)
    page.get_by_role("link", name="chart").click()
    expect(page.locator("svg.chart circle")).to_have_count(5)
    assert_fits_the_phone(page)
    screenshots.take(page, "bodyweight")
    # A slip taken back from the table under the chart.
    page.get_by_role(
        "button", name=f"Delete the bodyweight of {today:%a} {today.day} {today:%b %Y}"
    ).click()
    expect(
        page.get_by_text(f"Deleted 80.8 kg of {today:%a} {today.day} {today:%b}.")
    ).to_be_visible()
    expect(page.locator("svg.chart circle")).to_have_count(4)
    assert_fits_the_phone(page)
