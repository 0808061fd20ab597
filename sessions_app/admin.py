"""The operator's console for workout history: sessions with their sets, and templates."""

from django.contrib import admin
from django.db.models import Count

from .models import (
    ApiToken,
    ImportBatch,
    Session,
    Set,
    TemplateExercise,
    WorkoutTemplate,
    mark_unsynced,
)


class SetInline(admin.TabularInline):
    model = Set
    extra = 0
    fields = ["exercise", "set_number", "weight", "reps", "notes", "created_at", "key"]
    # Timestamps are read-only: the form's whole seconds would otherwise count as an edit.
    readonly_fields = ["created_at", "key"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "template", "date", "status", "set_count", "synced_to_sheets"]
    list_filter = ["status", "synced_to_sheets", "owner", "template"]
    search_fields = ["id", "template", "date", "sets__exercise"]
    list_select_related = ["owner"]
    date_hierarchy = "date"
    readonly_fields = ["id", "created_at", "completed_at", "synced_to_sheets"]
    fields = [
        "id",
        "owner",
        "template",
        "date",
        "status",
        "created_at",
        "completed_at",
        "synced_to_sheets",
    ]
    inlines = [SetInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(set_count=Count("sets"))

    @admin.display(description="sets", ordering="set_count")
    def set_count(self, session):
        return session.set_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():
            mark_unsynced(obj.pk)


@admin.register(Set)
class SetAdmin(admin.ModelAdmin):
    list_display = ["exercise", "set_number", "weight", "reps", "session", "created_at"]
    list_filter = ["session__status", "session__owner"]
    search_fields = ["exercise", "session__id", "notes"]
    list_select_related = ["session"]
    raw_id_fields = ["session"]
    readonly_fields = ["key", "synced_to_sheets"]


class TemplateExerciseInline(admin.TabularInline):
    model = TemplateExercise
    extra = 1
    fields = ["position", "name", "target_sets", "target_reps", "rest_seconds"]


@admin.register(WorkoutTemplate)
class WorkoutTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "rest_seconds"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TemplateExerciseInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at"]
    list_filter = ["user"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return (
            False  # tokens are made with `manage.py create_api_token`, which shows the secret once
        )


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Uploads from the Import page: waiting for the lifter's confirmation, or done."""

    list_display = ["file_name", "owner", "created_at", "imported_at", "summary"]
    list_filter = ["owner"]
    list_select_related = ["owner"]
    readonly_fields = ["owner", "file_name", "created_at", "imported_at", "preview", "result"]
    exclude = ["rows"]

    @admin.display(description="summary")
    def summary(self, batch):
        return (batch.result or batch.preview).get("summary", "")
