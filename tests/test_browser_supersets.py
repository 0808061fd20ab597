"""A superset on a 390 × 844 phone in real Chromium: A1 and A2 together, the current
row moving A1 → A2 → A1, and the rest timer only after the round's last exercise."""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.models import Routine, Workout
from tests.browser import log_in
from tests.workout_screen import card, fill_row, tick, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CURRENT = re.compile(r"\bcurrent\b")


def test_a_superset_round_rests_after_its_last_exercise(phone, alice, screenshots):
    routine = Routine.create_for(alice, "Arms")
    routine.add_exercise("Barbell Curl", 2, "10")
    routine.add_exercise("Triceps Pushdown", 2, "12")
    routine.add_exercise("Plank", 1, "60s")
    routine.exercises.filter(exercise__name="Triceps Pushdown").update(superset_with_previous=True)
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("button", name="Start Arms").click()
    page.wait_for_url("**/workouts/*/")
    curl, pushdown = card(page, "Barbell Curl"), card(page, "Triceps Pushdown")
    timer = page.locator("#rest-timer")
    assert curl.locator("h2").inner_text() == "A1 Barbell Curl"
    assert pushdown.locator("h2").inner_text() == "A2 Triceps Pushdown"
    expect(curl).to_have_class(CURRENT)
    expect(pushdown).to_have_attribute("open", "")  # not folded: part of the round
    fill_row(curl, 1, "40", "10")
    fill_row(pushdown, 1, "30", "12")
    screenshots.take(page, "workout-superset")

    tick(curl, 1)
    wait_until_logged(page, curl, 1)
    expect(pushdown).to_have_class(CURRENT)  # A2 next, not A1's second set
    expect(timer).to_be_hidden()  # no rest inside the round
    tick(pushdown, 1)
    wait_until_logged(page, pushdown, 1)
    expect(timer).to_be_visible()  # the round is over: rest
    expect(curl).to_have_class(CURRENT)  # round two starts with A1
    page.locator("#rest-timer [data-rest-skip]").click()
    expect(timer).to_be_hidden()
    tick(curl, 2)
    wait_until_logged(page, curl, 2)
    expect(timer).to_be_hidden()
    expect(pushdown).to_have_class(CURRENT)
    tick(pushdown, 2)
    wait_until_logged(page, pushdown, 2)
    expect(timer).to_be_visible()
    expect(card(page, "Plank")).to_have_class(CURRENT)


def test_history_shows_a_superset_joined_on_a_phone(phone, alice, screenshots):
    routine = Routine.create_for(alice, "Arms")
    for name in ("Bench Press", "Barbell Curl", "Triceps Pushdown", "Plank", "Side Plank"):
        routine.add_exercise(name, 2, "10")
    routine.exercises.filter(exercise__name__in=["Triceps Pushdown", "Side Plank"]).update(
        superset_with_previous=True
    )
    workout = Workout.start(alice, routine)
    workout.log_set("Bench Press", "135", "8")
    for number in (1, 2):
        workout.log_set("Barbell Curl", "60", "10", notes="strict" if number == 1 else "")
        workout.log_set("Triceps Pushdown", "50", "12")
    workout.log_set("Plank", "BW", "60s")
    workout.log_set("Side Plank", "BW", "30s")
    workout.complete()
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + workout.get_absolute_url())
    titles = page.locator("section.exercise h2")
    expect(titles).to_have_text(
        ["Bench Press", "A1 Barbell Curl", "A2 Triceps Pushdown", "B1 Plank", "B2 Side Plank"]
    )
    curl, pushdown = page.locator("section.exercise[data-superset='A']").all()
    plank, _ = page.locator("section.exercise[data-superset='B']").all()
    curl.scroll_into_view_if_needed()
    screenshots.take(page, "history-superset")

    def gap(above, below):
        return below.bounding_box()["y"] - (
            above.bounding_box()["y"] + above.bounding_box()["height"]
        )

    # Joined: A2 starts right below A1, both with the line down their left; superset B
    # right after them stands apart as any other card does.
    left_line = curl.evaluate("card => getComputedStyle(card).borderLeftWidth")
    assert left_line == "4px"
    bench = page.locator("section.exercise").first
    assert gap(curl, pushdown) < gap(bench, curl) == gap(pushdown, plank)
    # The line does not push the set numbers out of line with the other cards'.
    numbers = page.locator("section.exercise .set-number").all()
    assert {round(number.bounding_box()["x"]) for number in numbers} == {
        round(numbers[0].bounding_box()["x"])
    }
