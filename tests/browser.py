"""Real Chromium, driven by Playwright, for the tests of what happens in the browser.

Screenshots: a test that asks for the `screenshots` fixture takes pictures of the app
(and is marked `screenshots`). They go to a temporary folder, so that running the tests
leaves the repository as it was; `make screenshots` runs those tests with
SCREENSHOTS_DIR=docs/screenshots to refresh the README's pictures on purpose.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS_VARIABLE = "SCREENSHOTS_DIR"
# What a browser says when a request meets no network: expected in the offline tests.
NETWORK_ERRORS = ("net::ERR_INTERNET_DISCONNECTED", "net::ERR_FAILED", "net::ERR_CONNECTION")


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the tests still call
    # the ORM directly between browser steps, which is safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_phone(chromium, live_server, **options):
    """A phone-sized page; returns it with the list its console errors go to."""
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, **options
    )
    page = context.new_page()
    errors = []

    def on_console(message):
        if message.type == "error" and not any(e in message.text for e in NETWORK_ERRORS):
            errors.append(f"{message.text[:200]} {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = live_server.url
    return page, errors


@pytest.fixture
def phone(chromium, live_server):
    """A phone-sized page that fails the test on any console error (CSP included)."""
    page, errors = open_phone(chromium, live_server)
    yield page
    page.context.close()
    assert errors == [], errors


@pytest.fixture
def phone_without_worker(chromium, live_server):
    """The same, with service workers off, so that test routes see every request."""
    page, errors = open_phone(chromium, live_server, service_workers="block")
    yield page
    page.context.close()
    assert errors == [], errors


@pytest.fixture
def phone_without_javascript(chromium, live_server):
    """The same phone with JavaScript off: every page must still work as plain forms."""
    page, errors = open_phone(chromium, live_server, java_script_enabled=False)
    yield page
    page.context.close()
    assert errors == [], errors


def log_in(page, username, password):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base_url + "/")


def wait_for_service_worker(page, seconds=15):
    """Until the service worker serves this page. (wait_for_function would evaluate its
    predicate with eval in the page, which the app's Content Security Policy forbids.)"""
    state = page.evaluate(
        """async (milliseconds) => {
          const deadline = Date.now() + milliseconds;
          while (!navigator.serviceWorker.controller && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          const registration = await navigator.serviceWorker.getRegistration();
          return {
            controlled: Boolean(navigator.serviceWorker.controller),
            installing: Boolean(registration && registration.installing),
            waiting: Boolean(registration && registration.waiting),
            active: registration && registration.active ? registration.active.state : null,
          };
        }""",
        seconds * 1000,
    )
    assert state["controlled"], f"the service worker never took over the page: {state}"


def screenshot_folder(temporary_folder):
    """Where pictures go: SCREENSHOTS_DIR when set (make screenshots), else a folder of
    this test run's own."""
    chosen = os.getenv(SCREENSHOTS_VARIABLE, "").strip()
    return Path(chosen).resolve() if chosen else temporary_folder


class Screenshots:
    def __init__(self, folder):
        self.folder = folder

    def take(self, page, name):
        """What the phone shows now (not the whole page), as NAME.png."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.png"
        page.screenshot(path=path, full_page=False)
        return path


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    return screenshot_folder(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def screenshots(screenshot_dir):
    return Screenshots(screenshot_dir)


def pytest_collection_modifyitems(config, items):
    """Tests that take pictures are marked, so that `make screenshots` runs only them."""
    for item in items:
        if "screenshots" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.screenshots)


def assert_fits_the_phone(page):
    """Nothing on the page makes it scroll sideways at the phone's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
