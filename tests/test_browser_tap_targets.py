"""Every link and button a lifter taps is at least 44 × 44 CSS pixels on a 390 × 844
phone, on every page they open, unless it is a link inside running text."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Routine, Workout, give_starter_routines
from tests.browser import log_in
from tests.helpers import past_workout
from tests.workout_screen import card, log_set, start_workout, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.cluster, pytest.mark.django_db(transaction=True)]
# The import page asks every 2 s; a worker on a busy machine takes a few seconds to start.
WORKER_SECONDS = 60_000

SMALLEST = 44
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"

# Links and buttons drawn on the page and not hidden from the lifter; a link is exempt
# only where it sits in a sentence (a paragraph with other words around it).
TOO_SMALL = """(smallest) => [...document.querySelectorAll(
    "a[href], button, input[type=submit], summary")]
  .filter((e) => e.getClientRects().length)
  .filter((e) => !e.closest("[aria-hidden=true], .visually-hidden, [hidden]"))
  .filter((e) => {
    if (getComputedStyle(e).display !== "inline") return true;
    const sentence = e.closest("p");
    return !(sentence && sentence.textContent.replace(e.textContent, "").trim().length > 2);
  })
  .map((e) => {
    const box = e.getBoundingClientRect();
    return [e.textContent.trim().slice(0, 40) || e.getAttribute("aria-label"),
            Math.round(box.width), Math.round(box.height)];
  })
  .filter(([, width, height]) => width < smallest || height < smallest)"""


def too_small(page):
    return page.evaluate(TOO_SMALL, SMALLEST)


def test_every_link_and_button_is_big_enough_to_tap(phone, alice, lower1, worker):
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    give_starter_routines(alice)
    mine = Routine.objects.get(owner=alice, slug="lower1")
    for days_ago, weight in ((9, "100"), (2, "105")):
        day = datetime.date.today() - datetime.timedelta(days=days_ago)
        past_workout(alice, mine, day, [("Back Squat", weight, "5"), ("Dips", "", "10")])
    finished = Workout.objects.filter(owner=alice, status="completed").first()
    page = phone
    log_in(page, "alice", "alice-password")
    found = {"home": too_small(page)}
    start_workout(page)
    squat = card(page, "Back Squat")
    log_set(squat, 1, "110", "5")
    wait_until_logged(page, squat, 1)
    found["workout"] = too_small(page)
    pages = {
        "summary": finished.get_absolute_url(),
        "history": reverse("history"),
        "progress": reverse("progress"),
        "chart": reverse("exercise_progress") + "?exercise=Back+Squat",
        "exercises": reverse("exercise_list"),
        "exercise": reverse("exercise_detail") + "?name=Dips",
        "routines": reverse("routine_list"),
        "routine editor": mine.get_absolute_url(),
        "settings": reverse("account_settings"),
        "import": reverse("import_workouts"),
    }
    for name, url in pages.items():
        page.goto(page.base_url + url)
        found[name] = too_small(page)
    page.get_by_label("Exported CSV file").set_input_files(FIXTURES / "strong.csv")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible(
        timeout=WORKER_SECONDS
    )
    found["import preview"] = too_small(page)
    small = {name: small for name, small in found.items() if small}
    assert not small, "\n".join(f"{name}: {items}" for name, items in small.items())
