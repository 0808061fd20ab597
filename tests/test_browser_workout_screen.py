"""The workout screen on a 390 × 844 phone in real Chromium: one tap per set, in place,
once, online and offline."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from sessions_app.models import Exercise, Set, Workout
from tests.browser import PHONE, log_in
from tests.helpers import past_workout
from tests.workout_screen import (
    back_online,
    card,
    complete_anyway,
    fill_row,
    log_set,
    logged,
    planned_row,
    row_texts,
    start_workout,
    tick,
    wait_until_logged,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_layout_shifts(page):
    page.evaluate(
        """window.unexpectedShift = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) window.unexpectedShift += entry.value;
          }
        }).observe({type: "layout-shift", buffered: false});"""
    )


def test_a_whole_exercise_is_logged_with_one_tap_per_set(phone, alice, lower1, screenshots):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=4)
    past_workout(
        alice,
        lower1,
        datetime.date.today() - datetime.timedelta(days=4),
        [("Back Squat", "225", "5"), ("Back Squat", "235", "5")],
    )
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    watch_layout_shifts(page)
    squat = card(page, "Back Squat")
    assert "225×5, 235×5" in squat.locator(".last-time").inner_text()
    assert planned_row(squat, 1).locator("[name=weight]").input_value() == "225"
    assert planned_row(squat, 2).locator("[name=weight]").input_value() == "235"
    screenshots.take(page, "workout-before-first-set")

    # Row 1 as last time; row 2 a little heavier, changed before the tap.
    next_tick = planned_row(squat, 2).locator("button.tick")
    before = next_tick.bounding_box()["y"]
    tick(squat, 1)
    wait_until_logged(page, squat, 1)
    assert abs(next_tick.bounding_box()["y"] - before) < 1  # the row changed in place
    planned_row(squat, 2).locator("[name=weight]").fill("240")
    for number in (2, 3, 4):
        tick(squat, number)
        wait_until_logged(page, squat, number)
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("window.unexpectedShift") < 0.01
    session = Workout.objects.get(owner=alice, status="active")
    assert list(session.sets.order_by("set_number").values_list("set_number", "weight")) == [
        (1, "225"),
        (2, "240"),
        (3, "240"),  # not done last time: follows the row above as lifted
        (4, "240"),
    ]
    # All planned sets logged: the card folds to one line, the next exercise is current.
    expect(squat).not_to_have_attribute("open", "")
    assert "4 sets · best 240 lb × 5" in squat.locator("summary").inner_text()
    expect(card(page, "Romanian Deadlift")).to_have_class(re.compile(r"\bcurrent\b"))
    squat.locator("summary").click()  # a tap unfolds it
    expect(squat).to_have_attribute("open", "")
    planned = sum(lower1.exercises.values_list("target_sets", flat=True))
    assert page.locator("#progress-count").inner_text() == f"4 logged · {planned - 4} to go"


def test_the_rows_below_take_the_ticked_numbers_at_the_tap_not_later(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    fill_row(squat, 1, "225", "5")
    # Read in the same moment as the tap: carried once the phone's storage answered
    # (slow on a slow phone), they landed in a row the lifter was already typing in.
    carried = planned_row(squat, 1).evaluate(
        """form => {
            form.querySelector("button.tick").click();
            const next = form.nextElementSibling.elements;
            return [next.weight.value, next.reps.value];
        }"""
    )
    assert carried == ["225", "5"]
    wait_until_logged(page, squat, 1)


def test_a_workout_with_six_exercises_fits_in_about_two_screens(phone, alice, lower1):
    lower1.exercises.all().delete()
    for position, (name, sets) in enumerate(
        [("Back Squat", 4), ("Romanian Deadlift", 3), ("Leg Press", 3)]
        + [("Lying Leg Curl", 3), ("Standing Calf Raise", 4), ("Plank", 3)]
    ):
        exercise = Exercise.named_for(None, name)  # the library's
        lower1.exercises.create(exercise=exercise, position=position, target_sets=sets)
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    assert sum(lower1.exercises.values_list("target_sets", flat=True)) == 20  # as Lower 1
    cards_bottom = page.evaluate(
        "document.getElementById('exercise-list').getBoundingClientRect().bottom + scrollY"
    )
    assert cards_bottom <= 2.1 * PHONE["height"], cards_bottom
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small = page.evaluate(
        """[...document.querySelectorAll(
              "main a, main button, main input:not([type=hidden]), main select, main summary, "
              + "main label.more, #bar button")]
          .filter((e) => e.offsetParent !== null && e.type !== "checkbox")
          .map((e) => [e.textContent.trim() || e.name || e.id, e.getBoundingClientRect().height])
          .filter(([, height]) => height < 44)"""
    )
    assert small == []


def test_plus_set_a_warm_up_and_an_rpe(phone, alice, lower1):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3)
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    squat.get_by_role("link", name="+ Set").click()
    expect(planned_row(squat, 4)).to_be_visible()  # beyond the plan of 3

    first = planned_row(squat, 1)
    first.locator("label.more").click()
    first.locator("[name=set_type]").select_option("warmup")
    first.locator("[name=rpe]").select_option("6")
    first.locator("[name=notes]").fill("bar only")
    log_set(squat, 1, "45", "10")
    expect(logged(squat)).to_have_count(1)
    assert row_texts(squat, ".set-row.done") == ["W 45 lb × 10 RPE 6 Edit ✓ bar only"]

    log_set(squat, 4, "185", "8")
    wait_until_logged(page, squat, 2)
    stored = {(s.set_type, s.set_number, s.weight, s.rpe, s.notes) for s in Set.objects.all()}
    assert stored == {("warmup", 1, "45", 6, "bar only"), ("working", 4, "185", None, "")}
    # The warm-up did not use up set 1: row 1 is still planned.
    expect(planned_row(squat, 1)).to_have_count(1)


def test_a_row_with_a_problem_says_so_in_place_and_logs_once_fixed(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    log_set(squat, 1, "225", "")
    row = planned_row(squat, 1)
    expect(row.locator(".row-errors")).to_contain_text("Enter the reps")
    expect(page.locator("#rest-timer")).to_be_hidden()  # no rest after a set not logged
    assert not Set.objects.exists()
    row.locator("[name=reps]").fill("5")
    tick(squat, 1)
    wait_until_logged(page, squat, 1)
    assert list(Set.objects.values_list("weight", "reps")) == [("225", "5")]


def rest_left_seconds(page):
    minutes, seconds = page.locator("#rest-remaining").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_refused_tick_leaves_the_rest_already_running(phone, alice, lower1):
    lower1.exercises.filter(exercise__name="Back Squat").update(rest_seconds=180)
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    log_set(squat, 1, "225", "5")
    wait_until_logged(page, squat, 1)
    timer = page.locator("#rest-timer")
    expect(timer).to_be_visible()
    page.wait_for_timeout(2100)
    running = rest_left_seconds(page)
    assert running <= 178

    log_set(squat, 2, "2255", "5")  # refused by the server: more than 1,300 lb?
    expect(planned_row(squat, 2).locator(".row-errors")).to_contain_text("More than 1,300 lb")
    expect(timer).to_be_visible()
    assert rest_left_seconds(page) <= running  # the same rest, not one started anew

    fill_row(squat, 2, "225", "")  # refused on the phone: no reps
    tick(squat, 2)
    expect(planned_row(squat, 2)).to_contain_text("Enter the reps")
    expect(timer).to_be_visible()
    assert rest_left_seconds(page) <= running
    assert Set.objects.count() == 1


def test_the_count_keeps_a_set_being_edited(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    for number in (1, 2):
        log_set(squat, number, "225", "5")
        wait_until_logged(page, squat, number)
    count = page.locator("#progress-count")
    expect(count).to_contain_text("2 logged")
    squat.get_by_role("link", name="Edit set 1 of Back Squat").click()
    expect(squat.locator(".set-row.editing")).to_have_count(1)
    expect(count).to_contain_text("2 logged")
    squat.locator(".set-row.editing").get_by_role("link", name="Cancel").click()
    expect(squat.locator(".set-row.editing")).to_have_count(0)
    expect(count).to_contain_text("2 logged")


def test_a_logged_row_can_be_fixed_and_deleted(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    fill_row(squat, 1, "2255", "5")
    planned_row(squat, 1).locator("[name=weight]").fill("255")
    tick(squat, 1)
    wait_until_logged(page, squat, 1)
    squat.get_by_role("link", name="Edit set 1 of Back Squat").click()
    editing = squat.locator(".set-row.editing")
    editing.get_by_label("Weight", exact=True).fill("225")
    editing.get_by_role("button", name="Save").click()
    expect(squat.locator(".set-row.done")).to_contain_text("225 lb × 5")
    assert Set.objects.get().weight == "225"

    page.once("dialog", lambda dialog: dialog.accept())
    squat.get_by_role("link", name="Edit set 1 of Back Squat").click()
    squat.locator(".set-row.editing").get_by_role("link", name="Delete").click()
    expect(logged(card(page, "Back Squat"))).to_have_count(0)
    expect(planned_row(card(page, "Back Squat"), 1)).to_have_count(1)  # planned again
    assert not Set.objects.exists()


def test_completing_with_planned_sets_not_logged_asks_first(phone, alice, lower1, screenshots):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    log_set(squat, 1, "225", "5")
    wait_until_logged(page, squat, 1)
    page.locator("#bar").get_by_role("button", name="Complete").click()
    check = page.locator("#complete-check")
    planned = sum(lower1.exercises.values_list("target_sets", flat=True))
    expect(check).to_contain_text(f"{planned - 1} planned sets not logged — complete anyway?")
    screenshots.take(page, "workout-complete-check")
    check.get_by_role("link", name="Keep logging").click()
    expect(check).to_be_hidden()
    assert Workout.objects.get(owner=alice).status == "active"
    complete_anyway(page)
    page.get_by_text("Completed").wait_for()
    assert Workout.objects.get(owner=alice).status == "completed"


def test_mid_workout_a_finished_exercise_is_folded_and_the_rest_timer_runs(
    phone, alice, lower1, screenshots
):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3)
    lower1.exercises.filter(exercise__name="Romanian Deadlift").update(target_sets=2)
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    fill_row(squat, 1, "225", "5")
    for number in (1, 2, 3):
        tick(squat, number)
    wait_until_logged(page, squat, 3)
    deadlift = card(page, "Romanian Deadlift")
    log_set(deadlift, 1, "185", "8")
    wait_until_logged(page, deadlift, 1)
    expect(page.locator("#rest-timer")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    expect(squat).not_to_have_attribute("open", "")
    screenshots.take(page, "workout-mid")
    # The current row is never hidden under the bottom bar.
    current = planned_row(deadlift, 2).locator("button.tick")
    current.scroll_into_view_if_needed()
    bar_top = page.locator("#bar").bounding_box()["y"]
    box = current.bounding_box()
    assert box["y"] + box["height"] <= bar_top


def test_a_stale_second_tab_gets_the_next_set_number(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    other = page.context.new_page()
    other.goto(page.url)
    squat, stale = card(page, "Back Squat"), card(other, "Back Squat")
    for tab in (squat, stale):
        fill_row(tab, 1, "225", "5")
    tick(squat, 1)
    wait_until_logged(page, squat, 1)
    tick(stale, 1)  # this tab still shows set 1 as planned
    expect(logged(stale)).to_have_count(1)
    assert " ".join(logged(stale).inner_text().split()).startswith("2 225 lb × 5")
    assert sorted(Set.objects.values_list("set_number", flat=True)) == [1, 2]
    other.close()


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
@pytest.mark.parametrize("milliseconds", [50, 150, 400])
def test_a_double_tap_logs_one_set(phone, alice, lower1, milliseconds, offline):
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    fill_row(squat, 1, "225", "5")
    button = planned_row(squat, 1).locator("button.tick")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.context.set_offline(offline)
    page.touchscreen.tap(x, y)
    page.wait_for_timeout(milliseconds)
    page.touchscreen.tap(x, y)
    page.wait_for_timeout(200)
    if offline:
        back_online(page)  # replay now, not in 5 s
    wait_until_logged(page, squat, 1)
    page.wait_for_timeout(300)
    assert Set.objects.count() == 1
    assert planned_row(squat, 2).count() == 1  # the next row is still there, unlogged


def row_values(card, numbers):
    return [
        (
            planned_row(card, n).locator("[name=weight]").input_value(),
            planned_row(card, n).locator("[name=reps]").input_value(),
        )
        for n in numbers
    ]


def test_a_first_workout_is_one_tap_per_set(phone, alice, lower1, screenshots):
    """No history: the rows show the plan's reps as values, and a tick logs what its row
    shows; without a weight, the weight field is asked for, in one short line."""
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3, target_reps="5")
    lower1.exercises.filter(exercise__name="Romanian Deadlift").update(target_reps="8-12")
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    assert row_values(squat, (1, 2, 3)) == [("", "5")] * 3
    assert row_values(card(page, "Romanian Deadlift"), (1,)) == [("", "8")]
    screenshots.take(page, "first-workout-before-first-tick")

    tick(squat, 1)
    first = planned_row(squat, 1)
    expect(first.locator(".row-hint")).to_have_text("Enter the weight for this set.")
    expect(first.locator("[name=weight]")).to_be_focused()
    expect(first.locator(".row-extra")).to_be_hidden()  # not the whole ⋯ panel
    expect(page.locator("#rest-timer")).to_be_hidden()
    assert not Set.objects.exists()

    first.locator("[name=weight]").fill("60")
    tick(squat, 1)
    wait_until_logged(page, squat, 1)
    expect(page.locator("#rest-timer")).to_be_visible()
    screenshots.take(page, "first-workout-after-first-tick")
    assert row_values(squat, (2, 3)) == [("60", "5")] * 2  # the rows below follow
    for number in (2, 3):
        tick(squat, number)
        wait_until_logged(page, squat, number)
    assert (
        list(Set.objects.order_by("set_number").values_list("weight", "reps")) == [("60", "5")] * 3
    )


def test_a_warm_up_ticked_from_a_planned_row_leaves_the_plan_where_it_was(phone, alice, lower1):
    lower1.exercises.filter(exercise__name="Back Squat").update(target_sets=3, target_reps="8")
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    squat = card(page, "Back Squat")
    planned = row_values(squat, (1, 2, 3))
    fill_row(squat, 1, "30", "8")
    first = planned_row(squat, 1)
    first.locator("label.more").click()
    first.locator("[name=set_type]").select_option("warmup")
    tick(squat, 1)
    wait_until_logged(page, squat, 1)
    # A warm-up row above the plan; the plan's rows as they were, row 1 to do.
    assert squat.locator(".rows > *").first.get_attribute("class") == "set-row done warmup"
    assert row_texts(squat, ".set-row.done") == ["W 30 lb × 8 Edit ✓"]
    expect(squat.locator("form.log-set")).to_have_count(3)
    assert row_values(squat, (1, 2, 3)) == planned
    assert planned_row(squat, 1).locator("[name=set_type]").input_value() == "working"
    expect(planned_row(squat, 1).locator(".row-extra")).to_be_hidden()

    fill_row(squat, 1, "40", "8")
    tick(squat, 1)
    wait_until_logged(page, squat, 2)
    assert row_values(squat, (2, 3)) == [("40", "8")] * 2  # rows follow working sets only
    tick(squat, 2)
    wait_until_logged(page, squat, 3)
    assert list(Set.objects.order_by("pk").values_list("set_type", "set_number", "weight")) == [
        ("warmup", 1, "30"),
        ("working", 1, "40"),
        ("working", 2, "40"),
    ]
