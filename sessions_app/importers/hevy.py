"""Hevy's export: `"title","start_time","end_time","description","exercise_title",
"superset_id","exercise_notes","set_index","set_type","weight_kg" (or "weight_lbs"),
"reps","distance_km" (or "distance_miles"),"duration_seconds","rpe"`.

Each column is read in its own unit: a file may pair kilograms with miles, or pounds
with kilometres. Hevy repeats an exercise's note on each of its sets; the note is kept
once, on the first set of each time the exercise was done in the workout (an exercise
done twice, with two notes, keeps both).
"""

from ..import_store import Skipped
from ..models import SetType, WeightUnit
from .export_file import Formats
from .formats import FormatReader
from .keys import load_and_reps_before, local_text, number_before, rpe_before, text_before_secrets
from .values import (
    LineError,
    cardio_text,
    is_set,
    join_notes,
    load_and_reps,
    number_text,
    read_rpe,
    shown,
)

DATES = Formats(
    "5 Mar 2024, 18:00",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
COLUMNS = {
    name: name
    for name in (
        "title",
        "start_time",
        "end_time",
        "description",
        "exercise_title",
        "superset_id",
        "exercise_notes",
        "set_index",
        "set_type",
        "weight_kg",
        "weight_lbs",
        "reps",
        "distance_km",
        "distance_miles",
        "duration_seconds",
        "rpe",
    )
}
SET_TYPES = {
    "normal": SetType.WORKING,
    "warmup": SetType.WARMUP,
    "dropset": SetType.DROP,
    "failure": SetType.FAILURE,
}
EMPTY_SET = "a set with no weight, reps, distance or time"


class HevyReader(FormatReader):
    family = "hevy"
    COLUMNS = COLUMNS
    REQUIRED = {"title", "start_time", "exercise_title", "set_index", "set_type", "reps"}

    @classmethod
    def columns_of(cls, header):
        columns = super().columns_of(header)
        if columns is None or not columns.keys() & {"weight_kg", "weight_lbs"}:
            return None
        return columns

    def __init__(self, export, columns):
        super().__init__(export, columns)
        self.unit = WeightUnit.KG if "weight_kg" in columns else WeightUnit.LB
        self.weight_column = "weight_kg" if "weight_kg" in columns else "weight_lbs"
        self.distance_column, self.distance_unit = next(
            ((name, unit) for name, unit in (("distance_km", "km"), ("distance_miles", "mi"))
             if name in columns),
            ("", ""),
        )  # fmt: skip
        self.instance = None  # (workout, exercise, set index) of the line before
        self.supersets = {}  # {workout: {Hevy's superset id: the group stored}}

    def read(self, line, cells):
        row = self.row(cells)
        naive, started_at = self.export.moment(row["start_time"], DATES)
        ended = row.get("end_time", "").strip()
        finished_at = self.export.moment(ended, DATES)[1] if ended else None
        name = row["title"].strip()
        workout = f"{local_text(naive)}|{name}"
        exercise = row["exercise_title"].strip()
        kind = row["set_type"].strip().lower()
        if kind and kind not in SET_TYPES:
            raise LineError(f"the set type “{shown(row['set_type'])}” is not one Hevy writes.")
        set_index = row["set_index"].strip()
        first_of_instance = self.starts_an_instance(workout, exercise, set_index)
        weight, reps = load_and_reps(
            number_text(row[self.weight_column], "weight"), number_text(row["reps"], "reps")
        )
        distance = number_text(row.get(self.distance_column, ""), "distance")
        seconds = number_text(row.get("duration_seconds", ""), "duration")
        rpe, rpe_note = read_rpe(row.get("rpe", ""))
        if not is_set(weight, reps, distance, seconds):
            yield Skipped(line, EMPTY_SET)
            return
        exercise_note = row.get("exercise_notes", "").strip() if first_of_instance else ""
        key, earlier_keys = self.export.keys.key(
            f"hevy|{workout}", exercise, kind, weight, reps, distance, seconds, rpe
        )
        yield self.export.imported(
            line,
            workout=workout,
            started_at=started_at,
            finished_at=finished_at,
            date=naive.date(),
            workout_name=name,
            workout_note=row.get("description", "").strip(),
            exercise=exercise,
            set_type=SET_TYPES.get(kind, SetType.WORKING),
            weight=weight,
            reps=reps,
            unit=self.unit,
            rpe=rpe,
            notes=join_notes(
                exercise_note, cardio_text(distance, self.distance_unit, seconds), rpe_note
            ),
            key=key,
            earlier_keys=(*earlier_keys, *self.keys_before_secrets(row, naive, name, kind)),
            superset=self.superset_group(workout, row.get("superset_id", "").strip()),
        )

    def superset_group(self, workout, superset_id):
        """The group of a line of this superset: "0" for the first the workout shows, "1"
        for the next… Hevy numbers a workout's supersets its own way (a lifter's file
        shows "2" first), and the group's number is its letter (0 is A) in history, the
        sheet and the CSV, as for a superset logged here."""
        if not superset_id:
            return ""
        groups = self.supersets.setdefault(workout, {})
        return str(groups.setdefault(superset_id, len(groups)))

    def starts_an_instance(self, workout, exercise, set_index):
        """Whether this line starts a new time the exercise is done in the workout: a new
        exercise, or the same one again from its first set."""
        before, self.instance = self.instance, (workout, exercise, set_index)
        if before is None or before[:2] != (workout, exercise):
            return True
        return not (set_index.isdigit() and before[2].isdigit()) or int(set_index) <= int(before[2])

    def keys_before_secrets(self, row, naive, name, kind):
        """The key the line got before keys had a secret, as that reading made it (it read
        the distance in kilometres whenever the weight was in kilograms)."""
        distance_column = "distance_km" if self.unit == WeightUnit.KG else "distance_miles"
        weight, reps = load_and_reps_before(
            number_before(row[self.weight_column]), number_before(row["reps"])
        )
        distance = number_before(row.get(distance_column, ""))
        seconds = number_before(row.get("duration_seconds", ""))
        if not (weight or reps or distance not in ("", "0") or seconds not in ("", "0")):
            return ()
        key = self.export.keys.before_secrets(
            f"hevy|{text_before_secrets(naive)}|{name}", row["exercise_title"].strip(),
            row["set_index"].strip(), kind, weight, reps, distance, seconds,
            rpe_before(row.get("rpe", "")),
        )  # fmt: skip
        return (key,)
