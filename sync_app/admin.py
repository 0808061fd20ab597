"""The operator's view of the sync: state per session, every run, and the status panel."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from sessions_app.admin import SessionAdmin
from sessions_app.models import Session, mark_unsynced

from .models import SheetsProfile, SyncRun, Tombstone
from .reconcile import is_configured
from .sheets import SheetsError
from .tasks import request_sync
from .upgrade import upgrade_headers


class SyncedSessionAdmin(SessionAdmin):
    list_display = [*SessionAdmin.list_display, "sync_state"]
    list_filter = [*SessionAdmin.list_filter]
    readonly_fields = [
        *SessionAdmin.readonly_fields,
        "sync_state",
        "sync_attempts",
        "sync_attempted_at",
        "sync_error",
    ]
    fields = [
        *SessionAdmin.fields,
        "sync_state",
        "sync_attempts",
        "sync_attempted_at",
        "sync_error",
    ]
    actions = ["sync_now", "mark_for_resync"]

    @admin.display(description="sheet")
    def sync_state(self, session):
        state = session.sync_state
        if state == "failing":
            return f"failing ({session.sync_attempts} attempts): {session.sync_error[:120]}"
        return state

    @admin.action(description="Sync now (in the background)")
    def sync_now(self, request, queryset):
        if not is_configured():
            self.message_user(
                request,
                "Sheets sync is not configured (SHEETS_SPREADSHEET_ID): nothing will be sent.",
                messages.WARNING,
            )
            return
        request_sync()
        self.message_user(
            request, "A sync was queued; the worker runs it within seconds. Refresh to see it."
        )

    @admin.action(description="Mark for re-sync (rewrite their rows in the sheet)")
    def mark_for_resync(self, request, queryset):
        completed = list(
            queryset.filter(status=Session.Status.COMPLETED).values_list("pk", flat=True)
        )
        for session_id in completed:
            mark_unsynced(session_id)
        skipped = queryset.count() - len(completed)
        self.message_user(request, f"{len(completed)} session(s) will be synced again shortly.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} session(s) are not completed; only completed workouts reach the sheet.",
                messages.WARNING,
            )


admin.site.unregister(Session)
admin.site.register(Session, SyncedSessionAdmin)


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


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ["session_id", "key", "spreadsheet_id", "worksheet", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SheetsProfileInline(admin.StackedInline):
    model = SheetsProfile
    can_delete = False
    verbose_name_plural = "Google Sheets (leave empty for the instance's spreadsheet)"


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
