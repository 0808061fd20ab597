"""Log lines: one JSON object per line for a log collector (the default), or plain
text for a person at a terminal (`make run` there)."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed with extra= and is kept.
STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def extras(record):
    """What the caller passed with extra=, by name (the request object left out)."""
    fields = {
        name: value
        for name, value in record.__dict__.items()
        if name not in STANDARD and name not in ("request", "status_code")
    }
    if status := getattr(record, "status_code", None):
        fields = {"status": status, **fields}
    return fields


class PlainFormatter(logging.Formatter):
    """`2026-12-01 21:49:30 INFO sync: sync run outcome=success appended=3 ...`"""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record):
        line = super().format(record)
        # The request lines already say their status and time.
        shown = {k: v for k, v in extras(record).items() if k not in ("status", "server_time")}
        fields = " ".join(f"{name}={value}" for name, value in shown.items())
        return f"{line} {fields}" if fields else line


class JsonLinesFormatter(logging.Formatter):
    def format(self, record):
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request := getattr(record, "request", None):
            event["method"] = getattr(request, "method", None)
            event["path"] = getattr(request, "path", None)
        for name, value in extras(record).items():
            event[name] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)
