"""Work that more than one caller shares: storing imported history (the
`import_workouts` command and the Import page both call `import_history`).

An import is one transaction: a file with a line that cannot be read stores
nothing, unless the lifter chose to skip such lines. Imported workouts are stored
completed and not yet in the sheet, so the sync picks them all up in one backlog.
"""

import contextlib
import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, models, router, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from .importers import BadLine, ImportRefused, Skipped
from .models import Session, Set, SetType, history_changed, mark_unsynced

# Sets stored per round of queries: bounds memory whatever the file's length.
IMPORT_CHUNK_SETS = 2000
PREVIEW_SETS = 5
BAD_LINES_SHOWN = 10
SESSION_TEMPLATE_MAX_LENGTH = Session._meta.get_field("template").max_length
SESSION_ID_MAX_LENGTH = Session._meta.get_field("id").max_length
SESSION_ID_BASE_MAX_LENGTH = SESSION_ID_MAX_LENGTH - 5  # room for a "-999" suffix
SQLITE_SAFE_PARAMETERS = 900
IDS_PER_QUERY = 200  # each id takes two parameters (= and LIKE)


@dataclass
class ImportSummary:
    format_name: str
    unit: str
    unit_from_file: bool
    dry_run: bool = False
    sessions_created: int = 0
    sessions_extended: int = 0
    sets_created: int = 0
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

    def skipped_lines(self):
        """One readable line per reason: "lines 4, 9 and 17: a Rest Timer row, not a set"."""
        for reason, numbers in self.skipped_by_reason():
            shown = [str(number) for number in numbers[:BAD_LINES_SHOWN]]
            if len(numbers) > BAD_LINES_SHOWN:
                where = f"{len(numbers):,} lines ({', '.join(shown)} and more)"
            elif len(numbers) > 1:
                where = f"lines {', '.join(shown[:-1])} and {shown[-1]}"
            else:
                where = f"line {shown[0]}"
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


def import_history(owner, export, skip_bad_lines=False, dry_run=False, progress=None):
    """Store the sets of an opened export (importers.open_export) as owner's workouts.

    Returns an ImportSummary. Raises ImportRefused, storing nothing, when a line
    cannot be read and skip_bad_lines is off. A dry run stores nothing either, and
    reports what an import would do now; it only reads, so it holds no write lock
    while a big file is read (the Import page's preview is one).
    """
    summary = ImportSummary(export.format_name, export.chosen_unit, export.unit_from_file, dry_run)
    progress = progress or (lambda lines: None)
    storing = HistoryStore(owner, summary, write=not dry_run)
    with contextlib.nullcontext() if dry_run else transaction.atomic():
        chunk = []
        for record in export:
            if isinstance(record, Skipped):
                summary.skipped.append(record)
            elif isinstance(record, BadLine):
                summary.bad_lines.append(record)
            else:
                note_dates(summary, record)
                chunk.append(record)
                if len(chunk) == IMPORT_CHUNK_SETS:
                    if skip_bad_lines or not summary.bad_lines:
                        storing.store(chunk)
                    chunk = []
                    progress(export.lines_read)
        if summary.bad_lines and not skip_bad_lines:
            raise ImportRefused(refusal(summary.bad_lines))
        storing.store(chunk)
        progress(export.lines_read)
        summary.lines_read = export.lines_read
        if summary.session_ids and not dry_run:
            import_finished(owner, summary.session_ids)
    return summary


def import_finished(owner, session_ids):
    """The one place an import ends, inside its transaction, once its sets are stored.

    Whatever must follow a bulk import of history belongs here (bulk_create sent no
    post_save). The sheet: the sessions are stored unsynced, and one sync run picks
    them all up, so one signal asks for it rather than one per workout.
    """
    history_changed.send(sender=Session, session_ids=session_ids)


def refusal(bad_lines):
    shown = "\n".join(str(line) for line in bad_lines[:BAD_LINES_SHOWN])
    more = len(bad_lines) - BAD_LINES_SHOWN
    more_text = f"\n…and {more} more line(s)." if more > 0 else ""
    return (
        f"Nothing was imported: {len(bad_lines):,} line(s) cannot be read.\n{shown}{more_text}\n"
        "Fix the file, or choose to import the other lines and skip these."
    )


def note_dates(summary, row):
    if summary.first_date is None or row.date < summary.first_date:
        summary.first_date = row.date
    if summary.last_date is None or row.date > summary.last_date:
        summary.last_date = row.date
    if len(summary.first_sets) < PREVIEW_SETS:
        summary.first_sets.append(row)


class HistoryStore:
    """Stores imported sets chunk by chunk, remembering only which workout went where."""

    def __init__(self, owner, summary, write=True):
        self.owner = owner
        self.write = write  # False: a dry run, which counts what it would store
        self.summary = summary
        self.session_of_workout = {}  # the file's workout -> the session holding it
        self.created = set()
        self.taken_ids = set()
        self.last_number = defaultdict(int)  # (session, exercise, is warm-up) -> number
        self.numbered = set()  # earlier workouts whose numbers last_number holds
        self.extended = set()  # earlier workouts this import added sets to

    def store(self, rows):
        if not rows:
            return
        present = self.present_keys([row.key for row in rows])
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
                if found[2] == Session.Status.COMPLETED:
                    self.session_of_workout.setdefault(row.workout, found[0])
        self.create_sessions(
            [row for row in new_rows if row.workout not in self.session_of_workout]
        )
        self.continue_numbering({self.session_of_workout[row.workout] for row in new_rows})
        sets = [self.new_set(row) for row in new_rows]
        if self.write:
            insert_rows(Set, sets)
        self.summary.sets_created += len(sets)
        extended = {s["session_id"] for s in sets} - self.created - self.extended
        if self.write and extended:
            mark_unsynced(*extended)  # earlier imports' workouts: their rows must follow
        self.extended |= extended
        self.summary.sessions_extended = len(self.extended)

    def present_keys(self, keys):
        """{key: (session id, owner id, status)} of the keys stored already."""
        found = {}
        for batch in batched(keys):
            found |= dict(Set.objects.filter(key__in=batch).values_list("key", "session_id"))
        sessions = {}
        for batch in batched(list(set(found.values()))):
            sessions |= {
                pk: (pk, owner_id, status)
                for pk, owner_id, status in Session.objects.filter(pk__in=batch).values_list(
                    "pk", "owner_id", "status"
                )
            }
        return {key: sessions[session_id] for key, session_id in found.items()}

    def create_sessions(self, rows):
        workouts = defaultdict(list)
        for row in rows:
            workouts[row.workout].append(row)
        if not workouts:
            return
        bases = {workout: base_id(group[0]) for workout, group in workouts.items()}
        # The ids Session.start() would also avoid: the base, and the base with a suffix.
        for batch in batched(sorted(set(bases.values())), IDS_PER_QUERY):
            taken = Q(pk__in=batch)
            for base in batch:
                taken |= Q(pk__startswith=f"{base}-")
            self.taken_ids |= set(Session.objects.filter(taken).values_list("pk", flat=True))
        sessions = []
        for workout, group in workouts.items():
            session_id = self.free_id(bases[workout])
            self.taken_ids.add(session_id)
            self.created.add(session_id)
            self.session_of_workout[workout] = session_id
            first = group[0]
            sessions.append(
                Session(
                    id=session_id,
                    owner=self.owner,
                    template=first.workout_name[:SESSION_TEMPLATE_MAX_LENGTH] or "imported",
                    date=first.date,
                    status=Session.Status.COMPLETED,
                    created_at=min(row.started_at for row in group),
                    completed_at=max(row.finished_at or row.started_at for row in group),
                    note=next((row.workout_note for row in group if row.workout_note), ""),
                    synced_to_sheets=False,
                )
            )
        if self.write:
            Session.objects.bulk_create(sessions, batch_size=500)
        self.summary.sessions_created += len(sessions)
        self.summary.session_ids += [session.pk for session in sessions]

    def free_id(self, base):
        if base not in self.taken_ids:
            return base
        suffix = 2
        while f"{base}-{suffix}" in self.taken_ids:
            suffix += 1
        return f"{base}-{suffix}"

    def continue_numbering(self, session_ids):
        """Sets added to a workout stored before (by an earlier import) number on from it."""
        earlier = list(session_ids - self.created - self.numbered)
        if not earlier:
            return
        highest = (
            Set.objects.filter(session_id__in=earlier)
            .values("session_id", "exercise", "set_type")
            .annotate(highest=Max("set_number"))
        )
        for values in highest:
            slot = (values["session_id"], values["exercise"], values["set_type"] == SetType.WARMUP)
            self.last_number[slot] = max(self.last_number[slot], values["highest"])
        self.numbered |= set(earlier)

    def new_set(self, row):
        """The set's columns, {attname: value}, for insert_rows()."""
        session_id = self.session_of_workout[row.workout]
        # Warm-ups are numbered apart from working sets, as when logging.
        slot = (session_id, row.exercise, row.set_type == SetType.WARMUP)
        number = row.set_number or self.last_number[slot] + 1
        self.last_number[slot] = max(self.last_number[slot], number)
        return set_row(row, session_id, number, row.logged_at or row.started_at)


def batched(values, size=SQLITE_SAFE_PARAMETERS):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def base_id(row):
    """A new workout's id: this app's own when the file has it, else "{date}_{name}"."""
    if row.session_id:
        return row.session_id[:SESSION_ID_BASE_MAX_LENGTH]
    name = slugify(row.workout_name)[:SESSION_TEMPLATE_MAX_LENGTH] or "imported"
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


def set_row(row, session_id, set_number, created_at, synced=False, legacy=False):
    """A new set's columns, {attname: value}, for insert_rows(), from a row read from a
    file or a sheet (its exercise, weight, reps, notes, key, set_type, rpe and unit)."""
    weight_value, reps_value, estimated_1rm = set_numbers(row.weight, row.reps)
    return {
        "session_id": session_id,
        "exercise": row.exercise,
        "set_number": set_number,
        "weight": row.weight,
        "reps": row.reps,
        "notes": row.notes,
        "created_at": created_at,
        "synced_to_sheets": synced,
        "key": row.key,
        "legacy_sheet_row": legacy,
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
