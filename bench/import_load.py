"""Another lifter's log-set while a big import runs (issue 23: confirming a 600,000-set
import held SQLite's write lock for 19.5 s, and another lifter's log-set waited 19.0 s).

    python bench/import_load.py [--sets 600000]

A Strong file of 20,000 workouts (30 sets each, 600,000 sets) is imported by
`manage.py import_workouts` in its own process, on a fresh SQLite database, while this
process logs a set for another lifter every 50 ms (Set.store, the statement a tick runs)
and times each. Prints the import's time and the log-set latencies (median, 99th
percentile, maximum). IMPORT_MAX_SETS is raised to the file's size for the run.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, django_in_temporary_data_dir, machine

HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n"
)
SETS_PER_WORKOUT = 30


def strong_file(path, sets):
    workouts = sets // SETS_PER_WORKOUT
    first = datetime.date(1970, 1, 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for number in range(workouts):
            day = first + datetime.timedelta(days=number)
            for set_number in range(SETS_PER_WORKOUT):
                out.write(
                    f"{day} 18:00:00,Full Body,1h,Exercise {set_number % 6},"
                    f"{set_number % 5 + 1},{60 + number % 40},5,0,0,,,\n"
                )
    return workouts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=600_000)
    options = parser.parse_args()
    data_dir = django_in_temporary_data_dir()
    from django.contrib.auth import get_user_model

    from sessions_app.models import Routine, Workout

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    users = get_user_model().objects
    users.create_user("importer")
    lifter = users.create_user("lifter")
    workout = Workout.start(lifter, Routine.objects.get(owner=None, slug="lower1"))
    path = Path(tempfile.mkdtemp(prefix="workout-load-")) / "big.csv"
    workouts = strong_file(path, options.sets)
    size = path.stat().st_size / 1e6
    print(f"File: {options.sets:,} sets in {workouts:,} workouts, {size:.1f} MB")

    environment = {
        **os.environ,
        "WORKOUT_DATA_DIR": data_dir,
        "IMPORT_MAX_SETS": str(options.sets),
        "IMPORT_MAX_WORKOUTS": str(workouts),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "import_workouts", str(path), "--user", "importer"]
    started = time.monotonic()
    importer = subprocess.Popen(
        [*command, "--unit", "kg"], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
    )
    waits = []
    while importer.poll() is None:
        before = time.monotonic()
        workout.log_set("Back Squat", "100", "5")
        waits.append(time.monotonic() - before)
        time.sleep(0.05)
    took = time.monotonic() - started
    output = importer.stdout.read().strip().splitlines()
    print(f"Import (reading, then writing): {took:.1f} s; {output[-1] if output else ''}")
    waits.sort()
    print(
        f"Another lifter's log-set meanwhile: {len(waits):,} sets, median "
        f"{statistics.median(waits) * 1000:.0f} ms, 99th percentile "
        f"{waits[int(len(waits) * 0.99)] * 1000:.0f} ms, longest {waits[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
