"""`make run` as a newcomer types it, in a fresh data folder: safe to open to the LAN."""

import os
import pty
import re
import signal
import subprocess
import threading

import pytest
import requests

from tests.processes import ROOT, free_port, wait_for

# Variables the test run sets (or an operator's shell may) that `make run` must not see.
FOREIGN = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "LOG_FORMAT", "SHEETS_", "GOOGLE_", "WORKOUT_")


class Terminal:
    """A command on a pseudo-terminal, as in an operator's shell; collects what it prints."""

    def __init__(self, command, environment):
        controller, terminal = pty.openpty()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=terminal,
            start_new_session=True,
        )
        os.close(terminal)
        self.chunks = []
        self.reader = threading.Thread(target=self.read, args=(controller,), daemon=True)
        self.reader.start()

    def read(self, controller):
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.chunks.append(chunk)
        os.close(controller)

    @property
    def output(self):
        text = b"".join(self.chunks).decode(errors="replace").replace("\r\n", "\n")
        return re.sub(r"\x1b\[[0-9;]*m", "", text)  # without the colours

    def stop(self):
        """Ctrl-C, as an operator stops it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.reader.join(timeout=5)


def make_run(data_dir, port):
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(FOREIGN)
    }
    environment["WORKOUT_DATA_DIR"] = str(data_dir)
    return Terminal(["make", "--no-print-directory", "run", f"PORT={port}"], environment)


def serving(url):
    def answers():
        try:
            return requests.get(url, timeout=2).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            # gunicorn listens before its workers are up: a first request may wait.
            return False

    return answers


@pytest.mark.cluster
def test_make_run_serves_through_gunicorn_hides_debug_pages_and_logs_plain_lines(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = make_run(tmp_path, port)
    try:
        assert wait_for(serving(f"{base}/accounts/login/"), seconds=90), first.output
        wrong = requests.get(f"{base}/admin-secret-page/", timeout=5)
        assert wrong.status_code == 404
        assert "URLconf" not in wrong.text and "accounts/login/" not in wrong.text
        assert "DEBUG = True" not in wrong.text
        login = requests.get(f"{base}/accounts/login/", timeout=5)
        assert login.headers["Server"] == "gunicorn"  # served as in production
        login_page = login.text
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', login_page)[1]
        assert stylesheet.startswith("/static/sessions_app/app.")  # hashed by collectstatic
        style = requests.get(base + stylesheet, timeout=5)
        assert style.status_code == 200 and style.headers["Content-Type"].startswith("text/css")
        assert wait_for(lambda: "Not Found: /admin-secret-page/" in first.output, seconds=10)
    finally:
        first.stop()
    lines = first.output.splitlines()
    assert "  username: lifter" in lines
    assert "development server" not in first.output.lower()
    not_found = next(line for line in lines if "Not Found: /admin-secret-page/" in line)
    assert not not_found.startswith("{")  # a plain line on a terminal, not JSON
    assert "WARNING django.request: Not Found: /admin-secret-page/" in not_found

    second = make_run(tmp_path, port)
    try:
        assert wait_for(serving(f"{base}/accounts/login/"), seconds=90), second.output
    finally:
        second.stop()
    assert "username: lifter" not in second.output  # the password is shown only once...
    assert "Log in as lifter." in second.output  # ...and the way back in every time
    assert "manage.py changepassword lifter" in second.output
