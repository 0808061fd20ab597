"""Start the web server and the background worker together; Ctrl-C stops both.

Used by `make run`. Either process exiting stops the other, so a crash is never hidden.
The web server is gunicorn with gunicorn.conf.py, as in production and in the Docker
image (not Django's development server, which is not made to face a network).
Safe to open to the LAN: DEBUG stays off unless DJANGO_DEBUG says otherwise (a wrong
address shows a plain "Not Found", never the debug page listing every URL), whitenoise
serves the collected static files, and plain HTTP is allowed (DJANGO_HTTPS=false).
On a terminal, log lines are plain text instead of JSON.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    environment = dict(os.environ)
    environment.setdefault("DJANGO_HTTPS", "false")  # a home network has no certificate
    environment.setdefault("LOG_FORMAT", "plain" if sys.stderr.isatty() else "json")
    manage = [sys.executable, str(ROOT / "manage.py")]
    # Hashed and compressed files for whitenoise; only changed files are processed again.
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    commands = {
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"{args.host}:{args.port}",
            "workoutsite.wsgi",
        ],
        "worker": [*manage, "qcluster"],
    }
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, env=environment)
        for name, command in commands.items()
    }
    print(f"Workout Log: http://{args.host}:{args.port}/ (web + worker running; Ctrl-C stops both)")

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"The {name} process exited with status {process.returncode}; stopping.")
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
