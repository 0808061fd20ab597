"""The rest timer with the phone in the pocket: a notification when the rest ends while
the page is hidden, if the lifter allowed it, asked once from the timer and never on
page load (a lifter who never uses the timer is asked nothing)."""

import time

import pytest
from playwright.sync_api import expect

from sessions_app.models import Workout
from tests.browser import log_in, wait_for_service_worker
from tests.workout_screen import card, log_set, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the times a page asks for the notification permission, across page loads.
COUNT_PERMISSION_QUESTIONS = """
if (window.Notification) {
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => {
    sessionStorage.setItem("asked", Number(sessionStorage.getItem("asked") || 0) + 1);
    return ask(...args);
  };
}
"""


def pocket(page):
    """The phone goes into the pocket: the page is hidden. Headless Chromium keeps every
    page visible (minimizing its window or switching tabs changes nothing), so the page
    is told the way the browser tells it: visibilityState "hidden" and the event."""
    page.evaluate(
        """() => {
          const hidden = (value) => ({ configurable: true, get: () => value });
          Object.defineProperty(document, "visibilityState", hidden("hidden"));
          Object.defineProperty(document, "hidden", hidden(true));
          document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )


def rest_notifications(page):
    return page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          const shown = await registration.getNotifications({ tag: "rest-timer" });
          return shown.map((notification) => [notification.title, notification.body]);
        }"""
    )


def questions(page):
    return int(page.evaluate("sessionStorage.getItem('asked') || 0"))


@pytest.fixture
def short_rests(lower1):
    """Lower 1 with a 3-second rest, so that a test sees one end."""
    lower1.exercises.update(rest_seconds=None)
    lower1.rest_seconds = 3
    lower1.save(update_fields=["rest_seconds"])
    return lower1


def test_notifications_are_asked_for_only_from_the_timer_and_only_once(phone, alice, lower1):
    page = phone
    page.context.add_init_script(COUNT_PERMISSION_QUESTIONS)
    log_in(page, "alice", "alice-password")
    workout = Workout.start(alice, lower1)
    page.goto(page.base_url + workout.get_absolute_url())
    offer = page.get_by_role("button", name="Alert me when a rest ends")
    expect(offer).to_be_hidden()
    assert questions(page) == 0

    squat = card(page, "Back Squat")
    log_set(squat, 1, "225", "5")
    wait_until_logged(page, squat, 1)
    expect(page.locator("#rest-timer")).to_be_visible()
    expect(offer).to_be_visible()
    assert questions(page) == 0  # the timer runs; nothing is asked until the lifter taps

    offer.click()
    expect(offer).to_be_hidden()
    assert questions(page) == 1
    page.reload()
    expect(page.locator("#rest-timer")).to_be_visible()
    expect(offer).to_be_hidden()
    log_set(squat, 2, "225", "5")
    wait_until_logged(page, squat, 2)
    expect(offer).to_be_hidden()
    assert questions(page) == 1


def test_a_rest_ending_while_the_page_is_hidden_shows_a_notification(
    phone, alice, short_rests, live_server
):
    page = phone
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(page, "alice", "alice-password")
    workout = Workout.start(alice, short_rests)
    page.goto(page.base_url + workout.get_absolute_url())
    wait_for_service_worker(page)
    squat = card(page, "Back Squat")
    log_set(squat, 1, "225", "5")
    wait_until_logged(page, squat, 1)
    expect(page.get_by_role("button", name="Alert me when a rest ends")).to_be_hidden()
    # On screen, the end is the beep and buzz in the page: no notification.
    expect(page.locator("#rest-remaining")).to_have_text("Go!", timeout=10_000)
    assert rest_notifications(page) == []

    log_set(squat, 2, "225", "5")
    wait_until_logged(page, squat, 2)
    pocket(page)
    assert page.evaluate("document.visibilityState") == "hidden"
    shown = []
    deadline = time.monotonic() + 15
    while not shown and time.monotonic() < deadline:
        shown = rest_notifications(page)
        time.sleep(0.25)
    assert shown == [["Rest over", "Time for your next set."]]
