"""The lifter's time zone comes from their browser, the first time, in real Chromium."""

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile
from tests.browser import log_in, open_phone
from tests.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zone_of(user):
    return LifterProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()


def test_the_first_page_after_logging_in_sets_the_lifters_zone(chromium, live_server, alice):
    page, errors = open_phone(chromium, live_server, timezone_id="America/Los_Angeles")
    try:
        log_in(page, "alice", "alice-password")
        assert wait_for(lambda: zone_of(alice) == "America/Los_Angeles", seconds=10)
        page.goto(page.base_url + "/accounts/settings/")
        expect(page.locator("#id_time_zone")).to_have_value("America/Los_Angeles")
        page.locator("#id_time_zone").select_option("Asia/Tokyo")
        page.locator("form:has(#id_time_zone)").get_by_role("button", name="Save").click()
        expect(page.get_by_text("Your time zone is Asia/Tokyo")).to_be_visible()
        page.goto(page.base_url + "/")  # the browser's zone never replaces the lifter's
        page.wait_for_load_state("networkidle")
        assert zone_of(alice) == "Asia/Tokyo"
    finally:
        page.context.close()
    assert errors == [], errors
