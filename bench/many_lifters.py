"""Many lifters on one service account's quota: a simulated gym evening, timed.

    python bench/many_lifters.py --lifters 100,300,1000,3000   # the curve (~20 min)
    python bench/many_lifters.py --lifters 100                 # one point (~4 min)
    python bench/many_lifters.py --lifters 1000 --google-quota 20,60   # 429s met

With --google-quota the imitation lets fewer calls through than the app's budget (60 and
60) assumes, as when another program uses the same service account: 429s are met, the
budget pauses, and the rows must still be neither lost nor duplicated.

Each point is its own process, with its own PostgreSQL database (made and dropped here,
on 127.0.0.1:5432) and Redis database number REDIS_DB (flushed at the start), against
the Sheets imitation in a process of its own (bench/timed_imitation.py) which keeps
Google's quota rules: 60 reads and 60 writes in any minute, counted apart, past them 429
with Retry-After. N lifters, each with their own sheet holding one earlier workout (so
every lifter is "active" and pulled at the active lifters' interval), each completing
four workouts a week: a lifter works out on a given day with chance 4/7, at an hour
drawn from GYM_DAY (a gym's day: a morning bump, a lunch bump, the evening peak at
17-19 h), and now and then (FIXES_PER_WEEK) types a fix into one cell of their sheet by
hand (the timed imitation's edit-cell, which moves Drive's modifiedTime).

The simulated part of the day is the evening, START_HOUR to START_HOUR + HOURS (17-20 h:
35 % of the day's workouts, its busiest hours), then a drain of at most DRAIN_MINUTES
(--drain-minutes) simulated minutes for what is still on its way.

Two real `manage.py qcluster` processes work the queue, each with Q_WORKERS=1, on one
Redis broker (the same cluster name, so the same Redis list; BLPOP gives each task to
one of them). That is two machines (or containers) of one instance, which is what
scaling out means here; one cluster with Q_WORKERS=2 would be one machine with one
queue reader feeding two worker processes. Both share the request budget (Redis) and
the sheets' leases (PostgreSQL). A q2 cluster with one worker prefetches at most one
task (queue_limit = workers²) while its worker is busy: that task waits for it even if
the other cluster is idle.

What the app does is its own: a lifter's completion is Workout.complete() in a
transaction (the app's signal enqueues the sync task after the commit, as a request
does; the sets are stored in bulk beforehand, not through the app's log_set, to keep the
bench's own CPU off the machine). q2's schedule cannot fire faster than once a real
minute, so the bench deletes the app's Schedule rows and, on the simulated clock, queues
the very tasks they name with async_task, as q2's scheduler would: the push every
SYNC_INTERVAL_MINUTES (5 simulated minutes) and the pull ('schedule') every
SYNC_PULL_INTERVAL_MINUTES (60).

Time scale: SCALE simulated seconds per real second (60 by default: a simulated minute
is a real second, the evening's three hours three real minutes). Scaled alike, through
bench/many_lifters_settings.py: the app's quota window (SHEETS_QUOTA_WINDOW_SECONDS) and
the imitation's, call backoff and its cap, settle time, sheet backoff and its cap, busy
wait and its poll, chain length, leases (floored at 5 real s), the push and pull
intervals, the dormant interval and what counts as an active lifter. Not scaled: real
processing time (Python, PostgreSQL, Redis, HTTP to the imitation, q2's hand-over
between processes), a run's deadline (SYNC_RUN_BUDGET_SECONDS), call timeouts, the
worker's task timeout, and the imitation's Retry-After, which is whole real seconds (at
least 1 s: a simulated minute at SCALE 60, where Google would often say a few seconds).
So every real second of work counts as SCALE/60 simulated minutes of lag: at SCALE 60 a
push that takes 0.3 s of real work and hand-over shows as 0.3 simulated minutes; a pull
of 3,000 sheets (a Drive call each, some 50 sheets a real second here) takes an hour of
simulated time, where at Google it would take 3,000 Drive calls of 0.1-0.3 s: 5 to 15
real minutes. The lags here are upper bounds of what the same load would see in real
time; Google's own latency (100-300 ms a call), which the imitation lacks, is not added.
For the same reason the busiest minute's requests are fewer here than they would be at
Google: the hourly pull, which reads the sheets changed since the last one, goes at the
bench's pace (some 50 sheets a simulated minute), where at Google it would go through a
few hundred sheets a real minute and bunch its reads (the budget then holds them to its
limit).

Printed per point: requests per simulated minute against the quota (peak and mean,
reads and writes, and Drive calls apart), 429s met, rows lost or duplicated (every
sheet's keys against every completed set in the database: each exactly once, in its
lifter's sheet), lag from "complete" to "all its rows in the sheet" and from a hand fix
to the database (p50, p99, max, in simulated minutes), the fairness ratio (the worst
lifter's p99 push lag over the median lifter's; a lifter works out at most once in
an evening, so this is the slowest push over the median push; when pushes take well under
a simulated minute it measures the machine's jitter of a few hundred real milliseconds,
so it is printed also with lags under a minute counted as one). Then the curve, and
where p99 push lag passes 10 minutes.
"""

import argparse
import datetime
import heapq
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine  # noqa: E402

DATABASE_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
REDIS_DB = 12
SCALE = 60.0
START_HOUR = 17
HOURS = 3.0
DRAIN_MINUTES = 120
WORKOUTS_PER_WEEK = 4
FIXES_PER_WEEK = 1
SETS_PER_WORKOUT = 16
HISTORY_SETS = 12
READS_PER_MINUTE = WRITES_PER_MINUTE = 60
PUSH_LAG_CEILING_MINUTES = 10
# Share of a day's workouts started in each hour (a gym's day; sums to 1).
GYM_DAY = {
    6: 0.05,
    7: 0.07,
    8: 0.05,
    9: 0.04,
    10: 0.03,
    11: 0.04,
    12: 0.06,
    13: 0.05,
    14: 0.03,
    15: 0.04,
    16: 0.07,
    17: 0.12,
    18: 0.13,
    19: 0.10,
    20: 0.06,
    21: 0.03,
    22: 0.01,
}
# How often the bench looks for hand fixes arrived in the database (real seconds).
FIX_POLL_SECONDS = 0.25
SETUP_THREADS = 3


# --- The simulated clock -----------------------------------------------------------------


class Clock:
    """Simulated minutes since START_HOUR, from the real clock."""

    def __init__(self, scale, started_at):
        self.scale, self.started_at = scale, started_at

    def real(self, minutes):
        return self.started_at + minutes * 60 / self.scale

    def minutes(self, real_seconds):
        return real_seconds * self.scale / 60

    def now(self):
        return self.minutes(time.time() - self.started_at)


def day_minute(rng):
    """A minute of the day drawn from GYM_DAY."""
    hour = rng.choices(list(GYM_DAY), weights=list(GYM_DAY.values()))[0]
    return hour * 60 + rng.uniform(0, 60)


def plan_evening(lifter_count, start_hour, hours, seed):
    """[(simulated minute, what, lifter index)] of the evening's completions and fixes."""
    rng = random.Random(seed)
    begin, end = start_hour * 60, start_hour * 60 + hours * 60
    events = []
    for lifter in range(lifter_count):
        for what, per_week in (("complete", WORKOUTS_PER_WEEK), ("fix", FIXES_PER_WEEK)):
            # At most once a day; at an hour of the gym's day, if within the evening.
            if rng.random() < per_week / 7 and begin <= (minute := day_minute(rng)) < end:
                events.append((minute - begin, what, lifter))
    return sorted(events)


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- Processes: the database, the imitation, the workers -------------------------------


def create_database(name):
    import psycopg

    with psycopg.connect(f"{DATABASE_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(name):
    import psycopg

    with psycopg.connect(f"{DATABASE_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_imitation(key_column):
    command = [sys.executable, str(ROOT / "bench" / "timed_imitation.py")]
    command += ["--key-column", str(key_column)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    line = process.stdout.readline()
    return process, line.rsplit(" ", 1)[1].strip()


def start_workers(count, log_dir):
    """count qcluster processes, each with one worker, each in its own process group."""
    env = {**os.environ, "Q_WORKERS": "1"}
    workers = []
    for number in range(count):
        log = open(Path(log_dir) / f"qcluster-{number}.log", "w")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    from django_q.status import Stat

    deadline = time.monotonic() + 60
    while len(Stat.get_all()) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the q2 clusters did not start; see {log_dir}")
        time.sleep(0.5)
    return workers


def stop_workers(workers):
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


# --- Set-up: lifters, their sheets, one synced workout each -----------------------------


def make_lifters(url, count):
    """count lifters, each with their own sheet and one earlier workout of HISTORY_SETS
    sets in the database (not in the sheet yet)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sessions_app.models import Exercise, Set, Workout, exercise_key
    from sessions_app.models.exercises import guessed_kind
    from sync_app.models import SheetsProfile

    # No password to hash (it would take the bench's time).
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"lifter-{n}", password="!") for n in range(count)
    )
    SheetsProfile.objects.bulk_create(
        SheetsProfile(user=lifter, spreadsheet_id=f"sheet-{lifter.username}", worksheet="Log")
        for lifter in users
    )
    session = requests.Session()
    for lifter in users:
        session.post(
            f"{url}/_imitation/spreadsheets",
            json={"id": f"sheet-{lifter.username}", "worksheets": ["Log"]},
        ).raise_for_status()
    names = [f"Exercise {n}" for n in range(6)]
    Exercise.objects.bulk_create(
        Exercise(owner=lifter, name=name, key=exercise_key(name), kind=guessed_kind(name))
        for lifter in users
        for name in names
    )
    exercises = {(e.owner_id, e.key): e for e in Exercise.objects.exclude(owner=None)}
    day = datetime.date.today() - datetime.timedelta(days=2)
    workouts = Workout.objects.bulk_create(
        Workout(
            id=f"{day}_lower1_{lifter.username}",
            owner=lifter,
            routine_slug="lower1",
            date=day,
            status=Workout.Status.COMPLETED,
            completed_at=timezone.now(),
            revision=1,
        )
        for lifter in users
    )
    Set.objects.bulk_create(
        (
            Set(
                workout=workout,
                exercise=exercises[workout.owner_id, exercise_key(names[n % 6])],
                exercise_name=names[n % 6],
                set_number=n // 6 + 1,
                weight=str(100 + n * 5),
                reps="5",
            )
            for workout in workouts
            for n in range(HISTORY_SETS)
        ),
        batch_size=2000,
    )
    return users


def in_threads(function, items, count=SETUP_THREADS):
    """function(some of the items) in count threads, each with its own connection."""
    from django.db import connection

    def work(share):
        try:
            function(share)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(items[n::count],)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def write_earlier_workouts(lifters):
    """Each lifter's earlier workout written to their sheet with the app's own client and
    rows, remembered as written (the fingerprints a push keeps), and the sheet recorded as
    pulled with its modifiedTime then: as if pushed and pulled long before the evening.
    (Through the app's whole push and pull it took 0.12 s a sheet on this machine, too
    long for 3,000 lifters.)"""
    from django.conf import settings
    from django.db.models import Prefetch

    from sessions_app.models import Set, Workout
    from sync_app.conflicts import record_written
    from sync_app.models import SheetState
    from sync_app.rows import HEADERS, LATEST_VERSION, fingerprint, rows_of_workout, sheet_sets
    from sync_app.sheets import SheetsClient
    from sync_app.targets import Target

    settings.SHEETS_READS_PER_MINUTE = settings.SHEETS_WRITES_PER_MINUTE = 10**7

    def write(share):
        client = SheetsClient()
        workouts = (
            Workout.objects.filter(owner__in=share)
            .select_related("owner")
            .prefetch_related(Prefetch("sets", queryset=sheet_sets()))
        )
        for workout in workouts:
            target = Target(f"sheet-{workout.owner.username}", "Log")
            rows = rows_of_workout(workout, LATEST_VERSION)
            worksheet = client.open_worksheet(target.spreadsheet_id, target.worksheet)
            worksheet.append_rows([HEADERS[LATEST_VERSION], *rows.values()])
            keys = {str(s.key): s.pk for s in workout.sets.all()}
            written = {keys[key]: fingerprint(row, LATEST_VERSION) for key, row in rows.items()}
            record_written(written, target)
            SheetState.pulled(target, client.modified_time(target.spreadsheet_id))

    in_threads(write, lifters)
    Workout.objects.update(synced_to_sheets=True)
    Set.objects.update(synced_to_sheets=True)
    assert SheetState.objects.filter(pulled_at__isnull=False).count() == len(lifters)
    settings.SHEETS_READS_PER_MINUTE = READS_PER_MINUTE
    settings.SHEETS_WRITES_PER_MINUTE = WRITES_PER_MINUTE


# --- The evening -------------------------------------------------------------------------


class Evening:
    def __init__(self, url, lifters, clock, events, hours):
        self.url, self.lifters, self.clock = url, lifters, clock
        self.events, self.hours = events, hours
        self.http = requests.Session()
        self.completed = {}  # workout id: (lifter index, real time of completion, keys)
        self.fixes = {}  # set key: (real time of the fix, value typed)
        self.fix_lags = []  # simulated minutes
        self.behind = 0.0  # how late the bench itself was, at worst (simulated minutes)
        from sessions_app.export import COLUMNS
        from sync_app.rows import KEY_COLUMN

        self.reps_column = COLUMNS.index("reps") + 1
        self.key_column = KEY_COLUMN
        self.history = self.history_keys()
        self.rng = random.Random(7)

    def history_keys(self):
        from sessions_app.models import Set

        keys = {}
        for owner_id, key in Set.objects.values_list("workout__owner_id", "key"):
            keys.setdefault(owner_id, []).append(str(key))
        return keys

    def complete(self, index):
        from django.db import transaction
        from django.utils import timezone

        from sessions_app.models import Exercise, Set, Workout, exercise_key

        lifter = self.lifters[index]
        names = [f"Exercise {n}" for n in range(6)]
        exercises = Exercise.for_names(lifter.pk, names)
        with transaction.atomic():
            workout = Workout.start(lifter, None, date=timezone.localdate())
            sets = Set.objects.bulk_create(
                Set(
                    workout=workout,
                    exercise=exercises[exercise_key(names[n % 6])],
                    exercise_name=names[n % 6],
                    set_number=n // 6 + 1,
                    weight=str(100 + 5 * n),
                    reps="5",
                )
                for n in range(SETS_PER_WORKOUT)
            )
            completed_at = time.time()
            workout.complete()
        self.completed[workout.pk] = (index, completed_at, [str(s.key) for s in sets])

    def fix(self, index):
        """The lifter types a new reps count into one row of their earlier workout."""
        lifter = self.lifters[index]
        candidates = [key for key in self.history[lifter.pk] if key not in self.fixes]
        if not candidates:
            return
        key = self.rng.choice(candidates)
        value = self.rng.choice([3, 4, 6, 7, 8])
        answer = self.http.post(
            f"{self.url}/_imitation/bench/edit-cell",
            json={
                "spreadsheet": f"sheet-{lifter.username}",
                "worksheet": "Log",
                "key": key,
                "column": self.reps_column,
                "value": value,
            },
        )
        answer.raise_for_status()
        self.fixes[key] = (time.time(), str(value))

    def look_for_fixes(self):
        from sessions_app.models import Set

        waiting = [key for key in self.fixes if key not in self.fixes_seen]
        if not waiting:
            return
        now = time.time()
        for key, reps in Set.objects.filter(key__in=waiting).values_list("key", "reps"):
            fixed_at, value = self.fixes[str(key)]
            if reps == value:
                self.fixes_seen.add(str(key))
                self.fix_lags.append(self.clock.minutes(now - fixed_at))

    def all_done(self):
        from sessions_app.models import Workout

        pending = Workout.objects.filter(pk__in=list(self.completed), synced_to_sheets=False)
        return len(self.fixes_seen) == len(self.fixes) and not pending.exists()

    def run(self):
        from django_q.tasks import async_task

        from sync_app.tasks import PULL_TASK

        self.fixes_seen = set()
        end = self.hours * 60
        queue = [
            (minute, order, what, index) for order, (minute, what, index) in enumerate(self.events)
        ]
        sync_every, pull_every = 5, 60
        order = len(queue)
        drain = int(os.environ.get("MANY_LIFTERS_DRAIN_MINUTES", DRAIN_MINUTES))
        for minute in range(0, int(end + drain) + 1, sync_every):
            queue.append((minute, (order := order + 1), "scheduled push", None))
        for minute in range(0, int(end + drain) + 1, pull_every):
            queue.append((minute + 0.5, (order := order + 1), "scheduled pull", None))
        heapq.heapify(queue)
        next_poll = time.time()
        while queue:
            minute, _, what, index = queue[0]
            if minute > end and self.all_done():
                break
            due = self.clock.real(minute)
            if (now := time.time()) < due:
                if now >= next_poll:
                    self.look_for_fixes()
                    next_poll = now + FIX_POLL_SECONDS
                time.sleep(max(0.0, min(due, next_poll) - time.time()))
                continue
            heapq.heappop(queue)
            self.behind = max(self.behind, self.clock.minutes(now - due))
            if what == "complete":
                self.complete(index)
            elif what == "fix":
                self.fix(index)
            elif what == "scheduled push":
                async_task("sync_app.tasks.scheduled_sync", task_name="scheduled push")
            else:
                async_task(PULL_TASK, "schedule", task_name="scheduled pull")
        self.look_for_fixes()
        self.finished_minute = self.clock.now()


# --- Figures -----------------------------------------------------------------------------


def rows_check(url, evening):
    """(lost, duplicated, strays, not yet in the sheet) over every completed set."""
    from sessions_app.models import Set, Workout

    keys_by_sheet = requests.get(f"{url}/_imitation/bench/keys").json()
    sets = Set.objects.filter(workout__status=Workout.Status.COMPLETED).values_list(
        "key", "workout__owner__username", "workout__synced_to_sheets"
    )
    lost = duplicated = late = 0
    known = set()
    for key, username, synced in sets:
        key = str(key)
        known.add(key)
        found = keys_by_sheet.get(f"sheet-{username}", []).count(key)
        if found > 1:
            duplicated += 1
        elif found == 0:
            if synced:
                lost += 1
            else:
                late += 1
    strays = sum(
        1
        for keys in keys_by_sheet.values()
        for key in keys[1:]  # the header
        if key and key not in known
    )
    return lost, duplicated, strays, late


def push_lags(log, evening):
    """{lifter index: [simulated minutes from complete to its last row in the sheet]}."""
    appended = log["appended"]
    by_lifter = {}
    for index, completed_at, keys in evening.completed.values():
        times = [appended.get(key) for key in keys]
        if None in times:
            continue
        by_lifter.setdefault(index, []).append(evening.clock.minutes(max(times) - completed_at))
    return by_lifter


def fairness(lifter_p99):
    """The worst lifter's p99 push lag over the median lifter's."""
    return max(lifter_p99) / statistics.median(lifter_p99) if lifter_p99 else float("nan")


def requests_per_minute(log, clock, minutes):
    """{metric: [accepted calls in each simulated minute of the evening]}, and 429s."""
    counts = {"Read requests": [0] * minutes, "Write requests": [0] * minutes}
    drive = [0] * minutes
    refused = 0
    for moment, metric, was_refused in log["calls"]:
        refused += was_refused
        minute = math.floor(clock.minutes(moment - clock.started_at))  # set-up's: < 0
        if 0 <= minute < minutes and not was_refused:
            counts[metric][minute] += 1
    for moment in log["drive"]:
        minute = math.floor(clock.minutes(moment - clock.started_at))
        if 0 <= minute < minutes:
            drive[minute] += 1
    return counts, drive, refused


def run_point(
    lifter_count, scale, start_hour, hours, seed, redis_db=REDIS_DB, google_quota=(60, 60)
):
    """One point of the curve, in this process; returns its figures."""
    database = f"bench_many_lifters_{os.getpid()}"
    data_dir = tempfile.mkdtemp(prefix="workout-bench-many-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.many_lifters_settings",
            "MANY_LIFTERS_SCALE": str(scale),
            "DATABASE_URL": f"{DATABASE_SERVER}/{database}",
            "REDIS_URL": f"{REDIS_SERVER}/{redis_db}",
            "WORKOUT_DATA_DIR": data_dir,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    for name in ("SHEETS_SPREADSHEET_ID", "GOOGLE_SERVICE_ACCOUNT_FILE"):
        os.environ.pop(name, None)
    create_database(database)
    imitation = workers = None
    try:
        import django

        django.setup()
        import redis
        from django.conf import settings
        from django.core.management import call_command
        from django_q.models import Schedule

        from sync_app.models import SheetState
        from sync_app.rows import KEY_COLUMN

        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        call_command("migrate", verbosity=0)
        Schedule.objects.all().delete()  # fired on the simulated clock instead

        imitation, url = start_imitation(KEY_COLUMN)
        os.environ["GOOGLE_SHEETS_API_URL"] = settings.GOOGLE_SHEETS_API_URL = url
        settings.SHEETS_SPREADSHEET_ID = ""
        began = time.monotonic()
        lifters = make_lifters(url, lifter_count)
        write_earlier_workouts(lifters)
        setup_seconds = time.monotonic() - began
        redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the set-up's budget
        window = 60 / scale
        requests.post(
            f"{url}/_imitation/quota",
            json={
                "reads_per_minute": google_quota[0],
                "writes_per_minute": google_quota[1],
                "window_seconds": window,
            },
        ).raise_for_status()
        log_dir = tempfile.mkdtemp(prefix="workout-bench-many-logs-")
        workers = start_workers(2, log_dir)
        events = plan_evening(lifter_count, start_hour, hours, seed)
        clock = Clock(scale, time.time() + 1)
        # As if the last scheduled pull had been an hour before the evening starts.
        SheetState.objects.update(
            pulled_at=datetime.datetime.fromtimestamp(clock.real(-60), tz=datetime.UTC)
        )
        evening = Evening(url, lifters, clock, events, hours)
        load_before = os.getloadavg()
        evening.run()
        load_after = os.getloadavg()
        stop_workers(workers)
        workers = None
        log = requests.get(f"{url}/_imitation/bench/log").json()
        lost, duplicated, strays, late = rows_check(url, evening)
        lags = push_lags(log, evening)
        all_lags = [lag for values in lags.values() for lag in values]
        lifter_p99 = [percentile(values, 0.99) for values in lags.values()]
        counts, drive, refused = requests_per_minute(log, clock, int(hours * 60))
        reads, writes = counts["Read requests"], counts["Write requests"]
        return {
            "lifters": lifter_count,
            "scale": scale,
            "google_quota": list(google_quota),
            "workouts": len(evening.completed),
            "workouts_not_in_sheet": len(evening.completed) - len(all_lags),
            "fixes": len(evening.fixes),
            "fixes_not_taken": len(evening.fixes) - len(evening.fix_lags),
            "setup_seconds": round(setup_seconds, 1),
            "evening_minutes": round(evening.finished_minute, 1),
            "bench_behind_minutes": round(evening.behind, 2),
            "reads_peak": max(reads),
            "reads_mean": round(statistics.mean(reads), 2),
            "writes_peak": max(writes),
            "writes_mean": round(statistics.mean(writes), 2),
            "drive_peak": max(drive),
            "drive_mean": round(statistics.mean(drive), 2),
            "refused_429": refused,
            "lost": lost,
            "duplicated": duplicated,
            "strays": strays,
            "late": late,
            "push_p50": percentile(all_lags, 0.5),
            "push_p99": percentile(all_lags, 0.99),
            "push_max": max(all_lags, default=float("nan")),
            "fix_p50": percentile(evening.fix_lags, 0.5),
            "fix_p99": percentile(evening.fix_lags, 0.99),
            "fix_max": max(evening.fix_lags, default=float("nan")),
            "fairness": fairness(lifter_p99),
            "fairness_floored": fairness([max(lag, 1.0) for lag in lifter_p99]),
            "load": [round(load_before[0], 2), round(load_after[0], 2)],
        }
    finally:
        if workers:
            stop_workers(workers)
        if imitation:
            imitation.terminate()
            imitation.wait()
        from django.db import connections

        connections.close_all()
        drop_database(database)


# --- Printing ----------------------------------------------------------------------------


def describe(point):
    reads_quota, writes_quota = point["google_quota"]
    return "\n".join(
        [
            f"{point['lifters']} lifters: {point['workouts']} workouts completed, "
            f"{point['fixes']} cells fixed by hand in the evening (set-up "
            f"{point['setup_seconds']} s; load {point['load'][0]} before, "
            f"{point['load'][1]} after; the bench itself at most "
            f"{point['bench_behind_minutes']} simulated min late)",
            f"  requests per simulated minute: reads peak {point['reads_peak']} "
            f"({100 * point['reads_peak'] / reads_quota:.0f} % of {reads_quota}), mean "
            f"{point['reads_mean']}; writes peak {point['writes_peak']} "
            f"({100 * point['writes_peak'] / writes_quota:.0f} % of {writes_quota}), mean "
            f"{point['writes_mean']}; Drive calls peak {point['drive_peak']}, mean "
            f"{point['drive_mean']} (Drive's own quota; a pull went through at most "
            f"{point['drive_peak'] * point['scale'] / 60:.0f} sheets a real second)",
            f"  429s met: {point['refused_429']}; rows lost {point['lost']}, duplicated "
            f"{point['duplicated']}, strays {point['strays']}, not yet in the sheet "
            f"{point['late']} (workouts not in the sheet at the end: "
            f"{point['workouts_not_in_sheet']})",
            f"  push lag (simulated min): p50 {point['push_p50']:.1f}, p99 "
            f"{point['push_p99']:.1f}, max {point['push_max']:.1f}; fairness "
            f"{point['fairness']:.1f} ({point['fairness_floored']:.1f} with lags under a "
            "simulated minute counted as one)",
            f"  hand-fix lag (simulated min): p50 {point['fix_p50']:.1f}, p99 "
            f"{point['fix_p99']:.1f}, max {point['fix_max']:.1f} "
            f"({point['fixes_not_taken']} not taken by the end)",
        ]
    )


def curve(points):
    lines = [
        "",
        "lifters | workouts | reads/min peak (mean) | writes/min peak (mean) | 429s | "
        "lost/dup | push p50/p99/max | fix p50/p99/max | fairness (floored)",
    ]
    for p in points:
        lines.append(
            f"{p['lifters']:>7} | {p['workouts']:>8} | {p['reads_peak']:>3} ({p['reads_mean']:.1f})"
            f" | {p['writes_peak']:>3} ({p['writes_mean']:.1f}) | {p['refused_429']:>4} | "
            f"{p['lost']}/{p['duplicated']} | {p['push_p50']:.1f}/{p['push_p99']:.1f}/"
            f"{p['push_max']:.1f} | {p['fix_p50']:.0f}/{p['fix_p99']:.0f}/{p['fix_max']:.0f} | "
            f"{p['fairness']:.1f} ({p['fairness_floored']:.1f})"
        )
    over = [p for p in points if p["push_p99"] > PUSH_LAG_CEILING_MINUTES]
    under = [p for p in points if p["push_p99"] <= PUSH_LAG_CEILING_MINUTES]
    if over:
        first = min(over, key=lambda p: p["lifters"])
        below = max(
            (p for p in under if p["lifters"] < first["lifters"]),
            default=None,
            key=lambda p: p["lifters"],
        )
        lines.append(
            f"p99 push lag passes {PUSH_LAG_CEILING_MINUTES} min between "
            f"{below['lifters'] if below else 0} and {first['lifters']} lifters."
        )
    elif points:
        top = max(points, key=lambda p: p["lifters"])
        peak = max(top["reads_peak"], top["writes_peak"])
        lines.append(
            f"p99 push lag stays under {PUSH_LAG_CEILING_MINUTES} min up to {top['lifters']} "
            f"lifters (the largest point run); its busiest minute used {peak} of "
            f"{READS_PER_MINUTE} requests."
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifters", default="100,300,1000,3000")
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--start-hour", type=int, default=START_HOUR)
    parser.add_argument("--hours", type=float, default=HOURS)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--drain-minutes",
        type=int,
        default=DRAIN_MINUTES,
        help="simulated minutes after the evening for what is still on its way",
    )
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="flushed at the start")
    parser.add_argument(
        "--google-quota",
        default="60,60",
        metavar="READS,WRITES",
        help="what the imitation lets through a minute; the app's budget stays at 60,60 "
        "(lower: another program uses the same service account, and 429s are met)",
    )
    parser.add_argument("--point", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = [int(n.replace("_", "")) for n in args.lifters.split(",")]
    os.environ["MANY_LIFTERS_DRAIN_MINUTES"] = str(args.drain_minutes)
    if args.point:
        google_quota = tuple(int(n) for n in args.google_quota.split(","))
        point = run_point(
            counts[0],
            args.scale,
            args.start_hour,
            args.hours,
            args.seed,
            args.redis_db,
            google_quota,
        )
        print("POINT " + json.dumps(point), flush=True)
        return
    print(
        f"Machine: {machine()}; time scale {args.scale:g} simulated s per real s; the "
        f"evening {args.start_hour}-{args.start_hour + args.hours:g} h simulated, then at "
        f"most {args.drain_minutes} min of drain; the app's budget {READS_PER_MINUTE} reads and "
        f"{WRITES_PER_MINUTE} writes a minute, Google's (the imitation's) "
        f"{args.google_quota}; two qcluster processes, one worker each"
    )
    points = []
    for count in counts:
        command = [sys.executable, __file__, "--point", "--lifters", str(count)]
        command += ["--scale", str(args.scale), "--start-hour", str(args.start_hour)]
        command += ["--hours", str(args.hours), "--seed", str(args.seed)]
        command += ["--redis-db", str(args.redis_db), "--google-quota", args.google_quota]
        started = time.monotonic()
        child = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        lines = [line for line in child.stdout.splitlines() if line.startswith("POINT ")]
        if child.returncode or not lines:
            print(child.stdout[-3000:], child.stderr[-3000:], sep="\n")
            raise SystemExit(f"the point of {count} lifters failed")
        point = json.loads(lines[-1].removeprefix("POINT "))
        point["wall_seconds"] = round(time.monotonic() - started)
        points.append(point)
        print(describe(point) + f"\n  wall time {point['wall_seconds']} s", flush=True)
    print(curve(points))


if __name__ == "__main__":
    main()
