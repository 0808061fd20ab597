"""Strong's exports, in every layout it wrote.

- Current (comma): `Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,
  Distance,Seconds,Notes,Workout Notes,RPE`, with or without Duration, Notes, Workout
  Notes and RPE; the unit is not in the file (the lifter says it). Column names are
  translated in a German or French phone's export.
- Semicolons, every cell quoted: `"Workout #";"Date";...;"Weight (kg)";...;
  "Distance (meters)";...`: the unit in the header, Set Order `WARM_UP`, `DROP_SET`,
  `FAILURE` spelled out (or W, D, F), decimal commas possible.
- Semicolons with a `Weight Unit` (and `Distance Unit`) column per row (2017 to 2022).
- 2016: `Date,Workout Name,Exercise Name,Set Order,kg,Reps,km,Seconds,Notes`: the
  units as column names, Set Order counted from 0.

A line whose Set Order is "Rest Timer" (or "Ruhezeit") is the rest after a set, not a
set; a line whose Set Order is "Note" carries the note of the exercise's next set.
Sets are numbered as read (warm-ups apart), whatever numbers the file gives.
"""

from ..import_store import Skipped
from ..models import SetType, WeightUnit
from .export_file import Formats
from .formats import FormatReader
from .keys import load_and_reps_before, local_text, number_before, rpe_before, text_before_secrets
from .values import (
    LineError,
    added_duration,
    cardio_text,
    is_set,
    join_notes,
    load_and_reps,
    number_text,
    read_rpe,
    shown,
)

DATES = Formats(
    "2025-03-04 18:12:09",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
)
# Every name a column of Strong's has had (English, German, French), case-folded.
COLUMNS = {
    "date": "date",
    "datum": "date",
    "workout name": "workout_name",
    "workout-name": "workout_name",
    "nom de l'entraînement": "workout_name",
    "duration": "duration",
    "workout duration": "duration",
    "duration (sec)": "duration",
    "dauer": "duration",
    "durée": "duration",
    "exercise name": "exercise",
    "name der übung": "exercise",
    "nom de l'exercice": "exercise",
    "set order": "set_order",
    "reihenfolge festlegen": "set_order",
    "ordre de la série": "set_order",
    "weight": "weight",
    "weight (kg)": "weight",
    "weight (lbs)": "weight",
    "kg": "weight",
    "lbs": "weight",
    "gewicht": "weight",
    "poids": "weight",
    "weight unit": "weight_unit",
    "reps": "reps",
    "wiederh.": "reps",
    "réps": "reps",
    "rpe": "rpe",
    "distance": "distance",
    "distance (meters)": "distance",
    "distance (km)": "distance",
    "distance (miles)": "distance",
    "km": "distance",
    "mi": "distance",
    "entfernung": "distance",
    "distance unit": "distance_unit",
    "seconds": "seconds",
    "sekunden": "seconds",
    "secondes": "seconds",
    "notes": "notes",
    "notizen": "notes",
    "workout notes": "workout_notes",
    "workout-notizen": "workout_notes",
}
WEIGHT_UNIT_IN_HEADER = {
    "weight (kg)": WeightUnit.KG,
    "kg": WeightUnit.KG,
    "weight (lbs)": WeightUnit.LB,
    "lbs": WeightUnit.LB,
}
DISTANCE_UNIT_IN_HEADER = {"distance (meters)": "m", "distance (km)": "km", "km": "km"} | {
    "distance (miles)": "mi",
    "mi": "mi",
}
WEIGHT_UNITS = {"kg": WeightUnit.KG, "kgs": WeightUnit.KG, "lb": WeightUnit.LB} | {
    "lbs": WeightUnit.LB
}
# The columns the export before this version could read: only those files have keys
# from before keys had a secret.
ENGLISH_COLUMNS = {"Date", "Workout Name", "Exercise Name", "Set Order", "Weight", "Reps"}
REST_TIMER_ORDERS = {"REST TIMER", "RUHEZEIT"}
NOTE_ORDER = "NOTE"
SET_ORDER_TYPES = {
    "W": SetType.WARMUP,
    "WARM_UP": SetType.WARMUP,
    "WARMUP": SetType.WARMUP,
    "D": SetType.DROP,
    "DROP_SET": SetType.DROP,
    "DROPSET": SetType.DROP,
    "F": SetType.FAILURE,
    "FAILURE": SetType.FAILURE,
}
REST_TIMER = "a Rest Timer row, not a set"
NOTE_LINE = "an exercise note, kept on the exercise's next set"
EMPTY_SET = "a set with no weight, reps, distance or time"
# Lines held until the file first says its unit; past this many, the lifter's unit.
WAITING_FOR_UNIT_MAX = 1000


class StrongReader(FormatReader):
    family = "strong"
    COLUMNS = COLUMNS
    REQUIRED = {"date", "workout_name", "exercise", "set_order", "weight", "reps"}

    def __init__(self, export, columns):
        super().__init__(export, columns)
        header = [name.casefold() for name in export.header]
        self.header_unit = WEIGHT_UNIT_IN_HEADER.get(header[columns["weight"]])
        self.header_distance_unit = (
            DISTANCE_UNIT_IN_HEADER.get(header[columns["distance"]])
            if "distance" in columns
            else None
        )
        self.unit_column = "weight_unit" in columns
        self.decimal_comma = export.semicolons
        self.file_unit = None
        self.waiting_for_unit = []
        self.notes_waiting = {}
        self.read_before_secrets = set(export.header) >= ENGLISH_COLUMNS

    @property
    def format(self):
        return "strong-older" if self.unit_column else "strong"

    @property
    def format_name(self):
        return "Strong (older export, with units)" if self.unit_column else "Strong"

    @property
    def unit_from_file(self):
        return bool(self.header_unit or self.unit_column)

    def read(self, line, cells):
        row = self.row(cells)
        exercise = row["exercise"].strip()
        order = " ".join(row["set_order"].split()).upper()
        if order in REST_TIMER_ORDERS or exercise.casefold() == "rest timer":
            yield Skipped(line, REST_TIMER)
            return
        naive, started_at = self.export.moment(row["date"], DATES)
        name = row["workout_name"].strip()
        workout = f"{local_text(naive)}|{name}"
        if order == NOTE_ORDER:
            self.notes_waiting[(workout, exercise)] = row.get("notes", "").strip()
            yield Skipped(line, NOTE_LINE)
            return
        set_type = set_type_of(order)
        comma = self.decimal_comma
        weight = number_text(row["weight"], "weight", comma)
        reps = number_text(row["reps"], "reps", comma)
        distance = number_text(row.get("distance", ""), "distance", comma)
        seconds = number_text(row.get("seconds", ""), "seconds", comma)
        rpe, rpe_note = read_rpe(row.get("rpe", ""), comma)
        weight, reps = load_and_reps(weight, reps)
        if not is_set(weight, reps, distance, seconds):
            yield Skipped(line, EMPTY_SET)
            return
        own_note = row.get("notes", "").strip()
        key, earlier_keys = self.export.keys.key(
            f"strong|{workout}", exercise, set_type, weight, reps, distance, seconds,
            own_note, rpe,
        )  # fmt: skip
        imported = self.export.imported(
            line,
            workout=workout,
            started_at=started_at,
            finished_at=added_duration(started_at, row.get("duration", "")),
            date=naive.date(),
            workout_name=name,
            workout_note=row.get("workout_notes", "").strip(),
            exercise=exercise,
            set_type=set_type,
            weight=weight,
            reps=reps,
            unit=self.chosen_unit_or_header(),
            rpe=rpe,
            notes=join_notes(
                self.notes_waiting.pop((workout, exercise), ""),
                own_note,
                cardio_text(distance, self.distance_unit(row), seconds),
                rpe_note,
            ),
            key=key,
            earlier_keys=(*earlier_keys, *self.keys_before_secrets(row, naive, name)),
        )
        if self.unit_column:
            yield from self.in_the_files_unit(imported, row["weight_unit"], weight)
        else:
            yield imported

    def chosen_unit_or_header(self):
        return self.header_unit or self.export.chosen_unit

    def distance_unit(self, row):
        if self.header_distance_unit:
            return self.header_distance_unit
        return row.get("distance_unit", "").strip().rstrip(".")

    def in_the_files_unit(self, imported, unit_text, weight):
        """A row's own unit; a row without one (a set without a weight) takes the file's:
        the last one it named, else the first it will name."""
        text = unit_text.strip().casefold()
        unit = WEIGHT_UNITS.get(text)
        if text and unit is None and weight not in ("", "0"):
            raise LineError(f"the weight unit “{shown(unit_text)}” is not kg or lbs.")
        if unit is not None:
            self.file_unit = unit
            yield from self.released(unit)
        if unit or self.file_unit:
            imported.unit = unit or self.file_unit
            yield imported
            return
        self.waiting_for_unit.append(imported)
        if len(self.waiting_for_unit) > WAITING_FOR_UNIT_MAX:
            yield from self.released(self.export.chosen_unit)

    def released(self, unit):
        waiting, self.waiting_for_unit = self.waiting_for_unit, []
        for imported in waiting:
            imported.unit = unit
        return waiting

    def finished(self):
        """A file that never names a unit: its sets have no weight; the lifter's unit."""
        return self.released(self.export.chosen_unit)

    def keys_before_secrets(self, row, naive, name):
        """The key the line got before keys had a secret (only the comma export and the
        one with a Weight Unit column were read then), as that reading made it."""
        if not self.read_before_secrets:
            return ()
        comma = self.unit_column
        weight, reps = load_and_reps_before(
            number_before(row["weight"], comma), number_before(row["reps"], comma)
        )
        distance = number_before(row.get("distance", ""), comma)
        seconds = number_before(row.get("seconds", ""), comma)
        if not (weight or reps or distance not in ("", "0") or seconds not in ("", "0")):
            return ()
        key = self.export.keys.before_secrets(
            f"strong|{text_before_secrets(naive)}|{name}", row["exercise"].strip(),
            row["set_order"].strip().upper(), weight, reps, distance, seconds,
            row.get("notes", "").strip(), rpe_before(row.get("rpe", ""), comma),
        )  # fmt: skip
        return (key,)


def set_type_of(order):
    if order in SET_ORDER_TYPES:
        return SET_ORDER_TYPES[order]
    if order.isascii() and order.isdigit():
        return SetType.WORKING
    raise LineError(
        f"the set order “{shown(order)}” is not one Strong writes (a number, W, D, F or "
        "Rest Timer)."
    )
