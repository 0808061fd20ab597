"""The dark theme, in real Chromium at phone size: it follows the phone's setting unless
the lifter chose in Settings, and every text on the workout screen, history and the
progress chart keeps a contrast of 4.5:1 or more (the chart's marks 3:1)."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Workout
from tests.browser import assert_fits_the_phone, log_in, open_phone
from tests.helpers import past_workout
from tests.workout_screen import card, log_set, wait_until_logged

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every visible text (its own text nodes, and what inputs show) against the background
# it is painted on (its ancestors' background colours, composited), as WCAG counts it;
# the chart's lines and dots as graphics (3:1). Disabled and half-transparent controls
# are left out, as WCAG leaves them out.
CONTRAST_FAILURES = """
() => {
  const parse = (text) => {
    const found = text.match(/rgba?\\(([^)]+)\\)/);
    if (!found) return null;
    const [r, g, b, a = 1] = found[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const linear = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const ratio = (one, two) => {
    const [light, dark] = [luminance(one), luminance(two)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const backgroundOf = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    let painted = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) painted = over(layer, painted);
    return painted;
  };
  const shown = (element) => {
    if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    if (element.closest(":disabled, [aria-hidden=true]")) return false;
    for (let node = element; node; node = node.parentElement) {
      if (Number(getComputedStyle(node).opacity) < 1) return false;
    }
    return true;
  };
  const failures = [];
  const judge = (element, colour, minimum, what) => {
    const background = backgroundOf(element);
    const value = ratio(over(colour, background), background);
    if (value < minimum) {
      failures.push(`${what} ${value.toFixed(2)}:1 (${getComputedStyle(element).color} on ` +
        `rgb(${background.r}, ${background.g}, ${background.b})): ` +
        (element.textContent || element.value || element.className.baseVal || "")
          .trim().slice(0, 40));
    }
  };
  let texts = 0;
  for (const element of document.querySelectorAll("body *")) {
    if (!shown(element)) continue;
    const ownText = [...element.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const field = element.matches(
      "input:not([type=hidden], [type=radio], [type=checkbox]), select, textarea");
    if (!ownText && !(field && element.value)) continue;
    texts += 1;
    const style = getComputedStyle(element);
    const colour = parse(element instanceof SVGElement ? style.fill : style.color);
    judge(element, colour, 4.5, `text <${element.tagName.toLowerCase()}>`);
  }
  const marks = ".chart .line-1rm, .chart .dot-1rm, .chart .dot-top";
  for (const mark of document.querySelectorAll(marks)) {
    const style = getComputedStyle(mark);
    // A record is a ring: its stroke is the mark.
    const paint = mark.matches(".line-1rm, .record") ? style.stroke : style.fill;
    judge(mark, parse(paint), 3, `chart mark <${mark.tagName.toLowerCase()}>`);
  }
  return { texts, failures };
}
"""


def dark_background(page):
    return page.evaluate("getComputedStyle(document.documentElement).colorScheme")


def assert_readable(page):
    found = page.evaluate(CONTRAST_FAILURES)
    assert found["texts"] > 10, found
    assert found["failures"] == [], "\n".join(found["failures"])


@pytest.fixture
def dark_phone(chromium, live_server):
    """A phone whose own setting is dark."""
    page, errors = open_phone(chromium, live_server, color_scheme="dark")
    yield page
    page.context.close()
    assert errors == [], errors


@pytest.fixture
def alices_history(alice, lower1):
    """Four weeks of Lower 1, in kilograms, getting stronger; today's workout begun."""
    LifterProfile.objects.create(user=alice, weight_unit="kg")
    for week, (squat, deadlift) in enumerate([(100, 90), (105, 95), (107.5, 100), (110, 100)]):
        past_workout(
            alice,
            lower1,
            datetime.date(2025, 9, 1) + datetime.timedelta(days=7 * week),
            [
                ("Back Squat", "60", "5", "warm-up"),
                ("Back Squat", f"{squat:g}", "5"),
                ("Back Squat", f"{squat:g}", "5"),
                ("Romanian Deadlift", f"{deadlift:g}", "8"),
            ],
        )
    return Workout.start(alice, lower1)


def test_the_dark_theme_follows_the_phone_and_every_text_is_readable(
    dark_phone, alice, alices_history, screenshots
):
    page = dark_phone
    log_in(page, "alice", "alice-password")
    assert dark_background(page) == "dark"

    page.goto(page.base_url + alices_history.get_absolute_url())
    squat = card(page, "Back Squat")
    log_set(squat, 1, "112.5", "5")
    wait_until_logged(page, squat, 1)
    expect(page.locator("#rest-timer")).to_be_visible()
    assert_readable(page)
    assert_fits_the_phone(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshots.take(page, "dark-workout")

    page.goto(page.base_url + "/history/")
    assert_readable(page)

    page.goto(page.base_url + "/progress/exercise/?exercise=Back+Squat")
    expect(page.locator("svg.chart")).to_be_visible()
    assert_readable(page)
    screenshots.take(page, "dark-progress-chart")

    finished = Workout.objects.filter(owner=alice, status="completed").latest("created_at")
    page.goto(page.base_url + finished.get_absolute_url())
    assert_readable(page)
    screenshots.take(page, "dark-summary")


def test_in_light_colours_every_text_is_readable_too(phone, alice, alices_history):
    page = phone
    log_in(page, "alice", "alice-password")
    assert_readable(page)

    page.goto(page.base_url + alices_history.get_absolute_url())
    squat = card(page, "Back Squat")
    log_set(squat, 1, "112.5", "5")
    wait_until_logged(page, squat, 1)
    expect(page.locator("#rest-timer")).to_be_visible()
    assert_readable(page)

    for url in ("/history/", "/progress/exercise/?exercise=Back+Squat", "/routines/"):
        page.goto(page.base_url + url)
        assert_readable(page)
    finished = Workout.objects.filter(owner=alice, status="completed").latest("created_at")
    page.goto(page.base_url + finished.get_absolute_url())
    assert_readable(page)


def test_the_lifter_chooses_light_or_dark_in_settings(dark_phone, alice):
    page = dark_phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + "/accounts/settings/")
    expect(page.get_by_label("Like the phone")).to_be_checked()
    page.get_by_label("Light", exact=True).check()
    page.locator("#theme-title ~ form").get_by_role("button", name="Save").click()
    page.wait_for_url("**/accounts/settings/")
    expect(page.get_by_role("status")).to_contain_text("Colours: light, on this phone")
    assert dark_background(page) != "dark"
    expect(page.get_by_label("Light", exact=True)).to_be_checked()
    assert_fits_the_phone(page)

    page.get_by_label("Dark", exact=True).check()
    page.locator("#theme-title ~ form").get_by_role("button", name="Save").click()
    page.wait_for_url("**/accounts/settings/")
    assert dark_background(page) == "dark"
    page.emulate_media(color_scheme="light")  # the phone turns light: the choice stays dark
    assert dark_background(page) == "dark"
    assert_readable(page)
