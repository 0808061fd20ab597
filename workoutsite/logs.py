"""One JSON object per log line, so that a log collector can read every event."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed with extra= and is kept.
STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


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
        if status := getattr(record, "status_code", None):
            event["status"] = status
        for name, value in record.__dict__.items():
            if name not in STANDARD and name not in ("request", "status_code"):
                event[name] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)
