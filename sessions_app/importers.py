"""Reading workout history that Strong, Hevy or this app exported as CSV.

Pure functions over the file's text: the format is told by the header, and each
line becomes an ImportedSet (a set to store), a Skipped line (not a set: a Rest
Timer row, an empty set) or a BadLine (a line that cannot be read). Nothing here
touches the database; `import_store.import_history` stores what comes out.

Every set gets a key: the file's own for this app's export, else one derived from
the line's content (and the lifter), as `import_sheets` derives keys for rows
without one. The same line in the next, longer export gets the same key, which is
how a second import knows it; identical lines in one file are told apart by a
counter, so a set really done twice imports twice.
"""

import codecs
import csv
import datetime
import functools
import itertools
import json
import re
import uuid
import zlib
from collections import Counter
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .export import COLUMNS_V1, COLUMNS_V2, read_row
from .import_store import BadLine, ImportedSet, ImportRefused, Skipped
from .models import Set, SetType, WeightUnit
from .numbers import whole_number

# Keys of imported sets are uuid5(IMPORT_KEYS, lifter + content + counter).
IMPORT_KEYS = uuid.UUID("8a0f3c9e-7d43-4a8f-9a57-6f2b1d0e4c21")
FORMAT_NAMES = {
    "strong": "Strong",
    "strong-older": "Strong (older export, with units)",
    "hevy": "Hevy",
    "workoutlog": "Workout Log (this app's export)",
}
# What --format and the page offer: "strong" reads both of Strong's exports.
FORMAT_CHOICES = [
    ("auto", "Tell from the file"),
    ("strong", "Strong"),
    ("hevy", "Hevy"),
    ("workoutlog", "Workout Log"),
]
EXERCISE_MAX_LENGTH = Set._meta.get_field("exercise_name").max_length
NUMBER_TEXT_MAX_LENGTH = Set._meta.get_field("weight").max_length
STRONG_COLUMNS = {"Date", "Workout Name", "Exercise Name", "Set Order", "Weight", "Reps"}
HEVY_COLUMNS = {"title", "start_time", "exercise_title", "set_index", "set_type", "reps"}
STRONG_SET_ORDER_TYPES = {"W": SetType.WARMUP, "D": SetType.DROP, "F": SetType.FAILURE}
HEVY_SET_TYPES = {
    "normal": SetType.WORKING,
    "warmup": SetType.WARMUP,
    "dropset": SetType.DROP,
    "failure": SetType.FAILURE,
}
STRONG_UNITS = {
    "kg": WeightUnit.KG,
    "kgs": WeightUnit.KG,
    "lb": WeightUnit.LB,
    "lbs": WeightUnit.LB,
}
REST_TIMER = "rest timer"
# Newer Strong exports write "6:12:09 PM" with a narrow no-break space before PM.
ODD_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})
STRONG_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
)
HEVY_DATE_FORMATS = ("%d %b %Y, %H:%M", "%d %b %Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
DURATION_PART = re.compile(r"(\d+)\s*([hms])")
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
RPE_MIN, RPE_MAX = 6, 10

# Past these a file's number is a slip, not a set number or a workout's length.
MAX_IMPORTED_SET_NUMBER = 1000
MAX_DURATION_SECONDS = 7 * 24 * 3600


class CsvFile:
    """An exported file, opened: its format, the unit its weights are in, its lines.

    `stream` is the file in binary. `unit` is the lifter's answer for Strong's
    current export, which does not say; the other formats say it themselves.
    """

    def __init__(self, stream, owner_id, format="auto", unit=WeightUnit.LB):
        self.owner_id = owner_id
        self.chosen_unit = unit
        lines = decoded_lines(stream)
        first = next(lines, "")
        if not first.strip():
            raise ImportRefused("Line 1: the file is empty; expected a header row.")
        # Semicolons in Strong's older export, commas otherwise (quotes either way).
        dialect = SemicolonDialect if first.count(";") > first.count(",") else csv.excel
        self.reader = csv.reader(itertools.chain([first], lines), dialect)
        try:
            self.header = [name.strip() for name in next(self.reader)]
        except csv.Error as error:
            raise ImportRefused(f"Line 1: {unreadable(error)}") from None
        self.format = self.detect(format)
        self.unit_from_file = self.format != "strong"
        self.lines_read = 0

    def detect(self, wanted):
        columns = set(self.header)
        found = None
        if columns >= STRONG_COLUMNS:
            found = "strong-older" if "Weight Unit" in columns else "strong"
        elif columns >= HEVY_COLUMNS and columns & {"weight_kg", "weight_lbs"}:
            found = "hevy"
        elif [name.lower() for name in self.header] in (COLUMNS_V1, COLUMNS_V2):
            found = "workoutlog"
        start = ",".join(self.header)[:80]
        if found is None:
            raise ImportRefused(
                "Line 1: these are not the columns of a Strong, Hevy or Workout Log export "
                f"(the file starts with “{start}”). Export the CSV again from the app and "
                "upload it as it is."
            )
        if wanted not in ("auto", found, found.removesuffix("-older")):
            raise ImportRefused(
                f"Line 1: this is not a {FORMAT_NAMES.get(wanted, wanted)} export: its "
                f"columns are those of {FORMAT_NAMES[found]}."
            )
        return found

    @property
    def format_name(self):
        return FORMAT_NAMES[self.format]

    def records(self):
        """(line number, cells) of each non-empty line after the header."""
        line = 2
        while True:
            try:
                cells = next(self.reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportRefused(f"Line {line}: {unreadable(error)}") from None
            if any(cell.strip() for cell in cells):
                self.lines_read = self.reader.line_num
                yield line, cells
            line = self.reader.line_num + 1

    def __iter__(self):
        """ImportedSet, Skipped and BadLine records, in the order of the file."""
        read_line = {
            "strong": self.strong_line,
            "strong-older": self.strong_line,
            "hevy": self.hevy_line,
            "workoutlog": self.workoutlog_line,
        }[self.format]
        width = len(self.header)
        self.seen_content = Counter()
        self.current_workout = None
        self.stretches = Counter()
        self.seen_keys = {}
        self.exercise_noted = set()
        self.dates = {}
        self.local_dates = {}
        for line, cells in self.records():
            if len(cells) != width:
                yield BadLine(line, f"{len(cells)} cells where the header has {width}.")
                continue
            # A note over several lines reads the same whichever line endings the file has.
            cells = [cell.replace("\r\n", "\n") if "\r" in cell else cell for cell in cells]
            try:
                yield read_line(line, dict(zip(self.header, cells, strict=True)))
            except LineError as error:
                yield BadLine(line, str(error))
            except (ValueError, ArithmeticError):  # a number or date past any real one
                yield BadLine(
                    line, "a value on this line is out of range (a date, time or number)."
                )

    def key_for(self, workout, *content):
        """The set's key, from its content: the same line imports once, however often.

        Identical lines are distinct sets, numbered by a counter. The content names its
        workout, so only the workout being read needs counting (memory stays flat); a
        workout whose lines come back later in the file counts that stretch apart.
        """
        if workout != self.current_workout:
            self.current_workout = workout
            self.seen_content = Counter()
            self.stretches[workout] += 1
        text = "|".join(str(part) for part in (workout, *content))
        self.seen_content[text] += 1
        occurrence = str(self.seen_content[text])
        if self.stretches[workout] > 1:
            occurrence = f"{self.stretches[workout]}.{occurrence}"
        return uuid.uuid5(IMPORT_KEYS, f"{self.owner_id}|{text}|{occurrence}")

    def local_date(self, moment):
        self.local_dates[moment] = timezone.localdate(moment)
        return self.local_dates[moment]

    def moment(self, text, formats):
        """A local date-time from one of these formats (cached: a workout repeats it)."""
        if text not in self.dates:
            self.dates[text] = parse_moment(text, formats)
        return self.dates[text]

    def strong_line(self, line, cells):
        exercise = cells["Exercise Name"].strip()
        if exercise.lower() == REST_TIMER:
            return Skipped(line, "a Rest Timer row, not a set")
        started_at = self.moment(cells["Date"], STRONG_DATE_FORMATS)
        decimal_comma = self.format == "strong-older"
        weight = number_text(cells["Weight"], decimal_comma)
        reps = number_text(cells["Reps"], decimal_comma)
        distance = number_text(cells.get("Distance", ""), decimal_comma)
        seconds = number_text(cells.get("Seconds", ""), decimal_comma)
        if self.format == "strong-older":
            unit = STRONG_UNITS.get(cells["Weight Unit"].strip().lower())
            if unit is None and weight not in ("", "0"):
                raise LineError(f"the weight unit “{cells['Weight Unit']}” is not kg or lbs.")
            distance_unit = cells.get("Distance Unit", "").strip()
        else:
            unit, distance_unit = self.chosen_unit, ""
        order = cells["Set Order"].strip().upper()
        set_type = STRONG_SET_ORDER_TYPES.get(order, SetType.WORKING)
        rpe, rpe_note = read_rpe(cells.get("RPE", ""), decimal_comma)
        notes = join_notes(
            cells.get("Notes", ""), cardio_text(distance, distance_unit, seconds), rpe_note
        )
        weight, reps = load_and_reps(weight, reps)
        if not (weight or reps or notes_has_cardio(distance, seconds)):
            return Skipped(line, "a set with no weight, reps, distance or time")
        name = cells["Workout Name"].strip()
        duration = cells.get("Duration", cells.get("Workout Duration", ""))
        key = self.key_for(
            f"strong|{started_at.isoformat()}|{name}", exercise, order, weight, reps,
            distance, seconds, cells.get("Notes", "").strip(), rpe,
        )  # fmt: skip
        return self.imported(
            line,
            workout=f"{started_at.isoformat()}|{name}",
            started_at=started_at,
            finished_at=add_duration(started_at, duration),
            workout_name=name,
            workout_note=cells.get("Workout Notes", "").strip(),
            exercise=exercise,
            set_type=set_type,
            weight=weight,
            reps=reps,
            unit=unit or self.chosen_unit,
            rpe=rpe,
            notes=notes,
            key=key,
        )

    def hevy_line(self, line, cells):
        started_at = self.moment(cells["start_time"], HEVY_DATE_FORMATS)
        ended = cells.get("end_time", "").strip()
        finished_at = self.moment(ended, HEVY_DATE_FORMATS) if ended else None
        if "weight_kg" in cells:
            weight_text, unit = cells["weight_kg"], WeightUnit.KG
            distance, distance_unit = cells.get("distance_km", ""), "km"
        else:
            weight_text, unit = cells["weight_lbs"], WeightUnit.LB
            distance, distance_unit = cells.get("distance_miles", ""), "mi"
        weight, reps = load_and_reps(number_text(weight_text), number_text(cells["reps"]))
        distance = number_text(distance)
        seconds = number_text(cells.get("duration_seconds", ""))
        exercise = cells["exercise_title"].strip()
        kind = cells["set_type"].strip().lower()
        if kind and kind not in HEVY_SET_TYPES:
            raise LineError(f"the set type “{cells['set_type']}” is not one Hevy writes.")
        rpe, rpe_note = read_rpe(cells.get("rpe", ""))
        name = cells["title"].strip()
        workout = f"{started_at.isoformat()}|{name}"
        # Hevy repeats the exercise's note on each of its sets: keep it once, on the first.
        exercise_note = cells.get("exercise_notes", "").strip()
        if f"hevy|{workout}" != self.current_workout:
            self.exercise_noted = set()
        if exercise in self.exercise_noted:
            exercise_note = ""
        self.exercise_noted.add(exercise)
        notes = join_notes(exercise_note, cardio_text(distance, distance_unit, seconds), rpe_note)
        if not (weight or reps or notes_has_cardio(distance, seconds)):
            return Skipped(line, "a set with no weight, reps, distance or time")
        key = self.key_for(
            f"hevy|{workout}", exercise, cells["set_index"].strip(), kind, weight, reps,
            distance, seconds, rpe,
        )  # fmt: skip
        return self.imported(
            line,
            workout=workout,
            started_at=started_at,
            finished_at=finished_at,
            workout_name=name,
            workout_note=cells.get("description", "").strip(),
            exercise=exercise,
            set_type=HEVY_SET_TYPES.get(kind, SetType.WORKING),
            weight=weight,
            reps=reps,
            unit=unit,
            rpe=rpe,
            notes=notes,
            key=key,
        )

    def workoutlog_line(self, line, cells):
        version = 2 if len(self.header) == len(COLUMNS_V2) else 1
        values = read_row(list(cells.values()), version)
        try:
            date = datetime.date.fromisoformat(values.date.strip())
        except ValueError:
            raise LineError(f"“{values.date}” is not a date like 2025-09-21.") from None
        logged_at = parse_logged_at(values.logged_at)
        noon = timezone.make_aware(datetime.datetime.combine(date, datetime.time(12)))
        template = values.template.strip() or "imported"
        session_id = values.session_id.strip() or f"{date.isoformat()}_{template}"
        if values.key.strip():
            try:
                key = uuid.UUID(values.key.strip())
            except ValueError:
                raise LineError(f"“{values.key}” is not a set key this app writes.") from None
        else:
            key = self.key_for(f"workoutlog|{session_id}", *cells.values())
        if key in self.seen_keys:
            return Skipped(line, f"a copy of line {self.seen_keys[key]} (the same set key)")
        self.seen_keys[key] = line
        rpe, rpe_note = (values.rpe, "") if values.rpe is None else read_rpe(str(values.rpe))
        set_number = values.set_number.strip()
        return self.imported(
            line,
            workout=session_id,
            session_id=session_id,
            started_at=logged_at or noon,
            finished_at=logged_at,
            workout_name=template,
            workout_note=values.workout_note.strip(),
            exercise=values.exercise.strip(),
            set_number=whole_number(set_number, MAX_IMPORTED_SET_NUMBER),
            set_type=values.set_type,
            weight=values.weight.strip(),
            reps=values.reps.strip(),
            unit=values.unit,
            rpe=rpe,
            notes=join_notes(values.notes, rpe_note),
            key=key,
            logged_at=logged_at,
            date=date,
        )

    def imported(self, line, exercise, weight, reps, **fields):
        if not exercise:
            raise LineError("no exercise name.")
        if len(exercise) > EXERCISE_MAX_LENGTH:
            raise LineError(f"the exercise name is longer than {EXERCISE_MAX_LENGTH} characters.")
        for label, text in (("weight", weight), ("reps", reps)):
            if len(text) > NUMBER_TEXT_MAX_LENGTH:
                raise LineError(
                    f"the {label} “{text[:30]}…” is longer than {NUMBER_TEXT_MAX_LENGTH} "
                    "characters."
                )
        # A workout's id is part of its address: no "/" (from this app's own CSV).
        fields["session_id"] = fields.get("session_id", "").replace("/", "-")
        fields.setdefault("set_number", None)
        if "date" not in fields:
            fields["date"] = self.local_dates.get(fields["started_at"]) or self.local_date(
                fields["started_at"]
            )
        return ImportedSet(line=line, exercise=exercise, weight=weight, reps=reps, **fields)


class SemicolonDialect(csv.excel):
    delimiter = ";"


class LineError(ValueError):
    pass


def decoded_lines(stream):
    """The binary stream's lines as text, endings kept (as csv wants them); a line that
    is not UTF-8 refuses the file, naming it. A byte order mark at the start is dropped."""
    for number, raw in enumerate(iter(stream.readline, b""), start=1):
        try:
            yield (raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw).decode()
        except UnicodeDecodeError:
            raise ImportRefused(
                f"Line {number}: the file is not UTF-8 text (is it a spreadsheet file rather "
                "than CSV, or in another encoding?). Export it again as CSV."
            ) from None


def unreadable(error):
    return f"this is not CSV that can be read ({error})."


def open_export(stream, owner_id, format="auto", unit=WeightUnit.LB):
    """The export in `stream` (binary), opened and its format told; ImportRefused else."""
    return CsvFile(stream, owner_id, format, unit)


def parse_moment(text, formats):
    cleaned = " ".join(text.translate(ODD_SPACES).split())
    for pattern in formats:
        try:
            moment = datetime.datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return timezone.make_aware(moment)
    raise LineError(f"“{text}” is not a date and time like 2025-03-04 18:12:09.")


def parse_logged_at(text):
    """This app's "logged at" (with its UTC offset, or local time), or None."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        moment.astimezone(datetime.UTC)  # and it can be stored (in UTC)
    except (ValueError, OverflowError):
        return None
    return moment


def add_duration(started_at, text):
    """Strong writes durations as "1h 5m", "45m" or seconds; None when it says nothing."""
    text = text.strip().lower()
    if (seconds := whole_number(text, MAX_DURATION_SECONDS)) is not None:
        return started_at + datetime.timedelta(seconds=seconds)
    parts = DURATION_PART.findall(text)
    if not parts:
        return None
    seconds = sum(int(n) * {"h": 3600, "m": 60, "s": 1}[unit] for n, unit in parts)
    return started_at + datetime.timedelta(seconds=seconds)


@functools.lru_cache(maxsize=4096)  # weights and reps repeat through a whole history
def number_text(text, decimal_comma=False):
    """A number as a lifter would type it: "100.0" -> "100", "102,5" -> "102.5" (in the
    semicolon files of countries that write a decimal comma). Other text stays as it is."""
    text = text.strip()
    if decimal_comma and DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return f"{number.normalize():f}" if number else "0"


def load_and_reps(weight, reps):
    """Exports write 0 for what was not entered: no reps is "", and no load without reps
    is "" too; a 0 load with reps (a bodyweight exercise) stays 0."""
    reps = "" if reps == "0" else reps
    weight = "" if weight == "0" and not reps else weight
    return weight, reps


def notes_has_cardio(distance, seconds):
    return distance not in ("", "0") or seconds not in ("", "0")


def cardio_text(distance, distance_unit, seconds):
    """Time and distance (cardio, holds) are kept in the set's notes: "5 km in 30:00",
    "time 1:00"; Strong's current export does not say its distance unit."""
    parts = []
    if distance not in ("", "0"):
        parts.append(f"{distance} {distance_unit}" if distance_unit else f"distance {distance}")
    if seconds not in ("", "0"):
        try:
            total = int(Decimal(seconds))
        except (InvalidOperation, ValueError, OverflowError):  # not a number, NaN, Infinity
            total = None
        if total is None:
            clock = f"{seconds} s"
        else:
            hours, rest = divmod(total, 3600)
            clock = f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else None
            clock = clock or f"{rest // 60}:{rest % 60:02d}"
        parts.append(clock if parts else f"time {clock}")
    return " in ".join(parts)


@functools.lru_cache(maxsize=256)
def read_rpe(text, decimal_comma=False):
    """(RPE, note): the app keeps 6 to 10 in half steps; any other value in the file
    stays in the set's notes ("RPE 5") rather than being lost."""
    text = number_text(text, decimal_comma)
    if text in ("", "0"):
        return None, ""
    try:
        rpe = Decimal(text)
    except InvalidOperation:
        return None, f"RPE {text}"
    if rpe.is_finite() and RPE_MIN <= rpe <= RPE_MAX and not rpe * 2 % 1:
        return rpe, ""
    return None, f"RPE {text}"


def join_notes(*parts):
    return "; ".join(part.strip() for part in parts if part and part.strip())


class RecordedExport:
    """An opened export that writes down what it reads, compressed, as it goes: the
    Import page previews a file, and imports later from this record without the file."""

    def __init__(self, export):
        self.export = export
        self.compressor = zlib.compressobj()
        self.chunks = []

    def __getattr__(self, name):
        return getattr(self.export, name)  # format_name, chosen_unit, unit_from_file…

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
    ]


def from_list(values):
    kind, line, *rest = values
    if kind == "skipped":
        return Skipped(line, rest[0])
    if kind == "bad":
        return BadLine(line, rest[0])
    (workout, session_id, date, started_at, finished_at, workout_name, workout_note) = rest[:7]
    (exercise, set_number, set_type, weight, reps, unit, rpe, notes, key, logged_at) = rest[7:]
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
    )


def optional_iso(moment):
    return None if moment is None else moment.isoformat()


def optional_moment(text):
    return None if text is None else datetime.datetime.fromisoformat(text)
