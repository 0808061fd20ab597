"""The Sheets imitation with what bench/many_lifters.py needs on top, in its own process:

- when each API call came (wall clock, so the bench's process can compare), whether the
  quota refused it, and when each set key was first appended;
- a lifter's hand edit of one cell, in the row holding a key, done at once under the
  imitation's lock (Drive's modifiedTime moves, as for any hand edit);
- every sheet's keys at the end, in one answer.

    python bench/timed_imitation.py --key-column 17 [--quota 60,60 --window 0.5]

Control endpoints (on top of the imitation's own):

    POST /_imitation/bench/edit-cell  {"spreadsheet": ..., "worksheet": ..., "key": ...,
                                       "column": ..., "value": ...}
    GET  /_imitation/bench/log        -> {"calls": [[time, metric, refused]...],
                                          "drive": [time...], "appended": {key: time}}
    GET  /_imitation/bench/keys       -> {spreadsheet id: [the key column, row by row]}
"""

import argparse
import sys
import threading
import time
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.sheets_imitation import (  # noqa: E402
    CONTROL_PREFIX,
    SheetsImitation,
    quota_metric,
)


class TimedImitation(SheetsImitation):
    def __init__(self, key_column, **options):
        super().__init__(**options)
        self.key_column = key_column
        self._log_lock = threading.Lock()
        self._moments = []  # (wall time, metric, refused by the quota)
        self._drive_moments = []
        self._appended = {}  # key: wall time of its first append

    def _record_call(self, call, spreadsheet_id=None):
        fault = super()._record_call(call, spreadsheet_id)
        now = time.time()
        refused = fault is not None and fault.status == 429
        with self._log_lock:
            self._moments.append((now, quota_metric(call.kind), refused))
            if call.kind == "values.append" and fault is None and isinstance(call.body, dict):
                for row in call.body.get("values") or []:
                    if len(row) >= self.key_column:
                        self._appended.setdefault(str(row[self.key_column - 1]), now)
        return fault

    def _drive_file(self, spreadsheet_id, query, caller=""):
        with self._log_lock:
            self._drive_moments.append(time.time())
        return super()._drive_file(spreadsheet_id, query, caller)

    def edit_cell(self, spreadsheet_id, worksheet, key, column, value):
        """Type value into column of the row holding key, as a lifter would by hand.
        Returns the row number, or None when no row holds the key."""
        with self._lock:
            spreadsheet = self._spreadsheets[spreadsheet_id]
            cells = self._worksheet(spreadsheet_id, worksheet).cells
            for number, row in enumerate(cells, start=1):
                if len(row) >= self.key_column and str(row[self.key_column - 1]) == key:
                    spreadsheet.by_title(worksheet).put(number, column, value)
                    spreadsheet.touch()
                    return number
        return None

    def all_keys(self):
        with self._lock:
            return {
                spreadsheet_id: [
                    str(row[self.key_column - 1]) if len(row) >= self.key_column else ""
                    for worksheet in spreadsheet.worksheets
                    for row in worksheet.cells
                ]
                for spreadsheet_id, spreadsheet in self._spreadsheets.items()
            }

    def _control(self, method, path, body):
        parts = [unquote(part) for part in path.removeprefix(CONTROL_PREFIX).split("/")]
        match method, parts:
            case "POST", ["bench", "edit-cell"]:
                number = self.edit_cell(
                    body["spreadsheet"],
                    body["worksheet"],
                    body["key"],
                    body["column"],
                    body["value"],
                )
                if number is None:
                    return HTTPStatus.NOT_FOUND, {"error": "no row holds that key"}
                return HTTPStatus.OK, {"row": number}
            case "GET", ["bench", "log"]:
                with self._log_lock:
                    return HTTPStatus.OK, {
                        "calls": list(self._moments),
                        "drive": list(self._drive_moments),
                        "appended": dict(self._appended),
                    }
            case "GET", ["bench", "keys"]:
                return HTTPStatus.OK, self.all_keys()
        return super()._control(method, path, body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-column", type=int, required=True)
    parser.add_argument("--quota", metavar="READS,WRITES", help="off unless given")
    parser.add_argument("--window", type=float, default=60.0, help="the quota's window, seconds")
    args = parser.parse_args()
    imitation = TimedImitation(args.key_column, host="127.0.0.1", port=0)
    if args.quota:
        reads, _, writes = args.quota.partition(",")
        imitation.set_quota(int(reads), int(writes or reads), window_seconds=args.window)
    imitation.start()
    print(f"Timed Sheets imitation listening on {imitation.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        imitation.stop()


if __name__ == "__main__":
    main()
