"""Moving from Strong, in real Chromium at phone size: upload, the worker reads it (a real
django-q2 cluster), preview, import, and the history and charts that follow."""

import pytest
from playwright.sync_api import expect

from sessions_app.models import Set, Workout
from tests.browser import log_in
from tests.import_helpers import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.cluster, pytest.mark.django_db(transaction=True)]
# The page asks every 2 s; a worker on a busy machine takes a few seconds to start.
WORKER_SECONDS = 60_000


def test_a_strong_export_imported_on_the_phone_shows_in_history_and_progress(
    phone, alice, worker, screenshots
):
    page = phone
    log_in(page, "alice", "alice-password")
    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/history/import/")

    page.get_by_label("Exported CSV file").set_input_files(FIXTURES / "strong.csv")
    page.get_by_label("kg").check()
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/history/import/*/")
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible(
        timeout=WORKER_SECONDS
    )
    expect(page.locator(".import-facts")).to_contain_text("Strong")
    expect(page.locator(".import-facts")).to_contain_text("4 Mar 2025 – 6 Mar 2025")
    expect(page.locator(".skipped-lines")).to_contain_text("a Rest Timer row, not a set")
    assert not Set.objects.exists()
    screenshots.take(page, "import-preview")

    page.get_by_role("button", name="Import 10 sets").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=WORKER_SECONDS)
    assert Set.objects.count() == 10
    assert Workout.objects.filter(owner=alice, status="completed").count() == 2

    page.get_by_role("link", name="See your history").click()
    page.wait_for_url("**/history/")
    workouts = page.locator(".history-item")
    expect(workouts).to_have_count(2)
    expect(workouts.first).to_contain_text("Leg Day")
    expect(workouts.nth(1)).to_contain_text("Push Day")

    page.get_by_role("link", name="Progress").click()
    page.get_by_role("link", name="Squat (Barbell)").click()
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Squat (Barbell)")).to_be_visible()
