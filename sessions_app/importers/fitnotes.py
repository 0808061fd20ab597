"""FitNotes' export (Android): `Date,Exercise,Category,Weight (kgs),Reps,Distance,
Distance Unit,Time,Comment`, or `Weight (lbs)`, or `Weight,Weight Unit` (newer), with
or without Comment.

One workout per date (the file has no times and no workout names: it is titled
"Workout", at noon); sets are numbered in the order of the file. FitNotes does not
quote an exercise name with a comma in it ("Overhead Press (Each Side, Dumbbells)"):
such a line has more cells than the header, and the extra ones belong to the name.
"""

import datetime

from ..import_store import Skipped
from ..models import SetType, WeightUnit
from .export_file import Formats
from .formats import FormatReader
from .strong import WEIGHT_UNITS
from .values import (
    LineError,
    cardio_text,
    is_set,
    load_and_reps,
    number_text,
    seconds_of_clock,
    shown,
)

DATES = Formats("2025-03-04", "%Y-%m-%d")
COLUMNS = {
    "date": "date",
    "exercise": "exercise",
    "category": "category",
    "weight (kgs)": "weight",
    "weight (kg)": "weight",
    "weight (lbs)": "weight",
    "weight": "weight",
    "weight unit": "weight_unit",
    "reps": "reps",
    "distance": "distance",
    "distance unit": "distance_unit",
    "time": "time",
    "comment": "comment",
}
WEIGHT_UNIT_IN_HEADER = {
    "weight (kgs)": WeightUnit.KG,
    "weight (kg)": WeightUnit.KG,
    "weight (lbs)": WeightUnit.LB,
}
WORKOUT_TITLE = "Workout"
NOON = datetime.time(12)
EMPTY_SET = "a set with no weight, reps, distance or time"


class FitNotesReader(FormatReader):
    family = "fitnotes"
    COLUMNS = COLUMNS
    REQUIRED = {"date", "exercise", "category", "weight", "reps"}

    def __init__(self, export, columns):
        super().__init__(export, columns)
        header = [name.strip().casefold() for name in export.header]
        self.header_unit = WEIGHT_UNIT_IN_HEADER.get(header[columns["weight"]])

    @property
    def unit_from_file(self):
        return bool(self.header_unit or "weight_unit" in self.columns)

    def fitted(self, cells, width):
        extra = len(cells) - width
        if extra > 0:
            at = self.columns["exercise"]
            cells = [*cells[:at], ",".join(cells[at : at + extra + 1]), *cells[at + extra + 1 :]]
        return super().fitted(cells, width)

    def read(self, line, cells):
        row = self.row(cells)
        naive, started_at = self.export.moment(row["date"], DATES)
        naive = datetime.datetime.combine(naive.date(), NOON)
        started_at = self.export.aware(naive)
        weight, reps = load_and_reps(
            number_text(row["weight"], "weight"), number_text(row["reps"], "reps")
        )
        distance = number_text(row.get("distance", ""), "distance")
        seconds = seconds_of_clock(row.get("time", ""))
        if not is_set(weight, reps, distance, seconds):
            yield Skipped(line, EMPTY_SET)
            return
        unit = self.unit(row, weight)
        distance_unit = row.get("distance_unit", "").strip()
        comment = row.get("comment", "").strip()
        exercise = row["exercise"].strip()
        workout = f"{naive.date().isoformat()}"
        key, earlier_keys = self.export.keys.key(
            f"fitnotes|{workout}", exercise, weight, unit, reps, distance, distance_unit,
            seconds, comment,
        )  # fmt: skip
        notes = "; ".join(
            part for part in (comment, cardio_text(distance, distance_unit, seconds)) if part
        )
        yield self.export.imported(
            line,
            workout=workout,
            started_at=started_at,
            finished_at=None,
            date=naive.date(),
            workout_name=WORKOUT_TITLE,
            workout_note="",
            exercise=exercise,
            set_type=SetType.WORKING,
            weight=weight,
            reps=reps,
            unit=unit,
            rpe=None,
            notes=notes,
            key=key,
            earlier_keys=tuple(earlier_keys),
        )

    def unit(self, row, weight):
        if self.header_unit:
            return self.header_unit
        text = row.get("weight_unit", "").strip()
        if unit := WEIGHT_UNITS.get(text.casefold()):
            return unit
        if text and weight:
            raise LineError(f"the weight unit “{shown(text)}” is not kgs or lbs.")
        return self.export.chosen_unit
