"""How fast `PUT /api/session/log-set` answers through gunicorn on SQLite, next to references.

    .venv/bin/python bench/http_latency.py                # about 3 minutes
    .venv/bin/python bench/http_latency.py --quick        # shorter runs, about 1 minute
    .venv/bin/python bench/http_latency.py --workers 2,4  # one round per gunicorn worker count

It needs wrk, the HTTP load generator (Debian: apt-get install wrk).

One gunicorn (gunicorn.conf.py, DJANGO_SETTINGS_MODULE=bench.settings, DEBUG off, workers
never restarted: --max-requests 0 unless --recycle) serves, on a throwaway SQLite database:

- bench/empty:  the whole stack with no database (bench/views.py),
- bench/insert: one raw INSERT in its own transaction, the floor for a durable write,
- log-set:      PUT /api/session/log-set with an API token, storing a new set each time
                (each run on a freshly started workout; every set is counted afterwards).

wrk (bench/put_json.lua: the same PUT, headers and JSON body for all three) measures each
with one client (p50, p99) and with 16 clients (requests/s, p50, p99, errors). Then the
Sheets imitation is made to answer every call after 10 s, a `manage.py qcluster` worker
starts a sync of a few completed workouts that hangs on it, and log-set is measured again
while the sync is verifiably in progress, and once more after the worker is stopped (the
runs before and after bracket the one during). A run during which other processes on the
machine took over 10 % of the CPU is measured again (--retries). Targets (from the issue):

1. log-set p50 (one client) at most 3 x the insert's p50;
2. 16 clients: no errors, log-set throughput at least 50 % of the insert's;
3. with the hanging sync, log-set latency and throughput within 10 % of the runs without.
"""

import argparse
import contextlib
import json
import math
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, django_in_temporary_data_dir, machine, start_imitation

LUA_SCRIPT = Path(__file__).with_name("put_json.lua")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
DEFAULT_WORKERS = [3]
BUSY_LOAD = 0.5
MANY_CLIENTS = 16
MANY_THREADS = 2
IMITATION_DELAY_SECONDS = 10
CALLS_PER_SYNC_TARGET = 3  # metadata, key column, append: each one hangs for the delay
# "{n}": put_json.lua cycles through EXERCISE_NAMES names, so no exercise of the workout
# gets thousands of sets (next_set_number's MAX would then cost more than in real use).
SET_BODY = {"exercise": "Back Squat {n}", "weight": "225", "reps": "5"}
EXERCISE_NAMES = 500


@dataclass
class Plan:
    one_client: int  # seconds of each run
    many_clients: int
    warm_up: int
    retries: int  # a run during which other processes took CPU is measured again


def plan_for(options):
    if options.quick:
        return Plan(one_client=3, many_clients=6, warm_up=1, retries=options.retries)
    return Plan(one_client=10, many_clients=20, warm_up=3, retries=options.retries)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    others: float = 0.0  # share of the machine's CPU that other processes used meanwhile

    @property
    def errors(self):
        return self.non_2xx + self.socket_errors


@dataclass
class Measured:
    one: WrkResult
    many: WrkResult


# --- wrk ------------------------------------------------------------------------------

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * TIME_UNITS_MS[unit]


def parse_wrk(output):
    """The figures of wrk --latency's report."""
    requests, duration = re.search(r"(\d+) requests in ([\d.]+\w+),", output).groups()
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(requests),
        seconds=milliseconds(duration) / 1000,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        p99_ms=milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
    )


def run_wrk(url, token, body, clients, threads, seconds):
    command = [WRK, f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s"]
    command += ["--latency", "-s", str(LUA_SCRIPT), url]
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_BODY": json.dumps(body)}
    env["BENCH_NAMES"] = str(EXERCISE_NAMES)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    try:
        return parse_wrk(done.stdout)
    except AttributeError:
        raise RuntimeError(f"Could not read wrk's report:\n{done.stdout}{done.stderr}") from None


# --- Processes ------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(imitation_url, settings_module):
    """What gunicorn and the worker run with: production-like, sync pointed at the imitation."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SHEETS_SPREADSHEET_ID": "bench",
        "GOOGLE_SHEETS_API_URL": imitation_url,
        "SHEETS_TIMEOUT_SECONDS": "30",
    }


def spawn(command, env, log_path):
    """A child in its own process group (so it and its children stop together)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    OUR_SESSIONS.add(process.pid)
    return process


def stop(process, grace_seconds=15):
    """SIGTERM the child's process group, SIGKILL it if it has not gone after the grace."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace_seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def stopped_on_exit(stack, process):
    stack.callback(stop, process)
    return process


def start_gunicorn(stack, port, workers, recycle, env, log_path):
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers)]
    if not recycle:
        # gunicorn.conf.py restarts a worker after ~2,000 requests: weeks of real use, but
        # every second or two here, which would measure Django's start-up instead.
        command += ["--max-requests", "0"]
    command.append("workoutsite.wsgi:application")
    # Production settings serve the collected, hashed files (as bin/run.py and the
    # Docker image collect them first): a page naming a file not collected is a 500.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    process = stopped_on_exit(stack, spawn(command, env, log_path))
    wait_until_answering(f"http://127.0.0.1:{port}/bench/empty", process, log_path)
    return process


def wait_until_answering(url, process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{Path(log_path).read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


def start_worker(stack, env, log_path):
    command = [sys.executable, "manage.py", "qcluster"]
    return stopped_on_exit(stack, spawn(command, env, log_path))


def imitation_request(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url + path, data=data, headers={"Content-Type": "application/json"}, method=method
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def imitation_calls(url):
    return len(imitation_request(url, "GET", "/_imitation/calls")["calls"])


# --- Other processes on the machine ---------------------------------------------------

QUIET_SHARE = 0.10  # a run is redone when other processes took more of the CPU than this
QUIET_WAIT_SECONDS = 30
OUR_SESSIONS = set()  # every process this script starts runs in a session of its own
OUR_PIDS = set()


def machine_ticks():
    """(busy, total) CPU ticks of all cores since boot; time stolen by the host is busy."""
    values = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    total = sum(values)
    return total - values[3] - values[4], total  # idle and iowait are not busy


def processes():
    """(pid, session id, CPU ticks used so far) of every live process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            yield int(stat.parent.name), int(fields[3]), int(fields[11]) + int(fields[12])


def session_ticks(session_id):
    """CPU ticks used so far by the live processes of one session (a process we started)."""
    return sum(ticks for _, session, ticks in processes() if session == session_id)


def our_ticks():
    """CPU ticks used by this script, by wrk, and by every process it started."""
    ticks = sum(
        ticks for pid, session, ticks in processes() if pid in OUR_PIDS or session in OUR_SESSIONS
    )
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has finished
    seconds = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    return ticks + seconds * os.sysconf("SC_CLK_TCK")


class OthersMeter:
    """The share of the machine's CPU that processes other than ours used since creation."""

    def __init__(self):
        self.busy, self.total = machine_ticks()
        self.ours = our_ticks()

    def share(self):
        busy, total = machine_ticks()
        others = (busy - self.busy) - (our_ticks() - self.ours)
        return max(0.0, others / max(1, total - self.total))


def wait_for_quiet():
    """Wait (a while at most) for a second in which other processes leave the CPU alone."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    while time.monotonic() < deadline:
        meter = OthersMeter()
        time.sleep(1)
        if meter.share() < QUIET_SHARE:
            return


# --- Data -----------------------------------------------------------------------------


def create_lifter(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username)


def create_insert_table():
    from django.db import connection

    from bench.views import CREATE_TABLE

    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)


def count_inserted_rows():
    from django.db import connection

    from bench.views import INSERT_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {INSERT_TABLE}")
        return cursor.fetchone()[0]


def fresh_workout(lifter):
    """Cancel the lifter's workout in progress and start a new one (from 'lower1').

    Every log-set run starts on an empty workout, so no run pays for the sets of the last.
    The lifter has every exercise the run names already, as a lifter has the exercises
    of the routine they follow: the first set of an exercise new to them (which makes
    it) happens once per exercise, not once per run.
    """
    from sessions_app.models import Exercise, Routine, Workout

    names = [SET_BODY["exercise"].format(n=n) for n in range(1, EXERCISE_NAMES + 1)]
    Exercise.for_names(lifter.pk, names)
    for session in Workout.objects.owned_by(lifter).active():
        session.cancel()
    return Workout.start(lifter, Routine.objects.starters().get(slug="lower1"))


def completed_workouts_on_own_sheets(imitation_url, count, prefix):
    """`count` lifters, each with a completed workout of 5 sets bound for a sheet of its own.

    One sync run goes through the sheets one after the other, 3 calls each: with every
    call hanging, the run lasts 3 x delay x count seconds.
    """
    from sessions_app.models import Routine, Workout
    from sync_app.models import SheetsProfile

    template = Routine.objects.starters().get(slug="lower1")
    for number in range(1, count + 1):
        name = f"{prefix}-{number}"
        imitation_request(
            imitation_url, "POST", "/_imitation/spreadsheets", {"id": name, "worksheets": ["Log"]}
        )
        lifter = create_lifter(name)
        SheetsProfile.objects.create(user=lifter, spreadsheet_id=name, worksheet="Log")
        session = Workout.start(lifter, template)
        for set_number in range(1, 6):
            session.log_set("Deadlift", weight="315", reps="5", set_number=set_number)
        session.complete()  # queues a sync task for the worker


def running_sync_run(after_id):
    from sync_app.models import SyncRun

    return (
        SyncRun.objects.filter(pk__gt=after_id, outcome=SyncRun.Outcome.RUNNING)
        .order_by("pk")
        .first()
    )


def last_sync_run_id():
    from sync_app.models import SyncRun

    return SyncRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def lease_held():
    """A run holds some sheet's lease (each lifter's sheet has its own)."""
    from django.utils import timezone

    from sync_app.models import SheetState

    return SheetState.objects.filter(
        lease_expires_at__gt=timezone.now(), lease_holder__gt=""
    ).exists()


def release_lease():
    """After the worker is stopped mid-run: free the sheets' leases, so a next round can sync."""
    from sync_app.models import SheetState

    SheetState.objects.update(lease_holder="", lease_expires_at=None)


def wal_checkpoint():
    """Copy the WAL into the database: done in full only if no connection holds a snapshot."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master")  # opens the WAL on this connection
        cursor.fetchone()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return tuple(cursor.fetchone())


def close_db():
    from django.db import connection

    connection.close()


# --- Measurements ---------------------------------------------------------------------


@dataclass
class Target:
    """One endpoint: its URL, and how to count what a run stored."""

    name: str
    url: str
    token: str
    lifter: object = None  # log-set: each run logs into a fresh workout of this lifter
    counts_inserts: bool = False  # bench/insert: each run adds rows to the bench table
    session: object = None

    def body(self):
        if self.lifter is None:
            return SET_BODY
        self.session = fresh_workout(self.lifter)
        return {"session_id": self.session.pk, **SET_BODY}

    def stored(self):
        if self.lifter is not None:
            return self.session.sets.count()
        return count_inserted_rows() if self.counts_inserts else None


def measure_once(target, clients, threads, seconds, retries=0):
    for attempt in range(retries + 1):
        wait_for_quiet()
        body = target.body()
        before = target.stored()
        close_db()
        meter = OthersMeter()
        result = run_wrk(target.url, target.token, body, clients, threads, seconds)
        result.others = meter.share()
        check_stored(target, result, before, clients)
        if result.others <= QUIET_SHARE or attempt == retries:
            return result
        print(
            f"  ! {target.name}, {clients} client(s): other processes used "
            f"{result.others:.0%} of the CPU meanwhile; measuring again",
            flush=True,
        )


def check_stored(target, result, before, clients):
    """Each request answered 2xx stored one row: the database grew by that many (plus at
    most one request per connection that wrk cut off at the end, or lost to an error)."""
    after = target.stored()
    if after is None:
        return
    grown = after - before
    answered_2xx = result.requests - result.non_2xx
    if not answered_2xx <= grown <= answered_2xx + clients + result.socket_errors:
        raise RuntimeError(
            f"{target.name}: wrk counted {answered_2xx} answers 2xx, the database grew by {grown}"
        )
    if result.errors:
        print(f"  ! {target.name}: {result.non_2xx} non-2xx, {result.socket_errors} socket errors")


def measure(target, plan):
    one = measure_once(target, 1, 1, plan.one_client, plan.retries)
    many = measure_once(target, MANY_CLIENTS, MANY_THREADS, plan.many_clients, plan.retries)
    return Measured(one, many)


def warm_up(targets, plan):
    for target in targets:
        run_wrk(target.url, target.token, target.body(), MANY_CLIENTS, MANY_THREADS, plan.warm_up)


def sync_targets_needed(plan):
    """Enough sheets that the hanging run outlasts both log-set runs (retries included)."""
    seconds = (plan.one_client + plan.many_clients + 2 * QUIET_WAIT_SECONDS) * (plan.retries + 1)
    return math.ceil(seconds / (CALLS_PER_SYNC_TARGET * IMITATION_DELAY_SECONDS)) + 1


def wait_for_hanging_sync(imitation_url, after_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = running_sync_run(after_id)
        if run and imitation_calls(imitation_url) and lease_held():
            return run
        time.sleep(0.25)
    raise RuntimeError("No sync run started against the imitation within a minute")


def still_running(run):
    run.refresh_from_db()
    return run.finished_at is None and lease_held()


@dataclass
class SyncEvidence:
    run_id: int
    calls_before: int
    calls_after: int
    held_throughout: bool
    checkpoint: tuple  # PRAGMA wal_checkpoint(PASSIVE) during the sync: busy, frames, done
    worker_cpu: float  # share of one core the qcluster's processes used during the runs


def measure_with_hanging_sync(stack, log_set, imitation_url, env, log_dir, round_name, plan):
    """log-set again while a sync run hangs on the imitation (every call answered after 10 s)."""
    imitation_request(imitation_url, "DELETE", "/_imitation/faults")
    imitation_request(
        imitation_url,
        "POST",
        "/_imitation/faults",
        {"type": "delay", "seconds": IMITATION_DELAY_SECONDS, "times": 100_000},
    )
    after_id = last_sync_run_id()
    completed_workouts_on_own_sheets(imitation_url, sync_targets_needed(plan), round_name)
    worker = start_worker(stack, env, log_dir / f"qcluster-{round_name}.log")
    try:
        run = wait_for_hanging_sync(imitation_url, after_id)
        calls_before = imitation_calls(imitation_url)
        started, worker_ticks = time.monotonic(), session_ticks(worker.pid)
        one = measure_once(log_set, 1, 1, plan.one_client, plan.retries)
        held = still_running(run)
        many = measure_once(log_set, MANY_CLIENTS, MANY_THREADS, plan.many_clients, plan.retries)
        held = held and still_running(run)
        calls_after = imitation_calls(imitation_url)
        worker_cpu = (session_ticks(worker.pid) - worker_ticks) / os.sysconf("SC_CLK_TCK")
        worker_cpu /= time.monotonic() - started
        evidence = SyncEvidence(
            run.pk, calls_before, calls_after, held, wal_checkpoint(), worker_cpu
        )
    finally:
        stop(worker)
        imitation_request(imitation_url, "DELETE", "/_imitation/faults")
        release_lease()
    return Measured(one, many), evidence


def load():
    """The 1, 5 and 15-minute load averages: anything else busy on the machine shows here."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def measure_round(stack, workers, options, lifter, token, imitation_url, log_dir):
    plan = plan_for(options)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn_log = log_dir / f"gunicorn-{workers}.log"
    env = app_env(imitation_url, "bench.settings")
    start_gunicorn(stack, port, workers, options.recycle, env, gunicorn_log)
    targets = [
        Target("bench/empty", f"{base}/bench/empty", token),
        Target("bench/insert", f"{base}/bench/insert", token, counts_inserts=True),
        Target("log-set", f"{base}/api/session/log-set", token, lifter),
    ]
    print(f"gunicorn with {workers} workers on {base}; load average {load()}", flush=True)
    warm_up(targets, plan)
    results = {}
    for target in targets:
        results[target.name] = measure(target, plan)
        print(f"  measured {target.name}", flush=True)
    worker_env = app_env(imitation_url, "workoutsite.settings")
    results["log-set, sync hanging"], evidence = measure_with_hanging_sync(
        stack, targets[2], imitation_url, worker_env, log_dir, f"sync-w{workers}", plan
    )
    print("  measured log-set with a hanging sync", flush=True)
    # Measured again once the worker is gone: the runs without the sync bracket the one with.
    results["log-set, after the sync"] = measure(targets[2], plan)
    print(f"  measured log-set after the sync; load average {load()}", flush=True)
    return results, evidence


# --- Report ---------------------------------------------------------------------------


def print_table(results):
    header = (
        f"{'endpoint':<24}{'1 client p50':>14}{'p99':>10}"
        f"{f'{MANY_CLIENTS} clients req/s':>20}{'p50':>10}{'p99':>10}{'errors':>8}"
        f"{'others CPU':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, measured in results.items():
        one, many = measured.one, measured.many
        print(
            f"{name:<24}{one.p50_ms:>11.2f} ms{one.p99_ms:>7.2f} ms"
            f"{many.requests_per_second:>20.0f}{many.p50_ms:>7.2f} ms{many.p99_ms:>7.2f} ms"
            f"{many.errors:>8}{max(one.others, many.others):>12.0%}"
        )


def mean(*values):
    return sum(values) / len(values)


def verdict(met):
    return "MET" if met else "NOT MET"


def print_verdicts(results, evidence):
    log_set, insert = results["log-set"], results["bench/insert"]
    hanging = results["log-set, sync hanging"]
    latency = log_set.one.p50_ms / insert.one.p50_ms
    print(
        f"1. log-set p50 / insert p50 (1 client) = {latency:.2f} (target <= 3): "
        f"{verdict(latency <= 3)}"
    )
    throughput = log_set.many.requests_per_second / insert.many.requests_per_second
    errors = sum(m.one.errors + m.many.errors for m in results.values())
    print(
        f"2. {MANY_CLIENTS} clients: log-set req/s / insert req/s = {throughput:.2f} "
        f"(target >= 0.50), errors {errors} (target 0): "
        f"{verdict(throughput >= 0.5 and errors == 0)}"
    )
    before, after = log_set, results["log-set, after the sync"]
    p50_one = hanging.one.p50_ms / mean(before.one.p50_ms, after.one.p50_ms)
    p50_many = hanging.many.p50_ms / mean(before.many.p50_ms, after.many.p50_ms)
    rps = hanging.many.requests_per_second / mean(
        before.many.requests_per_second, after.many.requests_per_second
    )
    met = p50_one <= 1.10 and p50_many <= 1.10 and rps >= 0.90
    print(
        "3. with a hanging sync / without (the mean of the runs before and after): "
        f"p50 (1 client) {p50_one:.2f}, "
        f"p50 ({MANY_CLIENTS} clients) {p50_many:.2f}, req/s {rps:.2f} "
        f"(target within 10 %): {verdict(met)}"
    )
    print(
        f"   sync run #{evidence.run_id} in progress throughout: "
        f"{'yes' if evidence.held_throughout else 'NO'}; "
        f"imitation calls {evidence.calls_before} -> {evidence.calls_after} during the runs; "
        f"the worker (qcluster) used {evidence.worker_cpu:.1%} of a core meanwhile"
    )
    busy, frames, done = evidence.checkpoint
    if frames < 0:
        outcome = "not available on this connection"
    elif not busy and done == frames:
        outcome = f"{done} of {frames} frames copied (the sync holds no snapshot or lock)"
    else:
        outcome = f"only {done} of {frames} frames copied (something holds a snapshot)"
    print(f"   WAL checkpoint during the hanging sync: {outcome}")


# --- Main -----------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test)")
    parser.add_argument(
        "--workers",
        default=",".join(map(str, DEFAULT_WORKERS)),
        help="gunicorn worker counts, comma-separated: one round each (default: %(default)s)",
    )
    parser.add_argument(
        "--recycle",
        action="store_true",
        help="keep gunicorn.conf.py's worker restarts after ~2,000 requests (off by default)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        help="measure a run again when other processes used over 10%% of the CPU meanwhile "
        "(default: %(default)s)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the data directory")
    return parser.parse_args()


def exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main():
    args = parse_args()
    if not Path(WRK).exists():
        raise SystemExit("This bench needs wrk, the HTTP load generator: apt-get install wrk")
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    data_dir = Path(django_in_temporary_data_dir())
    log_dir = Path(tempfile.mkdtemp(prefix="workout-bench-logs-"))
    from sessions_app.models import ApiToken

    print(f"Machine: {machine()}, SQLite {sqlite_version()}")
    if os.getloadavg()[0] > BUSY_LOAD:
        print(f"! load average {load()}: something else is running here; expect noisy figures")
    try:
        lifter = create_lifter("bench")
        token = ApiToken.issue(lifter, "bench")
        create_insert_table()
        with contextlib.ExitStack() as stack:
            imitation, imitation_url = start_imitation("bench:Log")
            stack.callback(stop_imitation, imitation)
            OUR_PIDS.add(imitation.pid)
            for workers in map(int, args.workers.split(",")):
                with contextlib.ExitStack() as round_stack:  # this round's gunicorn and worker
                    results, evidence = measure_round(
                        round_stack, workers, args, lifter, token, imitation_url, log_dir
                    )
                report(workers, args, results, evidence)
    finally:
        if not args.keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.rmtree(log_dir, ignore_errors=True)
        else:
            print(f"Data in {data_dir}, logs in {log_dir}")


def stop_imitation(imitation):
    imitation.terminate()
    imitation.wait(10)


def sqlite_version():
    import sqlite3

    return sqlite3.sqlite_version


def report(workers, options, results, evidence):
    plan = plan_for(options)
    recycling = "after ~2,000 requests" if options.recycle else "never (--max-requests 0)"
    print()
    print(
        f"gunicorn: {workers} sync workers, gunicorn.conf.py, workers restarted {recycling}; "
        f"wrk: 1 client (-t1 -c1) "
        f"{plan.one_client} s, {MANY_CLIENTS} clients (-t{MANY_THREADS} -c{MANY_CLIENTS}) "
        f"{plan.many_clients} s; {os.cpu_count()} cores shared by all"
    )
    print_table(results)
    print(
        f"(others CPU: the share of the {os.cpu_count()} cores that other processes used during "
        "the runs, the larger of the two; over 10 % the figures are disturbed)"
    )
    print()
    print_verdicts(results, evidence)
    print()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted; every process the bench started has been stopped.")
