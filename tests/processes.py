"""Starting and killing the app's own processes (gunicorn, qcluster) from tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings

from tests.conftest import database_url

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_environment(**extra):
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return {
        **environment,
        "DATABASE_URL": database_url(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # queued tasks are signed with it
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # The request budget never makes a test's worker wait (see the sheets fixture).
        "SHEETS_READS_PER_MINUTE": "60000",
        "SHEETS_WRITES_PER_MINUTE": "60000",
        **extra,
    }


def start(command, environment):
    """A process in its own group, so that kill -9 takes all its children too."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_hard(process):
    """kill -9 of the process and every child: no cleanup, no goodbye."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process):
    """A graceful stop: SIGTERM to the main process, which stops its own children."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def start_gunicorn(port, **extra):
    environment = app_environment(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", **extra)
    process = start(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "workoutsite.wsgi"],
        environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return process
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or listening while the workers still import Django (a
            # busy machine takes over a second): ask again.
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("gunicorn did not start: " + process.stderr.read())


def start_qcluster(workers=1, **extra):
    return start(
        [sys.executable, "manage.py", "qcluster"],
        app_environment(Q_WORKERS=str(workers), **extra),
    )


def wait_for(condition, seconds=30, every=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
