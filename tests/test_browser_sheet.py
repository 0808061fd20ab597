"""On the phone, in real Chromium, with a real worker: connecting the lifter's own sheet."""

import pytest
from playwright.sync_api import expect

from sync_app.models import SheetsProfile
from sync_app.push import run_sync
from tests.browser import assert_fits_the_phone, log_in
from tests.conftest import SPREADSHEET_ID
from tests.processes import start_qcluster, stop
from tests.sync_helpers import SQUAT_DAY, completed_workout, long_workout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True),
]

ALICES_SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcde"


@pytest.fixture
def worker(sheets):
    process = start_qcluster(GOOGLE_SHEETS_API_URL=sheets.url, SHEETS_TIMEOUT_SECONDS="5")
    yield process
    stop(process)


def test_connecting_a_sheet_on_the_phone(
    phone, alice, sheets, worker, settings, tmp_path, screenshots
):
    # The web side shows the key's address; the worker talks to the imitation without one.
    key = tmp_path / "service-account.json"
    key.write_text('{"client_email": "workout-log@your-project.iam.gserviceaccount.com"}')
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(key)
    sheets.create_spreadsheet(ALICES_SHEET, worksheets=("Log",), access="none")
    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + "/accounts/settings/")
    page.get_by_role("link", name="Your Google Sheet").click()
    page.wait_for_url("**/sync/sheet/")
    expect(page.get_by_role("heading", name="Your Google Sheet", level=1)).to_be_visible()
    expect(page.locator("#service-account")).to_have_text(
        "workout-log@your-project.iam.gserviceaccount.com"
    )

    page.get_by_label("Your sheet's address").fill(
        f"https://docs.google.com/spreadsheets/d/{ALICES_SHEET}/edit#gid=0"
    )
    page.get_by_label("Tab").fill("Log")
    page.get_by_role("button", name="Check").click()
    # The worker answers; htmx polls until the answer is there.
    message = page.locator(".check-message")
    expect(message).to_contain_text("it is not shared with", timeout=30_000)
    expect(page.get_by_role("button", name="Use this sheet")).to_have_count(0)
    assert_fits_the_phone(page)

    sheets.share(ALICES_SHEET, "editor")  # the lifter pressed Share in Google Sheets
    page.get_by_role("button", name="Check").click()
    expect(message).to_contain_text("is empty: the sync writes its header", timeout=30_000)
    assert_fits_the_phone(page)
    screenshots.take(page, "sheet-connection")

    page.get_by_role("button", name="Use this sheet").click()
    page.wait_for_url("**/sync/sheet/")
    expect(page.get_by_role("status").first).to_contain_text(
        "Connected: your workouts go to the tab “Log”"
    )
    expect(page.locator("#sheet-state")).to_contain_text("Your workouts go to the tab “Log”")
    profile = SheetsProfile.objects.get(user=alice)
    assert (profile.spreadsheet_id, profile.worksheet) == (ALICES_SHEET, "Log")
    assert_fits_the_phone(page)


def test_a_workout_google_refused_is_explained_on_the_phone(
    phone, alice, lower1, sheets, settings, screenshots
):
    sheets.limit_cells(SPREADSHEET_ID, sheets.cell_count(SPREADSHEET_ID) + 100 * 26)
    refused = long_workout(alice, lower1, 300)  # more rows than the sheet has room for
    completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().outcome == "partial"

    page = phone
    log_in(page, "alice", "alice-password")
    page.goto(page.base_url + "/sync/sheet/")
    alert = page.locator("#sheet-state .errors")
    expect(alert).to_contain_text("Google refused to take your workout of")
    expect(alert.get_by_role("link")).to_have_attribute("href", f"/workouts/{refused.pk}/")
    expect(alert).to_contain_text("300 sets")
    expect(alert).to_contain_text("above the limit of")
    expect(alert).to_contain_text("your other workouts still go to the sheet")
    expect(page.locator("#sheet-state")).to_contain_text(
        "All your other finished workouts are in the sheet"
    )
    assert_fits_the_phone(page)
    screenshots.take(page, "sheet-workout-set-aside")
