"""Helpers for browser tests of the workout screen: cards, rows and one-tap logging."""

from playwright.sync_api import expect


def start_workout(page, template="Lower 1"):
    """Tap the routine's Start on the home page (today)."""
    page.get_by_role("button", name=f"Start {template}").click()
    page.wait_for_url("**/workouts/*/")


def card(page, name):
    return page.locator(f'details.exercise[data-exercise="{name}"]')


def planned_row(card, number):
    return card.locator(f"form.log-set:has(input[name=set_number][value='{number}'])")


def fill_row(card, number, weight, reps):
    row = planned_row(card, number)
    row.locator("[name=weight]").fill(weight)
    row.locator("[name=reps]").fill(reps)


def log_set(card, number, weight, reps):
    """Type a row's numbers, then tap its ✓."""
    fill_row(card, number, weight, reps)
    tick(card, number)


def tick(card, number):
    planned_row(card, number).locator("button.tick").click()


def complete_anyway(page):
    """Tap Complete, then "Complete anyway" when planned sets are not logged."""
    page.locator("#bar").get_by_role("button", name="Complete").click()
    page.get_by_role("button", name="Complete anyway").click()


def go_offline(page, seconds=5):
    """The phone loses its network, and the page knows before the next tap (on a loaded
    machine Chromium may take a moment to tell it)."""
    page.context.set_offline(True)
    offline = page.evaluate(
        """async (milliseconds) => {
          const deadline = Date.now() + milliseconds;
          while (navigator.onLine && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          return !navigator.onLine;
        }""",
        seconds * 1000,
    )
    assert offline, "the page still thinks it is online"


def back_online(page):
    """The phone finds its network again, and the page hears of it at once."""
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def logged(card):
    return card.locator(".set-row.done")


# Long enough for the outbox's retry (5 s): a send tried in the instant the phone comes
# back online can still fail, as on a real phone, and is sent again.
WAIT_MILLISECONDS = 15_000


def wait_until_logged(page, card, count):
    """The card shows count sets stored by the server, and nothing waits to be sent."""
    expect(logged(card)).to_have_count(count, timeout=WAIT_MILLISECONDS)
    expect(page.locator("#outbox-badge")).to_be_hidden(timeout=WAIT_MILLISECONDS)


def row_texts(card, selector=".set-row"):
    return [" ".join(text.split()) for text in card.locator(selector).all_text_contents()]
