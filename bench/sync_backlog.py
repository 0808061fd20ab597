"""How long a backlog takes to reach the sheet, in how many API calls, in how much memory.

    python bench/sync_backlog.py

1. 10,000 pending sets across 500 sessions, synced against the local Sheets imitation
   (in its own process): wall time and API calls. Targets: under 10 s, at most 6 calls.
2. Peak Python memory of a run that syncs one new session when the history already
   holds 5,000 and then 50,000 synced sets: it must not grow with the whole history.
3. A pull over the 50,000 rows (the whole tab read back, fixes typed by hand taken):
   first when no row has a fingerprint yet (rows written before two-way sync: each is
   compared with the database once), then with 10 rows fixed by hand. Wall time, API
   calls, and peak Python memory next to what the rows' values alone take once read.
   Targets: under 10 s; at most 3 reads; memory not more than the rows' values once
   (plus what the database side needs).
"""

import datetime
import time
import tracemalloc

from common import django_in_temporary_data_dir, machine, start_imitation

SESSIONS = 500
SETS_PER_SESSION = 20
HISTORY_SIZES = [5_000, 50_000]


def make_completed_sessions(owner, count, sets_per_session, first_day, synced=False):
    from django.utils import timezone

    from sessions_app.models import Exercise, Set, Workout, exercise_key

    now = timezone.now()
    exercises = Exercise.for_names(owner.pk, [f"Exercise {n}" for n in range(6)])
    sessions = Workout.objects.bulk_create(
        Workout(
            id=f"{first_day + datetime.timedelta(days=n)}_{owner.username}",
            owner=owner,
            routine_slug="lower1",
            date=first_day + datetime.timedelta(days=n),
            status=Workout.Status.COMPLETED,
            completed_at=now,
            synced_to_sheets=synced,
            revision=1,
        )
        for n in range(count)
    )
    Set.objects.bulk_create(
        (
            Set(
                workout=session,
                exercise=exercises[exercise_key(f"Exercise {n % 6}")],
                exercise_name=f"Exercise {n % 6}",
                set_number=n // 6 + 1,
                weight=str(100 + n * 5),
                reps="5",
                notes="bench" if n % 4 == 0 else "",
                synced_to_sheets=synced,
            )
            for session in sessions
            for n in range(sets_per_session)
        ),
        batch_size=2000,
    )
    return sessions


def timed_sync():
    from sync_app.push import run_sync

    tracemalloc.start()
    started = time.perf_counter()
    result = run_sync(trigger="bench")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.outcome == "success", result.summary()
    return result, elapsed, peak / 1e6


def main():
    django_in_temporary_data_dir()
    from django.conf import settings

    imitation, url = start_imitation()
    settings.GOOGLE_SHEETS_API_URL = url
    settings.SHEETS_SPREADSHEET_ID = "unused"
    print(f"Machine: {machine()}")
    try:
        owner = lifter_with_own_sheet(url, "backlog")
        make_completed_sessions(owner, SESSIONS, SETS_PER_SESSION, datetime.date(2020, 1, 1))
        result, elapsed, peak = timed_sync()
        print(
            f"Backlog of {SESSIONS * SETS_PER_SESSION:,} sets in {SESSIONS} sessions: "
            f"{elapsed:.2f} s, {result.api_calls} API calls, {result.appended:,} rows appended, "
            f"peak Python memory {peak:.1f} MB"
        )
        for history in HISTORY_SIZES:
            owner = lifter_with_own_sheet(url, f"history-{history}")
            # The history is already in the database and in the sheet.
            synced = make_completed_sessions(
                owner, history // 20, 20, datetime.date(2000, 1, 1), synced=True
            )
            put_rows(url, f"history-{history}", synced)
            make_completed_sessions(owner, 1, 20, datetime.date(2030, 1, 1))
            result, elapsed, peak = timed_sync()
            print(
                f"One new session of 20 sets over {history:,} sets of history: {elapsed:.2f} s, "
                f"{result.api_calls} API calls, peak Python memory {peak:.1f} MB"
            )
        pull_figures(url, f"history-{HISTORY_SIZES[-1]}", HISTORY_SIZES[-1])
    finally:
        imitation.terminate()


def timed_pull(trace_memory):
    """A pull's wall and CPU time, or (with trace_memory) its peak Python memory:
    tracemalloc slows Python down several times, so the two are measured apart."""
    from sync_app.pull import run_pull

    if trace_memory:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_pull(trigger="bench")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
    tracemalloc.stop()
    assert result.outcome == "success", result.summary()
    return result, elapsed, cpu, peak / 1e6


def load_average():
    import os

    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def rows_values_megabytes(spreadsheet_id):
    """What the tab's rows take in Python once read (and the peak of reading them)."""
    from sync_app.rows import MAX_WIDTH
    from sync_app.sheets import SheetsClient

    worksheet = SheetsClient().open_worksheet(spreadsheet_id, "Log", create=False)
    tracemalloc.start()
    rows = worksheet.read_table(MAX_WIDTH)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(rows) - 1, held / 1e6, peak / 1e6


def pull_figures(url, spreadsheet_id, history):
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from sync_app.models import SheetsProfile, WrittenRow

    # Only this lifter's tab is pulled: the other bench lifters' sheets are left out.
    settings.SHEETS_SPREADSHEET_ID = ""
    owner = get_user_model().objects.get(username=spreadsheet_id)
    SheetsProfile.objects.exclude(user=owner).delete()
    row_count, held, read_peak = rows_values_megabytes(spreadsheet_id)
    print(
        f"The tab's {row_count:,} rows as read: {held:.1f} MB of values held "
        f"(reading them peaks at {read_peak:.1f} MB: the JSON answer and its values)"
    )
    unrecorded = row_count - WrittenRow.objects.filter(set__workout__owner=owner).count()
    result, elapsed, cpu, _ = timed_pull(trace_memory=False)
    WrittenRow.objects.filter(set__workout__owner=owner).delete()  # again, to trace memory
    *_, peak = timed_pull(trace_memory=True)
    print(
        f"Pull over {row_count:,} rows, {unrecorded:,} without a fingerprint yet: "
        f"{elapsed:.2f} s ({cpu:.2f} s CPU), {result.api_calls} API calls, peak Python "
        f"memory {peak:.1f} MB, {result.taken} taken; {load_average()}"
    )
    rows = fetch_rows(url, spreadsheet_id)
    for fixed_weight, trace_memory in ((999, False), (998, True)):
        for number in range(1, len(rows), len(rows) // 10):
            rows[number][5] = fixed_weight  # a weight fixed by hand
        control(url, "PUT", f"/_imitation/spreadsheets/{spreadsheet_id}/Log", {"rows": rows})
        measured = timed_pull(trace_memory)
        if not trace_memory:
            result, elapsed, cpu, _ = measured
    peak = measured[3]
    print(
        f"Pull over {row_count:,} rows with fingerprints, 10 fixed by hand: {elapsed:.2f} s "
        f"({cpu:.2f} s CPU), {result.api_calls} API calls, peak Python memory {peak:.1f} MB, "
        f"{result.taken} taken, {result.conflicts} conflicts; {load_average()}"
    )
    assert history <= row_count


def fetch_rows(url, spreadsheet_id):
    import json
    import urllib.request

    with urllib.request.urlopen(f"{url}/_imitation/spreadsheets/{spreadsheet_id}/Log") as answer:
        return json.load(answer)["rows"]


def lifter_with_own_sheet(url, spreadsheet_id):
    from django.contrib.auth import get_user_model

    from sync_app.models import SheetsProfile

    control(url, "POST", "/_imitation/spreadsheets", {"id": spreadsheet_id, "worksheets": ["Log"]})
    owner = get_user_model().objects.create_user(spreadsheet_id)
    SheetsProfile.objects.create(user=owner, spreadsheet_id=spreadsheet_id, worksheet="Log")
    return owner


def put_rows(url, spreadsheet_id, sessions):
    from sessions_app.export import row_for
    from sessions_app.models import Set
    from sync_app.rows import HEADER

    by_id = {session.pk: session for session in sessions}
    rows = [HEADER] + [
        row_for(by_id[s.workout_id], s) for s in Set.objects.filter(workout__in=sessions)
    ]
    control(url, "PUT", f"/_imitation/spreadsheets/{spreadsheet_id}/Log", {"rows": rows})


def control(url, method, path, body):
    import json
    import urllib.request

    request = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method=method,
    )
    urllib.request.urlopen(request).read()


if __name__ == "__main__":
    main()
