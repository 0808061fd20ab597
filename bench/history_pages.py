"""Whether the pages a lifter opens cost the same in year five as in month three.

    .venv/bin/python bench/history_pages.py              # about 2 minutes
    .venv/bin/python bench/history_pages.py --requests 9 # fewer requests per page

Two lifters are brought in the way a real history arrives, with `import_sheets` from
the Sheets imitation (each lifter's own spreadsheet): five years (4 workouts a week,
1,042 workouts of 5 exercises x 5 sets: 26,050 sets) and three months (51 workouts,
the same pattern). Weights follow a slow trend with 12-week waves, so records come
now and then, as they do for a real lifter. The import of the five years is timed.

Then one gunicorn (gunicorn.conf.py, production settings: DEBUG off, whitenoise with
the collected static files; workers never restarted) serves, to one client over one
kept-alive connection, every page a lifter opens: home, history page 1 and the last
page, the progress list, one exercise's chart (260 workouts for the five years), a
finished workout from the middle of the history and the summary of the latest one,
each with the login page as the floor. p50 of --requests requests, after 3 unmeasured.
The login page is requested in turn with each page (login, three months, five years,
login, ...): this machine's speed drifts by a third within minutes, so a floor measured
once, minutes before a page, moved every ratio with it.
The CSV export is downloaded whole (rows/s), and its peak Python memory is measured
in this process for both lifters (flat memory: the same peak for 20 times the rows).

Targets (issue 12): every page with five years at most 1.3 x its time with three
months and at most 6 x the login page; the chart of 260 workouts at most 6 x the login
page; the CSV export at least 50,000 rows/s with flat memory; the import at most 5 s.
"""

import argparse
import contextlib
import datetime
import http.client
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from common import ROOT, django_in_temporary_data_dir, machine, start_imitation
from http_latency import (
    OUR_PIDS,
    QUIET_SHARE,
    OthersMeter,
    free_port,
    load,
    spawn,
    sqlite_version,
    stopped_on_exit,
    wait_for_quiet,
    wait_until_answering,
)

WORKOUTS_PER_WEEK = 4
FIVE_YEARS_WORKOUTS = 1042
THREE_MONTHS_WORKOUTS = 51
SETS_PER_EXERCISE = 5
# Each template has 5 exercises, so an exercise comes once a week: 260 times in 5 years.
TEMPLATES = {
    "upper1": ["Bench Press", "Barbell Row", "Overhead Press", "Pull-up", "Curl"],
    "lower1": ["Back Squat", "Romanian Deadlift", "Leg Press", "Calf Raise", "Plank"],
    "upper2": ["Incline Press", "Pendlay Row", "Dip", "Chin-up", "Triceps Extension"],
    "lower2": ["Deadlift", "Front Squat", "Lunge", "Leg Curl", "Ab Wheel"],
}
CHART_EXERCISE = "Back Squat"
WORKOUT_DAYS = [0, 1, 3, 4]  # Monday, Tuesday, Thursday, Friday
WARM_UP_REQUESTS = 3
LOGIN_FLOOR_RATIO = 6
HISTORY_RATIO = 1.3
EXPORT_ROWS_PER_SECOND = 50_000
IMPORT_SECONDS = 5


# --- The two lifters --------------------------------------------------------------------


def workout_dates(count, last_day):
    """`count` workout days, four a week, ending on or before last_day."""
    dates, day = [], last_day
    while len(dates) < count:
        if day.weekday() in WORKOUT_DAYS:
            dates.append(day)
        day -= datetime.timedelta(days=1)
    return dates[::-1]


def load_for(exercise_index, week):
    """A slow trend with a 12-week wave: a record now and then, not every week."""
    base = 60 + 25 * exercise_index
    trend = 30 * math.log1p(week / 20)
    wave = 12 * math.sin(2 * math.pi * week / 12)
    return round((base + trend + wave) / 2.5) * 2.5


def sheet_rows(count, last_day):
    """A lifter's sheet: header, then one row per set, as the sync writes them."""
    from sessions_app.export import COLUMNS

    rows, slugs = [COLUMNS], list(TEMPLATES)
    first = None
    for number, date in enumerate(workout_dates(count, last_day)):
        first = first or date
        week = (date - first).days // 7
        slug = slugs[number % len(slugs)]
        session_id = f"{date.isoformat()}_{slug}"
        started = datetime.datetime.combine(date, datetime.time(18), datetime.UTC)
        for index, exercise in enumerate(TEMPLATES[slug]):
            top = load_for(index + 4 * slugs.index(slug) % 7, week)
            for set_number in range(1, SETS_PER_EXERCISE + 1):
                weight = top - 2.5 * (SETS_PER_EXERCISE - set_number)
                logged = started + datetime.timedelta(minutes=3 * (5 * index + set_number))
                rows.append(
                    [
                        date.isoformat(),
                        session_id,
                        slug,
                        exercise,
                        set_number,
                        int(weight) if weight == int(weight) else weight,
                        5,
                        "",
                        logged.isoformat(sep=" "),
                        str(uuid.uuid4()),
                    ]
                )
    return rows


def put_sheet(imitation_url, spreadsheet_id, rows):
    import json
    import urllib.request

    for method, path, body in [
        ("POST", "/_imitation/spreadsheets", {"id": spreadsheet_id, "worksheets": ["Log"]}),
        ("PUT", f"/_imitation/spreadsheets/{spreadsheet_id}/Log", {"rows": rows}),
    ]:
        request = urllib.request.Request(
            imitation_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method=method,
        )
        urllib.request.urlopen(request, timeout=60).close()


def imported_lifter(username, workouts, imitation_url, last_day):
    """A lifter whose history comes from their own sheet; returns (user, import seconds)."""
    from django.contrib.auth import get_user_model

    from sync_app.models import SheetsProfile
    from sync_app.sheet_import import import_sheet

    user = get_user_model().objects.create_user(username)
    spreadsheet_id = f"bench-{username}"
    put_sheet(imitation_url, spreadsheet_id, sheet_rows(workouts, last_day))
    SheetsProfile.objects.create(user=user, spreadsheet_id=spreadsheet_id, worksheet="Log")
    started = time.perf_counter()
    report = import_sheet(user)
    seconds = time.perf_counter() - started
    expected = workouts * len(TEMPLATES["upper1"]) * SETS_PER_EXERCISE
    if report.sets_created != expected or report.skipped:
        raise RuntimeError(f"{username}: {report.summary()}")
    return user, seconds


def session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


# --- Pages ------------------------------------------------------------------------------


def pages_of(user):
    """(name, path) of every page the lifter opens, with the login page first."""
    from sessions_app.models import Workout
    from sessions_app.views.history import HISTORY_PAGE_SIZE

    completed = list(
        Workout.objects.filter(owner=user, status="completed")
        .order_by("date", "created_at")
        .values_list("pk", flat=True)
    )
    last_page = math.ceil(len(completed) / HISTORY_PAGE_SIZE)
    return [
        ("login page", "/accounts/login/"),
        ("home", "/"),
        ("history, page 1", "/history/"),
        (f"history, last page ({last_page})", f"/history/?page={last_page}"),
        ("progress, all exercises", "/progress/"),
        ("one exercise's chart", "/progress/exercise/?exercise=Back%20Squat"),
        ("a finished workout (mid-history)", f"/workouts/{completed[len(completed) // 2]}/"),
        ("summary of the latest workout", f"/workouts/{completed[-1]}/"),
    ]


def timed_turns(port, paths, cookies, count):
    """Milliseconds of `count` GETs of each path, taking turns (so that anything else on
    the machine slows all alike), each over one kept-alive connection; and the size of
    the last path's page."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in paths]
    times = [[] for _ in paths]
    try:
        for number in range(WARM_UP_REQUESTS + count):
            for index, (connection, path, cookie) in enumerate(
                zip(connections, paths, cookies, strict=True)
            ):
                headers = {"Host": "127.0.0.1"}
                if not path.startswith("/accounts/login/"):
                    headers["Cookie"] = cookie
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                body = answer.read()
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status != 200:
                    raise RuntimeError(f"GET {path}: {answer.status}\n{body[:500]!r}")
                if number >= WARM_UP_REQUESTS:
                    times[index].append(elapsed)
    finally:
        for connection in connections:
            connection.close()
    return times, len(body)


def measured_turns(port, paths, cookies, count, retries):
    """timed_turns(), measured again when other processes took over 10 % of the CPU."""
    for attempt in range(retries + 1):
        wait_for_quiet()
        meter = OthersMeter()
        times, size = timed_turns(port, paths, cookies, count)
        others = meter.share()
        if others <= QUIET_SHARE or attempt == retries:
            return times, size, others
        print(f"  ! {paths[-1]}: other processes used {others:.0%} of the CPU; again", flush=True)


def export_download(port, cookie, times=5):
    """(median seconds, rows) to download the whole CSV export: one download alone moved
    by a third from run to run (which worker, what it had run before)."""
    measured = [download_once(port, cookie) for _ in range(times)]
    return statistics.median(seconds for seconds, _ in measured), measured[0][1]


def download_once(port, cookie):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request("GET", "/history/export.csv", headers={"Cookie": cookie})
        answer = connection.getresponse()
        body = answer.read()
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    if answer.status != 200:
        raise RuntimeError(f"export: {answer.status}")
    return seconds, body.count(b"\n") - 1


def export_peak_memory(user):
    """Peak Python memory (MB) while the export of this lifter streams, in this process."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    tracemalloc.start()
    try:
        response = client.get("/history/export.csv")
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6, rows


# --- Report -----------------------------------------------------------------------------


def verdict(met):
    return "met" if met else "NOT MET"


def report(results, five_export, three_export, memory, import_seconds):
    print()
    header = (
        f"{'page':<34}{'3 months p50':>14}{'5 years p50':>14}{'login p50':>12}{'5y / 3m':>9}"
        f"{'5y / login':>12}{'5y bytes':>10}{'others CPU':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, (three, five, login, size, others) in results.items():
        print(
            f"{name:<34}{three:>11.2f} ms{five:>11.2f} ms{login:>9.2f} ms{five / three:>9.2f}"
            f"{five / login:>12.2f}{size:>10,}{others:>12.0%}"
        )
    print(
        "(login p50: the login page, requested in turn with that page; others CPU: the "
        "share of the machine's CPU that other processes used during the page's runs; "
        "over 10 % the figures are disturbed)"
    )
    print()
    for label, (seconds, rows) in [("3 months", three_export), ("5 years", five_export)]:
        print(
            f"CSV export, {label}: {rows:,} rows in {seconds:.3f} s "
            f"= {rows / seconds:,.0f} rows/s; peak Python memory {memory[label][0]:.1f} MB"
        )
    print(
        f"import_sheets of the five years (26,050 rows): {import_seconds[0]:.2f} s "
        f"(others CPU {import_seconds[1]:.0%})"
    )
    print()
    # The chart has its own target (3.): three months draw 13 workouts, five years 260.
    chart_name = "one exercise's chart"
    pages = {name: value for name, value in results.items() if name != chart_name}
    worst_ratio = max(five / three for three, five, *_ in pages.values())
    worst_login = max(five / login for _, five, login, *_ in pages.values())
    print(
        f"1. every page but the chart, 5 years / 3 months <= {HISTORY_RATIO}: "
        f"worst {worst_ratio:.2f}: "
        f"{verdict(worst_ratio <= HISTORY_RATIO)}"
    )
    print(
        f"2. every page but the chart, 5 years / login <= {LOGIN_FLOOR_RATIO}: "
        f"worst {worst_login:.2f}: "
        f"{verdict(worst_login <= LOGIN_FLOOR_RATIO)}"
    )
    chart = results[chart_name][1] / results[chart_name][2]
    print(f"3. chart of 260 workouts / login = {chart:.2f}: {verdict(chart <= LOGIN_FLOOR_RATIO)}")
    rate = five_export[1] / five_export[0]
    flat = memory["5 years"][0] <= 2 * memory["3 months"][0]
    print(
        f"4. CSV export {rate:,.0f} rows/s (>= {EXPORT_ROWS_PER_SECOND:,}), peak memory "
        f"{memory['3 months'][0]:.1f} -> {memory['5 years'][0]:.1f} MB for 20 x the rows: "
        f"{verdict(rate >= EXPORT_ROWS_PER_SECOND and flat)}"
    )
    print(
        f"5. import_sheets {import_seconds[0]:.2f} s (<= {IMPORT_SECONDS} s): "
        f"{verdict(import_seconds[0] <= IMPORT_SECONDS)}"
    )


# --- Main -------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=25, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="measure a page again when other processes used over 10%% of the CPU meanwhile "
        "(default: %(default)s)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the data directory")
    return parser.parse_args()


def production_env():
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workoutsite.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def main():
    args = parse_args()
    # This process serves the in-process export (memory) as the production one would.
    os.environ.update({"DJANGO_HTTPS": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"})
    data_dir = Path(django_in_temporary_data_dir())
    log_dir = Path(tempfile.mkdtemp(prefix="workout-bench-logs-"))
    from django.conf import settings

    print(f"Machine: {machine()}, SQLite {sqlite_version()}; load average {load()}")
    imitation, imitation_url = start_imitation()
    OUR_PIDS.add(imitation.pid)  # its CPU while it serves the import is ours
    settings.GOOGLE_SHEETS_API_URL = imitation_url  # import_sheets reads the imitation
    try:
        last_day = datetime.date(2026, 11, 30)
        three_months, _ = imported_lifter("three", THREE_MONTHS_WORKOUTS, imitation_url, last_day)
        wait_for_quiet()
        meter = OthersMeter()
        five_years, seconds = imported_lifter("five", FIVE_YEARS_WORKOUTS, imitation_url, last_day)
        import_seconds = (seconds, meter.share())
        print(f"Imported both lifters; the five years took {seconds:.2f} s", flush=True)
        memory = {
            "3 months": export_peak_memory(three_months),
            "5 years": export_peak_memory(five_years),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=production_env(),
            check=True,
        )
        from django.db import connections

        connections.close_all()
        with contextlib.ExitStack() as stack:
            port = free_port()
            command_env = production_env()
            start_gunicorn_production(stack, port, args.workers, command_env, log_dir)
            results = {}
            (_, login_path), *three_pages = pages_of(three_months)
            _, *five_pages = pages_of(five_years)
            cookies = {"three": session_cookie(three_months), "five": session_cookie(five_years)}
            connections.close_all()
            for (name, three_path), (_, five_path) in zip(three_pages, five_pages, strict=True):
                (login_times, three_times, five_times), size, others = measured_turns(
                    port,
                    [login_path, three_path, five_path],
                    [None, cookies["three"], cookies["five"]],
                    args.requests,
                    args.retries,
                )
                label = name.split(" (")[0]
                results[label] = (
                    statistics.median(three_times),
                    statistics.median(five_times),
                    statistics.median(login_times),
                    size,
                    others,
                )
                print(f"  measured {label}", flush=True)
            wait_for_quiet()
            three_export = export_download(port, cookies["three"])
            five_export = export_download(port, cookies["five"])
        print(
            f"gunicorn: {args.workers} sync workers, gunicorn.conf.py, never restarted; "
            f"1 client, p50 of {args.requests} requests; load average {load()}"
        )
        report(results, five_export, three_export, memory, import_seconds)
    finally:
        imitation.terminate()
        imitation.wait(10)
        if not args.keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.rmtree(log_dir, ignore_errors=True)
        else:
            print(f"Data in {data_dir}, logs in {log_dir}")


def start_gunicorn_production(stack, port, workers, env, log_dir):
    """gunicorn on the app's own URLs (production settings), workers never restarted."""
    log_path = log_dir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--max-requests", "0"]
    command.append("workoutsite.wsgi:application")
    process = stopped_on_exit(stack, spawn(command, env, log_path))
    wait_until_answering(f"http://127.0.0.1:{port}/accounts/login/", process, log_path)
    return process


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted; every process the bench started has been stopped.")
