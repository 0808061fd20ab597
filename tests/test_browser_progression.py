"""Progression on a 390 × 844 phone in real Chromium: each card says today's target and
why, its rows are that target (what a tick logs), and the target follows the workouts."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Progression, Routine, Workout
from tests.browser import PHONE, log_in
from tests.helpers import past_workout
from tests.workout_screen import card, fill_row, planned_row, tick, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def linear_routine(alice):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    routine = Routine.create_for(alice, "Five by five")
    squat = routine.add_exercise("Back Squat", 3, "5")
    squat.progression, squat.increment = Progression.LINEAR, Decimal("2.5")
    squat.save()
    return routine


def aim(page):
    return " ".join(card(page, "Back Squat").locator(".aim").inner_text().split())


def do_squats(page, reps_of_last_set="5", first_weight=None):
    page.get_by_role("button", name="Start Five by five").click()
    page.wait_for_url("**/workouts/*/")
    squat = card(page, "Back Squat")
    if first_weight:
        fill_row(squat, 1, first_weight, "5")
    planned_row(squat, 3).locator("[name=reps]").fill(reps_of_last_set)
    for number in (1, 2, 3):
        tick(squat, number)
    wait_until_logged(page, squat, 3)
    page.locator("#bar").get_by_role("button", name="Complete").click()
    expect(page.locator("#bar")).to_have_count(0)
    page.goto(page.base_url + "/")


def test_a_linear_routine_over_three_workouts_goes_up_up_and_again(
    phone, alice, linear_routine, screenshots
):
    page = phone
    log_in(page, "alice", "alice-password")
    do_squats(page, first_weight="100")

    page.get_by_role("button", name="Start Five by five").click()
    page.wait_for_url("**/workouts/*/")
    squat = card(page, "Back Squat")
    assert aim(page) == "Today: 102.5 kg × 5 · +2.5: 3 × 5 done last time"
    # The rows are the target: what a tick logs.
    assert [planned_row(squat, n).locator("[name=weight]").input_value() for n in (1, 2, 3)] == [
        "102.5"
    ] * 3
    screenshots.take(page, "progression-target")
    Workout.objects.filter(owner=alice, status="active").get().cancel()
    page.goto(page.base_url + "/")

    do_squats(page)
    page.get_by_role("button", name="Start Five by five").click()
    page.wait_for_url("**/workouts/*/")
    assert aim(page) == "Today: 105 kg × 5 · +2.5: 3 × 5 done last time"
    Workout.objects.filter(owner=alice, status="active").get().cancel()
    page.goto(page.base_url + "/")

    do_squats(page, reps_of_last_set="3")  # the third set failed
    page.get_by_role("button", name="Start Five by five").click()
    page.wait_for_url("**/workouts/*/")
    assert aim(page) == "Today: 105 kg × 5 · again (2 of 3)"
    workouts = Workout.objects.filter(owner=alice, status="completed").order_by("created_at")
    assert [sorted(set(w.sets.values_list("weight", flat=True))) for w in workouts] == [
        ["100"],
        ["102.5"],
        ["105"],
    ]


def test_cards_not_reached_fold_to_one_line_and_open_when_reached_or_tapped(
    phone, alice, lower1, screenshots
):
    names = ["Back Squat", "Romanian Deadlift", "Leg Press"]
    names += ["Lying Leg Curl", "Standing Calf Raise", "Plank"]
    lower1.exercises.all().delete()
    routine = Routine.create_for(alice, "Six")
    for name, sets in zip(names, [4, 3, 3, 3, 4, 3], strict=True):
        routine.add_exercise(name, sets, "5" if name != "Plank" else "60s")
    routine.exercises.filter(exercise__name="Back Squat").update(progression=Progression.LINEAR)
    day = datetime.date.today() - datetime.timedelta(days=3)
    past_workout(
        alice, routine, day, [("Back Squat", "225", "5")] * 4 + [("Leg Press", "300", "10")]
    )
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("button", name="Start Six").click()
    page.wait_for_url("**/workouts/*/")
    squat, press = card(page, "Back Squat"), card(page, "Leg Press")
    expect(squat).to_have_attribute("open", "")
    expect(press).not_to_have_attribute("open", "")
    # Folded: its name and one line (target, last time); no row to tick shown.
    assert press.locator(".folded").inner_text().startswith("3 × 5 · last 300×10 lb")
    assert card(page, "Lying Leg Curl").locator(".folded").inner_text() == "3 × 5"
    summary_height = press.locator("summary").bounding_box()["height"]
    assert summary_height <= 80, summary_height
    cards_bottom = page.evaluate(
        "document.getElementById('exercise-list').getBoundingClientRect().bottom + scrollY"
    )
    screens = cards_bottom / PHONE["height"]
    every_card_open = (
        page.evaluate(
            """(() => {
          const folded = [...document.querySelectorAll("details.exercise:not([open])")];
          folded.forEach((card) => (card.open = true));
          const list = document.getElementById("exercise-list");
          const bottom = list.getBoundingClientRect().bottom + scrollY;
          folded.forEach((card) => (card.open = false));
          return bottom;
        })()"""
        )
        / PHONE["height"]
    )
    print(f"six exercises before the first set: {screens:.2f} screens ({every_card_open:.2f} open)")
    assert screens <= 2.0, screens
    screenshots.take(page, "workout-folded-cards")
    # A tap opens a card not reached yet; a finished exercise opens the next.
    press.locator("summary").click()
    expect(press).to_have_attribute("open", "")
    press.locator("summary").click()
    for number in (1, 2, 3, 4):
        tick(squat, number)
    wait_until_logged(page, squat, 4)
    deadlift = card(page, "Romanian Deadlift")
    expect(deadlift).to_have_attribute("open", "")
    expect(deadlift).to_have_class(re.compile(r"\bcurrent\b"))


def test_the_routine_page_says_what_the_next_workout_asks(
    phone, alice, linear_routine, screenshots
):
    day = datetime.date.today() - datetime.timedelta(days=2)
    past_workout(alice, linear_routine, day, [("Back Squat", "100", "5")] * 3)
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + linear_routine.get_absolute_url())
    squat = page.locator(".routine-exercise").first
    expect(squat.locator(".next-target")).to_have_text(
        "Next: 102.5 kg × 5 · +2.5: 3 × 5 done last time"
    )
    expect(squat.get_by_label("Progression")).to_have_value("linear")
    squat.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshots.take(page, "routine-progression")
