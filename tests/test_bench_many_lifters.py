"""bench/many_lifters.py keeps working: a tiny evening (40 lifters, one simulated hour in
under ten real seconds) against PostgreSQL, Redis, two qcluster processes and the timed
imitation. About 45 s, most of it the migrations of a fresh PostgreSQL database."""

import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent


def postgres_is_there():
    try:
        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


@pytest.mark.cluster
@pytest.mark.skipif(not postgres_is_there(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_the_many_lifters_bench_runs_a_tiny_evening_and_loses_no_row():
    bench = ROOT / "bench" / "many_lifters.py"
    options = ["--lifters", "40", "--start-hour", "17", "--hours", "1", "--scale", "480"]
    finished = subprocess.run(
        [sys.executable, str(bench), *options, "--redis-db", "13"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    workouts = int(re.search(r"40 lifters: (\d+) workouts completed", finished.stdout)[1])
    assert workouts > 0
    assert "rows lost 0, duplicated 0, strays 0, not yet in the sheet 0" in finished.stdout
    assert "(workouts not in the sheet at the end: 0)" in finished.stdout
