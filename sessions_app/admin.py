"""The operator's console for workout history: sessions with their sets, and templates."""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from .login import ThrottledAdminAuthenticationForm, own_key
from .models import (
    ApiToken,
    ImportBatch,
    LoginThrottle,
    Session,
    Set,
    TemplateExercise,
    WorkoutTemplate,
    mark_unsynced,
)

admin.site.login_form = ThrottledAdminAuthenticationForm

# Past this many sets a workout's page links to its sets (paginated in the set list)
# instead of rendering one inline form per set: thousands of forms make a page of
# megabytes that takes seconds to render and longer to post back.
MAX_INLINE_SETS = 100


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
    # And by exercise: see get_search_results.
    search_fields = ["id", "template", "date"]
    search_help_text = "A workout id, template, date, or exercise."
    list_select_related = ["owner"]
    date_hierarchy = "date"
    readonly_fields = [
        *("id", "routine", "name", "created_at", "completed_at", "synced_to_sheets"),
        "set_list",
    ]
    fields = [
        "id",
        "owner",
        "template",
        "routine",
        "name",
        "date",
        "status",
        "created_at",
        "completed_at",
        "synced_to_sheets",
        "set_list",
    ]
    inlines = [SetInline]

    def get_queryset(self, request):
        # A subquery, not a join: a search that joins the sets too would multiply it.
        set_count = (
            Set.objects.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(set_count=Coalesce(Subquery(set_count), 0))

    def get_search_results(self, request, queryset, search_term):
        """Each word matches the id, template, date, or an exercise of the workout's sets.

        The sets are looked up with EXISTS: joined, a workout would come back once per
        matching set, and the admin's DISTINCT over that join took 40 s on one
        workout of 2,441 sets.
        """
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            sets = Set.objects.filter(session=OuterRef("pk"), exercise__icontains=word)
            queryset = queryset.filter(
                Q(id__icontains=word)
                | Q(template__icontains=word)
                | Q(date__icontains=word)
                | Exists(sets)
            )
        return queryset, False

    def get_inlines(self, request, obj):
        if obj is not None and obj.set_count > MAX_INLINE_SETS:
            return []
        return self.inlines

    @admin.display(description="all sets")
    def set_list(self, session):
        url = reverse("admin:sessions_app_set_changelist") + f"?session__id__exact={session.pk}"
        note = "" if session.set_count <= MAX_INLINE_SETS else " (too many to edit on this page)"
        return format_html('<a href="{}">{} sets</a>{}', url, session.set_count, note)

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
    """Routines: the starters (no owner), which each new lifter gets a copy of on first
    use, and the lifters' own, which they edit on their routine pages."""

    list_display = ["name", "slug", "whose", "position", "rest_seconds"]
    list_filter = [("owner", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "owner__username"]
    raw_id_fields = ["owner"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="owner", ordering="owner__username")
    def whose(self, routine):
        return routine.owner or "starter (copied to new lifters)"

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


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Failed-login counts. Keys are digests: search finds them by what was typed."""

    list_display = ["key", "failures", "last_failure_at", "locked_until"]
    list_filter = [("locked_until", admin.EmptyFieldListFilter)]
    readonly_fields = ["key", "failures", "last_failure_at", "locked_until"]
    search_fields = ["key"]
    search_help_text = (
        "A username (any case), an address, or both separated by a space, e.g. 'alice 10.0.0.7'."
    )
    actions = ["unlock"]

    def get_search_results(self, request, queryset, search_term):
        parts = search_term.split()
        if not parts:
            return queryset, False
        if len(parts) == 2:
            keys = [own_key(*parts)]
        else:
            term = parts[0]
            keys = [LoginThrottle.key_for("username", term.casefold())]
            keys.append(LoginThrottle.key_for("address", term))
        return queryset.filter(key__in=keys), False

    def has_add_permission(self, request):
        return False

    @admin.action(description="Unlock (forget these failures)")
    def unlock(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"Unlocked {count} key{'s' if count != 1 else ''}.")


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
