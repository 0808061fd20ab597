"""`sync --check`: every difference between the sheets and the database, as readable
lines. Workouts still waiting for their first sync, and rows waiting to be deleted, are
not differences: the next run takes care of them."""

from collections import defaultdict

from django.db.models import Prefetch

from sessions_app.models import Set, Workout

from . import rows as sheet
from .accounts import account_of_target
from .models import SheetConflict, Tombstone
from .push import group_by_target, set_aside_workouts
from .sheets import SheetsClient, SheetsPermanent
from .targets import is_configured, not_configured_message, targets_by_owner


def find_drift(progress=None):
    """Every difference between the sheets and the database, as readable lines."""
    progress = progress or (lambda message: None)
    if not is_configured():
        raise SheetsPermanent(not_configured_message())
    sets = sheet.sheet_sets()
    workouts = list(Workout.objects.completed().prefetch_related(Prefetch("sets", queryset=sets)))
    tombstoned = {str(key) for key in Tombstone.objects.values_list("key", flat=True)}
    known_keys = {str(key) for key in Set.objects.values_list("key", flat=True)}
    clients = {}  # service account: its client
    differences = []
    for target, (target_workouts, _) in group_by_target(workouts, []).items():
        progress(f"{target}: reading the sheet")
        account = account_of_target(target)
        client = clients.get(account) or clients.setdefault(account, SheetsClient(account=account))
        worksheet = client.open_worksheet(target.spreadsheet_id, target.worksheet, create=False)
        rows = worksheet.read_table(sheet.MAX_WIDTH) if worksheet else []
        differences += compare(target, rows, target_workouts, tombstoned, known_keys)
    return differences + conflict_lines() + set_aside_lines()


def set_aside_lines():
    return [
        f"{target_of(workout)}: workout {workout.pk} is set aside ({workout.owner}): Google "
        f"refused its rows for good: {workout.failing_push.error} It is sent again once it "
        'changes, or with the admin\'s "Try set-aside workouts again"; the others go on'
        for workout in set_aside_workouts()
    ]


def target_of(workout):
    return targets_by_owner({workout.owner_id}).get(workout.owner_id, "no sheet")


def conflict_lines():
    conflicts = SheetConflict.objects.select_related("set").order_by("found_at")
    return [
        f"{conflict.target}: conflict: {conflict.set.workout_id} {conflict.set.exercise_name} "
        f"#{conflict.set.set_number} (key {conflict.set.key}) "
        + (
            f"was {conflict.get_kind_display()}"
            if conflict.kind == SheetConflict.Kind.DELETED
            else f"on row {conflict.row_number} was {conflict.get_kind_display()}"
        )
        + "; it is left alone until someone keeps the sheet's or the app's version"
        for conflict in conflicts
    ]


def compare(target, rows, workouts, tombstoned, known_keys):
    version = sheet.header_version(rows[0]) if rows else sheet.LATEST_VERSION
    if version is None:
        return [f"{target}: the header row is {rows[0]!r}, expected {sheet.expected_headers()}"]
    header = sheet.HEADERS[version]
    rows_of_key = defaultdict(list)
    for number, row in enumerate(rows[1:], start=2):
        values = sheet.normalized(row, version)
        if key := values[sheet.KEY_COLUMN - 1]:
            rows_of_key[key].append((number, values))
    differences, expected_keys = [], set()
    for workout in workouts:
        for key, desired in sheet.rows_of_workout(workout, version).items():
            expected_keys.add(key)
            wanted = sheet.normalized(desired, version)
            found = rows_of_key.get(key, [])
            if not workout.synced_to_sheets:
                continue  # the next run writes or rewrites these rows
            if not found:
                differences.append(
                    f"{target}: missing row for {sheet.describe(wanted, version)} (key {key})"
                )
                continue
            if len(found) > 1:
                numbers = ", ".join(str(number) for number, _ in found)
                differences.append(
                    f"{target}: {sheet.describe(wanted, version)} appears on rows {numbers}"
                )
            number, row = found[0]
            for column, (sheet_value, database_value) in enumerate(zip(row, wanted, strict=True)):
                if sheet_value != database_value:
                    shown = sheet.describe(wanted, version)
                    differences.append(
                        f"{target}: row {number} ({shown}): {header[column]} is "
                        f"{sheet_value!r} in the sheet, {database_value!r} in the database"
                    )
    for key, found in rows_of_key.items():
        if key in expected_keys or key in tombstoned:
            continue
        numbers = ", ".join(str(number) for number, _ in found)
        origin = "a set that is not in a completed workout" if key in known_keys else "no known set"
        differences.append(f"{target}: row {numbers} has key {key} of {origin}; it is left alone")
    return differences
