"""An exported file, opened: its text, its separator, its header and so its format, and
its lines read one by one into records (ImportedSet, Skipped, BadLine) by the reader of
that format (strong.py, hevy.py, fitnotes.py, workoutlog.py)."""

import codecs
import csv
import datetime
import itertools

from django.utils import timezone

from ..forms import (
    EXERCISE_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    NUMBER_TEXT_MAX_LENGTH,
    WORKOUT_NOTE_MAX_LENGTH,
)
from ..import_store import BadLine, ImportedSet, ImportRefused
from ..models import WeightUnit, Workout
from .keys import LineKeys
from .values import LineError, Notices, checked_text, refuse_control_characters, shown

TITLE_MAX_LENGTH = Workout._meta.get_field("routine_name").max_length
HEADER_SHOWN_CHARACTERS = 80
# The local times of the workout being read; a file repeats each a few dozen times.
MOMENTS_KEPT = 64


class SemicolonDialect(csv.excel):
    delimiter = ";"


class ExportFile:
    """An exported file, opened. `stream` is the file in binary; `unit` the lifter's answer
    for Strong's current export, which does not say its unit; `zone` the lifter's time
    zone, which the file's local times are in."""

    def __init__(self, stream, owner_id, format="auto", unit=WeightUnit.LB, zone=None):
        from .formats import detected_reader

        self.owner_id = owner_id
        self.chosen_unit = unit
        self.zone = zone or timezone.get_default_timezone()
        lines = decoded_lines(stream)
        first = next(lines, "")
        if not first.strip():
            raise ImportRefused("Line 1: the file is empty; expected a header row.")
        # Semicolons in some of Strong's exports, commas otherwise (quotes either way).
        self.semicolons = first.count(";") > first.count(",")
        dialect = SemicolonDialect if self.semicolons else csv.excel
        self.reader = csv.reader(itertools.chain([first], lines), dialect)
        try:
            self.header = [name.strip() for name in next(self.reader)]
        except csv.Error as error:
            raise ImportRefused(f"Line 1: {unreadable(error)}") from None
        self.notices = Notices()
        self.keys = LineKeys(owner_id)
        self.lines_read = 0
        self.moments = {}
        self.format_reader = detected_reader(self, format, shown_start(first))

    @property
    def format(self):
        return self.format_reader.format

    @property
    def format_name(self):
        return self.format_reader.format_name

    @property
    def unit_from_file(self):
        return self.format_reader.unit_from_file

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
        width = len(self.header)
        for line, cells in self.records():
            try:
                cells = self.format_reader.fitted(cells, width)
                # A note over several lines reads the same whichever line endings it has.
                cells = [cell.replace("\r\n", "\n") if "\r" in cell else cell for cell in cells]
                yield from list(self.format_reader.read(line, cells))
            except LineError as error:
                yield BadLine(line, str(error))
            except (ValueError, ArithmeticError):  # a date or a number past any real one
                yield BadLine(
                    line, "a value on this line is out of range (a date, time or number)."
                )
        yield from self.format_reader.finished()

    def moment(self, text, formats):
        """(naive, aware) of a local date and time written in one of these formats."""
        if text not in self.moments:
            if len(self.moments) > MOMENTS_KEPT:
                self.moments.clear()
            naive = parse_moment(text, formats)
            self.moments[text] = (naive, timezone.make_aware(naive, self.zone))
        return self.moments[text]

    def aware(self, naive):
        return timezone.make_aware(naive, self.zone)

    def imported(
        self, line, *, exercise, weight, reps, notes, workout_name, workout_note, **fields
    ):
        """The set, its texts held to the forms' rules (a longer note shortened, said so)."""
        if not exercise:
            raise LineError("no exercise name.")
        if len(exercise) > EXERCISE_MAX_LENGTH:
            raise LineError(f"the exercise name is longer than {EXERCISE_MAX_LENGTH} characters.")
        session_id = fields.pop("session_id", "")
        for what, text in (
            ("exercise name", exercise),
            ("weight", weight),
            ("reps", reps),
            ("session id", session_id),
        ):
            refuse_control_characters(text, what)
        for what, text in (("weight", weight), ("reps", reps)):
            if len(text) > NUMBER_TEXT_MAX_LENGTH:
                raise LineError(
                    f"the {what} “{shown(text)}” is longer than {NUMBER_TEXT_MAX_LENGTH} "
                    "characters."
                )
        notes = checked_text(notes, "set note", NOTES_MAX_LENGTH, line, self.notices)
        workout_note = checked_text(
            workout_note, "workout note", WORKOUT_NOTE_MAX_LENGTH, line, self.notices
        )
        workout_name = checked_text(
            workout_name, "workout title", TITLE_MAX_LENGTH, line, self.notices
        )
        fields.setdefault("set_number", None)
        return ImportedSet(
            line=line,
            exercise=exercise,
            weight=weight,
            reps=reps,
            notes=notes,
            workout_name=workout_name,
            workout_note=workout_note,
            # A workout's id is part of its address: no "/" (from this app's own CSV).
            session_id=session_id.replace("/", "-"),
            **fields,
        )


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
    if "field larger than field limit" in str(error):
        return f"a cell holds more than {csv.field_size_limit():,} characters; no app writes one."
    return f"this is not CSV that can be read ({error})."


def shown_start(first_line):
    """The file's first line as it is, for a message (never re-joined with commas)."""
    text = first_line.strip()
    return text if len(text) <= HEADER_SHOWN_CHARACTERS else text[:HEADER_SHOWN_CHARACTERS] + "…"


def parse_moment(text, formats):
    """A naive local date and time; LineError when it is in none of the formats."""
    cleaned = " ".join(text.translate(ODD_SPACES).split())
    for pattern in formats:
        try:
            return datetime.datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    raise LineError(f"“{shown(text)}” is not a date and time like {formats.example}.")


class Formats(tuple):
    """The date formats of an app, with an example for the message when none fits."""

    def __new__(cls, example, *patterns):
        formats = super().__new__(cls, patterns)
        formats.example = example
        return formats


# Strong writes "6:12:09 PM" with a narrow no-break space before PM in some versions.
ODD_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})
