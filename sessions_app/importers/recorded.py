"""What a preview read from a file, written down compressed, and read back for the
import: the Import page reads a file once, and imports later without it."""

import datetime
import json
import uuid
import zlib
from decimal import Decimal

from ..import_store import BadLine, ImportedSet, Skipped


class RecordedExport:
    """An opened export that writes down what it reads, compressed, as it goes."""

    def __init__(self, export):
        self.export = export
        self.compressor = zlib.compressobj()
        self.chunks = []

    def __getattr__(self, name):
        return getattr(self.export, name)  # format_name, chosen_unit, notices, lines_read…

    def __iter__(self):
        for record in self.export:
            line = json.dumps(as_list(record), ensure_ascii=False, separators=(",", ":"))
            self.chunks.append(self.compressor.compress(line.encode() + b"\n"))
            yield record

    def recorded(self):
        """Everything read so far; call it once the records have been read."""
        if self.compressor is not None:
            self.chunks = [b"".join(self.chunks) + self.compressor.flush()]
            self.compressor = None
        return self.chunks[0]


class ReplayedExport:
    """What a RecordedExport wrote, read back as the same records."""

    CHUNK_BYTES = 64 * 1024

    def __init__(self, recorded, format_name, chosen_unit, unit_from_file):
        self.recorded = bytes(recorded)
        self.format_name = format_name
        self.chosen_unit = chosen_unit
        self.unit_from_file = unit_from_file
        self.lines_read = 0
        self.notices = None  # said by the preview already

    def __iter__(self):
        decompressor, pending = zlib.decompressobj(), b""
        for start in range(0, len(self.recorded), self.CHUNK_BYTES):
            pending += decompressor.decompress(self.recorded[start : start + self.CHUNK_BYTES])
            *lines, pending = pending.split(b"\n")
            for line in lines:
                record = from_list(json.loads(line))
                self.lines_read = record.line
                yield record


def as_list(record):
    if isinstance(record, Skipped):
        return ["skipped", record.line, record.reason]
    if isinstance(record, BadLine):
        return ["bad", record.line, record.reason]
    return [
        "set",
        *(record.line, record.workout, record.session_id, record.date.isoformat()),
        *(record.started_at.isoformat(), optional_iso(record.finished_at)),
        *(record.workout_name, record.workout_note, record.exercise, record.set_number),
        *(record.set_type, record.weight, record.reps, record.unit),
        *(None if record.rpe is None else str(record.rpe), record.notes, str(record.key)),
        optional_iso(record.logged_at),
        [str(key) for key in record.earlier_keys],
        record.superset,
    ]


def from_list(values):
    kind, line, *rest = values
    if kind == "skipped":
        return Skipped(line, rest[0])
    if kind == "bad":
        return BadLine(line, rest[0])
    (workout, session_id, date, started_at, finished_at, workout_name, workout_note) = rest[:7]
    (exercise, set_number, set_type, weight, reps, unit, rpe, notes, key, logged_at) = rest[7:17]
    earlier_keys, superset = rest[17:19]
    return ImportedSet(
        line=line,
        workout=workout,
        session_id=session_id,
        date=datetime.date.fromisoformat(date),
        started_at=datetime.datetime.fromisoformat(started_at),
        finished_at=optional_moment(finished_at),
        workout_name=workout_name,
        workout_note=workout_note,
        exercise=exercise,
        set_number=set_number,
        set_type=set_type,
        weight=weight,
        reps=reps,
        unit=unit,
        rpe=None if rpe is None else Decimal(rpe),
        notes=notes,
        key=uuid.UUID(key),
        logged_at=optional_moment(logged_at),
        earlier_keys=tuple(uuid.UUID(earlier) for earlier in earlier_keys),
        superset=superset,
    )


def optional_iso(moment):
    return None if moment is None else moment.isoformat()


def optional_moment(text):
    return None if text is None else datetime.datetime.fromisoformat(text)
