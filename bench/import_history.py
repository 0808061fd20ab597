"""How long five years of Strong history take to import, and in how much memory.

    python bench/import_history.py

1. A Strong export of 5 years (4 workouts a week, about 30,000 lines, warm-ups and
   Rest Timer rows included) imported through the same path as the command: wall
   time and peak Python memory. Target: 5 s at most (issue 19).
2. The same for half of it, to show the memory does not grow with the file (beyond
   reading it), and the same file again (everything already here).
3. The backlog it leaves, synced to the Sheets imitation: runs and API calls.
"""

import datetime
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from common import django_in_temporary_data_dir, machine, start_imitation

YEARS = 5
WORKOUTS_PER_WEEK = 4
HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n"
)
DAYS = {
    "Push": ["Bench Press (Barbell)", "Overhead Press (Barbell)", "Incline Bench Press", "Dips"],
    "Pull": ["Deadlift (Barbell)", "Pull Up", "Bent Over Row (Barbell)", "Bicep Curl"],
    "Legs": ["Squat (Barbell)", "Romanian Deadlift", "Leg Press", "Calf Raise"],
    "Upper": ["Bench Press (Barbell)", "Pull Up", "Overhead Press (Barbell)", "Face Pull"],
}


def strong_export(path, years=YEARS):
    """Write a Strong export like a real one; returns its number of lines."""
    rng = random.Random(5)
    lines = 0
    day = datetime.datetime(2021, 1, 4, 18, 5, 0)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for week in range(int(52 * years)):
            for number, name in enumerate(list(DAYS)[:WORKOUTS_PER_WEEK]):
                started = day + datetime.timedelta(weeks=week, days=number * 2, minutes=number)
                note = "Slept badly, long day" if rng.random() < 0.1 else ""
                for exercise in DAYS[name]:
                    base = 40 + rng.randrange(0, 80)
                    rows = [("W", base // 2, 10), ("W", base * 3 // 4, 5)]
                    rows += [(str(n), base + week // 10, rng.choice((5, 6, 8))) for n in (1, 2, 3)]
                    rows.append(("D", base // 2, 12))
                    for order, weight, reps in rows:
                        rpe = rng.choice(("", "8.0", "9.0"))
                        cells = [
                            started.strftime("%Y-%m-%d %H:%M:%S"),
                            name,
                            "1h 5m",
                            exercise,
                            order,
                            f"{weight}.0",
                            str(reps),
                            "0",
                            "0",
                            '"Paused, slow"' if rng.random() < 0.05 else "",
                            f'"{note}"' if note else "",
                            rpe,
                        ]
                        out.write(",".join(cells) + "\n")
                        lines += 1
                    out.write(
                        f"{started:%Y-%m-%d %H:%M:%S},{name},1h 5m,Rest Timer,1,0,0,0,120,,,\n"
                    )
                    lines += 1
    return lines


def timed_import(owner, path):
    """Wall time, without tracemalloc (which slows Python down several times)."""
    from sessions_app.import_store import import_history
    from sessions_app.importers import open_export

    started = time.perf_counter()
    with open(path, "rb") as stream:
        summary = import_history(owner, open_export(stream, owner.pk, "auto", "kg"))
    return summary, time.perf_counter() - started


def traced_import(owner, path):
    """Peak Python memory of the same import, in MB."""
    from sessions_app.import_store import import_history
    from sessions_app.importers import open_export

    tracemalloc.start()
    with open(path, "rb") as stream:
        import_history(owner, open_export(stream, owner.pk, "auto", "kg"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main():
    django_in_temporary_data_dir()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from sync_app.push import run_sync

    print(f"Machine: {machine()}")
    folder = Path(tempfile.mkdtemp(prefix="workout-import-bench-"))
    full, half = folder / "strong-5-years.csv", folder / "strong-2-5-years.csv"
    lines = strong_export(full)
    half_lines = strong_export(half, years=YEARS / 2)
    users = get_user_model().objects
    owner = users.create_user("lifter")
    summary, elapsed = timed_import(owner, full)
    print(
        f"Strong export of {YEARS} years: {lines:,} lines ({full.stat().st_size / 1e6:.1f} MB) "
        f"in {elapsed:.2f} s: {summary.sets_created:,} sets in {summary.sessions_created:,} "
        f"workouts, {summary.skipped_count:,} lines skipped (Rest Timer)"
    )
    summary, elapsed = timed_import(owner, full)
    print(
        f"The same file again: {elapsed:.2f} s, {summary.already_present:,} already here, "
        f"{summary.sets_created} new"
    )
    for label, path, count in ((f"{YEARS} years", full, lines), ("half", half, half_lines)):
        peak = traced_import(users.create_user(f"memory-{label.replace(' ', '-')}"), path)
        print(f"Peak Python memory, {label} ({count:,} lines): {peak:.1f} MB")

    imitation, url = start_imitation("bench:Log")
    try:
        settings.GOOGLE_SHEETS_API_URL = url
        settings.SHEETS_SPREADSHEET_ID = "bench"
        started, runs, calls, appended = time.perf_counter(), 0, 0, 0
        while True:  # what the sync task does with a backlog bigger than one run
            result = run_sync(trigger="bench")
            runs, calls, appended = runs + 1, calls + result.api_calls, appended + result.appended
            if not result.more_pending:
                break
        print(
            f"Syncing the three imports ({appended:,} rows): {runs} runs back to back, "
            f"{calls} API calls, {time.perf_counter() - started:.1f} s"
        )
    finally:
        imitation.terminate()


if __name__ == "__main__":
    main()
