"""This app's own CSV (History → Export CSV), and a sheet downloaded as CSV: the columns
of either header version (export.py). Weight and reps are the lifter's own text ("BW+25",
"AMRAP"), as typed; a row keeps its key, and a row typed without one gets a key from
its content."""

import datetime
import uuid

from ..export import COLUMNS_V1, COLUMNS_V2, read_row, superset_text
from ..import_store import Skipped
from ..numbers import whole_number
from .formats import FormatReader
from .values import LineError, join_notes, read_rpe, shown

# Past this a set number is a slip.
MAX_SET_NUMBER = 1000


class WorkoutLogReader(FormatReader):
    family = "workoutlog"

    @classmethod
    def columns_of(cls, header):
        names = [name.strip().lower() for name in header]
        if names in (COLUMNS_V1, COLUMNS_V2):
            return dict(enumerate(names))
        return None

    def __init__(self, export, columns):
        super().__init__(export, columns)
        self.version = 2 if len(columns) == len(COLUMNS_V2) else 1
        self.seen_keys = {}

    def read(self, line, cells):
        values = read_row(cells, self.version)
        try:
            date = datetime.date.fromisoformat(values.date.strip())
        except ValueError:
            raise LineError(f"“{shown(values.date)}” is not a date like 2025-09-21.") from None
        logged_at = self.logged_at(values.logged_at)
        noon = self.export.aware(datetime.datetime.combine(date, datetime.time(12)))
        template = values.template.strip() or "imported"
        session_id = values.session_id.strip() or f"{date.isoformat()}_{template}"
        earlier_keys = ()
        if values.key.strip():
            try:
                key = uuid.UUID(values.key.strip())
            except ValueError:
                raise LineError(
                    f"“{shown(values.key)}” is not a set key this app writes."
                ) from None
        else:
            key, earlier_keys = self.export.keys.key(f"workoutlog|{session_id}", *cells)
            before = self.export.keys.before_secrets(f"workoutlog|{session_id}", *cells)
            earlier_keys = (*earlier_keys, before)
        if key.int in self.seen_keys:
            yield Skipped(line, f"a copy of line {self.seen_keys[key.int]} (the same set key)")
            return
        self.seen_keys[key.int] = line
        rpe, rpe_note = (values.rpe, "") if values.rpe is None else read_rpe(str(values.rpe))
        yield self.export.imported(
            line,
            workout=session_id,
            session_id=session_id,
            started_at=logged_at or noon,
            finished_at=logged_at,
            workout_name=template,
            workout_note=values.workout_note.strip(),
            exercise=values.exercise.strip(),
            set_number=whole_number(values.set_number.strip(), MAX_SET_NUMBER),
            set_type=values.set_type,
            weight=values.weight.strip(),
            reps=values.reps.strip(),
            unit=values.unit,
            rpe=rpe,
            notes=join_notes(values.notes, rpe_note),
            key=key,
            earlier_keys=earlier_keys,
            logged_at=logged_at,
            date=date,
            superset=superset_text(values.superset_group),
        )

    def logged_at(self, text):
        """The "logged at" cell (with its UTC offset, or local time), or None."""
        try:
            moment = datetime.datetime.fromisoformat(text.strip())
            if moment.tzinfo is None:
                moment = self.export.aware(moment)
            moment.astimezone(datetime.UTC)  # and it can be stored (in UTC)
        except (ValueError, OverflowError):
            return None
        return moment
