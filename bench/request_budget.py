"""What the shared request budget costs a call, and whether processes sharing it keep to
its rate.

    python bench/request_budget.py            # the database (SQLite) only
    REDIS_URL=redis://127.0.0.1:6379/14 python bench/request_budget.py   # and Redis

1. The cost of taking a token when one is free: the mean over 500 takes, per backend.
2. Four processes sharing one budget of 30 calls per 3-second window (Google's 60 per
   minute, time scaled by 20), each taking 30 tokens: the most calls seen in any window
   (target: at most the limit), the mean rate against the limit, and how long the
   120 calls took against the least the limit allows.
"""

import os
import subprocess
import sys
import time
import uuid

from common import ROOT, django_in_temporary_data_dir, machine

TAKES = 500
PROCESSES, TOKENS_EACH = 4, 30
LIMIT, WINDOW_SECONDS = 30, 3.0


def cost_of_a_take(backend_url):
    from django.conf import settings

    from sync_app.budget import READ, Budget

    settings.REDIS_URL = backend_url
    settings.SHEETS_READS_PER_MINUTE = 10_000_000  # never waits: the cost alone
    budget = Budget(f"bench-{uuid.uuid4().hex[:8]}")
    budget.take(READ)
    started = time.perf_counter()
    for _ in range(TAKES):
        budget.take(READ)
    return (time.perf_counter() - started) / TAKES * 1000


def most_in_any_window(times, seconds):
    times = sorted(times)
    return max(sum(t <= other < t + seconds for other in times) for t in times)


def shared_by_processes(backend_url, data_dir):
    account = f"bench-{uuid.uuid4().hex[:8]}"
    environment = {
        **os.environ,
        "WORKOUT_DATA_DIR": data_dir,
        "REDIS_URL": backend_url,
        "SHEETS_READS_PER_MINUTE": str(LIMIT),
        "SHEETS_QUOTA_WINDOW_SECONDS": str(WINDOW_SECONDS),
        "LOG_LEVEL": "WARNING",
    }
    start_at = time.time() + 4
    command = [sys.executable, "-m", "tests.budget_process", account, "read"]
    processes = [
        subprocess.Popen(
            [*command, str(TOKENS_EACH), str(start_at)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    times = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        times += [float(line.split()[1]) for line in out.splitlines() if line.startswith("took")]
    times.sort()
    span = times[-1] - times[0]
    burst = max(1, LIMIT // 10)
    least = (len(times) - burst) * WINDOW_SECONDS / (LIMIT - burst)
    return len(times), most_in_any_window(times, WINDOW_SECONDS), span, least


def main():
    data_dir = django_in_temporary_data_dir()
    backends = [("database (SQLite)", "")]
    if os.getenv("REDIS_URL"):
        backends.append(("Redis", os.environ["REDIS_URL"]))
    print(machine())
    for name, url in backends:
        print(f"\n{name}")
        print(f"  one take, a token free: {cost_of_a_take(url):.2f} ms (mean of {TAKES})")
        calls, peak, span, least = shared_by_processes(url, data_dir)
        rate = (calls - 1) / span * WINDOW_SECONDS
        print(
            f"  {PROCESSES} processes, {calls} calls, limit {LIMIT} per {WINDOW_SECONDS:g} s: "
            f"at most {peak} in any window ({peak / LIMIT:.0%} of the limit); "
            f"mean {rate:.1f} per window ({rate / LIMIT:.0%}); {span:.1f} s, "
            f"the least the limit allows {least:.1f} s"
        )


if __name__ == "__main__":
    main()
