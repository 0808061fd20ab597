"""Installable: Chromium's own installability check finds nothing missing, and the
installed app opens the workout in progress, online or not."""

import json

import pytest
from playwright.sync_api import expect

from sessions_app.models import Workout
from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NETWORK_ERRORS,
    PHONE,
    log_in,
    wait_for_service_worker,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def profile_phone(chromium, live_server, tmp_path):
    """A phone-sized page in a browser profile of its own: Chromium offers to install an
    app only outside incognito, which the tests' usual contexts are."""
    context = chromium.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.pages[0] if context.pages else context.new_page()
    errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not any(e in message.text for e in NETWORK_ERRORS)
            and errors.append(message.text)
        ),
    )
    page.base_url = live_server.url
    yield page
    context.close()
    assert errors == [], errors


def devtools(page):
    return page.context.new_cdp_session(page)


def test_chromium_finds_nothing_missing_to_install_the_app(profile_phone, alice):
    page = profile_phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    session = devtools(page)
    assert session.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
    manifest = session.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    data = json.loads(manifest["data"])
    assert data["display"] == "standalone"
    assert data["start_url"] == "/open/" and data["scope"] == "/"
    assert data["theme_color"] and data["background_color"]
    icons = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons
    for icon in data["icons"]:
        response = page.request.get(page.base_url + icon["src"])
        assert response.status == 200 and response.headers["content-type"] == icon["type"]


def test_the_installed_app_opens_the_workout_in_progress_online_and_offline(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    page.goto(page.base_url + "/open/")
    page.wait_for_url(page.base_url + "/")  # no workout in progress: home

    workout = Workout.start(alice, lower1)
    page.goto(page.base_url + "/open/")
    page.wait_for_url(page.base_url + workout.get_absolute_url())
    expect(page.locator("#workout")).to_be_visible()

    page.context.set_offline(True)
    page.goto(page.base_url + "/open/")
    page.wait_for_url(page.base_url + workout.get_absolute_url())
    expect(page.locator("#workout")).to_be_visible()
    expect(page.locator(".exercise").first).to_contain_text("Back Squat")
    page.context.set_offline(False)
