"""The app's settings with the bench's URLs on top (bench/urls.py); used by http_latency.py."""

from workoutsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
