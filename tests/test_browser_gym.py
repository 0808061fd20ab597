"""In the gym, in real Chromium: offline logging that replays exactly once, the rest
timer, last time's numbers, and the pages after the workout."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import Set, Workout
from tests.browser import log_in, wait_for_service_worker
from tests.helpers import past_workout
from tests.workout_screen import (
    WAIT_MILLISECONDS,
    back_online,
    card,
    complete_anyway,
    log_set,
    planned_row,
    start_workout,
    wait_until_logged,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sets_logged_offline_wait_on_the_phone_and_arrive_once(phone, alice, lower1, screenshots):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3)
    page = phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    start_workout(page)
    session = Workout.objects.get(owner=alice)
    squat = card(page, "Back Squat")

    page.context.set_offline(True)
    for number, weight in enumerate(("225", "235", "245"), start=1):
        log_set(squat, number, weight, "5")
        expect(squat.locator("form.log-set.waiting")).to_have_count(number)
    expect(page.locator("#outbox-badge")).to_have_text("3 waiting")
    assert not Set.objects.exists()

    page.reload()  # still offline: the service worker serves the page, the sets are still here
    waiting = squat.locator("form.log-set.waiting")
    expect(waiting).to_have_count(3)
    assert [row.locator("[name=weight]").input_value() for row in waiting.all()] == [
        "225",
        "235",
        "245",
    ]
    expect(page.locator("#outbox-badge")).to_have_text("3 waiting")
    screenshots.take(page, "offline-waiting-sets")

    # A set beyond the plan, logged on the page the phone kept: a new set of its own.
    squat.get_by_role("link", name="+ Set").click()
    log_set(squat, 4, "255", "3")
    expect(squat.locator("form.log-set.waiting")).to_have_count(4)
    expect(page.locator("#outbox-badge")).to_have_text("4 waiting")

    back_online(page)
    wait_until_logged(page, squat, 4)
    stored = list(Set.objects.filter(workout=session).order_by("created_at"))
    assert [(s.set_number, s.weight, s.reps) for s in stored] == [
        (1, "225", "5"),
        (2, "235", "5"),
        (3, "245", "5"),
        (4, "255", "3"),
    ]
    assert len({s.key for s in stored}) == 4


def test_a_set_refused_when_sent_later_says_why_on_its_row(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    page.context.set_offline(True)
    log_set(squat, 1, "225", "")
    log_set(squat, 2, "225", "5")
    back_online(page)
    errors = planned_row(squat, 1).locator(".row-errors")
    expect(errors).to_contain_text("Enter the reps", timeout=WAIT_MILLISECONDS)
    wait_until_logged(page, squat, 1)
    assert list(Set.objects.values_list("set_number", "weight", "reps")) == [(2, "225", "5")]


def test_a_set_for_a_workout_finished_meanwhile_stays_visible_as_not_saved(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    page.context.set_offline(True)
    log_set(squat, 1, "225", "5")
    session = Workout.objects.get(owner=alice)
    session.log_set("Back Squat", "200", "5")
    session.complete()  # finished on another phone meanwhile
    back_online(page)
    refused = squat.locator(".set-row.rejected")
    expect(refused).to_contain_text("the workout was already finished", timeout=WAIT_MILLISECONDS)
    expect(page.locator("#outbox-badge")).to_have_text("1 not saved")
    assert list(Set.objects.values_list("weight", flat=True)) == ["200"]
    refused.get_by_role("button", name="Dismiss the unsaved set Back Squat 225 lb × 5").click()
    page.locator("#outbox-badge").wait_for(state="hidden")


def test_a_refused_logout_keeps_the_offline_copies(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    start_workout(page)
    page.context.set_offline(True)
    log_set(card(page, "Back Squat"), 1, "225", "5")
    page.get_by_role("button", name="Log out").click()
    assert "still waiting to be sent" in page.locator("#notice").inner_text()
    assert "pages" in page.evaluate("caches.keys()")
    page.reload()  # still offline: the workout page is still there
    expect(card(page, "Back Squat").locator("form.log-set.waiting")).to_have_count(1)
    page.context.set_offline(False)


def test_a_set_whose_answer_was_lost_is_sent_again_and_stored_once(
    phone_without_worker, alice, lower1
):
    page = phone_without_worker
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    answers_dropped = []

    def store_then_drop_the_answer(route):
        if not answers_dropped:
            route.fetch()  # the server stores the set...
            answers_dropped.append(route.request.url)
            route.abort("connectionreset")  # ...and the phone never hears back
        else:
            route.continue_()

    page.route("**/sets/", store_then_drop_the_answer)
    with page.expect_event("requestfailed"):
        log_set(squat, 1, "225", "5")
    expect(squat.locator("form.log-set.waiting")).to_have_count(1)
    assert Set.objects.count() == 1  # stored, though the page does not know it yet

    page.evaluate("window.dispatchEvent(new Event('online'))")  # replay now, not in 5 s
    wait_until_logged(page, squat, 1)
    assert answers_dropped and Set.objects.count() == 1
    assert "225 lb × 5" in squat.locator(".set-row.done").inner_text()


def test_last_time_numbers_and_a_rest_timer_that_survives_a_reload(
    phone, alice, lower1, screenshots
):
    lower1.exercises.filter(exercise__name="Back Squat").update(
        rest_seconds=180
    )  # heavy: 3 minutes
    past_workout(
        alice,
        lower1,
        datetime.date.today() - datetime.timedelta(days=4),
        [
            ("Back Squat", "225", "5"),
            ("Back Squat", "235", "5"),
            ("Back Squat", "245", "3"),
            ("Romanian Deadlift", "185", "8"),
        ],
    )
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    assert "225×5, 235×5, 245×3" in squat.locator(".last-time").inner_text()
    assert planned_row(squat, 1).locator("[name=weight]").input_value() == "225"
    assert planned_row(squat, 3).locator("[name=reps]").input_value() == "3"

    log_set(squat, 1, "230", "5")
    wait_until_logged(page, squat, 1)
    assert planned_row(squat, 2).locator("[name=weight]").input_value() == "235"  # as last time
    timer = page.locator("#rest-timer")
    timer.wait_for()
    assert timer.locator("#rest-remaining").inner_text() in ("3:00", "2:59", "2:58")
    timer.get_by_role("button", name="15 seconds more").click()
    assert timer.locator("#rest-remaining").inner_text() in ("3:15", "3:14", "3:13", "3:12")
    screenshots.take(page, "active-workout")

    page.reload()
    timer.wait_for()
    assert timer.locator("#rest-remaining").inner_text() in ("3:15", "3:14", "3:13", "3:12", "3:11")
    timer.get_by_role("button", name="Skip").click()
    timer.wait_for(state="hidden")


def test_offline_fixes_are_refused_with_a_clear_message(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    log_set(squat, 1, "225", "5")
    wait_until_logged(page, squat, 1)
    page.context.set_offline(True)
    squat.get_by_role("link", name="Edit set 1 of Back Squat").click()
    notice = page.locator("#notice")
    notice.wait_for()
    assert "that needs a connection" in notice.inner_text()
    page.locator("#bar").get_by_role("button", name="Complete").click()
    assert "You are offline" in notice.inner_text()
    page.context.set_offline(False)
    assert Workout.objects.get(owner=alice).status == "active"


def test_after_the_workout_summary_and_progress_chart(phone, alice, lower1, screenshots):
    for days_ago, weight in [(28, "205"), (21, "215"), (14, "210"), (7, "225")]:
        past_workout(
            alice,
            lower1,
            datetime.date.today() - datetime.timedelta(days=days_ago),
            [("Back Squat", weight, "5"), ("Back Squat", weight, "5")],
        )
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    for number in (1, 2):
        log_set(squat, number, "235", "5")
        wait_until_logged(page, squat, number)
    complete_anyway(page)
    page.get_by_text("New records").wait_for()
    summary = page.locator(".summary").inner_text()
    assert "2,350 lb" in summary or "2350 lb" in summary
    assert "Back Squat: 235 lb × 5 (estimated 1RM 274.2 lb, was 262.5 lb)" in summary
    screenshots.take(page, "session-summary")

    page.get_by_role("link", name="Progress").click()
    page.get_by_role("link", name="Back Squat").click()
    page.locator("svg.chart").wait_for()
    assert page.locator("svg.chart .dot-1rm").count() == 5
    assert page.locator("svg.chart .dot-1rm.record").count() == 4
    screenshots.take(page, "progress-chart")
