"""The operator's view of the sync: state per session, every run, and the status panel."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from sessions_app.admin import WorkoutAdmin
from sessions_app.models import Workout, mark_unsynced

from .accounts import AccountMissing, move_lifters, usable_accounts
from .conflicts import APP, SHEET, ConflictResolved, describe_conflict, resolve
from .models import FailingPush, SheetConflict, SheetsProfile, SheetState, SyncRun, Tombstone
from .sheets import SheetsError
from .targets import is_configured, not_configured_message, targets_by_owner
from .tasks import enqueue_pull, request_sync
from .upgrade import upgrade_headers


def sheet_state(workout):
    """What the admin shows of a workout's sync: synced, pending, failing, or nothing."""
    if workout.status != Workout.Status.COMPLETED:
        return "not synced (not completed)"
    if workout.synced_to_sheets:
        return "synced"
    failing = getattr(workout, "failing_push", None)
    if failing is not None and failing.set_aside_revision == workout.revision:
        return f"set aside: {failing.error[:300]}"
    if failing is not None and failing.is_failing:
        return f"failing ({failing.attempts} attempts): {failing.error[:120]}"
    return "pending"


class SyncedWorkoutAdmin(WorkoutAdmin):
    list_display = [*WorkoutAdmin.list_display, "sync_state"]
    list_select_related = [*WorkoutAdmin.list_select_related, "failing_push"]
    readonly_fields = [*WorkoutAdmin.readonly_fields, "sync_state", "push_attempts"]
    fields = [*WorkoutAdmin.fields, "sync_state", "push_attempts"]
    actions = ["sync_now", "pull_now", "mark_for_resync", "try_set_aside_again"]

    @admin.display(description="sheet")
    def sync_state(self, workout):
        return sheet_state(workout)

    @admin.display(description="failed pushes")
    def push_attempts(self, workout):
        failing = getattr(workout, "failing_push", None)
        if failing is None:
            return "none"
        return f"{failing.attempts}, the last at {failing.last_attempt_at:%Y-%m-%d %H:%M}"

    @admin.action(description="Sync now (in the background)")
    def sync_now(self, request, queryset):
        if not is_configured():
            self.message_user(request, not_configured_message(), messages.WARNING)
            return
        request_sync()
        self.message_user(
            request, "A sync was queued; the worker runs it within seconds. Refresh to see it."
        )

    @admin.action(description="Pull fixes from the sheet now (whatever is selected)")
    def pull_now(self, request, queryset):
        if not is_configured():
            self.message_user(
                request,
                not_configured_message(),
                messages.WARNING,
            )
            return
        enqueue_pull()
        self.message_user(
            request,
            "A pull was queued: fixes typed into the sheets come back within a minute; "
            "see Sync runs and Sheet conflicts.",
        )

    @admin.action(description="Try set-aside workouts again (after making room in the sheet)")
    def try_set_aside_again(self, request, queryset):
        count = FailingPush.try_again(queryset.values("pk"))
        if count:
            request_sync()
        self.message_user(
            request,
            f"{count} set-aside workout(s) will be sent again by the next sync; "
            "if Google refuses them again they are set aside again, with its reason.",
        )

    @admin.action(description="Mark for re-sync (rewrite their rows in the sheet)")
    def mark_for_resync(self, request, queryset):
        completed = list(
            queryset.filter(status=Workout.Status.COMPLETED).values_list("pk", flat=True)
        )
        mark_unsynced(*completed)
        skipped = queryset.count() - len(completed)
        self.message_user(request, f"{len(completed)} session(s) will be synced again shortly.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} session(s) are not completed; only completed workouts reach the sheet.",
                messages.WARNING,
            )


admin.site.unregister(Workout)
admin.site.register(Workout, SyncedWorkoutAdmin)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "trigger",
        "outcome",
        "sessions",
        "rows_appended",
        "rows_updated",
        "rows_deleted",
        "rows_taken",
        "conflicts",
        "rows_imported",
        "api_calls",
        "retries",
        "duration_seconds",
        "short_error",
    ]
    list_filter = ["outcome", "trigger"]
    date_hierarchy = "started_at"

    @admin.display(description="error")
    def short_error(self, run):
        return run.error[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SheetConflict)
class SheetConflictAdmin(admin.ModelAdmin):
    """Sets the sync leaves alone until the operator (or the lifter) chooses a side."""

    list_display = ["found_at", "lifter", "workout", "set_label", "kind", "row_number", "versions"]
    list_filter = ["kind", "target"]
    list_select_related = ["set__workout__owner"]
    search_fields = ["set__workout__id", "set__exercise_name", "set__workout__owner__username"]
    readonly_fields = [
        "set",
        "kind",
        "target",
        "row_number",
        "header_version",
        "found_at",
        "versions",
    ]
    fields = readonly_fields
    actions = ["keep_sheet", "keep_app"]

    @admin.display(description="lifter")
    def lifter(self, conflict):
        return conflict.set.workout.owner

    @admin.display(description="workout")
    def workout(self, conflict):
        return conflict.set.workout_id

    @admin.display(description="set")
    def set_label(self, conflict):
        return f"{conflict.set.exercise_name} #{conflict.set.set_number}"

    @admin.display(description="in the sheet → in the app")
    def versions(self, conflict):
        view = describe_conflict(conflict)
        if view.deleted:
            return "row deleted in the sheet"
        return "; ".join(
            f"{column}: {in_sheet!r} → {in_app!r}" for column, in_sheet, in_app in view.differences
        )

    def resolve_all(self, request, queryset, choice, done):
        count = 0
        for conflict in queryset.select_related("set__workout"):
            try:
                resolve(conflict, choice)
                count += 1
            except ConflictResolved:
                continue
        self.message_user(request, f"{count} conflict(s) resolved: {done}.")

    @admin.action(description="Keep the sheet's version (a deleted row: delete the set)")
    def keep_sheet(self, request, queryset):
        self.resolve_all(request, queryset, SHEET, "the sheet's version kept")

    @admin.action(description="Keep the app's version (a deleted row: write it back)")
    def keep_app(self, request, queryset):
        self.resolve_all(request, queryset, APP, "the app's version kept")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SheetState)
class SheetStateAdmin(admin.ModelAdmin):
    """Each lifter's sheet as the sync sees it: who holds it, whether it backs off."""

    list_display = [
        "target",
        "failures",
        "retry_at",
        "short_error",
        "lease_holder",
        "lease_expires_at",
        "pulled_at",
    ]
    list_filter = [("retry_at", admin.EmptyFieldListFilter)]
    search_fields = ["target"]
    ordering = ["-failures", "target"]
    actions = ["try_again_now"]

    @admin.display(description="last error")
    def short_error(self, state):
        return state.last_error[:120]

    @admin.action(description="Try again now (end their back-off and queue a sync)")
    def try_again_now(self, request, queryset):
        ended = queryset.exclude(retry_at=None).update(retry_at=None)
        request_sync()
        self.message_user(
            request, f"{ended} sheet(s) no longer backing off; a sync was queued for them."
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ["session_id", "key", "spreadsheet_id", "worksheet", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def move_to_account_action(email):
    """An admin action moving the selected lifters' sheets to the account email."""

    def move_to_account(modeladmin, request, queryset):
        try:
            moved = move_lifters(queryset, email)
        except AccountMissing as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return
        targets = [
            str(target)
            for target in targets_by_owner(
                list(queryset.values_list("user_id", flat=True))
            ).values()
            if target is not None
        ]
        SheetState.objects.filter(target__in=targets).update(retry_at=None)
        request_sync()
        modeladmin.message_user(
            request,
            f"{moved} lifter(s) moved to {email}: their sheet page asks them to share their "
            "sheet with it; their workouts wait until they do.",
        )

    return (
        move_to_account,
        f"move_to_{email}",
        f"Move to the service account {email}",
    )


@admin.register(SheetsProfile)
class SheetsProfileAdmin(admin.ModelAdmin):
    """Each lifter's own sheet and the service account it is shared with; an action per
    configured account moves lifters to it (past one account's quota)."""

    list_display = [
        "user",
        "spreadsheet_id",
        "worksheet",
        "service_account",
        "moved_from_account",
        "disconnected_at",
    ]
    list_filter = ["service_account", ("disconnected_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__username", "spreadsheet_id", "service_account"]
    # Moved with the actions, so that the lifter is told to share with the new account.
    readonly_fields = ["service_account", "moved_from_account"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        for account in usable_accounts():
            function, name, description = move_to_account_action(account.email)
            actions[name] = (function, name, description)
        return actions


class SheetsProfileInline(admin.StackedInline):
    model = SheetsProfile
    can_delete = False
    verbose_name_plural = "Google Sheets (leave empty for the instance's spreadsheet)"
    readonly_fields = ["service_account", "moved_from_account"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithSheetsAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, SheetsProfileInline]
    actions = ["upgrade_sheet_header"]

    @admin.action(description="Upgrade their sheet's header (set type, RPE, unit columns)")
    def upgrade_sheet_header(self, request, queryset):
        try:
            report = upgrade_headers(list(queryset.values_list("pk", flat=True)))
        except SheetsError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        for line in report.lines():
            self.message_user(request, line)
        self.message_user(request, report.summary())
