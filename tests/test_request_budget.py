"""The request budget every call to Google takes a token from: shared by processes (Redis
or the database), reads and writes apart, paused for everyone by a 429, and a sync that
keeps to it never meets Google's quota."""

import subprocess
import sys
import time
import uuid

import pytest
import redis

from sessions_app.models import Workout
from sync_app.budget import READ, WRITE, Budget, OutOfBudget, Rate, snapshot
from sync_app.models import SheetsProfile
from sync_app.push import run_sync
from sync_app.sheets import OutOfRequests, SheetsClient, SheetsRetryable
from tests.processes import ROOT, app_environment
from tests.sync_helpers import SQUAT_DAY, completed_workout, keys_in_sheet

TEST_REDIS_URL = "redis://127.0.0.1:6379/14"
LIMIT, WINDOW_SECONDS = 10, 2.0

# The budget's processes see the test database's rows: committed, in a file.
shared_with_processes = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    """The budget's home: the database (no REDIS_URL), or Redis (db 14, emptied)."""
    settings.REDIS_URL = TEST_REDIS_URL if request.param == "redis" else ""
    if settings.REDIS_URL:
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    settings.SHEETS_READS_PER_MINUTE = LIMIT
    settings.SHEETS_WRITES_PER_MINUTE = LIMIT
    settings.SHEETS_QUOTA_WINDOW_SECONDS = WINDOW_SECONDS
    yield request.param
    if settings.REDIS_URL:
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()


def budget_process(backend, account, kind, count, start_at):
    environment = app_environment(
        REDIS_URL=TEST_REDIS_URL if backend == "redis" else "",
        SHEETS_READS_PER_MINUTE=str(LIMIT),
        SHEETS_WRITES_PER_MINUTE=str(LIMIT),
        SHEETS_QUOTA_WINDOW_SECONDS=str(WINDOW_SECONDS),
    )
    command = [sys.executable, "-m", "tests.budget_process", account, kind, str(count)]
    return subprocess.Popen(
        [*command, str(start_at)],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def times_of(process):
    """{"began": [T], "took": [T, ...]} as the process printed them."""
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    times = {"began": [], "took": []}
    for line in out.splitlines():
        if line == "ready":
            continue
        word, moment = line.split()
        times[word].append(float(moment))
    return times


def most_in_any_window(times, seconds):
    times = sorted(times)
    return max(sum(t <= other < t + seconds for other in times) for t in times)


def test_the_bucket_lets_a_burst_through_then_one_call_an_interval():
    rate = Rate(60, 60)
    assert (rate.burst, rate.interval_seconds) == (6, 60 / 54)
    next_at, now, taken = 0.0, 1000.0, 0
    while (wait := rate.wait_seconds(next_at, now))[0] == 0:
        next_at, taken = wait[1], taken + 1
    assert taken == 6
    assert wait[0] == pytest.approx(60 / 54)


@shared_with_processes
def test_two_processes_sharing_the_budget_never_exceed_its_rate(backend):
    account = f"budget-{uuid.uuid4().hex[:8]}@example.iam.gserviceaccount.com"
    start_at = time.time() + 3  # both have imported Django by then
    processes = [budget_process(backend, account, READ, 12, start_at) for _ in range(2)]
    taken = [times_of(process)["took"] for process in processes]

    every = sorted(taken[0] + taken[1])
    assert len(every) == 24
    assert all(len(times) == 12 for times in taken)
    assert most_in_any_window(every, WINDOW_SECONDS) <= LIMIT
    # Not merely slow: the budget hands out what it has (24 calls, a burst of one, then
    # one each 2 s / 9: 5.1 s), give or take a busy machine.
    assert 23 * WINDOW_SECONDS / 9 - 0.1 <= every[-1] - every[0] <= 23 * WINDOW_SECONDS / 9 + 2
    # Writes have a budget of their own, untouched by the reads.
    Budget(account).take(WRITE)
    assert [state.taken_in_window for state in snapshot(account)][1] == 1


@shared_with_processes
def test_a_429_met_by_one_process_pauses_the_other(sheets, backend):
    client = SheetsClient()
    other = budget_process(backend, client.account, READ, 1, "stdin")
    assert other.stdout.readline() == "ready\n"  # it has started, and waits for us
    sheets.fail_next(429, retry_after=3, kinds=["metadata"])
    with pytest.raises(SheetsRetryable, match="429"):
        client.read_metadata("workout-log-test")
    paused_at = time.time()
    other.stdin.write("go\n")
    other.stdin.flush()

    times = times_of(other)
    (began,), (took,) = times["began"], times["took"]

    assert began < paused_at + 1, "the other process began too late to show anything"
    assert took >= paused_at + 3 - 0.2
    reads = snapshot(client.account)[0]
    assert reads.paused_until is None  # over by now
    assert "Quota exceeded for quota metric 'Read requests'" in reads.last_refusal
    assert reads.last_refusal_at is not None


@pytest.fixture
def own_sheets(sheets, django_user_model, lower1):
    """Four lifters, each with their own sheet, each with a completed workout waiting."""
    workouts = []
    for number in range(4):
        lifter = django_user_model.objects.create_user(f"lifter{number}", password="x")
        sheets.create_spreadsheet(f"sheet-{number}", worksheets=("Log",))
        SheetsProfile.objects.create(user=lifter, spreadsheet_id=f"sheet-{number}", worksheet="Log")
        workouts.append(completed_workout(lifter, lower1, SQUAT_DAY))
    sheets.reset_calls()
    return workouts


def test_a_sync_keeping_to_the_budget_never_meets_googles_quota(settings, sheets, own_sheets):
    """Four lifters, four sheets: eight reads and four writes in a run, against a quota
    of four of each a second."""
    settings.REDIS_URL = ""
    settings.SHEETS_READS_PER_MINUTE = settings.SHEETS_WRITES_PER_MINUTE = 4
    settings.SHEETS_QUOTA_WINDOW_SECONDS = 1.0
    sheets.set_quota(reads_per_minute=4, writes_per_minute=4, window_seconds=1.0)
    try:
        result = run_sync()
    finally:
        sheets.set_quota(None, None)

    assert result.outcome == "success", result.summary()
    assert sheets.quota_refusals() == []
    assert sheets.call_count() == 12  # per sheet: metadata, the key column, the append
    for number, workout in enumerate(own_sheets):
        keys = keys_in_sheet(sheets, spreadsheet_id=f"sheet-{number}")
        assert keys == [str(s.key) for s in workout.sets.order_by("created_at", "pk")]
    assert Workout.objects.filter(synced_to_sheets=True).count() == 4


def test_a_snapshot_shows_the_budget_in_use_and_the_last_429(db, sheets, backend):
    client = SheetsClient()
    assert client.account == f"no-credentials@127.0.0.1:{sheets.port}"
    for _ in range(3):
        client.read_metadata("workout-log-test")
    sheets.fail_next(429, retry_after=30, kinds=["values.batchGet"])
    worksheet = client.open_worksheet("workout-log-test", "Log")
    with pytest.raises(SheetsRetryable):
        worksheet.read_header(2)

    reads, writes = snapshot()  # the configured account: the one the client used

    assert (reads.kind, reads.limit, reads.window_seconds) == (READ, LIMIT, WINDOW_SECONDS)
    assert reads.taken_in_window == 5  # three openings, a fourth, the read refused
    assert reads.used_percent == 50
    assert 25 < (reads.paused_until.timestamp() - time.time()) <= 30
    assert reads.last_refusal.startswith("Reading the header of 'Log': Google Sheets answered 429")
    assert writes.taken_in_window == 0 and writes.paused_until is None
    assert writes.last_refusal == ""


def test_a_call_that_would_wait_past_the_runs_deadline_stops_the_run_instead(
    db, sheets, backend, settings
):
    settings.SHEETS_QUOTA_WINDOW_SECONDS = 60.0  # one read each 6.7 s past the first
    client = SheetsClient(deadline=time.monotonic() + 2)
    client.read_metadata("workout-log-test")
    started = time.monotonic()

    with pytest.raises(OutOfRequests, match="no room before this run's deadline"):
        client.read_metadata("workout-log-test")

    assert time.monotonic() - started < 1  # it did not sit there waiting in vain
    assert sheets.call_count() == 1
    with pytest.raises(OutOfBudget):
        Budget(client.account).take(READ, deadline=time.monotonic() + 2)
    Budget(client.account).take(WRITE, deadline=time.monotonic() + 2)  # writes apart
