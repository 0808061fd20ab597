"""Where the workout page spends its time, in one process (no gunicorn, no network).

    .venv/bin/python bench/profile_workout_page.py            # the three-month lifter
    .venv/bin/python bench/profile_workout_page.py --years    # the five-year lifter

The lifters of bench/workout_screen.py (every exercise of the routine with a rule) on a
throwaway SQLite database, DEBUG off; Django's test client asks for the workout page.
Prints the page's queries, the median time per page without the profiler (the login
page next to it, as the bench counts), then cProfile's top functions over the pages.
"""

import argparse
import cProfile
import pstats
import statistics
import time

from common import django_in_temporary_data_dir

PAGES = 100
WARM_UP = 20


def timed(fetch, count, clock=time.perf_counter):
    times = []
    for _ in range(count):
        started = clock()
        fetch()
        times.append((clock() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", action="store_true", help="the five-year lifter")
    parser.add_argument("--top", type=int, default=40, help="functions listed")
    parser.add_argument("--no-profile", action="store_true", help="the times only")
    parser.add_argument("--save", help="keep the profile in this file (pstats)")
    options = parser.parse_args()

    django_in_temporary_data_dir()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from workout_screen import WEEKS_FIVE_YEARS, WEEKS_THREE_MONTHS, build_history, lower_template

    from sessions_app.models import Workout

    settings.ALLOWED_HOSTS = ["*"]
    template = lower_template()
    weeks = WEEKS_FIVE_YEARS if options.years else WEEKS_THREE_MONTHS
    lifter, workouts, sets = build_history("lifter", weeks, template)
    client = Client()
    client.force_login(lifter)
    url = Workout.objects.get(owner=lifter, status="active").get_absolute_url()

    def page():
        answer = client.get(url, secure=True)
        assert answer.status_code == 200 and b"planned log-set" in answer.content

    visitor = Client()

    def login_page():
        assert visitor.get("/accounts/login/", secure=True).status_code == 200

    with CaptureQueriesContext(connection) as captured:
        page()
    print(f"History: {workouts:,} workouts, {sets:,} sets")
    print(f"Queries of one page: {len(captured.captured_queries)}")
    for query in captured.captured_queries:
        print(f"  {query['time']}s  {query['sql'][:150]}")
    timed(page, WARM_UP)
    timed(login_page, WARM_UP)
    for name, clock in (("wall", time.perf_counter), ("this process's CPU", time.process_time)):
        page_ms, login_ms = timed(page, PAGES * 3, clock), timed(login_page, PAGES * 3, clock)
        print(f"median ({name}): page {page_ms:.2f} ms, login page {login_ms:.2f} ms, ", end="")
        print(f"page / login {page_ms / login_ms:.2f}")
    if options.no_profile:
        return

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PAGES):
        page()
    profiler.disable()
    stats = pstats.Stats(profiler)
    if options.save:
        stats.dump_stats(options.save)
    print(f"\nunder cProfile, {PAGES} pages: {stats.total_tt * 1000 / PAGES:.1f} ms a page")
    stats.sort_stats("cumulative").print_stats("sessions_app|workoutsite", options.top)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_callees("workout_plan|targets_for|last_time")


if __name__ == "__main__":
    main()
