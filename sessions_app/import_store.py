"""The one store of imported history. Sets read from a file (the Import page and
`import_workouts`) and sets read from a sheet (`import_sheets`, and rows typed into a
sheet that the pull finds) arrive here in one shape, ImportedSet, and go in by one
set of rules:

- de-duplication: a set whose key is here already is not stored again (another
  lifter's key is skipped, and said so);
- workouts: a file's lines are grouped into workouts (ImportedSet.workout). A workout
  goes where one of its sets already is; else, from a sheet, to the workout of its
  session id when that is the lifter's and completed; else it is a new workout, under
  its preferred id when free (a sheet's ids are kept as they are; a file's are
  suffixed when taken);
- numbering: a set's own number, else the next of its exercise in its workout, after
  those already there, warm-ups numbered apart (as logging numbers them);
- every set's exercise is the lifter's exercise of that name (made if missing);
- at the end, once: the records of the exercises touched, and the sheet told of the
  workouts it must write.

An import is one transaction: a file with a line that cannot be read stores nothing,
unless the lifter chose to skip such lines. Imported workouts are completed; from a
file they are not yet in the sheet, so the sync picks them all up in one backlog.
"""

import contextlib
import datetime
import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, models, router, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from .models import Exercise, Set, SetType, Workout, exercise_key, mark_unsynced, refresh_records
from .models.batches import batched

# Sets stored per round of queries: bounds memory whatever the file's length.
IMPORT_CHUNK_SETS = 2000
PREVIEW_SETS = 5
BAD_LINES_SHOWN = 10
ROUTINE_SLUG_MAX_LENGTH = Workout._meta.get_field("routine_slug").max_length
WORKOUT_ID_MAX_LENGTH = Workout._meta.get_field("id").max_length
WORKOUT_ID_BASE_MAX_LENGTH = WORKOUT_ID_MAX_LENGTH - 5  # room for a "-999" suffix


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
    skipped: list = field(default_factory=list)
    bad_lines: list = field(default_factory=list)
    first_sets: list = field(default_factory=list)
    session_ids: list = field(default_factory=list)

    def skipped_by_reason(self):
        """[(reason, line numbers)], the most frequent first: Rest Timer rows are many."""
        lines = defaultdict(list)
        for skipped in [*self.skipped, *self.bad_lines]:
            lines[skipped.reason].append(skipped.line)
        return sorted(lines.items(), key=lambda item: (-len(item[1]), item[1][0]))

    def skipped_lines(self, word="line"):
        """One readable line per reason: "lines 4, 9 and 17: a Rest Timer row, not a set"."""
        for reason, numbers in self.skipped_by_reason():
            shown = [str(number) for number in numbers[:BAD_LINES_SHOWN]]
            if len(numbers) > BAD_LINES_SHOWN:
                where = f"{len(numbers):,} {word}s ({', '.join(shown)} and more)"
            elif len(numbers) > 1:
                where = f"{word}s {', '.join(shown[:-1])} and {shown[-1]}"
            else:
                where = f"{word} {shown[0]}"
            yield f"{where}: {reason.rstrip('.')}"

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
        """Remember the dates, and the first sets for the preview."""
        if self.first_date is None or row.date < self.first_date:
            self.first_date = row.date
        if self.last_date is None or row.date > self.last_date:
            self.last_date = row.date
        if len(self.first_sets) < PREVIEW_SETS:
            self.first_sets.append(row)


def import_history(owner, export, skip_bad_lines=False, dry_run=False, progress=None):
    """Store the sets of an opened export (importers.open_export) as owner's workouts.

    Returns an ImportSummary. Raises ImportRefused, storing nothing, when a line
    cannot be read and skip_bad_lines is off. A dry run stores nothing either, and
    reports what an import would do now; it only reads, so it holds no write lock
    while a big file is read (the Import page's preview is one).
    """
    summary = ImportSummary(export.format_name, export.chosen_unit, export.unit_from_file, dry_run)
    progress = progress or (lambda lines: None)
    store = ImportStore(owner, summary, write=not dry_run)
    with contextlib.nullcontext() if dry_run else transaction.atomic():
        chunk = []
        for record in export:
            if isinstance(record, Skipped):
                summary.skipped.append(record)
            elif isinstance(record, BadLine):
                summary.bad_lines.append(record)
            else:
                summary.note(record)
                chunk.append(record)
                if len(chunk) == IMPORT_CHUNK_SETS:
                    if skip_bad_lines or not summary.bad_lines:
                        store.store(chunk)
                    chunk = []
                    progress(export.lines_read)
        if summary.bad_lines and not skip_bad_lines:
            raise ImportRefused(refusal(summary.bad_lines))
        store.store(chunk)
        progress(export.lines_read)
        summary.lines_read = export.lines_read
        store.finish()
    return summary


def refusal(bad_lines):
    shown = "\n".join(str(line) for line in bad_lines[:BAD_LINES_SHOWN])
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
    session ids are their workouts' own.
    """

    def __init__(self, owner, summary, write=True, from_sheet=False):
        self.owner = owner
        self.write = write
        self.from_sheet = from_sheet
        self.summary = summary
        self.workout_of = {}  # ImportedSet.workout -> the workout id holding it
        self.refused = {}  # ImportedSet.workout -> why it cannot go in
        self.created = set()
        self.taken_ids = set()
        self.last_number = defaultdict(int)  # (workout id, exercise key, warm-up) -> number
        self.numbered = set()  # earlier workouts whose numbers last_number holds
        self.extended = set()  # earlier workouts this import added sets to
        self.respelled = set()  # workouts whose rows say an exercise in another spelling
        self.exercise_ids = set()
        self.created_keys = set()

    def store(self, rows):
        if not rows:
            return
        new_rows = self.new_rows(rows)
        self.place_workouts([row for row in new_rows if row.workout not in self.workout_of])
        new_rows = [row for row in new_rows if self.not_refused(row)]
        self.continue_numbering({self.workout_of[row.workout] for row in new_rows})
        exercises = self.exercises_of(new_rows)
        sets = [self.new_set(row, exercises.get(exercise_key(row.exercise))) for row in new_rows]
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
        present = present_keys([row.key for row in rows])
        new_rows = []
        for row in rows:
            found = present.get(row.key)
            if found is None:
                new_rows.append(row)
            elif found[1] != self.owner.pk:
                self.summary.skipped.append(
                    Skipped(row.line, "the same set (by its key) is another lifter's")
                )
            else:
                self.summary.already_present += 1
                if found[2] == Workout.Status.COMPLETED:
                    self.workout_of.setdefault(row.workout, found[0])
        return new_rows

    def not_refused(self, row):
        if reason := self.refused.get(row.workout):
            self.summary.skipped.append(Skipped(row.line, reason))
            return False
        return True

    def place_workouts(self, rows):
        """New workouts for these rows, or (from a sheet) the lifter's workouts of their ids."""
        workouts = defaultdict(list)
        for row in rows:
            workouts[row.workout].append(row)
        if not workouts:
            return
        bases = {workout: base_id(group[0]) for workout, group in workouts.items()}
        if self.from_sheet:
            self.find_own_workouts(bases)
        else:
            self.note_taken_ids(set(bases.values()))
        new_workouts = []
        for workout, group in workouts.items():
            if workout in self.workout_of or workout in self.refused:
                continue
            workout_id = bases[workout] if self.from_sheet else self.free_id(bases[workout])
            self.taken_ids.add(workout_id)
            self.created.add(workout_id)
            self.workout_of[workout] = workout_id
            new_workouts.append(self.new_workout(workout_id, group))
        if self.write:
            Workout.objects.bulk_create(new_workouts, batch_size=500)
        self.summary.sessions_created += len(new_workouts)
        self.summary.session_ids += [workout.pk for workout in new_workouts]

    def find_own_workouts(self, bases):
        """A sheet's session id is its workout's: the lifter's completed workout of that id
        takes the rows; any other workout of that id refuses them."""
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
                self.refused[workout] = (
                    f"workout {workout_id} belongs to another lifter or is not completed"
                )

    def note_taken_ids(self, bases):
        # The ids Workout.start() would also avoid: the base, and the base with a suffix.
        for batch in batched(sorted(bases), per_item=2):  # = and LIKE
            taken = Q(pk__in=batch)
            for base in batch:
                taken |= Q(pk__startswith=f"{base}-")
            self.taken_ids |= set(Workout.objects.filter(taken).values_list("pk", flat=True))

    def new_workout(self, workout_id, rows):
        first = rows[0]
        return Workout(
            id=workout_id,
            owner=self.owner,
            routine_slug=first.workout_name[:ROUTINE_SLUG_MAX_LENGTH] or "imported",
            date=first.date,
            status=Workout.Status.COMPLETED,
            created_at=min(row.started_at for row in rows),
            completed_at=max(row.finished_at or row.started_at for row in rows),
            note=next((row.workout_note for row in rows if row.workout_note), ""),
            synced_to_sheets=self.from_sheet,
            revision=1 if self.from_sheet else 0,
        )

    def free_id(self, base):
        if base not in self.taken_ids:
            return base
        suffix = 2
        while f"{base}-{suffix}" in self.taken_ids:
            suffix += 1
        return f"{base}-{suffix}"

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

    def exercises_of(self, rows):
        """{key: the lifter's exercise} of these rows' names (none made in a dry run)."""
        if not self.write or not rows:
            return {}
        return Exercise.for_names(self.owner.pk, {row.exercise for row in rows})

    def new_set(self, row, exercise):
        """The set's columns, {attname: value}, for insert_rows()."""
        workout_id = self.workout_of[row.workout]
        slot = (workout_id, exercise_key(row.exercise), row.set_type == SetType.WARMUP)
        number = row.set_number or self.last_number[slot] + 1
        self.last_number[slot] = max(self.last_number[slot], number)
        if exercise is None:
            return None  # a dry run
        self.exercise_ids.add(exercise.pk)
        if row.exercise != exercise.name:
            self.respelled.add(workout_id)
        return set_row(
            row,
            workout_id,
            exercise,
            number,
            row.logged_at or row.started_at,
            synced=self.from_sheet,
        )

    def finish(self):
        """Once every set is in: the records of what came in, and the sheet."""
        if not self.write:
            return
        refresh_records(self.owner.pk, self.exercise_ids)
        if self.from_sheet:
            # In the sheet already, except rows whose exercise is spelled otherwise here.
            mark_unsynced(*self.respelled)
        else:
            mark_unsynced(*self.created, *self.extended)


def present_keys(keys):
    """{key: (workout id, owner id, status)} of the keys stored already."""
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


def base_id(row):
    """A new workout's id: the one read when there is one, else "{date}_{name}"."""
    if row.session_id:
        return row.session_id[:WORKOUT_ID_BASE_MAX_LENGTH]
    name = slugify(row.workout_name)[:ROUTINE_SLUG_MAX_LENGTH] or "imported"
    return f"{row.date.isoformat()}_{name}"


def insert_rows(model, rows):
    """INSERT rows ({attname: value} for every column but an automatic id) with one
    executemany.

    bulk_create built an instance and the SQL of every batch value by value: 75 % of a
    large import's time (bench/RESULTS.md). Like bulk_create, nothing here sends a
    signal or calls save(); a set's number columns come from set_numbers().
    """
    if not rows:
        return
    database = connections[router.db_for_write(model)]  # not the proxy: 400,000 lookups
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
    if {field.attname for field in fields} != rows[0].keys():
        raise ValueError(f"The rows and the {model.__name__} model list different columns.")
    # Text, numbers and booleans go as they are; keys, decimals and times need the
    # database's own form (a UUID is hex text on SQLite, native on PostgreSQL).
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    preparers = [
        (field.attname, None if isinstance(field, (*plain, models.ForeignKey)) else field)
        for field in fields
    ]
    values = [
        [
            row[name] if field is None else field.get_db_prep_save(row[name], database)
            for name, field in preparers
        ]
        for row in rows
    ]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with database.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
            values,
        )


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
    }


@functools.lru_cache(maxsize=4096)
def set_numbers(weight, reps):
    """(weight_value, reps_value, estimated_1rm): what Set.read_numbers() makes of these
    texts (a history repeats the same few)."""
    scratch = Set(weight=weight, reps=reps)
    scratch.read_numbers()
    return scratch.weight_value, scratch.reps_value, scratch.estimated_1rm
