"""What a lifter notices on a 390 × 844 phone, one test per page: text that collides, a
note in a typewriter font, two save buttons, a radio in the browser's blue, help text
squeezed into half the width, a weight field naming the wrong unit, a question that is
never asked."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Routine, Set, give_starter_routines
from tests.browser import log_in
from tests.helpers import past_workout
from tests.workout_screen import card, log_set, start_workout, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GREEN = "rgb(21, 128, 61)"


def box(locator):
    return locator.bounding_box()


def test_progress_keeps_a_long_name_apart_from_its_record(phone, alice, lower1):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    day = datetime.date.today() - datetime.timedelta(days=2)
    past_workout(alice, lower1, day, [("Bench Press (Barbell) Paused Wide Grip", "60", "8")])
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + "/progress/")
    row = page.locator(".exercise-records li").first
    name, value = box(row.locator(".record-name")), box(row.locator(".record-value"))
    apart = name["x"] + name["width"] + 8 <= value["x"] or name["y"] + name["height"] <= value["y"]
    assert apart, (name, value)


def test_the_workout_note_and_the_edit_form_read_as_the_rest_of_the_page(phone, alice, lower1):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    page = phone
    log_in(page, "alice", "alice-password")
    start_workout(page)
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    note_font = page.get_by_label("Workout note").evaluate("e => getComputedStyle(e).fontFamily")
    assert note_font == body_font and "mono" not in note_font

    squat = card(page, "Back Squat")
    log_set(squat, 1, "100", "5")
    wait_until_logged(page, squat, 1)
    planned_types = squat.locator("form.log-set [name=set_type]").first.locator("option")
    squat.get_by_role("link", name="Edit set 1 of Back Squat").click()
    editing = squat.locator(".set-row.editing")
    weight = editing.get_by_label("Weight", exact=True)
    assert "lb" not in (weight.get_attribute("placeholder") or "")
    edited_types = editing.locator("select[name$=set_type] option")
    assert edited_types.all_inner_texts() == planned_types.all_inner_texts()
    assert edited_types.all_inner_texts()[:2] == ["Working", "Warm-up"]


def test_the_routine_editor_has_one_save_and_its_last_buttons_in_line(phone, alice, lower1):
    give_starter_routines(alice)
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + Routine.objects.get(owner=alice, slug="lower1").get_absolute_url())
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(1)
    duplicate = box(page.get_by_role("button", name="Duplicate"))
    delete = box(page.get_by_role("link", name=re.compile("^Delete")))
    assert abs(duplicate["y"] - delete["y"]) < 1 and abs(duplicate["height"] - delete["height"]) < 1
    assert delete["height"] <= 52  # one line


def test_settings_radios_are_the_apps_green(phone, alice):
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + reverse("account_settings"))
    radio = page.locator("input[type=radio][name=weight_unit]").first
    assert radio.evaluate("e => getComputedStyle(e).accentColor") == GREEN


def test_the_import_help_spans_the_form(phone, alice):
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + "/history/import/")
    fieldset = box(page.locator("fieldset.unit-choices"))
    help_text = box(page.locator("fieldset.unit-choices .help"))
    assert help_text["width"] >= 0.9 * fieldset["width"]


def test_merging_asks_first(phone, alice, lower1):
    day = datetime.date.today() - datetime.timedelta(days=2)
    past_workout(alice, lower1, day, [("Bench Press", "135", "5"), ("Benchpress", "135", "5")])
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + "/exercises/edit/?name=Benchpress")
    page.get_by_label("Merge into", exact=True).select_option(label="Bench Press (1 workout)")
    page.get_by_role("button", name="Merge").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("Merge Benchpress into Bench Press?")
    expect(question).to_contain_text("cannot be undone")
    assert Set.objects.filter(exercise_name="Benchpress").count() == 1  # not yet
    question.get_by_role("button", name="Yes, merge").click()
    expect(page.get_by_role("status")).to_contain_text("Merged “Benchpress” into “Bench Press”")
    assert not Set.objects.filter(exercise_name="Benchpress").exists()
