"""Several service accounts, each with Google's quota of its own: each lifter's sheet is
tied to one, every call to it is made as that account (real google-auth signing in at
the imitation's token endpoint, real gspread) and counted in that account's budget."""

import json
import re

import pytest
from django.urls import reverse

from sessions_app.models import Workout
from sync_app.accounts import account_of_lifter, configured_accounts, key_files
from sync_app.budget import snapshot
from sync_app.check import find_drift
from sync_app.connection import request_check, run_sheet_check
from sync_app.models import FailingPush, SheetCheck, SheetsProfile, SheetState
from sync_app.pull import run_pull
from sync_app.push import run_sync
from sync_app.upgrade import upgrade_headers
from tests.sync_helpers import SQUAT_DAY, completed_workout, keys_in_sheet

FIRST = "sync-1@local-test.iam.gserviceaccount.com"
SECOND = "sync-2@local-test.iam.gserviceaccount.com"
ALICE_SHEET, BOB_SHEET = "alice-sheet", "bob-sheet"


def write_key(path, email, token_uri):
    """A service-account key as Google gives it, with a fresh RSA key: google-auth signs
    its JWT with it and posts it to token_uri (the imitation's, never Google's)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "local-test",
                "private_key_id": "0" * 40,
                "private_key": pem,
                "client_email": email,
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return pem


@pytest.fixture
def two_accounts(sheets, settings, tmp_path):
    """Two key files in GOOGLE_SERVICE_ACCOUNT_FILES; returns {email: the key's PEM}."""
    keys = {}
    paths = []
    for number, email in enumerate([FIRST, SECOND], start=1):
        path = tmp_path / f"sync-{number}.json"
        keys[email] = write_key(path, email, f"{sheets.url}/oauth2/token")
        paths.append(str(path))
    settings.GOOGLE_SERVICE_ACCOUNT_FILES = ",".join(paths)
    return keys


def connected(sheets, lifter, spreadsheet_id, share=True):
    """The lifter opened their sheet page (an account is chosen), shared their sheet
    with that account, and connected it."""
    email = account_of_lifter(lifter)
    sheets.create_spreadsheet(spreadsheet_id, worksheets=("Log",), access="none")
    if share:
        sheets.share(spreadsheet_id, "editor", account=email)
    SheetsProfile.objects.filter(user=lifter).update(spreadsheet_id=spreadsheet_id, worksheet="Log")
    return email


def callers(sheets, spreadsheet_id):
    return {call.caller for call in sheets.calls if f"/spreadsheets/{spreadsheet_id}" in call.path}


def calls_by(sheets, caller, kinds):
    return sum(1 for call in sheets.calls if call.caller == caller and call.kind in kinds)


READS = {"metadata", "values.batchGet", "values.get"}
WRITES = {"batchUpdate", "values.append", "values.batchUpdate", "values.update"}


def test_each_lifters_sheet_is_written_as_its_own_account_on_its_budget(
    two_accounts, sheets, alice, bob, lower1
):
    assert connected(sheets, alice, ALICE_SHEET) == FIRST
    assert connected(sheets, bob, BOB_SHEET) == SECOND  # the one carrying fewer lifters
    alices = completed_workout(alice, lower1, SQUAT_DAY)
    bobs = completed_workout(bob, lower1, SQUAT_DAY)

    result = run_sync()

    assert result.outcome == "success", result.summary()
    assert keys_in_sheet(sheets, spreadsheet_id=ALICE_SHEET) == [
        str(s.key) for s in alices.sets.order_by("created_at", "pk")
    ]
    assert len(keys_in_sheet(sheets, spreadsheet_id=BOB_SHEET)) == bobs.sets.count()
    assert callers(sheets, ALICE_SHEET) == {FIRST}
    assert callers(sheets, BOB_SHEET) == {SECOND}
    for email in (FIRST, SECOND):
        reads, writes = snapshot(email)
        assert reads.taken_in_window == calls_by(sheets, email, READS) == 2
        assert writes.taken_in_window == calls_by(sheets, email, WRITES) == 1  # the append


def test_a_429_on_one_account_pauses_that_account_and_not_the_other(
    two_accounts, sheets, settings, alice, bob, lower1
):
    settings.SYNC_RUN_BUDGET_SECONDS = 5  # the paused account's retry gives up at once
    connected(sheets, alice, ALICE_SHEET)
    connected(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    Workout.objects.filter(owner=alice).update(completed_at="2025-09-20T10:00:00Z")
    completed_workout(bob, lower1, SQUAT_DAY)  # after Alice's: her sheet goes first
    sheets.fail_next(429, retry_after=60, kinds=["metadata"], spreadsheet_ids=[ALICE_SHEET])

    result = run_sync(sleep=lambda seconds: None)

    assert result.outcome == "partial", result.summary()
    assert "no room before this run's deadline" in " ".join(result.errors)
    first_reads, _ = snapshot(FIRST)
    second_reads, _ = snapshot(SECOND)
    assert first_reads.paused_until is not None and "answered 429" in first_reads.last_refusal
    assert second_reads.paused_until is None and second_reads.last_refusal == ""
    assert len(keys_in_sheet(sheets, spreadsheet_id=BOB_SHEET)) == len(SQUAT_DAY)
    assert Workout.objects.get(owner=bob).synced_to_sheets
    assert not Workout.objects.get(owner=alice).synced_to_sheets


def test_the_sheet_page_shows_each_lifter_their_own_accounts_address(
    two_accounts, alice_client, bob_client
):
    alices_page = alice_client.get(reverse("my_sheet")).content.decode()
    bobs_page = bob_client.get(reverse("my_sheet")).content.decode()

    assert re.search(rf'<code id="service-account"[^>]*>{re.escape(FIRST)}</code>', alices_page)
    assert f">{SECOND}</code>" in bobs_page and FIRST not in bobs_page
    assert SECOND not in alices_page
    # Seen again, the address does not change.
    assert f">{FIRST}</code>" in alice_client.get(reverse("my_sheet")).content.decode()
    for key in two_accounts.values():
        secret = key.splitlines()[1]
        assert secret not in alices_page and secret not in bobs_page
    assert "private_key" not in alices_page


def test_a_lifters_check_is_made_as_their_account_and_names_it_when_not_shared(
    two_accounts, sheets, alice, bob, django_capture_on_commit_callbacks
):
    account_of_lifter(alice)
    assert account_of_lifter(bob) == SECOND
    sheets.create_spreadsheet(BOB_SHEET, worksheets=("Log",), access="none")
    sheets.share(BOB_SHEET, "editor", account=FIRST)  # shared with the other account

    with django_capture_on_commit_callbacks():
        check = request_check(bob, BOB_SHEET, "Log")
    assert run_sheet_check(check.pk, check.requested_at) == "problem"
    assert f"it is not shared with {SECOND}" in SheetCheck.objects.get(user=bob).message

    sheets.share(BOB_SHEET, "editor", account=SECOND)
    check = request_check(bob, BOB_SHEET, "Log")
    assert run_sheet_check(check.pk, check.requested_at) == "ready"
    assert callers(sheets, BOB_SHEET) == {SECOND}


def test_the_pull_asks_drive_and_reads_as_the_sheets_own_account(
    two_accounts, sheets, alice, bob, lower1
):
    connected(sheets, alice, ALICE_SHEET)
    connected(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    run_sync()
    sheets.reset_calls()

    result = run_pull(force=True)

    assert result.outcome == "success", result.summary()
    assert sorted(sheets.drive_callers) == [(ALICE_SHEET, FIRST), (BOB_SHEET, SECOND)]
    assert callers(sheets, ALICE_SHEET) == {FIRST} and callers(sheets, BOB_SHEET) == {SECOND}


def test_the_operators_check_and_header_upgrade_read_each_sheet_as_its_account(
    two_accounts, sheets, alice, bob, lower1
):
    connected(sheets, alice, ALICE_SHEET)
    connected(sheets, bob, BOB_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    run_sync()
    sheets.reset_calls()

    assert find_drift() == []
    assert upgrade_headers().summary().startswith("0 tab(s) upgraded, 2 already up to date")

    assert callers(sheets, ALICE_SHEET) == {FIRST} and callers(sheets, BOB_SHEET) == {SECOND}


def test_a_lifter_connected_before_several_accounts_keeps_the_first(
    two_accounts, sheets, settings, tmp_path, alice, lower1
):
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(tmp_path / "sync-1.json")
    settings.GOOGLE_SERVICE_ACCOUNT_FILES = str(tmp_path / "sync-2.json")
    sheets.create_spreadsheet(ALICE_SHEET, worksheets=("Log",), access="none")
    sheets.share(ALICE_SHEET, "editor", account=FIRST)
    SheetsProfile.objects.create(user=alice, spreadsheet_id=ALICE_SHEET, worksheet="Log")
    completed_workout(alice, lower1, SQUAT_DAY)

    assert run_sync().outcome == "success"

    assert callers(sheets, ALICE_SHEET) == {FIRST}
    assert SheetsProfile.objects.get(user=alice).service_account == FIRST  # tied from now on


def test_an_account_whose_key_file_is_gone_fails_its_lifters_sync_clearly_and_sends_nothing(
    two_accounts, sheets, settings, tmp_path, admin_client, alice, bob, lower1, caplog
):
    connected(sheets, alice, ALICE_SHEET)
    connected(sheets, bob, BOB_SHEET)
    alices = completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    settings.GOOGLE_SERVICE_ACCOUNT_FILES = str(tmp_path / "sync-1.json")  # Bob's went

    result = run_sync()

    assert result.outcome == "partial", result.summary()
    assert callers(sheets, BOB_SHEET) == set()  # nothing sent to his sheet
    assert len(keys_in_sheet(sheets, spreadsheet_id=ALICE_SHEET)) == alices.sets.count()
    message = (
        f"Nothing was sent: The service account {SECOND} is no longer configured (its key "
        "file is not in GOOGLE_SERVICE_ACCOUNT_FILE or GOOGLE_SERVICE_ACCOUNT_FILES)"
    )
    assert message in result.errors[0]
    assert message in SheetState.objects.get(target=f"{BOB_SHEET} / Log").last_error
    assert message in FailingPush.objects.get(workout__owner=bob).error
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert f"{SECOND} has no key file any more: the sheets of bob are not synced" in page
    for key in two_accounts.values():
        assert key.splitlines()[1] not in caplog.text


def test_the_operator_moves_a_lifter_to_another_account_and_they_are_asked_to_share_again(
    two_accounts, sheets, admin_client, alice, alice_client, lower1
):
    connected(sheets, alice, ALICE_SHEET)
    profile = SheetsProfile.objects.get(user=alice)

    response = admin_client.post(
        reverse("admin:sync_app_sheetsprofile_changelist"),
        {"action": f"move_to_{SECOND}", "_selected_action": [profile.pk]},
        follow=True,
    )

    assert f"1 lifter(s) moved to {SECOND}" in response.content.decode()
    profile.refresh_from_db()
    assert (profile.service_account, profile.moved_from_account) == (SECOND, FIRST)
    page = alice_client.get(reverse("my_sheet")).content.decode()
    assert f"The app now writes to your sheet as <strong>{SECOND}</strong>" in page
    assert f">{SECOND}</code>" in page

    completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().outcome == "failed"  # not shared with the new account yet: 403
    assert callers(sheets, ALICE_SHEET) == {SECOND}
    sheets.share(ALICE_SHEET, "editor", account=SECOND)
    assert run_sync().outcome == "success"
    assert SheetsProfile.objects.get(user=alice).moved_from_account == ""
    assert "The app now writes to your sheet as" not in (
        alice_client.get(reverse("my_sheet")).content.decode()
    )


def test_the_admin_panel_shows_each_accounts_budget_and_lifters(
    two_accounts, sheets, admin_client, alice, bob, lower1
):
    connected(sheets, alice, ALICE_SHEET)
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()

    page = admin_client.get(reverse("admin:index")).content.decode()

    assert re.search(
        rf"<code>{re.escape(FIRST)}</code> \(1 lifter\): reads 2 of \d+ a \d+ s window", page
    )
    assert re.search(rf"<code>{re.escape(SECOND)}</code> \(0 lifters\): reads 0 of", page)
    for key in two_accounts.values():
        assert key.splitlines()[1] not in page


def test_key_files_come_from_both_settings_and_a_directory_first_given_first(settings, tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    for name, email in [("b.json", "b@x"), ("a.json", "a@x"), ("notes.txt", "c@x")]:
        (folder / name).write_text(json.dumps({"client_email": email, "private_key": "K"}))
    (tmp_path / "main.json").write_text(json.dumps({"client_email": "main@x"}))
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(tmp_path / "main.json")
    settings.GOOGLE_SERVICE_ACCOUNT_FILES = f" {folder} , {tmp_path / 'main.json'},{tmp_path}/gone"

    assert key_files() == [
        str(tmp_path / "main.json"),
        str(folder / "a.json"),
        str(folder / "b.json"),
        f"{tmp_path}/gone",
    ]
    accounts = configured_accounts()
    assert [account.email for account in accounts] == ["main@x", "a@x", "b@x", ""]
    assert accounts[-1].problem == f"cannot read {tmp_path}/gone (FileNotFoundError)"
