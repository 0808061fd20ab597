"""The sync where things get awkward: lifters leaving, shared sheets, time zones, keys."""

import datetime
import io
import json
import sqlite3

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker

from sessions_app.export import COLUMNS_V1
from sessions_app.models import Set, Workout
from sync_app.models import SheetsProfile, SyncRun, SyncState, Tombstone
from sync_app.push import run_sync
from sync_app.rows import HEADER
from sync_app.tasks import enqueue_sync
from tests.conftest import queued_task_count
from tests.sync_helpers import SQUAT_DAY, completed_workout, failed_pushes, keys_in_sheet, sheet


def sync(*args):
    out = io.StringIO()
    call_command("sync", *args, stdout=out)
    return out.getvalue()


def import_sheet(*args):
    out = io.StringIO()
    call_command("import_sheets", *args, stdout=out)
    return out.getvalue()


def test_deleting_a_lifter_takes_their_rows_from_their_own_sheet(sheets, alice, bob, lower1):
    sheets.create_spreadsheet("bobs-sheet", worksheets=("Log",))
    SheetsProfile.objects.create(user=bob, spreadsheet_id="bobs-sheet", worksheet="Log")
    alices = completed_workout(alice, lower1, SQUAT_DAY)
    completed_workout(bob, lower1, SQUAT_DAY)
    run_sync()
    bob.delete()  # in the admin: must not fail
    assert Tombstone.objects.filter(spreadsheet_id="bobs-sheet").count() == 3
    assert run_sync().deleted == 3
    assert keys_in_sheet(sheets, spreadsheet_id="bobs-sheet") == []
    assert sorted(keys_in_sheet(sheets)) == sorted(str(s.key) for s in alices.sets.all())


def test_import_refuses_a_sheet_shared_by_several_lifters(sheets, alice, bob, lower1):
    completed_workout(bob, lower1, [("Bench Press", "185", "5", "private note")])
    run_sync()
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    with pytest.raises(CommandError, match="Other lifters share workout-log-test / Log with alice"):
        import_sheet("alice")
    assert not Set.objects.exists()
    assert "Imported 1 set(s)" in import_sheet("bob", "--whole-sheet")
    assert Workout.objects.get().owner == bob


def test_import_does_not_bring_back_a_set_deleted_since_the_last_sync(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    gone = session.sets.get(exercise_name="Leg Press")
    gone.delete()
    output = import_sheet("alice")
    assert "its set was deleted here" in output
    assert not Set.objects.filter(key=gone.key).exists()
    assert run_sync().deleted == 1


def test_import_keeps_one_set_for_a_row_copied_by_hand(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    rows = sheet(sheets)
    sheets.set_rows("workout-log-test", "Log", [*rows, rows[1]])
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    output = import_sheet("alice")
    assert "row 5: a copy of row 2" in output
    assert Set.objects.count() == 3
    assert session.pk in set(Workout.objects.values_list("pk", flat=True))


def test_dates_typed_by_hand_read_back_as_serial_numbers_are_understood(sheets, alice):
    # 45662 is 2025-01-05 in Sheets' day count; 45662.75 is 18:00 that day.
    typed = ["", "", "lower1", "Back Squat", 1, 185, 5, "", 45662.75, ""]
    typed[0] = 45662
    sheets.set_rows("workout-log-test", "Log", [HEADER, typed])
    import_sheet("alice")
    imported = Set.objects.select_related("workout").get()
    assert imported.workout.date == datetime.date(2025, 1, 5)
    assert timezone.localtime(imported.created_at).replace(tzinfo=None) == datetime.datetime(
        2025, 1, 5, 18, 0
    )


def test_a_restore_under_another_time_zone_keeps_every_instant(sheets, settings, alice, lower1):
    settings.TIME_ZONE = "Europe/Berlin"
    session = completed_workout(alice, lower1, SQUAT_DAY)
    times = {s.key: s.created_at for s in session.sets.all()}
    run_sync()
    assert "+01:00" in sheet(sheets)[1][8] or "+02:00" in sheet(sheets)[1][8]
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    settings.TIME_ZONE = "America/New_York"
    import_sheet("alice")
    restored = {s.key: s.created_at for s in Set.objects.all()}
    assert {key: moment.replace(microsecond=0) for key, moment in times.items()} == restored
    assert "The sheet matches the database." in sync("--check")


def test_a_lifter_without_a_spreadsheet_is_reported_not_synced_forever(
    sheets, settings, alice, bob, lower1, django_user_model
):
    settings.SHEETS_SPREADSHEET_ID = ""
    sheets.create_spreadsheet("bobs-sheet", worksheets=("Log",))
    SheetsProfile.objects.create(user=bob, spreadsheet_id="bobs-sheet", worksheet="Log")
    completed_workout(alice, lower1, SQUAT_DAY)
    assert run_sync().outcome == "nothing to do"
    assert not SyncRun.objects.exists() and sheets.call_count() == 0
    from sync_app.status import current_status

    status = current_status()
    assert status.lifters_without_spreadsheet == ["alice"] and status.pending == 0
    completed_workout(bob, lower1, SQUAT_DAY)
    assert run_sync().outcome == "success"


def test_a_dry_run_changes_nothing_in_the_database_even_when_it_fails(sheets, alice, lower1):
    session = completed_workout(alice, lower1, SQUAT_DAY)
    sheets.fail_next(403)
    with pytest.raises(CommandError):
        sync("--dry-run")
    session.refresh_from_db()
    assert failed_pushes(session) == (0, "")
    assert not SyncRun.objects.exists()


def test_a_queued_task_that_was_lost_does_not_block_enqueueing_for_ever(db):
    now = timezone.now()
    enqueue_sync(now=now)
    enqueue_sync(now=now + datetime.timedelta(minutes=1))
    assert queued_task_count() == 1  # one waiting task is enough
    get_broker().purge_queue()  # lost (deleted in the admin, Redis restarted...)
    enqueue_sync(now=now + datetime.timedelta(minutes=11))
    assert queued_task_count() == 1
    assert SyncState.load().sync_queued_at == now + datetime.timedelta(minutes=11)


def test_a_run_killed_midway_is_shown_as_interrupted(sheets, settings, alice, lower1):
    killed = SyncRun.objects.create(started_at=timezone.now() - datetime.timedelta(hours=1))
    completed_workout(alice, lower1, SQUAT_DAY)
    run_sync()
    killed.refresh_from_db()
    assert killed.outcome == "failed" and killed.error.startswith("Interrupted")


def service_account_key(tmp_path, token_uri):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "local-test",
                "private_key_id": "0" * 40,
                "private_key": pem,
                "client_email": "sync@local-test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,  # a local address: the test never reaches Google
            }
        )
    )
    return path, pem


def test_a_token_endpoint_out_of_reach_is_a_retryable_failure(
    sheets, settings, tmp_path, alice, lower1, caplog
):
    path, pem = service_account_key(tmp_path, "http://127.0.0.1:9/token")
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(path)
    session = completed_workout(alice, lower1, SQUAT_DAY)
    result = run_sync(sleep=lambda seconds: None)
    assert result.outcome == "failed" and result.retries == 3
    assert "cannot reach Google to sign in" in result.errors[0]
    run = SyncRun.objects.get()
    assert run.outcome == "failed" and run.finished_at is not None
    session.refresh_from_db()
    assert failed_pushes(session)[0] == 1
    secret = pem.splitlines()[1]
    assert secret not in caplog.text and secret not in run.error


def test_a_refused_key_stops_the_run_with_a_clear_message(
    sheets, settings, tmp_path, alice, lower1
):
    path, _ = service_account_key(tmp_path, f"{sheets.url}/token")  # answers 404
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(path)
    completed_workout(alice, lower1, SQUAT_DAY)
    result = run_sync()
    assert result.outcome == "failed" and result.retries == 0
    assert "the service-account key was refused by Google" in result.errors[0]


def test_credentials_are_never_sent_over_plain_http_to_another_machine(
    sheets, settings, tmp_path, alice, lower1
):
    path, _ = service_account_key(tmp_path, "http://127.0.0.1:9/token")
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = str(path)
    settings.GOOGLE_SHEETS_API_URL = "http://sheets-proxy.example"
    completed_workout(alice, lower1, SQUAT_DAY)
    result = run_sync()
    assert result.outcome == "failed" and "is not HTTPS" in result.errors[0]


@pytest.mark.parametrize(
    "header, notes",
    [(COLUMNS_V1, ["(warm-up) easy", ""]), (None, ["easy", ""])],
    ids=["version 1 tab", "new tab"],
)
def test_warm_ups_survive_a_restore_from_the_sheet(sheets, alice, lower1, header, notes):
    if header:
        sheets.set_rows("workout-log-test", "Log", [header])
    session = Workout.start(alice, lower1)
    session.log_set("Back Squat", "135", "5", notes="easy", set_type="warmup")
    session.log_set("Back Squat", "225", "5")
    session.complete()
    run_sync()
    assert [row[7] for row in sheet(sheets)[1:]] == notes
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    import_sheet("alice")
    restored = {s.weight: (s.is_warmup, s.notes) for s in Set.objects.all()}
    assert restored == {"135": (True, "easy"), "225": (False, "")}
    assert "The sheet matches the database." in sync("--check")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's limit on parameters")
def test_import_of_a_sheet_with_more_rows_than_a_query_takes_parameters(sheets, alice, lower1):
    for day in range(8):  # 24 rows
        completed_workout(alice, lower1, SQUAT_DAY, date=datetime.date(2025, 9, 1 + day))
    run_sync()
    Workout.objects.all().delete()
    Tombstone.objects.all().delete()
    connection.ensure_connection()
    # As SQLite is built in some places (32,766), scaled down to this sheet's size.
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 20)
    connection.features.__dict__.pop("max_query_params", None)  # read again
    try:
        assert "Imported 24 set(s)" in import_sheet("alice")
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
        connection.features.__dict__.pop("max_query_params", None)
