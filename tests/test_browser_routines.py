"""Routines on a 390 × 844 phone in real Chromium: create one, edit it, start it, log a
set through the workout screen; an empty workout; nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from sessions_app.models import Routine, Workout
from tests.browser import assert_fits_the_phone, log_in
from tests.workout_screen import card, log_set, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_exercise(page, name, sets, reps):
    form = page.locator("#add")
    form.get_by_label("Exercise", exact=True).fill(name)
    form.get_by_label("Sets").fill(sets)
    form.get_by_label("Reps").fill(reps)
    form.get_by_role("button", name="Add exercise").click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def exercise_names(page):
    return page.locator(".routine-exercise h3").all_text_contents()


def test_a_routine_is_created_edited_and_started_on_a_phone(phone, alice, lower1, screenshots):
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("link", name="Create and edit routines").click()
    expect(page.get_by_role("link", name="Lower 1")).to_be_visible()  # her copy
    assert_fits_the_phone(page)
    page.get_by_label("Name").fill("Push A")
    page.get_by_role("button", name="Create routine").click()
    page.wait_for_url("**/routines/*/")
    add_exercise(page, "Bench Press", "4", "5")
    add_exercise(page, "Overhead Press", "3", "8-10")
    add_exercise(page, "Triceps Pushdown", "3", "12")
    page.get_by_role("button", name="Move Triceps Pushdown up").click()
    expect(page.locator(".routine-exercise h3").nth(1)).to_have_text("Triceps Pushdown")
    assert exercise_names(page) == ["Bench Press", "Triceps Pushdown", "Overhead Press"]
    bench = page.locator(".routine-exercise", has=page.get_by_role("heading", name="Bench Press"))
    bench.get_by_label("Rest (s)").fill("180")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved Push A.")).to_be_visible()
    routine = Routine.objects.get(owner=alice, name="Push A")
    assert list(
        routine.exercises.values_list(
            "position", "exercise__name", "target_sets", "target_reps", "rest_seconds"
        )
    ) == [
        (1, "Bench Press", 4, "5", 180),
        (2, "Triceps Pushdown", 3, "12", None),
        (3, "Overhead Press", 3, "8-10", None),
    ]
    assert_fits_the_phone(page)
    page.locator("#exercises").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")  # the heading under the sticky top bar
    screenshots.take(page, "routine-editor")

    page.get_by_role("button", name="Start this routine").click()
    page.wait_for_url("**/workouts/*/")
    expect(page.get_by_role("heading", name="Push A", level=1)).to_be_visible()
    bench_card = card(page, "Bench Press")
    log_set(bench_card, 1, "185", "5")
    wait_until_logged(page, bench_card, 1)
    session = Workout.objects.get(owner=alice)
    assert (session.routine, session.routine_slug) == (routine, "push-a")
    assert list(session.sets.values_list("exercise_name", "set_number", "weight", "reps")) == [
        ("Bench Press", 1, "185", "5")
    ]


def test_an_empty_workout_on_a_phone_then_saved_as_a_routine(phone, alice, lower1):
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("button", name="Start an empty workout").click()
    page.wait_for_url("**/workouts/*/")
    expect(page.get_by_role("heading", name="Workout", level=1)).to_be_visible()
    page.get_by_label("Add an exercise").fill("Goblet Squat")
    page.get_by_role("button", name="Add", exact=True).click()
    squat = card(page, "Goblet Squat")
    log_set(squat, 1, "70", "10")
    wait_until_logged(page, squat, 1)
    session = Workout.objects.get(owner=alice)
    session.complete()
    page.goto(page.base_url + session.get_absolute_url())
    page.get_by_role("link", name="Save as a routine").click()
    assert_fits_the_phone(page)
    page.get_by_label("Routine name").fill("Quick legs")
    page.get_by_role("button", name="Save as a routine").click()
    page.wait_for_url("**/routines/*/")
    assert exercise_names(page) == ["Goblet Squat"]
    page.get_by_role("link", name="Delete…").click()
    assert_fits_the_phone(page)
    page.get_by_role("button", name="Yes, delete the routine").click()
    expect(page.get_by_text("Deleted Quick legs.")).to_be_visible()
    assert not Routine.objects.filter(name="Quick legs").exists()
