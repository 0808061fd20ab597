"""A process that takes tokens from the shared request budget, for test_request_budget.

    python -m tests.budget_process ACCOUNT KIND COUNT START_AT

waits until START_AT (seconds since the epoch) so that several start together, or, when
START_AT is "stdin", says "ready" and waits for a line on its input; then takes COUNT
tokens of KIND (read or write) for ACCOUNT, printing when it began ("began T") and when
it took each token ("took T").
"""

import os
import sys
import time

import django


def main(account, kind, count, start_at):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoutsite.settings")
    django.setup()
    from sync_app.budget import Budget

    budget = Budget(account)
    if start_at == "stdin":
        print("ready", flush=True)
        sys.stdin.readline()
    else:
        time.sleep(max(0.0, float(start_at) - time.time()))
    print(f"began {time.time()}", flush=True)
    for _ in range(int(count)):
        budget.take(kind)
        print(f"took {time.time()}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
