"""In the gym, in real Chromium: offline logging that replays exactly once, the rest
timer, last time's numbers, and the pages after the workout."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_app.models import Session, Set
from tests.browser import log_in, screenshot, wait_for_service_worker, wait_until_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def past_workout(owner, template, day, sets):
    session = Session.start(owner, template, day)
    for exercise, weight, reps in sets:
        session.log_set(exercise, weight, reps)
    session.complete(now=timezone.make_aware(datetime.datetime.combine(day, datetime.time(19))))
    Session.objects.filter(pk=session.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))
    )
    return session


def start_workout(page, template="Lower 1"):
    page.get_by_label(template).check()
    page.get_by_role("button", name="Start workout").click()
    page.wait_for_url("**/workouts/*/")


def exercise(page, name):
    return page.locator("section.exercise", has=page.get_by_role("heading", name=name, exact=True))


def log_set(block, weight, reps):
    block.get_by_label("Weight (lb)").fill(weight)
    block.get_by_label("Reps").fill(reps)
    block.get_by_role("button", name="Log set").click()


def test_sets_logged_offline_wait_on_the_phone_and_arrive_once(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    start_workout(page)
    session = Session.objects.get(owner=alice)
    squat = exercise(page, "Back Squat")

    page.context.set_offline(True)
    for weight in ("225", "235", "245"):
        log_set(squat, weight, "5")
        squat.locator(".set-row.waiting", has_text=f"{weight} × 5").wait_for()
    assert page.locator("#outbox-badge").inner_text() == "3 waiting"
    assert not Set.objects.exists()

    page.reload()  # still offline: the service worker serves the page, the sets are still here
    squat.locator(".set-row.waiting").nth(2).wait_for()
    rows = [
        " ".join(text.split()) for text in squat.locator(".set-row.waiting").all_text_contents()
    ]
    assert rows == ["1 225 × 5 Waiting", "2 235 × 5 Waiting", "3 245 × 5 Waiting"]
    assert page.locator("#outbox-badge").inner_text() == "3 waiting"
    screenshot(page, "offline-waiting-sets")

    # The page came from the phone's copy, whose forms carry keys already used and set 1
    # as the next set: a set logged now must still be a new set, numbered after the others.
    assert squat.get_by_label("Set", exact=True).input_value() == "4"
    log_set(squat, "255", "3")
    squat.locator(".set-row.waiting", has_text="255 × 3").wait_for()
    assert page.locator("#outbox-badge").inner_text() == "4 waiting"

    page.context.set_offline(False)
    wait_until_saved(page, squat, 4)
    stored = list(Set.objects.filter(session=session).order_by("created_at"))
    assert [(s.set_number, s.weight, s.reps) for s in stored] == [
        (1, "225", "5"),
        (2, "235", "5"),
        (3, "245", "5"),
        (4, "255", "3"),
    ]
    assert len({s.key for s in stored}) == 4


def test_a_set_the_server_refuses_stays_visible_as_not_saved(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = exercise(page, "Back Squat")
    page.context.set_offline(True)
    squat.get_by_label("Weight (lb)").fill("")
    squat.get_by_label("Reps").fill("")
    squat.get_by_label("Notes").fill("left knee hurt, stopped")
    squat.get_by_role("button", name="Log set").click()
    log_set(squat, "225", "5")
    page.context.set_offline(False)
    refused = squat.locator(".set-row.rejected")
    refused.wait_for()
    assert "Enter the reps (or the weight) for this set." in refused.inner_text()
    expect(squat.locator(".set-row:not(.waiting)")).to_have_count(1)
    assert list(Set.objects.values_list("weight", "reps")) == [("225", "5")]
    assert page.locator("#outbox-badge").inner_text() == "1 not saved"
    refused.get_by_role("button", name="Dismiss").click()
    page.locator("#outbox-badge").wait_for(state="hidden")


def test_a_double_tap_logs_one_set(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = exercise(page, "Back Squat")
    squat.get_by_label("Weight (lb)").fill("225")
    squat.get_by_label("Reps").fill("5")
    squat.locator("form.log-set").evaluate(
        "form => { form.requestSubmit(); form.requestSubmit(); }"
    )
    wait_until_saved(page, squat, 1)
    page.wait_for_timeout(300)
    assert Set.objects.count() == 1


def test_a_refused_logout_keeps_the_offline_copies(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    wait_for_service_worker(page)
    start_workout(page)
    page.context.set_offline(True)
    log_set(exercise(page, "Back Squat"), "225", "5")
    page.get_by_role("button", name="Log out").click()
    assert "still waiting to be sent" in page.locator("#notice").inner_text()
    assert "pages" in page.evaluate("caches.keys()")
    page.reload()  # still offline: the workout page is still there
    exercise(page, "Back Squat").locator(".set-row.waiting").wait_for()
    page.context.set_offline(False)


def test_a_set_whose_answer_was_lost_is_sent_again_and_stored_once(
    phone_without_worker, alice, lower1
):
    page = phone_without_worker
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = exercise(page, "Back Squat")
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
        log_set(squat, "225", "5")
    squat.locator(".set-row.waiting").wait_for()
    assert Set.objects.count() == 1  # stored, though the page does not know it yet

    page.evaluate("window.dispatchEvent(new Event('online'))")  # replay now, not in 5 s
    squat.locator(".set-row:not(.waiting)", has_text="225 × 5").wait_for()
    page.locator("#outbox-badge").wait_for(state="hidden")
    assert answers_dropped and Set.objects.count() == 1
    assert squat.locator(".set-row").count() == 1


def test_last_time_numbers_and_a_rest_timer_that_survives_a_reload(phone, alice, lower1):
    lower1.exercises.filter(name="Back Squat").update(rest_seconds=180)  # heavy: 3 minutes
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
    squat = exercise(page, "Back Squat")
    assert "225×5, 235×5, 245×3" in squat.locator(".last-time").inner_text()
    assert squat.get_by_label("Weight (lb)").input_value() == "225"  # set 1 as last time

    log_set(squat, "230", "5")
    wait_until_saved(page, squat, 1)
    assert squat.get_by_label("Weight (lb)").input_value() == "235"  # set 2 as last time
    timer = page.locator("#rest-timer")
    timer.wait_for()
    assert timer.locator("#rest-remaining").inner_text() in (
        "3:00",
        "2:59",
        "2:58",
    )  # squat rests 180 s
    timer.get_by_role("button", name="15 seconds more").click()
    assert timer.locator("#rest-remaining").inner_text() in ("3:15", "3:14", "3:13", "3:12")
    screenshot(page, "active-workout")

    page.reload()
    timer.wait_for()
    assert timer.locator("#rest-remaining").inner_text() in ("3:15", "3:14", "3:13", "3:12", "3:11")
    timer.get_by_role("button", name="Skip").click()
    timer.wait_for(state="hidden")


def test_logging_sets_keeps_big_targets_and_does_not_shift_the_page(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    page.evaluate(
        """window.unexpectedShift = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) window.unexpectedShift += entry.value;
          }
        }).observe({type: "layout-shift", buffered: false});"""
    )
    squat = exercise(page, "Back Squat")
    button = squat.get_by_role("button", name="Log set")
    for count, weight in enumerate(("225", "235", "245"), start=1):
        before = button.bounding_box()["y"]
        log_set(squat, weight, "5")
        wait_until_saved(page, squat, count)
        page.wait_for_timeout(100)
        assert abs(button.bounding_box()["y"] - before) < 2  # stays under the thumb
    assert page.evaluate("window.unexpectedShift") < 0.01

    targets = "main a, main button, main input:not([type=hidden]), main summary, .topbar a"
    small = page.evaluate(
        f"""[...document.querySelectorAll("{targets}, .footer a, .footer button")]
          .filter((e) => e.offsetParent !== null && e.type !== "checkbox")
          .map((e) => [e.textContent.trim() || e.name || e.id, e.getBoundingClientRect().height])
          .filter(([, height]) => height < 44)"""
    )
    assert small == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    # A set logged with the thumb at the bottom of the screen: the rest timer that
    # appears must not cover the button for the next one.
    press = exercise(page, "Leg Press")
    press_button = press.get_by_role("button", name="Log set")
    press_button.evaluate("button => button.scrollIntoView({block: 'end'})")
    log_set(press, "300", "10")
    wait_until_saved(page, press, 1)
    timer_top = page.locator("#rest-timer").bounding_box()["y"]
    box = press_button.bounding_box()
    assert box["y"] + box["height"] <= timer_top


def test_offline_fixes_are_refused_with_a_clear_message(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = exercise(page, "Back Squat")
    log_set(squat, "225", "5")
    wait_until_saved(page, squat, 1)
    page.context.set_offline(True)
    squat.get_by_role("link", name="Edit").click()
    notice = page.locator("#notice")
    notice.wait_for()
    assert "fixing or deleting a set needs a connection" in notice.inner_text()
    page.get_by_role("button", name="Complete workout").click()
    assert "You are offline" in notice.inner_text()
    page.context.set_offline(False)
    assert Session.objects.get(owner=alice).status == "active"


def test_after_the_workout_summary_and_progress_chart(phone, alice, lower1):
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
    squat = exercise(page, "Back Squat")
    for count in (1, 2):
        log_set(squat, "235", "5")
        wait_until_saved(page, squat, count)
    page.get_by_role("button", name="Complete workout").click()
    page.get_by_text("New records").wait_for()
    summary = page.locator(".summary").inner_text()
    assert "2,350 lb" in summary or "2350 lb" in summary
    assert "Back Squat: 235 × 5" in summary
    screenshot(page, "session-summary")

    page.get_by_role("link", name="Progress").click()
    page.get_by_role("link", name="Back Squat").click()
    page.locator("svg.chart").wait_for()
    assert page.locator("svg.chart .dot-1rm").count() == 5
    assert page.locator("svg.chart .dot-1rm.record").count() == 4
    screenshot(page, "progress-chart")
