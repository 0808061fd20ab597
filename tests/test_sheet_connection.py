"""A lifter connects their own Google Sheet from the app: share it with the service
account, Check it (the worker reads it; the request never calls Google), connect it,
sync now, disconnect. Against the Sheets imitation over real HTTP."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from sync_app.connection import run_sheet_check
from sync_app.forms import spreadsheet_id_from
from sync_app.models import SheetCheck, SheetsProfile, SyncState
from sync_app.push import run_sync
from sync_app.rows import HEADER, HEADERS, KEY_COLUMN
from tests.conftest import queued_task_count
from tests.sync_helpers import SQUAT_DAY, completed_workout, data_rows, sheet

ALICES_SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcde"
ALICES_ADDRESS = f"https://docs.google.com/spreadsheets/d/{ALICES_SHEET}/edit#gid=0"


@pytest.fixture
def alices_sheet(sheets):
    """Alice's own spreadsheet in the imitation, shared with the service account."""
    sheets.create_spreadsheet(ALICES_SHEET, worksheets=("Log", "Notes"))
    sheets.reset_calls()
    return sheets


def ask_check(client, captured, sheet=ALICES_ADDRESS, worksheet="Log", **headers):
    with captured(execute=True):
        return client.post(
            reverse("check_my_sheet"), {"sheet": sheet, "worksheet": worksheet}, headers=headers
        )


def worker_answers(user):
    """What the worker does with the queued task: answer the lifter's check."""
    check = SheetCheck.objects.get(user=user)
    run_sheet_check(check.pk, check.requested_at)
    check.refresh_from_db()
    return check


def checked(client, user, captured, **kwargs):
    ask_check(client, captured, **kwargs)
    return worker_answers(user)


def connect(client, sheet_id=ALICES_SHEET, worksheet="Log", **extra):
    return client.post(
        reverse("connect_my_sheet"),
        {"spreadsheet_id": sheet_id, "worksheet": worksheet, **extra},
        follow=True,
    )


# --- The page and the check's request ---------------------------------------------


def test_settings_link_to_the_sheet_page(alice_client):
    page = alice_client.get(reverse("account_settings")).content.decode()
    assert reverse("my_sheet") in page


def test_the_page_shows_the_service_account_to_share_with(alice_client, settings, tmp_path):
    key = tmp_path / "service-account.json"
    key.write_text(
        json.dumps(
            {"client_email": "workout-log@my-project.iam.gserviceaccount.com", "private_key": "K"}
        )
    )
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(key)
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert ">workout-log@my-project.iam.gserviceaccount.com</code>" in page
    assert "data-copy=" in page
    assert '"private_key"' not in page and ">K<" not in page


def test_without_a_service_account_the_page_says_so_and_checks_nothing(alice_client):
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "Google Sheets is not set up on this instance yet" in page


def test_a_check_is_queued_and_the_request_never_calls_google(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    response = ask_check(alice_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("my_sheet")
    assert alices_sheet.calls == []
    assert queued_task_count() == 1
    check = SheetCheck.objects.get(user=alice)
    assert (check.spreadsheet_id, check.worksheet, check.outcome) == (
        ALICES_SHEET,
        "Log",
        "checking",
    )
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "Checking…" in page and '<meta http-equiv="refresh" content="3">' in page


def test_with_htmx_the_answer_is_polled_as_a_fragment(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    response = ask_check(alice_client, django_capture_on_commit_callbacks, **{"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment and 'hx-trigger="load delay:1500ms"' in fragment
    worker_answers(alice)
    fragment = alice_client.get(reverse("my_sheet"), headers={"HX-Request": "true"})
    fragment = fragment.content.decode()
    assert "<html" not in fragment and "hx-trigger" not in fragment
    assert "✓ Ready" in fragment and "Use this sheet" in fragment


def test_a_bad_address_is_refused_on_the_page(alice_client, alices_sheet):
    response = alice_client.post(
        reverse("check_my_sheet"), {"sheet": "my workout sheet", "worksheet": "Log"}
    )
    assert response.status_code == 200
    assert "That is not a Google Sheets address" in response.content.decode()
    assert not SheetCheck.objects.exists()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (ALICES_ADDRESS, ALICES_SHEET),
        (f"docs.google.com/spreadsheets/u/1/d/{ALICES_SHEET}/edit?usp=sharing", ALICES_SHEET),
        (f"  {ALICES_SHEET} ", ALICES_SHEET),
        ("https://docs.google.com/document/d/abc/edit", None),
        ("=IMPORTXML(1)", None),
    ],
)
def test_the_sheet_id_is_read_from_an_address_or_typed_alone(typed, expected):
    assert spreadsheet_id_from(typed) == expected


# --- Each answer, in plain words ---------------------------------------------------


def test_an_empty_tab_shared_with_the_app_is_ready(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    check = checked(alice_client, alice, django_capture_on_commit_callbacks)
    assert check.outcome == "ready"
    assert check.message == (
        f"“Log” in “{ALICES_SHEET}” is empty: the sync writes its header, then your workouts."
    )
    assert [call.kind for call in alices_sheet.calls] == ["metadata", "values.batchGet"]
    assert sheet(alices_sheet, spreadsheet_id=ALICES_SHEET) == []  # nothing written


def test_a_sheet_not_shared_with_the_app_says_so(
    alice, alice_client, alices_sheet, settings, tmp_path, django_capture_on_commit_callbacks
):
    alices_sheet.share(ALICES_SHEET, "none")
    check = checked(alice_client, alice, django_capture_on_commit_callbacks)
    assert check.outcome == "problem"
    assert check.message == (
        "The app may not open this spreadsheet: it is not shared with the app's service "
        "account. In Google Sheets, press Share, add that address as an Editor, then "
        "Check again."
    )
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "Not yet" in page and "Use this sheet" not in page


def test_a_sheet_that_does_not_exist_says_so(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    check = checked(
        alice_client, alice, django_capture_on_commit_callbacks, sheet="1NoSuchSheetAnywhere"
    )
    assert check.outcome == "problem"
    assert check.message.startswith("There is no spreadsheet with this address.")


def test_a_missing_tab_names_the_tabs_there_are(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    check = checked(alice_client, alice, django_capture_on_commit_callbacks, worksheet="Lifts")
    assert check.outcome == "problem"
    assert check.message == (
        f"“{ALICES_SHEET}” has no tab named “Lifts”; its tabs are: “Log”, “Notes”. Type one "
        "of those, or add a tab named “Lifts” in the sheet, then Check again."
    )
    assert "addSheet" not in json.dumps([call.body for call in alices_sheet.calls])


def test_a_tab_of_something_else_is_refused(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    alices_sheet.set_rows(ALICES_SHEET, "Notes", [["Shopping"], ["eggs"]])
    check = checked(alice_client, alice, django_capture_on_commit_callbacks, worksheet="Notes")
    assert check.outcome == "problem"
    assert "is not Workout Log's header" in check.message


def test_another_lifters_rows_in_the_tab_are_refused(
    alice, bob, lower1, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    rows = [HEADER] + [
        [""] * (KEY_COLUMN - 1) + [str(workout_set.key)] for workout_set in bobs.sets.all()
    ]
    alices_sheet.set_rows(ALICES_SHEET, "Log", rows)
    check = checked(alice_client, alice, django_capture_on_commit_callbacks)
    assert check.outcome == "problem"
    assert check.message == (
        "“Log” already holds 3 rows of another lifter's workouts: the sync would mix yours "
        "with theirs. Choose a tab of your own."
    )
    assert connect(alice_client).redirect_chain[-1][0] == reverse("my_sheet")
    assert not SheetsProfile.objects.filter(user=alice).exists()


def test_rows_without_keys_need_the_lifter_to_say_they_are_theirs(
    alice, lower1, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    own = completed_workout(alice, lower1, SQUAT_DAY)
    typed = ["2024-01-05", "", "", "Bench Press", "1", "100", "5"]
    rows = [HEADERS[1], typed, typed] + [
        [""] * (KEY_COLUMN - 1) + [str(workout_set.key)] for workout_set in own.sets.all()
    ]
    alices_sheet.set_rows(ALICES_SHEET, "Log", rows)
    check = checked(alice_client, alice, django_capture_on_commit_callbacks)
    assert check.outcome == "confirm"
    assert check.message == (
        "“Log” has Workout Log's header; 3 rows of your sets already there (kept as they "
        "are). The sync adds your other workouts below. It also has 2 rows without a key "
        "(typed by hand, or copied from elsewhere): at its next pull the app reads them as "
        "your workouts. Connect only if they are yours."
    )
    response = connect(alice_client)
    assert "Tick that the rows without a key are yours" in response.content.decode()
    assert not SheetsProfile.objects.filter(user=alice).exists()
    response = connect(alice_client, rows_are_mine="on")
    assert "Connected: your workouts go to the tab “Log”" in response.content.decode()


def test_google_not_answering_says_try_again(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    alices_sheet.fail_next(503, times=10)
    check = checked(alice_client, alice, django_capture_on_commit_callbacks)
    assert check.outcome == "unreachable"
    assert check.message.startswith("Google did not answer in time (")
    assert check.message.endswith("Nothing was changed: press Check again in a minute.")


def test_an_answer_to_an_older_check_is_dropped(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    ask_check(alice_client, django_capture_on_commit_callbacks, worksheet="Lifts")
    first = SheetCheck.objects.get(user=alice)
    ask_check(alice_client, django_capture_on_commit_callbacks, worksheet="Log")
    assert run_sheet_check(first.pk, first.requested_at) == "superseded"
    assert SheetCheck.objects.get(user=alice).outcome == "checking"
    assert worker_answers(alice).outcome == "ready"


# --- Connecting, syncing, disconnecting --------------------------------------------


def test_connecting_sends_the_lifters_history_to_their_sheet_and_nobody_elses(
    alice, bob, lower1, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    past = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()  # to the instance's sheet, before she had her own
    completed_workout(bob, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 22))
    checked(alice_client, alice, django_capture_on_commit_callbacks)
    response = connect(alice_client)
    assert "Connected: your workouts go to the tab “Log” from now on" in (response.content.decode())
    profile = SheetsProfile.objects.get(user=alice)
    assert (profile.spreadsheet_id, profile.worksheet) == (ALICES_SHEET, "Log")
    run_sync()
    rows = data_rows(alices_sheet, spreadsheet_id=ALICES_SHEET)
    assert {row[1] for row in rows} == {past.pk}  # hers alone, her past workout included
    assert len(data_rows(alices_sheet)) == 6  # the instance's sheet keeps its rows


def test_connecting_needs_a_passing_check_of_that_very_sheet(
    alice, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    response = connect(alice_client)
    assert "Check this sheet first." in response.content.decode()
    checked(alice_client, alice, django_capture_on_commit_callbacks)
    response = connect(alice_client, worksheet="Notes")
    assert "Check this sheet first." in response.content.decode()
    SheetCheck.objects.update(finished_at=timezone.now() - datetime.timedelta(hours=2))
    response = connect(alice_client)
    assert "That check is more than an hour old" in response.content.decode()
    assert not SheetsProfile.objects.filter(user=alice).exists()


def test_the_page_shows_where_the_lifters_workouts_stand(
    alice, lower1, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    checked(alice_client, alice, django_capture_on_commit_callbacks)
    connect(alice_client)
    completed_workout(alice, lower1, SQUAT_DAY)
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "Your workouts go to the tab <strong>“Log”</strong>" in page
    assert "1 finished workout waiting for the sheet" in page
    assert "This is the sheet you are connected to." in page
    run_sync()
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "All your finished workouts are in the sheet." in page


def test_sync_now_queues_a_sync(alice, alice_client, alices_sheet):
    SyncState.load()
    response = alice_client.post(reverse("sync_my_sheet_now"), follow=True)
    assert "Sync queued" in response.content.decode()
    assert queued_task_count() == 1
    assert alices_sheet.calls == []


def test_disconnect_stops_syncing_and_deletes_nothing(
    alice, lower1, alice_client, alices_sheet, django_capture_on_commit_callbacks
):
    checked(alice_client, alice, django_capture_on_commit_callbacks)
    connect(alice_client)
    first = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    response = alice_client.post(reverse("disconnect_my_sheet"), follow=True)
    assert "Disconnected: nothing more goes to a sheet. Nothing was deleted" in (
        response.content.decode()
    )
    later = completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 23))
    run_sync()
    later.refresh_from_db()
    assert not later.synced_to_sheets
    assert {row[1] for row in data_rows(alices_sheet, spreadsheet_id=ALICES_SHEET)} == {first.pk}
    assert sheet(alices_sheet) == []  # nor to the instance's sheet
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert "Disconnected: your workouts stay in the app and go to no sheet." in page


def test_a_lifter_on_the_instance_sheet_can_disconnect_too(alice, lower1, alice_client, sheets):
    alice_client.post(reverse("disconnect_my_sheet"))
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    assert sheet(sheets) == []


def test_another_lifters_check_and_sheet_are_never_shown(
    alice, bob_client, bob, alices_sheet, alice_client, django_capture_on_commit_callbacks
):
    checked(alice_client, alice, django_capture_on_commit_callbacks)
    connect(alice_client)
    page = bob_client.get(reverse("my_sheet")).content.decode()
    assert ALICES_SHEET not in page
    response = bob_client.post(
        reverse("connect_my_sheet"), {"spreadsheet_id": ALICES_SHEET, "worksheet": "Log"}
    )
    assert not SheetsProfile.objects.filter(user=bob).exists()
    assert response.status_code == 302


def test_the_sheet_pages_need_a_login(client, db):
    for name in ("my_sheet",):
        assert client.get(reverse(name))["Location"].startswith(reverse("login"))
    for name in ("check_my_sheet", "connect_my_sheet", "disconnect_my_sheet", "sync_my_sheet_now"):
        assert client.post(reverse(name))["Location"].startswith(reverse("login"))
