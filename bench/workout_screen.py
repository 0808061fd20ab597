"""What the phone waits for on the workout screen, with five years of history and with three
months: the page, and a tick (the row's form as htmx sends it), next to the login page.

    .venv/bin/python bench/workout_screen.py            # about 1 minute
    .venv/bin/python bench/workout_screen.py --quick    # fewer requests

Two lifters are built on a throwaway SQLite database: five years (4 workouts a week, 5
exercises x 5 sets: 1,040 workouts, 26,000 sets) and three months (the same pattern, 52
workouts). Each has a workout in progress. One gunicorn worker with production settings
(DEBUG off) serves them, and one client measures, in rounds that take turns so that any
drift on the machine touches every figure alike:

- the login page (the stack's floor: a form, a CSRF cookie, no query),
- the active-workout page of each lifter,
- a tick of each lifter: POST of a planned row's form with HX-Request, a new set each time.

Targets (from the issue): the tick at most 2 x the login page's p50; the workout page at
most 4 x; both within 1.2 x of the same figures with three months of history. Every
exercise of the routine has a progression rule, and every past workout is of the
routine: each card's target is read from the routine's last workout (issue 18).
"""

import argparse
import contextlib
import datetime
import itertools
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from common import django_in_temporary_data_dir, machine
from http_latency import app_env, free_port, start_gunicorn

WEEKS_FIVE_YEARS = 52 * 5
WEEKS_THREE_MONTHS = 13
WORKOUTS_A_WEEK = 4
EXERCISES = ["Back Squat", "Romanian Deadlift", "Leg Press", "Lying Leg Curl", "Plank"]
SETS_PER_EXERCISE = 5
PASSWORD = "bench-password-not-secret"


def build_history(username, weeks, template):
    """A lifter with `weeks` of completed workouts and one in progress, in bulk."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sessions_app.models import Exercise, Set, Workout, exercise_key

    lifter = get_user_model().objects.create_user(username, password=PASSWORD)
    exercises = Exercise.for_names(lifter.pk, EXERCISES)
    today = timezone.localdate()
    days = [
        today - datetime.timedelta(weeks=weeks) + datetime.timedelta(days=day)
        for day in range(weeks * 7)
        if day % 7 in (0, 1, 3, 4)  # four a week
    ]
    sessions = Workout.objects.bulk_create(
        Workout(
            id=f"{day.isoformat()}_{template.slug}-{username}",
            owner=lifter,
            routine_slug=template.slug,
            routine=template,  # the rules' last time is a workout of this routine
            date=day,
            status=Workout.Status.COMPLETED,
            created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(18))),
            completed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(19))),
            synced_to_sheets=True,
        )
        for day in days
    )
    sets = []
    for number, session in enumerate(sessions):
        for exercise, set_number in itertools.product(EXERCISES, range(1, SETS_PER_EXERCISE + 1)):
            workout_set = Set(
                workout=session,
                exercise=exercises[exercise_key(exercise)],
                exercise_name=exercise,
                set_number=set_number,
                weight=str(100 + number % 50 * 5),
                reps="5",
                created_at=session.created_at,
                synced_to_sheets=True,
            )
            workout_set.read_numbers()  # bulk_create skips save()
            sets.append(workout_set)
    Set.objects.bulk_create(sets, batch_size=2000)
    Workout.start(lifter, template)
    return lifter, len(sessions), len(sets)


def lower_template():
    from sessions_app.models import Exercise, Routine, exercise_key

    template = Routine.objects.get(slug="lower1")
    template.exercises.all().delete()
    library = Exercise.for_names(None, EXERCISES)
    for position, name in enumerate(EXERCISES):
        template.exercises.create(
            exercise=library[exercise_key(name)],
            position=position,
            target_sets=SETS_PER_EXERCISE,
            target_reps="5",
            # Every card computes its target (issue 18): linear, the plank reps only.
            progression="reps" if name == "Plank" else "linear",
        )
    return template


class Phone:
    """One lifter's browser: logged in, with the CSRF token htmx sends."""

    def __init__(self, base, username):
        self.base = base
        self.http = requests.Session()
        self.http.get(f"{base}/accounts/login/")
        token = self.http.cookies["csrftoken"]
        answer = self.http.post(
            f"{base}/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
        )
        answer.raise_for_status()
        from sessions_app.models import Workout

        self.workout = Workout.objects.get(owner__username=username, status="active")
        self.workout_url = f"{base}{self.workout.get_absolute_url()}"
        self.log_url = f"{self.workout_url}sets/"
        self.numbers = itertools.count(1)

    def page(self):
        answer = self.http.get(self.workout_url)
        assert answer.status_code == 200 and "planned log-set" in answer.text, answer.status_code
        return answer

    def tick(self):
        """A planned row's form, as htmx sends it on a tap of its ✓."""
        number = next(self.numbers)
        row = {
            "csrfmiddlewaretoken": self.http.cookies["csrftoken"],
            "key": str(uuid.uuid4()),
            "exercise": EXERCISES[number % len(EXERCISES)],
            "set_number": str(number // len(EXERCISES) % SETS_PER_EXERCISE + 1),
            "unit": "lb",
            "weight": "225",
            "reps": "5",
            "set_type": "working",
            "rpe": "",
            "notes": "",
        }
        headers = {"HX-Request": "true", "X-CSRFToken": self.http.cookies["csrftoken"]}
        answer = self.http.post(self.log_url, row, headers=headers)
        assert answer.status_code == 200 and row["key"] in answer.text, answer.text[:300]
        return answer

    def start_afresh(self):
        """Each round's page shows a workout before its first set, as the issue measures."""
        self.workout.sets.all().delete()


def login_page(base):
    http = requests.Session()

    def fetch():
        answer = http.get(f"{base}/accounts/login/")
        assert answer.status_code == 200
        return answer

    return fetch


def timed(request, count):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    options = parser.parse_args()
    rounds, per_round = (3, 30) if options.quick else (5, 60)

    data_dir = django_in_temporary_data_dir()
    template = lower_template()
    built = time.perf_counter()
    _, five_workouts, five_sets = build_history("fiveyears", WEEKS_FIVE_YEARS, template)
    _, three_workouts, three_sets = build_history("threemonths", WEEKS_THREE_MONTHS, template)
    print(f"Machine: {machine()}")
    print(
        f"History: five years {five_workouts:,} workouts / {five_sets:,} sets; three months "
        f"{three_workouts} workouts / {three_sets:,} sets (built in "
        f"{time.perf_counter() - built:.1f} s, {Path(data_dir)})"
    )

    port = free_port()
    env = app_env("http://127.0.0.1:9", "bench.settings")
    env["WORKOUT_DATA_DIR"] = data_dir
    with contextlib.ExitStack() as stack:
        log_path = Path(tempfile.mkdtemp(prefix="workout-bench-log-")) / "gunicorn.log"
        start_gunicorn(stack, port, 1, False, env, log_path)
        base = f"http://127.0.0.1:{port}"
        five, three = Phone(base, "fiveyears"), Phone(base, "threemonths")
        targets = {
            "login page (floor)": login_page(base),
            "workout page, 5 years": five.page,
            "workout page, 3 months": three.page,
            "tick (HX-Request), 5 years": five.tick,
            "tick (HX-Request), 3 months": three.tick,
        }
        for request in targets.values():
            timed(request, 10)  # warm up: imports, template loading, SQLite's page cache
        # The ticks come after the pages in each round, and the next round starts afresh.
        samples = {name: [] for name in targets}
        for _ in range(rounds):
            for phone in (five, three):
                phone.start_afresh()
            for name, request in targets.items():
                samples[name] += timed(request, per_round)

    p50 = {name: statistics.median(times) for name, times in samples.items()}
    print(f"\n1 client, {rounds} rounds x {per_round} requests each, one gunicorn worker:\n")
    print("| request | p50 | p90 | x login p50 |")
    print("| --- | --- | --- | --- |")
    floor = p50["login page (floor)"]
    for name, times in samples.items():
        print(
            f"| {name} | {p50[name]:.2f} ms | {percentile(times, 0.9):.2f} ms | "
            f"{p50[name] / floor:.2f} x |"
        )
    checks = [
        ("tick <= 2 x login page", p50["tick (HX-Request), 5 years"] / floor, 2.0),
        ("workout page <= 4 x login page", p50["workout page, 5 years"] / floor, 4.0),
        (
            "tick, 5 years <= 1.2 x 3 months",
            p50["tick (HX-Request), 5 years"] / p50["tick (HX-Request), 3 months"],
            1.2,
        ),
        (
            "workout page, 5 years <= 1.2 x 3 months",
            p50["workout page, 5 years"] / p50["workout page, 3 months"],
            1.2,
        ),
    ]
    print("\n| target | figure | |")
    print("| --- | --- | --- |")
    for label, figure, bound in checks:
        print(f"| {label} | {figure:.2f} x | {'met' if figure <= bound else 'MISSED'} |")
    return 0 if all(figure <= bound for _, figure, bound in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
