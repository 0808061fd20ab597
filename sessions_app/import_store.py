"""The one store of imported history. Sets read from a file (the Import page and
`import_workouts`) and sets read from a sheet (`import_sheets`, and rows typed into a
sheet that the pull finds) arrive here in one shape, ImportedSet, and go in by one
set of rules:

- de-duplication: a set whose key is here already is not stored again; nor is one whose
  line had another key under an earlier rule (importers/keys.py) that is the lifter's.
  A key that is another lifter's is never said to be: the set is stored under a key of
  the lifter's own (derived_keys.own_key_for), so nobody's history can be probed, or
  stand in the way of its owner's import;
- workouts: a file's lines are grouped into workouts (ImportedSet.workout). A workout
  goes where one of its sets already is; else, from a sheet, to the workout of its
  session id when that is the lifter's and completed; else it is a new workout, under
  an id in the lifter's own space ("{date}_{name}.{tag}", suffixed when they have one);
- numbering: a set's own number, else the next of its exercise in its workout, after
  those already there, warm-ups numbered apart (as logging numbers them);
- every set's exercise is the lifter's exercise of that name, or the one the lifter
  chose for the file's name (made if missing);
- at the end, once: the records of the exercises touched, and the sheet told of the
  workouts it must write.

A file's import is all or nothing for the lifter, yet never holds the database for
long: it writes in transactions of a fraction of a second each (others log their sets
in between), into workouts marked "importing" that nothing shows or counts; at the end
one short transaction completes them all. A file with a line that cannot be read stores
nothing, unless the lifter chose to skip such lines; a failed import takes back what it
wrote. Limits bound what one file may hold (ImportLimits). A sheet's rows go in within
the caller's transaction, as they always did.
"""

import datetime
import functools
import re
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from .derived_keys import own_key_for
from .models import (
    Exercise,
    LifterProfile,
    Set,
    SetType,
    Workout,
    exercise_key,
    mark_unsynced,
    refresh_records,
)
from .models.batches import batched, insert_rows
from .models.bodyweight import apply_bodyweight
from .models.workouts import MAX_SUPERSET_GROUP, first_free

# Sets stored per round of queries: bounds memory whatever the file's length.
IMPORT_CHUNK_SETS = 2000
# A file's import holds the database for about this long at a time, then lets others in.
TRANSACTION_SECONDS = 0.5
# On SQLite, whoever waits for the write lock looks again every 100 ms at most: a pause
# a little longer than that lets them in.
PAUSE_SECONDS = 0.11
SMALLEST_CHUNK_SETS = 50
LARGEST_CHUNK_SETS = 8000
CHUNK_SHARE_OF_BUDGET = 0.5
PREVIEW_SETS = 5
BAD_LINES_SHOWN = 10
# What one file may hold (the README's "Limits"); IMPORT_MAX_SETS and IMPORT_MAX_WORKOUTS
# are settings.
MAX_SETS_PER_WORKOUT = 1000
MAX_BAD_LINES = 1000
# The preview asks about each name in one form: 500 fields, under Django's 1,000 per request.
MAX_EXERCISE_NAMES = 500
ROUTINE_SLUG_MAX_LENGTH = Workout._meta.get_field("routine_slug").max_length
WORKOUT_ID_MAX_LENGTH = Workout._meta.get_field("id").max_length
WORKOUT_ID_BASE_MAX_LENGTH = WORKOUT_ID_MAX_LENGTH - 5  # room for a "-999" suffix
# A tag that ends an id: ".k3fq", maybe before a "-2".
ID_TAG = re.compile(r"\.[a-z2-9]{4}(?=(?:-\d+)?$)")


class ImportRefused(Exception):
    """The file cannot be imported as it is; the message says why, naming the line."""


@dataclass(slots=True)
class ImportedSet:
    """A set read from a file or a sheet, as the store takes it."""

    line: int  # the line (file) or row (sheet) it came from
    workout: str  # which sets form one workout, within what was read
    session_id: str  # a preferred id for its workout (this app's export, a sheet), or ""
    date: datetime.date
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    workout_name: str
    workout_note: str
    exercise: str
    set_number: int | None  # None: numbered in the order read
    set_type: str
    weight: str
    reps: str
    unit: str
    rpe: Decimal | None
    notes: str
    key: uuid.UUID
    logged_at: datetime.datetime | None = None
    legacy: bool = False  # a sheet row typed without a key: the sync never rewrites it
    fingerprint: str = ""  # a sheet row's, as read
    # Keys the same line got under earlier rules (importers/keys.py): looked up among the
    # lifter's own sets only.
    earlier_keys: tuple = ()
    # The superset's group as text ("0" for A; Hevy's ids in the order the workout shows
    # them, the sheet's and the CSV's "(superset A)" mark): the sets of one superset share
    # it, and keep it as their Set.superset_group.
    superset: str = ""


@dataclass(slots=True)
class Skipped:
    """A line that is not a set (a Rest Timer row, an empty set) or that cannot go in:
    left out, and said so."""

    line: int
    reason: str


@dataclass(slots=True)
class BadLine:
    """A line that cannot be read: the file is refused, unless bad lines are skipped."""

    line: int
    reason: str

    def __str__(self):
        return f"Line {self.line}: {self.reason}"


class LinesLeftOut:
    """Lines left out, by reason: how many, and the first few of each (a five-year file
    has hundreds of Rest Timer lines; a hostile one could have millions)."""

    KEPT = BAD_LINES_SHOWN

    def __init__(self):
        self.kept = defaultdict(list)
        self.counts = Counter()

    def append(self, record):
        self.counts[record.reason] += 1
        if len(self.kept[record.reason]) < self.KEPT:
            self.kept[record.reason].append(record)

    def __iadd__(self, records):
        for record in records:
            self.append(record)
        return self

    def __iter__(self):
        return iter(sorted((r for kept in self.kept.values() for r in kept), key=lineof))

    def __len__(self):
        return self.counts.total()

    def __bool__(self):
        return bool(self.counts)


def lineof(record):
    return record.line


@dataclass
class ImportSummary:
    format_name: str
    unit: str
    unit_from_file: bool
    dry_run: bool = False
    sessions_created: int = 0
    sessions_extended: int = 0
    sets_created: int = 0
    legacy_sets: int = 0
    already_present: int = 0
    lines_read: int = 0
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None
    skipped: LinesLeftOut = field(default_factory=LinesLeftOut)
    bad_lines: LinesLeftOut = field(default_factory=LinesLeftOut)
    first_sets: list = field(default_factory=list)
    session_ids: list = field(default_factory=list)
    # {exercise key: [the name as the file first writes it, its sets]}
    names: dict = field(default_factory=dict)
    # [(what, how many, first lines)] of texts shortened to the forms' lengths
    shortened: list = field(default_factory=list)

    def skipped_by_reason(self):
        """[(reason, count, first line numbers)], the most frequent first."""
        found = {}
        for lines in (self.skipped, self.bad_lines):
            for reason, count in lines.counts.items():
                numbers = [record.line for record in lines.kept[reason]]
                found[reason] = (count, numbers)
        return sorted(
            ((reason, count, numbers) for reason, (count, numbers) in found.items()),
            key=lambda item: (-item[1], item[2][0]),
        )

    def skipped_lines(self, word="line"):
        """One readable line per reason: "lines 4, 9 and 17: a Rest Timer row, not a set"."""
        for reason, count, numbers in self.skipped_by_reason():
            shown = [str(number) for number in numbers[:BAD_LINES_SHOWN]]
            if count > BAD_LINES_SHOWN:
                where = f"{count:,} {word}s ({', '.join(shown)} and more)"
            elif count > 1:
                where = f"{word}s {', '.join(shown[:-1])} and {shown[-1]}"
            else:
                where = f"{word} {shown[0]}"
            yield f"{where}: {reason.rstrip('.')}"

    def shortened_lines(self):
        """ "2 set notes shortened to the forms' length (lines 5 and 9)"."""
        for what, count, lines in self.shortened:
            plural = "s" * (count != 1)
            shown = ", ".join(str(line) for line in lines)
            more = " and more" if count > len(lines) else ""
            yield f"{count:,} {what}{plural} shortened (line{plural} {shown}{more})"

    @property
    def skipped_count(self):
        return len(self.skipped) + len(self.bad_lines)

    def summary(self):
        would = "Would import" if self.dry_run else "Imported"
        workouts = self.sessions_created + self.sessions_extended
        text = f"{would} {self.sets_created:,} set(s) in {workouts:,} workout(s)"
        if self.first_date:
            text += f" from {self.first_date} to {self.last_date}"
        return (
            f"{text}; {self.already_present:,} already here, "
            f"{self.skipped_count:,} line(s) skipped."
        )

    def note(self, row):
        """Remember the dates, the exercise names, and the first sets for the preview."""
        if self.first_date is None or row.date < self.first_date:
            self.first_date = row.date
        if self.last_date is None or row.date > self.last_date:
            self.last_date = row.date
        if len(self.first_sets) < PREVIEW_SETS:
            self.first_sets.append(row)
        key = exercise_key(row.exercise)
        if key in self.names:
            self.names[key][1] += 1
        else:
            self.names[key] = [row.exercise, 1]


class ImportLimits:
    """What one file may hold: a request or the worker never takes more (the README's
    "Limits"). Past one, the file is refused at once, naming the line."""

    def __init__(self):
        self.sets = 0
        self.sets_per_workout = Counter()
        self.names = set()
        self.bad_lines = 0

    def check(self, row):
        self.sets += 1
        if self.sets > settings.IMPORT_MAX_SETS:
            raise ImportRefused(
                f"Line {row.line}: the file holds more than {settings.IMPORT_MAX_SETS:,} "
                "sets, the most one import takes. Export a shorter period, and import each."
            )
        if row.workout not in self.sets_per_workout and (
            len(self.sets_per_workout) >= settings.IMPORT_MAX_WORKOUTS
        ):
            raise ImportRefused(
                f"Line {row.line}: the file holds more than {settings.IMPORT_MAX_WORKOUTS:,} "
                "workouts, the most one import takes. Export a shorter period, and import "
                "each."
            )
        self.sets_per_workout[row.workout] += 1
        if self.sets_per_workout[row.workout] > MAX_SETS_PER_WORKOUT:
            raise ImportRefused(
                f"Line {row.line}: the workout “{row.workout_name}” of {row.date} has more "
                f"than {MAX_SETS_PER_WORKOUT:,} sets, more than any workout; is this the file "
                "the app exported?"
            )
        self.names.add(exercise_key(row.exercise))
        if len(self.names) > MAX_EXERCISE_NAMES:
            raise ImportRefused(
                f"Line {row.line}: the file names more than {MAX_EXERCISE_NAMES:,} different "
                "exercises; is this the file the app exported?"
            )

    def check_bad(self, bad_line):
        self.bad_lines += 1
        if self.bad_lines > MAX_BAD_LINES:
            raise ImportRefused(
                f"Nothing was imported: more than {MAX_BAD_LINES:,} lines cannot be read "
                f"(up to line {bad_line.line}); is this the file the app exported?"
            )


def import_history(owner, export, skip_bad_lines=False, dry_run=False, progress=None, names=None):
    """Store the sets of an opened export (importers.open_export) as owner's workouts.

    Returns an ImportSummary. Raises ImportRefused, storing nothing, when a line cannot
    be read and skip_bad_lines is off, or the file is past a limit. A dry run stores
    nothing, and reports what an import would do now. names: {name in the file: the
    lifter's exercise name} for the names the lifter matched to theirs. progress is
    called now and then with the lines read and the sets stored so far.
    """
    summary = ImportSummary(export.format_name, export.chosen_unit, export.unit_from_file, dry_run)
    progress = progress or (lambda lines, sets: None)
    limits = ImportLimits()
    store = ImportStore(owner, summary, write=not dry_run, hidden=not dry_run, names=names)
    if store.hidden:
        discard_unfinished_imports(owner.pk)
    try:
        chunk = []
        for record in export:
            if isinstance(record, Skipped):
                summary.skipped.append(record)
                continue
            if isinstance(record, BadLine):
                summary.bad_lines.append(record)
                limits.check_bad(record)
                continue
            limits.check(record)
            summary.note(record)
            chunk.append(record)
            if len(chunk) >= store.chunk_sets:
                if skip_bad_lines or not summary.bad_lines:
                    store.store(chunk)
                chunk = []
                progress(export.lines_read, summary.sets_created)
        if summary.bad_lines and not skip_bad_lines:
            raise ImportRefused(refusal(summary.bad_lines))
        store.store(chunk)
        summary.lines_read = export.lines_read
        if export.notices is not None:
            summary.shortened = export.notices.as_list()
        store.finish()
    except BaseException:
        store.discard()
        raise
    progress(summary.lines_read, summary.sets_created)
    return summary


def refusal(bad_lines):
    shown = "\n".join(str(line) for line in list(bad_lines)[:BAD_LINES_SHOWN])
    more = len(bad_lines) - BAD_LINES_SHOWN
    more_text = f"\n…and {more} more line(s)." if more > 0 else ""
    return (
        f"Nothing was imported: {len(bad_lines):,} line(s) cannot be read.\n{shown}{more_text}\n"
        "Fix the file, or choose to import the other lines and skip these."
    )


class ImportStore:
    """Stores imported sets chunk by chunk, remembering only which workout went where.

    write False: a dry run, which counts what it would store. from_sheet: the sets came
    from the lifter's sheet, so they are in it already (stored synced), and their
    session ids are their workouts' own; they go in within the caller's transaction.
    hidden: a file's import, all or nothing (see the module's docstring): finish()
    completes its workouts at once, discard() takes everything back.
    """

    def __init__(self, owner, summary, write=True, from_sheet=False, hidden=False, names=None):
        self.owner = owner
        self.write = write
        self.from_sheet = from_sheet
        self.hidden = hidden and write and not from_sheet
        self.summary = summary
        # {file name's key: the lifter's name for it}
        self.names = {exercise_key(name): chosen for name, chosen in (names or {}).items()}
        self.workout_of = {}  # ImportedSet.workout -> the workout id holding it
        self.moved = set()  # sheet workouts whose id is not the lifter's to take
        self.created = set()
        self.taken_ids = set()
        self.last_number = defaultdict(int)  # (workout id, exercise key, warm-up) -> number
        self.numbered = set()  # earlier workouts whose numbers last_number holds
        self.extended = set()  # earlier workouts this import added sets to
        self.shadows = {}  # earlier workout id -> the hidden workout holding its new sets
        self.respelled = set()  # workouts whose rows say an exercise in another spelling
        self.exercise_ids = set()
        self.sets_per_exercise = Counter()
        self.created_keys = set()
        self.chunk_sets = IMPORT_CHUNK_SETS
        self.transactions = 0
        self.had_sets = None
        self.tag = None

    @property
    def id_tag(self):
        if self.tag is None:
            self.tag = LifterProfile.id_tag_of(self.owner.pk) if self.write else "tag"
        return self.tag

    def store(self, rows):
        """Store these rows: a file's import in a transaction of its own, a fraction of a
        second long (the next chunk is sized by how long this one took)."""
        if not rows:
            return
        if not self.hidden:
            self.store_rows(rows)
            return
        self.let_others_in()
        started = time.monotonic()
        with transaction.atomic():
            self.store_rows(rows)
        # The next chunk sized to fill part of the budget at this pace: the pace varies
        # (a busy machine, a bigger database), and the budget is the most, not the aim.
        pace = len(rows) / max(time.monotonic() - started, 0.001)
        sized = int(pace * TRANSACTION_SECONDS * CHUNK_SHARE_OF_BUDGET)
        self.chunk_sets = min(LARGEST_CHUNK_SETS, max(SMALLEST_CHUNK_SETS, sized))

    def let_others_in(self):
        """Between two of an import's transactions, a pause that a lifter logging a set
        on SQLite (one writer at a time) surely catches."""
        if self.transactions and connection.vendor == "sqlite":
            time.sleep(PAUSE_SECONDS)
        self.transactions += 1

    def store_rows(self, rows):
        new_rows = self.new_rows(rows)
        self.place_workouts([row for row in new_rows if row.workout not in self.workout_of])
        self.continue_numbering({self.workout_of[row.workout] for row in new_rows})
        exercises = self.exercises_of(new_rows)
        sets = [self.new_set(row, exercises.get(self.chosen_key(row))) for row in new_rows]
        if self.write:
            insert_rows(Set, sets)
        self.summary.sets_created += len(sets)
        self.summary.legacy_sets += sum(row.legacy for row in new_rows)
        if self.from_sheet:  # the sheet's fingerprints are remembered for these
            self.created_keys |= {row.key for row in new_rows}
        self.extended |= {self.workout_of[row.workout] for row in new_rows} - self.created
        self.summary.sessions_extended = len(self.extended)

    def new_rows(self, rows):
        """The rows whose sets are not here yet; the others are counted, and a workout
        that holds one of them already is where its other rows go."""
        if self.had_sets is None:  # keys of earlier rules can only be among sets before
            self.had_sets = Set.objects.filter(workout__owner=self.owner).exists()
        earlier = [key for row in rows for key in row.earlier_keys] if self.had_sets else []
        present = present_keys([*(row.key for row in rows), *earlier])
        if taken := self.take_own_keys(rows, present):
            present |= present_keys(taken)
        new_rows = []
        for row in rows:
            found = present.get(row.key) or next(
                (
                    present[key]
                    for key in row.earlier_keys
                    if key in present and present[key][1] == self.owner.pk
                ),
                None,
            )
            if found is None or (found[2] == Workout.Status.IMPORTING and not self.write):
                new_rows.append(row)
            elif found[1] != self.owner.pk:  # a sheet's keyed row of another lifter's
                self.summary.skipped.append(
                    Skipped(row.line, "the same set (by its key) is another lifter's")
                )
            else:
                self.summary.already_present += 1
                if found[2] == Workout.Status.COMPLETED:
                    self.workout_of.setdefault(row.workout, found[0])
        return new_rows

    def take_own_keys(self, rows, present):
        """A line whose key is another lifter's goes in under a key of the lifter's own,
        and nothing says so (a sheet's keyed rows excepted: they are that lifter's rows).
        Returns the keys taken, to look up in turn."""
        taken = []
        for row in rows:
            found = present.get(row.key)
            if found and found[1] != self.owner.pk and not (self.from_sheet and not row.legacy):
                row.key = own_key_for(self.owner.pk, row.key)
                taken.append(row.key)
        return taken

    def place_workouts(self, rows):
        """New workouts for these rows, or (from a sheet) the lifter's workouts of their ids."""
        workouts = defaultdict(list)
        for row in rows:
            workouts[row.workout].append(row)
        if not workouts:
            return
        bases = {workout: self.base_id(group[0]) for workout, group in workouts.items()}
        if self.from_sheet:
            self.find_own_workouts(bases)
        if self.write:
            self.note_taken_ids({bases[w] for w in bases if not self.from_sheet or w in self.moved})
        new_workouts = []
        for workout, group in workouts.items():
            if workout in self.workout_of:
                continue
            if self.from_sheet and workout not in self.moved:
                workout_id = bases[workout]
            else:
                workout_id = self.free_id(bases[workout])
            self.taken_ids.add(workout_id)
            self.created.add(workout_id)
            self.workout_of[workout] = workout_id
            new_workouts.append(self.new_workout(workout_id, group))
        if self.write:
            Workout.objects.bulk_create(new_workouts, batch_size=500)
        self.summary.sessions_created += len(new_workouts)
        self.summary.session_ids += [workout.pk for workout in new_workouts]

    def base_id(self, row):
        """A new workout's id before any suffix, in the lifter's own space: the id read
        (this app's export), else "{date}_{name}"; a sheet's ids are its own."""
        if row.session_id and self.from_sheet:
            return row.session_id[:WORKOUT_ID_MAX_LENGTH]
        if row.session_id:
            return self.own_base(row.session_id)
        name = slugify(row.workout_name)[:ROUTINE_SLUG_MAX_LENGTH] or "imported"
        return self.own_base(f"{row.date.isoformat()}_{name}")

    def own_base(self, session_id):
        tag = self.id_tag
        if re.search(rf"\.{tag}(-\d+)?$", session_id):
            return session_id[:WORKOUT_ID_BASE_MAX_LENGTH]
        base = ID_TAG.sub("", session_id)[: WORKOUT_ID_BASE_MAX_LENGTH - len(tag) - 1]
        return f"{base}.{tag}"

    def find_own_workouts(self, bases):
        """A sheet's session id is its workout's: the lifter's completed workout of that
        id takes the rows. Another workout of that id (another lifter's, or one not
        completed) is not said to exist: the rows go to a new workout in the lifter's
        own space."""
        existing = {}
        for batch in batched(sorted(set(bases.values()) - self.created)):
            existing |= Workout.objects.in_bulk(batch)
        for workout, workout_id in bases.items():
            found = existing.get(workout_id)
            if found is None:
                continue
            if found.owner_id == self.owner.pk and found.status == Workout.Status.COMPLETED:
                self.workout_of[workout] = workout_id
            else:
                self.moved.add(workout)
                bases[workout] = self.own_base(workout_id)

    def note_taken_ids(self, bases):
        """The ids Workout.start() would also avoid: the base, and the base with a suffix
        ("-2"…). Ranges of the primary key ("-" is followed by "." in the alphabet): a
        LIKE read the whole table for each base, seconds for a big import."""
        for batch in batched(sorted(bases), per_item=3):  # = and a range
            taken = Q(pk__in=batch)
            for base in batch:
                taken |= Q(pk__gt=f"{base}-", pk__lt=f"{base}.")
            self.taken_ids |= set(Workout.objects.filter(taken).values_list("pk", flat=True))

    def new_workout(self, workout_id, rows):
        first = rows[0]
        completed = Workout.Status.IMPORTING if self.hidden else Workout.Status.COMPLETED
        return Workout(
            id=workout_id,
            owner=self.owner,
            routine_slug=first.workout_name[:ROUTINE_SLUG_MAX_LENGTH] or "imported",
            routine_name="" if self.from_sheet else first.workout_name,
            date=first.date,
            status=completed,
            created_at=min(row.started_at for row in rows),
            completed_at=max(row.finished_at or row.started_at for row in rows),
            note=next((row.workout_note for row in rows if row.workout_note), ""),
            synced_to_sheets=self.from_sheet,
            revision=1 if self.from_sheet else 0,
        )

    def free_id(self, base):
        return first_free(base, self.taken_ids)

    def continue_numbering(self, workout_ids):
        """Sets added to a workout stored before number on from it."""
        earlier = list(workout_ids - self.created - self.numbered)
        if not earlier:
            return
        for batch in batched(earlier):
            highest = (
                Set.objects.filter(workout_id__in=batch)
                .values("workout_id", "exercise__key", "set_type")
                .annotate(highest=Max("set_number"))
                .order_by()
            )
            for values in highest:
                warmup = values["set_type"] == SetType.WARMUP
                slot = (values["workout_id"], values["exercise__key"], warmup)
                self.last_number[slot] = max(self.last_number[slot], values["highest"])
        self.numbered |= set(earlier)

    def chosen_name(self, row):
        """The exercise the lifter chose for the file's name (by default, that name)."""
        return self.names.get(exercise_key(row.exercise)) or row.exercise

    def chosen_key(self, row):
        return exercise_key(self.chosen_name(row))

    def exercises_of(self, rows):
        """{key: the lifter's exercise} of these rows' names (none made in a dry run)."""
        if not self.write or not rows:
            return {}
        return Exercise.for_names(self.owner.pk, {self.chosen_name(row) for row in rows})

    def new_set(self, row, exercise):
        """The set's columns, {attname: value}, for insert_rows()."""
        workout_id = self.workout_of[row.workout]
        slot = (workout_id, self.chosen_key(row), row.set_type == SetType.WARMUP)
        number = row.set_number or self.last_number[slot] + 1
        self.last_number[slot] = max(self.last_number[slot], number)
        if exercise is None:
            return None  # a dry run
        self.exercise_ids.add(exercise.pk)
        self.sets_per_exercise[exercise.pk] += 1
        if row.exercise != exercise.name:
            self.respelled.add(workout_id)
        return set_row(
            row,
            self.shadow_of(workout_id),
            exercise,
            number,
            row.logged_at or row.started_at,
            synced=self.from_sheet,
        )

    def shadow_of(self, workout_id):
        """Where a hidden import puts the sets it adds to a workout stored before: a hidden
        workout of its own, whose sets join that workout when the import completes."""
        if not self.hidden or workout_id in self.created:
            return workout_id
        if workout_id not in self.shadows:
            target = Workout.objects.get(pk=workout_id)
            shadow = Workout.objects.create(
                id=f"import-{uuid.uuid4().hex}",
                owner=self.owner,
                routine_slug=target.routine_slug,
                date=target.date,
                status=Workout.Status.IMPORTING,
            )
            self.shadows[workout_id] = shadow.pk
        return self.shadows[workout_id]

    def finish(self):
        """Once every set is in: the import's workouts completed at once (a hidden one),
        then the records of what came in, and the sheet."""
        if not self.write:
            return
        if self.hidden:
            self.let_others_in()
            with transaction.atomic():
                for batch in batched(sorted(self.created), other_parameters=2):
                    Workout.objects.filter(pk__in=batch, status=Workout.Status.IMPORTING).update(
                        status=Workout.Status.COMPLETED
                    )
                for target, shadow in self.shadows.items():
                    Set.objects.filter(workout_id=shadow).update(workout_id=target)
                Workout.objects.filter(pk__in=list(self.shadows.values())).delete()
            self.shadows = {}
        # Bodyweight sets take the lifter's bodyweight of their day (models/bodyweight.py):
        # over the whole history (an import's workouts may be thousands; the others are
        # as they were, and left so).
        apply_bodyweight(self.owner.pk, refresh=False)
        for group in exercise_groups(self.exercise_ids, self.sets_per_exercise):
            refresh_records(self.owner.pk, group)
        if self.from_sheet:
            # In the sheet already, except rows whose exercise is spelled otherwise here.
            mark_unsynced(*self.respelled)
            return
        changed = sorted(self.created | self.extended)
        for start in range(0, len(changed), UNSYNCED_PER_STATEMENT):  # short writes
            mark_unsynced(*changed[start : start + UNSYNCED_PER_STATEMENT])

    def discard(self):
        """Take back what a hidden import wrote, a few workouts a transaction."""
        if not self.hidden:
            return
        discard_workouts([*self.created, *self.shadows.values()])
        self.created, self.shadows = set(), {}


# The records of exercises with this many new sets at most are written in one
# transaction (each workout of an exercise is a row of its records).
RECORD_SETS_PER_TRANSACTION = 20_000
# Workouts marked for the sheet per statement at the end of an import.
UNSYNCED_PER_STATEMENT = 2000
# Workouts deleted per transaction when an import is taken back (at most 1,000 sets each).
DISCARDED_WORKOUTS_PER_TRANSACTION = 20


def exercise_groups(exercise_ids, sets_per_exercise):
    """The exercises in groups whose records are written in a fraction of a second."""
    group, sets = [], 0
    for exercise_id in sorted(exercise_ids):
        if group and sets + sets_per_exercise[exercise_id] > RECORD_SETS_PER_TRANSACTION:
            yield group
            group, sets = [], 0
        group.append(exercise_id)
        sets += sets_per_exercise[exercise_id]
    if group:
        yield group


def discard_workouts(workout_ids):
    """Delete the hidden workouts of an import that did not complete (and their sets)."""
    ids = sorted(workout_ids)
    for start in range(0, len(ids), DISCARDED_WORKOUTS_PER_TRANSACTION):
        batch = ids[start : start + DISCARDED_WORKOUTS_PER_TRANSACTION]
        with transaction.atomic():
            Set.objects.filter(workout_id__in=batch).delete()
            Workout.objects.filter(pk__in=batch, status=Workout.Status.IMPORTING).delete()


def discard_unfinished_imports(owner_id):
    """The hidden workouts an import left when its worker died: gone, so that the next
    import starts from what the lifter sees."""
    left = Workout.objects.filter(owner_id=owner_id, status=Workout.Status.IMPORTING)
    discard_workouts(left.values_list("pk", flat=True))


def present_keys(keys):
    """{key: (workout id, owner id, status)} of the keys stored already. (Two queries: a
    join lets SQLite walk the workouts first, four times slower.)"""
    found = {}
    for batch in batched(keys, other_parameters=0):
        found |= dict(Set.objects.filter(key__in=batch).values_list("key", "workout_id"))
    workouts = {}
    for batch in batched(set(found.values()), other_parameters=0):
        workouts |= {
            pk: (pk, owner_id, status)
            for pk, owner_id, status in Workout.objects.filter(pk__in=batch).values_list(
                "pk", "owner_id", "status"
            )
        }
    return {key: workouts[workout_id] for key, workout_id in found.items()}


def set_row(row, workout_id, exercise, set_number, created_at, synced=False):
    """A new set's columns, {attname: value}, for insert_rows(), from an ImportedSet."""
    weight_value, reps_value, estimated_1rm = set_numbers(row.weight, row.reps)
    return {
        "workout_id": workout_id,
        "exercise_id": exercise.pk,
        "exercise_name": exercise.name,
        "set_number": set_number,
        "weight": row.weight,
        "reps": row.reps,
        "notes": row.notes,
        "created_at": created_at,
        "synced_to_sheets": synced,
        "key": row.key,
        "legacy_sheet_row": row.legacy,
        "set_type": row.set_type,
        "rpe": row.rpe,
        "unit": row.unit,
        "weight_value": weight_value,
        "reps_value": reps_value,
        "estimated_1rm": estimated_1rm,
        "superset_group": superset_group(row.superset),
        "bodyweight": None,  # given once the import is in (finish)
    }


def superset_group(text):
    """A file's superset id as a group number: "0" -> 0, "3" -> 3; None for none (or an id
    that is not a small whole number)."""
    text = (text or "").strip()
    if text.isdecimal() and int(text) <= MAX_SUPERSET_GROUP:
        return int(text)
    return None


@functools.lru_cache(maxsize=4096)
def set_numbers(weight, reps):
    """(weight_value, reps_value, estimated_1rm): what Set.read_numbers() makes of these
    texts (a history repeats the same few)."""
    scratch = Set(weight=weight, reps=reps)
    scratch.read_numbers()
    return scratch.weight_value, scratch.reps_value, scratch.estimated_1rm
