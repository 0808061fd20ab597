"""Shared set-up for the bench scripts: a throwaway data directory and Django."""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_in_temporary_data_dir():
    """Point the app at a fresh SQLite database and set Django up."""
    data_dir = tempfile.mkdtemp(prefix="workout-bench-")
    os.environ["WORKOUT_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoutsite.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    names = ("SHEETS_SPREADSHEET_ID", "GOOGLE_SHEETS_API_URL")
    for name in (*names, "GOOGLE_SERVICE_ACCOUNT_FILE", "GOOGLE_SERVICE_ACCOUNT_FILES"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir


def start_imitation(*spreadsheets):
    """The Sheets imitation in its own process, so it does not share our CPU time."""
    command = [sys.executable, "-m", "devtools.sheets_imitation", "--port", "0"]
    for spreadsheet in spreadsheets:
        command += ["--spreadsheet", spreadsheet]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    url = re.search(r"http://[\d.]+:\d+", process.stdout.readline()).group(0)
    return process, url


def machine():
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"
