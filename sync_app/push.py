"""The push: completed workouts reach the sheet exactly once, keyed by set.

Each lifter's sheet is pushed under its own lease, the sheet whose completed workout has
waited longest first (runner.py). A run reads each tab's key column, then rewrites rows
whose values changed, deletes rows of tombstoned keys (bottom-up, one call), and appends
the sets that are missing, in calls of at most SHEETS_ROWS_PER_CALL rows (plan.py); a
workout Google refuses for good is set aside (FailingPush) and the others go on. Only
then are the workouts marked synced, and only if they did not change meanwhile. A run
that dies after an append and before the mark is harmless: the next run finds the keys
and appends nothing twice. Any retryable failure restarts the plan from a fresh read,
never a blind retry of a write.
"""

import logging
import time
from collections import defaultdict

from django.db.models import Count, F, Min, Prefetch, Q
from django.utils import timezone

from sessions_app.models import Set, Workout

from .conflicts import record_conflict, record_written, take_sheet_row
from .models import FailingPush, SheetConflict, Tombstone, WrittenRow
from .plan import carry_out, plan_target
from .rows import sheet_sets
from .runner import ERROR_TEXT_LIMIT, LeaseLost, Runner, SyncResult
from .targets import Target, is_configured, owner_has_sheet, targets_by_owner

logger = logging.getLogger("sync")

# Bounds one run's work (the appends go in chunks of SHEETS_ROWS_PER_CALL rows); a
# bigger backlog is finished by the next run, which the task starts at once.
MAX_SETS_PER_RUN = 10_000


def pending_workouts(workout_ids=None):
    """(completed workouts the sheet does not hold yet, of lifters who have a sheet;
    those of lifters who have none)."""
    unsynced = Workout.objects.completed().filter(synced_to_sheets=False)
    pending = unsynced.filter(owner_has_sheet()).exclude(set_aside())
    without_spreadsheet = unsynced.exclude(owner_has_sheet())
    if workout_ids:
        pending = pending.filter(pk__in=workout_ids)
    return pending.order_by("completed_at", "pk"), without_spreadsheet


def set_aside():
    """Workouts Google refused for good, unchanged since (FailingPush)."""
    return Q(failing_push__set_aside_revision=F("revision"))


def set_aside_workouts():
    """Completed workouts left out of the push until they change, oldest first."""
    return (
        Workout.objects.completed()
        .filter(set_aside(), synced_to_sheets=False)
        .select_related("failing_push", "owner")
        .order_by("completed_at", "pk")
    )


def targets_in_order_of_need(workout_ids=None):
    """{target: its lifters with a workout waiting}, the sheet whose completed workout
    has waited longest first; sheets with only rows to delete after them."""
    oldest_by_owner = dict(
        pending_workouts(workout_ids)[0]
        .order_by()
        .values_list("owner_id")
        .annotate(oldest=Min("completed_at"))
    )
    need = {}  # target: (oldest waiting, owners)
    for owner_id, target in targets_by_owner(list(oldest_by_owner)).items():
        if target is not None:
            oldest, owners = need.get(target, (oldest_by_owner[owner_id], []))
            need[target] = (min(oldest, oldest_by_owner[owner_id]), [*owners, owner_id])
    tombstones = Tombstone.objects.order_by()
    if workout_ids:
        tombstones = tombstones.filter(session_id__in=workout_ids)
    for spreadsheet_id, worksheet, created_at in tombstones.values_list(
        "spreadsheet_id", "worksheet"
    ).annotate(oldest=Min("created_at")):
        target = Target(spreadsheet_id, worksheet)
        oldest, owners = need.get(target, (created_at, []))
        need[target] = (oldest, owners)
    order = sorted(need, key=lambda target: (not need[target][1], need[target][0], str(target)))
    return {target: need[target][1] for target in order}


def load_work(target, owner_ids, workout_ids=None, dry_run=False):
    """One sheet's work, read under its lease: its lifters' pending workouts (oldest
    first, up to MAX_SETS_PER_RUN sets), its tombstones, and whether more wait."""
    still_theirs = [
        owner_id for owner_id, now in targets_by_owner(owner_ids).items() if now == target
    ]
    candidates = list(
        pending_workouts(workout_ids)[0]
        .filter(owner_id__in=still_theirs)
        .annotate(set_count=Count("sets"))
        .values_list("pk", "set_count")
    )
    chosen, total = [], 0
    for workout_id, set_count in candidates:
        if chosen and total + set_count > MAX_SETS_PER_RUN:
            break
        chosen.append(workout_id)
        total += set_count
    workouts = list(
        Workout.objects.filter(pk__in=chosen)
        .order_by("completed_at", "pk")
        .prefetch_related(Prefetch("sets", queryset=sheet_sets()))
    )
    tombstones = Tombstone.objects.filter(
        spreadsheet_id=target.spreadsheet_id, worksheet=target.worksheet
    )
    if workout_ids:
        tombstones = tombstones.filter(session_id__in=workout_ids)
    tombstones = live_tombstones(list(tombstones), dry_run)
    return workouts, tombstones, len(chosen) < len(candidates)


def live_tombstones(tombstones, dry_run=False):
    """Drop tombstones whose set is back in a completed workout: that set's row stays."""
    keys = [t.key for t in tombstones]
    revived = set(
        Set.objects.filter(key__in=keys, workout__status=Workout.Status.COMPLETED).values_list(
            "key", flat=True
        )
    )
    if revived and not dry_run:
        Tombstone.objects.filter(key__in=revived).delete()
    return [t for t in tombstones if t.key not in revived]


def group_by_target(workouts, tombstones):
    """{target: (workouts, tombstones)}; a tombstone goes to the sheet it was made for."""
    targets = targets_by_owner({w.owner_id for w in workouts})
    work = defaultdict(lambda: ([], []))
    for workout in workouts:
        if target := targets.get(workout.owner_id):
            work[target][0].append(workout)
    for tombstone in tombstones:
        work[Target(tombstone.spreadsheet_id, tombstone.worksheet)][1].append(tombstone)
    return dict(work)


class Pusher(Runner):
    """One push run: the sheets with work waiting, in order of need, each under its lease."""

    def run(self, workout_ids=None):
        if not is_configured():
            return SyncResult("not configured")
        self.workout_ids = workout_ids
        self.owners = targets_in_order_of_need(workout_ids)
        if not self.owners:
            return SyncResult("nothing to do")
        result = SyncResult("success", dry_run=self.dry_run)
        targets = self.without_backing_off(list(self.owners), result)
        self.loaded = {}
        with self.recorded(result, len(targets)):
            self.each_target(targets, result)
        if result.targets_done and not self.dry_run:
            # A change made while this run held a sheet may have been read before it:
            # looked at again once the lease is given back, it is never left behind.
            waiting = targets_in_order_of_need(workout_ids)
            done = set(targets) - set(result.busy) - set(self.failed_targets)
            result.more_pending = result.more_pending or any(t in done for t in waiting)
        return result

    @property
    def failed_targets(self):
        return getattr(self, "_failed_targets", set())

    @staticmethod
    def leave_out_set_aside(plan, workouts, result):
        """Record the workouts Google refused; the others are the ones written."""
        if not plan.set_aside:
            return workouts
        refused = [w for w in workouts if w.pk in plan.set_aside]
        record_set_aside(refused, plan.set_aside)
        for workout in refused:
            for workout_set in workout.sets.all():
                plan.written.pop(workout_set.pk, None)
            logger.error(
                "workout set aside",
                extra={
                    "target": str(plan.target),
                    "workout": workout.pk,
                    "error": plan.set_aside[workout.pk],
                },
            )
            result.notes.append(
                f"Workout {workout.pk} set aside (Google refused its rows): "
                f"{plan.set_aside[workout.pk]}"
            )
        result.outcome = "partial"
        return [w for w in workouts if w.pk not in plan.set_aside]

    def target_failed(self, target, error, result):
        super().target_failed(target, error, result)
        self._failed_targets = self.failed_targets | {target}
        if not self.dry_run and target in self.loaded and not isinstance(error, LeaseLost):
            record_failure(self.loaded[target], error)

    def sync_target(self, target, result):
        workouts, tombstones, more = load_work(
            target, self.owners[target], self.workout_ids, self.dry_run
        )
        self.loaded[target] = workouts
        if not workouts and not tombstones:
            return  # another run did it meanwhile
        plan = self.push_target(target, workouts, tombstones)
        result.more_pending = result.more_pending or more
        result.sessions += len(workouts)
        result.plans.append(plan)
        result.appended += len(plan.append) - plan.rows_set_aside()
        result.updated += len(plan.update)
        result.deleted += len(plan.delete)
        result.conflicts += len(plan.conflicts)
        if not self.dry_run:
            workouts = self.leave_out_set_aside(plan, workouts, result)
            result.taken += remember_two_way(plan)
            mark_synced(workouts, tombstones)

    def push_target(self, target, workouts, tombstones):
        self.progress(f"{target}: reading the sheet")
        worksheet = self.open_worksheet(target, create=not self.dry_run)
        plan = plan_target(target, worksheet, workouts, tombstones)
        if not self.dry_run:
            self.progress(
                f"{target}: appending {len(plan.append)}, updating {len(plan.update)}, "
                f"deleting {len(plan.delete)} row(s)"
            )
            self.check_lease()
            carry_out(worksheet, plan)
        return plan


def remember_two_way(plan):
    """After the writes: remember what was written, take rows fixed in the sheet, and
    record conflicts. Returns how many rows were taken."""
    record_written(plan.written, plan.target)
    taken = 0
    for set_id, row, last_written in plan.take:
        if take_sheet_row(set_id, row, plan.version, plan.target, last_written):
            taken += 1
        else:  # the app changed the set since this run read it
            record_conflict(
                set_id, SheetConflict.Kind.BOTH_CHANGED, plan.target, row.number, row, plan.version
            )
    for set_id, kind, number, row in plan.conflicts:
        record_conflict(set_id, kind, plan.target, number, row, plan.version)
    if taken or plan.conflicts:
        logger.info(
            "sheet edits",
            extra={"target": str(plan.target), "taken": taken, "conflicts": len(plan.conflicts)},
        )
    return taken


def mark_synced(workouts, tombstones):
    """Mark workouts synced, but only those unchanged since their rows were read."""
    by_revision = defaultdict(list)
    for workout in workouts:
        by_revision[workout.revision].append(workout.pk)
    for revision, workout_ids in by_revision.items():
        synced = Workout.objects.filter(pk__in=workout_ids, revision=revision)
        synced.update(synced_to_sheets=True)
        FailingPush.objects.filter(workout__in=synced).delete()
    Set.objects.filter(workout_id__in=[w.pk for w in workouts]).update(synced_to_sheets=True)
    Tombstone.objects.filter(pk__in=[t.pk for t in tombstones]).delete()
    # A tombstoned set still here (its workout cancelled) has no row any more.
    WrittenRow.objects.filter(set__key__in=[t.key for t in tombstones]).delete()


def record_failure(workouts, error, now=None):
    now = now or timezone.now()
    text = str(error)[:ERROR_TEXT_LIMIT]
    workout_ids = [w.pk for w in workouts]
    FailingPush.objects.bulk_create(
        [FailingPush(workout_id=pk) for pk in workout_ids], ignore_conflicts=True
    )
    FailingPush.objects.filter(workout_id__in=workout_ids).update(
        attempts=F("attempts") + 1, error=text, last_attempt_at=now
    )


def record_set_aside(workouts, reasons, now=None):
    """Set these workouts aside at their current revision, each with Google's reason."""
    record_failure(workouts, "", now)
    for workout in workouts:
        FailingPush.objects.filter(workout_id=workout.pk).update(
            error=reasons[workout.pk][:ERROR_TEXT_LIMIT], set_aside_revision=workout.revision
        )


def run_sync(workout_ids=None, dry_run=False, trigger="command", sleep=time.sleep, progress=None):
    return Pusher(dry_run=dry_run, trigger=trigger, sleep=sleep, progress=progress).run(workout_ids)
