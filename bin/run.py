"""Start the web server and the background worker together; Ctrl-C stops both.

Used by `make run`. Either process exiting stops the other, so a crash is never hidden.
"""

import argparse
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

    manage = [sys.executable, str(ROOT / "manage.py")]
    commands = {
        "web": [*manage, "runserver", "--noreload", f"{args.host}:{args.port}"],
        "worker": [*manage, "qcluster"],
    }
    processes = {name: subprocess.Popen(command, cwd=ROOT) for name, command in commands.items()}
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
