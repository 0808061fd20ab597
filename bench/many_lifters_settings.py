"""The app's settings for bench/many_lifters.py: every wait and interval the sync uses,
divided by the bench's time scale (MANY_LIFTERS_SCALE simulated seconds per real second).

What is not scaled bounds real work, which runs at real speed: a run's deadline
(SYNC_RUN_BUDGET_SECONDS), a call's timeout and the worker's task timeout. The leases
are floored (LEASE_FLOOR_SECONDS): only a killed worker waits one out, and none is
killed in the bench, while a lease shorter than a loaded machine's pauses would be lost
by a live run.
"""

import os

from workoutsite.settings import *  # noqa: F403

SCALE = float(os.environ["MANY_LIFTERS_SCALE"])
LEASE_FLOOR_SECONDS = 5.0


def scaled(seconds):
    return seconds / SCALE


# Google's quota: 60 reads and 60 writes in any minute of simulated time.
SHEETS_QUOTA_WINDOW_SECONDS = scaled(60)
SHEETS_BACKOFF_SECONDS = scaled(2)
SHEETS_BACKOFF_MAX_SECONDS = scaled(60)
SHEETS_SETTLE_SECONDS = scaled(90)
SYNC_LEASE_SECONDS = max(scaled(90), LEASE_FLOOR_SECONDS)
SYNC_BUSY_WAIT_SECONDS = scaled(120)
SYNC_BUSY_POLL_SECONDS = scaled(2)
SYNC_CHAIN_SECONDS = scaled(120)
SYNC_SHEET_BACKOFF_SECONDS = scaled(60)
SYNC_SHEET_BACKOFF_MAX_SECONDS = scaled(3600)
# Minutes and days, as the app reads them (timedelta takes fractions).
SYNC_INTERVAL_MINUTES = scaled(5)
SYNC_PULL_INTERVAL_MINUTES = scaled(60)
SYNC_DORMANT_PULL_INTERVAL_MINUTES = scaled(1440)
SYNC_ACTIVE_LIFTER_DAYS = scaled(14)
