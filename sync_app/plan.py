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
    if plan.update:
        worksheet.update_rows(plan.update, width(plan.version))
    if plan.delete:
        worksheet.delete_rows(plan.delete)
    if plan.append:
        header = [HEADERS[plan.version]] if plan.write_header else []
        worksheet.append_rows(header + plan.append)
