"""Planning a push to one tab: what to append, rewrite and delete, and which rows the
lifter changed in the sheet (taken, or left as conflicts). Reads at most twice; writes
nothing until carry_out().

Rows are written in the version of each tab's header (rows.py). The sync remembers a
fingerprint of every row it writes (WrittenRow): a row the lifter changed in the sheet
since is never rewritten. The set takes it when the app did not change it too, else it
is a conflict left for a choice (conflicts.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from .models import SheetConflict, WrittenRow
from .rows import (
    HEADERS,
    KEY_COLUMN,
    LATEST_VERSION,
    MAX_WIDTH,
    describe,
    expected_headers,
    fingerprint,
    header_version,
    normalized,
    rows_of_workout,
    width,
)
from .sheets import SheetsPermanent
from .targets import Target


@dataclass
class Plan:
    """What one target needs: rows to append, rewrite (by row number) and delete."""

    target: Target
    version: int = LATEST_VERSION
    append: list = field(default_factory=list)
    update: dict = field(default_factory=dict)
    delete: list = field(default_factory=list)
    write_header: bool = False
    create_tab: bool = False
    # Two-way: {set id: fingerprint} to remember once written; rows edited in the sheet
    # to take, as (set id, row, fingerprint last written); conflicts found, as
    # (set id, kind, row number, row).
    written: dict = field(default_factory=dict)
    take: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    # {set key: workout id}, to tell whose rows Google refused; after carry_out(), the
    # workouts whose rows Google refused for good, with its reason: {workout id: reason}.
    workout_of_key: dict = field(default_factory=dict)
    set_aside: dict = field(default_factory=dict)

    def rows_set_aside(self):
        """How many of the rows to append belong to workouts set aside."""
        return sum(
            self.workout_of_key.get(row[KEY_COLUMN - 1]) in self.set_aside for row in self.append
        )

    def lines(self):
        yield from (f"append  {describe(row, self.version)}" for row in self.append)
        yield from (
            f"update  row {number}: {describe(row, self.version)}"
            for number, row in self.update.items()
        )
        yield from (f"delete  row {number}" for number in self.delete)
        yield from (
            f"take    row {row_number(row)} from the sheet: {describe(row, self.version)}"
            for _, row, _ in self.take
        )
        yield from (
            f"leave   {f'row {number}' if number else 'a deleted row'} alone: {kind} conflict"
            for _, kind, number, _ in self.conflicts
        )


def desired_rows(workouts, version):
    rows = {}
    for workout in workouts:
        rows.update(rows_of_workout(workout, version))
    return rows


def row_number(row):
    return getattr(row, "number", "?")


class NumberedRow(list):
    """A row read from the sheet that remembers its row number (for reports)."""

    number = None


def plan_target(target, worksheet, workouts, tombstones):
    """Compare the sheet with the database for one target; reads at most twice.

    worksheet is None when the tab does not exist yet (only in a dry run). Rows are
    written in the version of the tab's header; an empty tab gets the latest.
    A row the lifter changed in the sheet since it was last written is never
    rewritten: the set takes its values when the app did not change it, else it is a
    conflict; a row deleted by hand is a conflict too, never appended again silently.
    """
    plan = Plan(target)
    sets_by_key = {str(s.key): s for workout in workouts for s in workout.sets.all()}
    plan.workout_of_key = {key: workout_set.workout_id for key, workout_set in sets_by_key.items()}
    if worksheet is None or worksheet.is_new:
        plan.create_tab = worksheet is None
        desired = desired_rows(workouts, plan.version)
        plan.append = list(desired.values())
        plan.written = {
            sets_by_key[key].pk: fingerprint(row, plan.version) for key, row in desired.items()
        }
        plan.write_header = bool(plan.append)
        return plan

    header, keys = worksheet.read_header_and_column(MAX_WIDTH, KEY_COLUMN)
    sheet_is_empty = not header and not any(keys)
    version = LATEST_VERSION if sheet_is_empty else header_version(header)
    if version is None:
        raise SheetsPermanent(
            f"Tab {worksheet.title!r} starts with the header {header!r}; expected "
            f"{expected_headers()}. Nothing was written: fix the header row, or point the "
            "sync at an empty tab."
        )
    plan.version = version
    desired = desired_rows(workouts, version)
    # Only the rows of keys this run cares about are kept, however long the history.
    wanted = desired.keys() | {str(tombstone.key) for tombstone in tombstones}
    rows_of_key = defaultdict(list)
    for number, key in enumerate(keys, start=2):
        if key in wanted:
            rows_of_key[key].append(number)
    del keys

    first_row = {key: rows_of_key[key][0] for key in desired if key in rows_of_key}
    # A key of ours on several rows (copied by hand, say) keeps its first row only.
    duplicate_rows = [row for key in first_row for row in rows_of_key[key][1:]]
    dead_keys = {str(tombstone.key) for tombstone in tombstones} - desired.keys()
    dead_rows = [row for key in dead_keys for row in rows_of_key.get(key, [])]

    current = worksheet.read_rows(first_row.values(), width(version)) if first_row else {}
    last_written, in_conflict = two_way_state(target, workouts)
    for key, row in desired.items():
        set_id = sets_by_key[key].pk
        if set_id in in_conflict:
            continue  # left alone until someone chooses
        number = first_row.get(key)
        plan_row(plan, set_id, number, current.get(number), row, last_written.get(set_id))
    plan.delete = sorted(duplicate_rows + dead_rows)
    plan.write_header = sheet_is_empty and bool(plan.append)
    return plan


def two_way_state(target, workouts):
    """({set id: fingerprint last written to target}, {set ids in conflict})."""
    written = WrittenRow.objects.filter(set__workout__in=workouts, target=str(target))
    conflicts = SheetConflict.objects.filter(set__workout__in=workouts)
    return (
        dict(written.values_list("set_id", "fingerprint")),
        set(conflicts.values_list("set_id", flat=True)),
    )


def plan_row(plan, set_id, number, current, desired, last_written):
    """Decide one set's row: append, rewrite, take from the sheet, conflict, or nothing."""
    version = plan.version
    wanted = fingerprint(desired, version)
    if number is None:
        if last_written:  # it was written, and someone deleted it from the sheet
            plan.conflicts.append((set_id, SheetConflict.Kind.DELETED, None, []))
        else:
            plan.append.append(desired)
            plan.written[set_id] = wanted
        return
    current = NumberedRow(current or [])
    current.number = number
    found = fingerprint(current, version)
    if last_written is None or found in (last_written, wanted):
        # The sheet row is as the sync left it (or already says what the app says).
        if normalized(current, version) != normalized(desired, version):
            plan.update[number] = desired
        plan.written[set_id] = wanted
    elif wanted == last_written:
        plan.take.append((set_id, current, last_written))  # changed in the sheet only
    else:
        plan.conflicts.append((set_id, SheetConflict.Kind.BOTH_CHANGED, number, current))


def carry_out(worksheet, plan):
    """Write the plan: rewrites, deletions, then appends, each in calls of bounded size.

    A chunk of appended rows Google refuses for good (400: a spreadsheet past its cells,
    say) is sent again one workout at a time, so that only the workouts refused are set
    aside (plan.set_aside) and every other lifter's rows go on. Each chunk is one append
    after the last row: a run stopped between chunks leaves keyed rows the next run's
    read finds, so nothing is appended twice.
    """
    if plan.update:
        numbers = sorted(plan.update)
        for start, end in chunks([plan.update[number] for number in numbers]):
            rows = {number: plan.update[number] for number in numbers[start:end]}
            worksheet.update_rows(rows, width(plan.version))
    if plan.delete:
        worksheet.delete_rows(plan.delete)
    if plan.append:
        header = [HEADERS[plan.version]] if plan.write_header else []
        rows = header + plan.append
        workouts = [None] * len(header) + [
            plan.workout_of_key.get(row[KEY_COLUMN - 1]) for row in plan.append
        ]
        plan.set_aside = append_in_chunks(worksheet, rows, workouts)


def chunks(rows, start=0, stop=None):
    """(start, end) ranges of rows, each within SHEETS_ROWS_PER_CALL rows and about
    SHEETS_CHARACTERS_PER_CALL characters (at least one row each)."""
    stop = len(rows) if stop is None else stop
    while start < stop:
        end, size = start, 0
        while end < stop and end - start < settings.SHEETS_ROWS_PER_CALL:
            size += sum(len(str(value)) for value in rows[end])
            if end > start and size > settings.SHEETS_CHARACTERS_PER_CALL:
                break
            end += 1
        yield start, end
        start = end


def refused_for_good(error):
    """Google refused the request itself (400): sending it again would meet the same."""
    return isinstance(error, SheetsPermanent) and error.status == 400


def append_in_chunks(worksheet, rows, workouts):
    """Append rows in chunks; workouts[i] is row i's workout (None for the header).
    Returns {workout id: reason} for the workouts Google refused."""
    set_aside = {}
    start = 0
    while start < len(rows):
        _, end = next(chunks(rows, start))
        try:
            worksheet.append_rows(rows[start:end])
            start = end
        except SheetsPermanent as error:
            if not refused_for_good(error):
                raise
            start = append_one_workout_at_a_time(
                worksheet, rows, workouts, start, end, error, set_aside
            )
    return set_aside


def append_one_workout_at_a_time(worksheet, rows, workouts, start, end, error, set_aside):
    """After a refused chunk rows[start:end]: each of its workouts' rows (to their last,
    past end if need be) alone. Returns where the next chunk starts."""
    touched = list(dict.fromkeys(workouts[start:end]))
    if len(touched) == 1 and touched[0] is not None:  # one workout: it is the one
        set_aside[touched[0]] = str(error)
        return last_row_of(workouts, start)
    for workout_id in touched:
        stop = last_row_of(workouts, start)
        try:
            for top, bottom in chunks(rows, start, stop):
                worksheet.append_rows(rows[top:bottom])
        except SheetsPermanent as refusal:
            if workout_id is None or not refused_for_good(refusal):
                raise
            set_aside[workout_id] = str(refusal)
        start = stop
    return start


def last_row_of(workouts, start):
    """The end of the run of rows of the same workout as rows[start]."""
    end = start
    while end < len(workouts) and workouts[end] == workouts[start]:
        end += 1
    return end
