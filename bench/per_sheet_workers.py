"""Lifters' sheets synced side by side, and pulls that skip unchanged sheets.

    python bench/per_sheet_workers.py

Against the local Sheets imitation in its own process, each API call held for
LATENCY_SECONDS before its answer (Google's own latency, which the imitation lacks):

1. LIFTERS lifters, each with their own sheet and one completed workout of 20 sets:
   wall time until every sheet holds its rows, with 1, 2 and 4 runs going at once
   (as 1, 2 or 4 workers would), and the appends made (one per sheet: none twice).
2. A scheduled-pull's worth of those sheets read back: the first pull (every sheet
   read), a second with nothing changed (Drive says so: no Sheets read), and a third
   after one lifter fixed a cell by hand. Wall time, Sheets calls, Drive calls.
"""

import datetime
import threading
import time

import requests
from common import django_in_temporary_data_dir, machine, start_imitation
from sync_backlog import make_completed_sessions

LIFTERS = 40
LATENCY_SECONDS = 0.15
WORKERS = [1, 2, 4]


def imitation_calls(url):
    return requests.get(f"{url}/_imitation/calls").json()["calls"]


def lifters_with_own_sheets(url, prefix, count):
    from django.contrib.auth import get_user_model

    from sync_app.models import SheetsProfile

    lifters = []
    for number in range(count):
        spreadsheet_id = f"{prefix}-{number}"
        requests.post(
            f"{url}/_imitation/spreadsheets", json={"id": spreadsheet_id, "worksheets": ["Log"]}
        ).raise_for_status()
        lifter = get_user_model().objects.create_user(spreadsheet_id)  # no password to hash
        SheetsProfile.objects.create(user=lifter, spreadsheet_id=spreadsheet_id, worksheet="Log")
        make_completed_sessions(lifter, 1, 20, datetime.date(2026, 1, 1))
        lifters.append(lifter)
    return lifters


def runs_side_by_side(count):
    """`count` sync runs started together (each as a worker would run it)."""
    from django.db import connection

    from sync_app.push import run_sync

    results = []

    def work():
        try:
            results.append(run_sync(trigger="queue"))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, results


def push_figures(url):
    from sessions_app.models import Workout

    for workers in WORKERS:
        prefix = f"w{workers}"
        lifters = lifters_with_own_sheets(url, prefix, LIFTERS)
        requests.post(f"{url}/_imitation/reset-calls").raise_for_status()
        elapsed, results = runs_side_by_side(workers)
        calls = imitation_calls(url)
        appends = sum(call["kind"] == "values.append" for call in calls)
        waiting = Workout.objects.filter(owner__in=lifters, synced_to_sheets=False).count()
        assert waiting == 0, [result.summary() for result in results]
        print(
            f"{LIFTERS} lifters' sheets, {workers} run(s) side by side: {elapsed:.2f} s, "
            f"{len(calls)} Sheets calls, {appends} appends (one per sheet: "
            f"{'yes' if appends == LIFTERS else 'NO'})"
        )


def timed_pull():
    from sync_app.pull import run_pull

    started = time.perf_counter()
    result = run_pull(trigger="pull")
    return time.perf_counter() - started, result


def pull_figures(url):
    requests.post(f"{url}/_imitation/reset-calls").raise_for_status()
    for label in ("first pull, every sheet read", "second pull, nothing changed"):
        elapsed, result = timed_pull()
        print(
            f"Pull of {result.targets_done} sheets, {label}: {elapsed:.2f} s, "
            f"{result.api_calls} Sheets calls, {result.skipped} sheets not read"
        )
    rows = requests.get(f"{url}/_imitation/spreadsheets/w1-0/Log").json()["rows"]
    rows[1][5] = "999"
    requests.put(f"{url}/_imitation/spreadsheets/w1-0/Log", json={"rows": rows})
    elapsed, result = timed_pull()
    print(
        f"Pull of {result.targets_done} sheets, one fixed by hand: {elapsed:.2f} s, "
        f"{result.api_calls} Sheets calls, {result.skipped} sheets not read, "
        f"{result.taken} row taken"
    )


def main():
    django_in_temporary_data_dir()
    from django.conf import settings

    imitation, url = start_imitation()
    settings.GOOGLE_SHEETS_API_URL = url
    settings.SHEETS_SPREADSHEET_ID = ""
    print(f"Machine: {machine()}; each API call answered after {LATENCY_SECONDS} s")
    try:
        requests.post(
            f"{url}/_imitation/faults",
            json={"type": "delay", "seconds": LATENCY_SECONDS, "times": 10_000_000},
        ).raise_for_status()
        push_figures(url)
        pull_figures(url)
    finally:
        imitation.terminate()


if __name__ == "__main__":
    main()
