"""How long a backlog takes to reach the sheet, in how many API calls, in how much memory.

    python bench/sync_backlog.py

1. 10,000 pending sets across 500 sessions, synced against the local Sheets imitation
   (in its own process): wall time and API calls. Targets: under 10 s, at most 6 calls.
2. Peak Python memory of a run that syncs one new session when the history already
   holds 5,000 and then 50,000 synced sets: it must not grow with the whole history.
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

    from sessions_app.models import Session, Set

    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            id=f"{first_day + datetime.timedelta(days=n)}_{owner.username}",
            owner=owner,
            template="lower1",
            date=first_day + datetime.timedelta(days=n),
            status=Session.Status.COMPLETED,
            completed_at=now,
            synced_to_sheets=synced,
            revision=1,
        )
        for n in range(count)
    )
    Set.objects.bulk_create(
        (
            Set(
                session=session,
                exercise=f"Exercise {n % 6}",
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
    from sync_app.reconcile import run_sync

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
    finally:
        imitation.terminate()


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
        row_for(by_id[s.session_id], s) for s in Set.objects.filter(session__in=sessions)
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
