"""The operator's console for workout history: workouts with their sets, exercises,
routines, tokens, login throttles and imports.

Edits go through the models' own methods (save_changes, delete), which say what must
follow: the records, and the sheet.
"""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from .login import ThrottledAdminAuthenticationForm, pooled
from .models import (
    ApiToken,
    BodyweightEntry,
    Exercise,
    ImportBatch,
    LoginThrottle,
    Routine,
    RoutineExercise,
    Set,
    Workout,
)

admin.site.login_form = ThrottledAdminAuthenticationForm

# Past this many sets a workout's page links to its sets (paginated in the set list)
# instead of rendering one inline form per set: thousands of forms make a page of
# megabytes that takes seconds to render and longer to post back.
MAX_INLINE_SETS = 100


class DeleteOneByOne:
    """The admin's bulk delete, through each object's delete(): what must follow does."""

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            obj.delete()


class SetInline(admin.TabularInline):
    model = Set
    extra = 0
    fields = ["exercise", "set_number", "weight", "reps", "notes", "created_at", "key"]
    raw_id_fields = ["exercise"]
    # Timestamps are read-only: the form's whole seconds would otherwise count as an edit.
    readonly_fields = ["created_at", "key"]


@admin.register(Workout)
class WorkoutAdmin(DeleteOneByOne, admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "routine_slug",
        "date",
        "status",
        "set_count",
        "synced_to_sheets",
    ]
    list_filter = ["status", "synced_to_sheets", "owner", "routine_slug"]
    # And by exercise: see get_search_results.
    search_fields = ["id", "routine_slug", "date"]
    search_help_text = "A workout id, routine, date, or exercise."
    list_select_related = ["owner"]
    date_hierarchy = "date"
    readonly_fields = [
        *("id", "routine", "routine_name", "created_at", "completed_at", "synced_to_sheets"),
        "set_list",
    ]
    fields = [
        "id",
        "owner",
        "routine_slug",
        "routine",
        "routine_name",
        "date",
        "status",
        "created_at",
        "completed_at",
        "synced_to_sheets",
        "set_list",
    ]
    inlines = [SetInline]

    def get_readonly_fields(self, request, obj=None):
        # A workout's sets point to its lifter's exercises: it cannot change hands.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "owner"] if obj is not None else fields

    def get_queryset(self, request):
        # A subquery, not a join: a search that joins the sets too would multiply it.
        set_count = (
            Set.objects.filter(workout=OuterRef("pk"))
            .order_by()
            .values("workout")
            .annotate(count=Count("pk"))
            .values("count")
        )
        workouts = super().get_queryset(request).select_related("owner", "routine")
        return workouts.annotate(set_count=Coalesce(Subquery(set_count), 0))

    def get_search_results(self, request, queryset, search_term):
        """Each word matches the id, routine, date, or an exercise of the workout's sets.

        The sets are looked up with EXISTS: joined, a workout would come back once per
        matching set, and the admin's DISTINCT over that join took 40 s on one
        workout of 2,441 sets.
        """
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            sets = Set.objects.filter(workout=OuterRef("pk"), exercise_name__icontains=word)
            queryset = queryset.filter(
                Q(id__icontains=word)
                | Q(routine_slug__icontains=word)
                | Q(date__icontains=word)
                | Exists(sets)
            )
        return queryset, False

    def get_inlines(self, request, obj):
        if obj is not None and obj.set_count > MAX_INLINE_SETS:
            return []
        return self.inlines

    @admin.display(description="all sets")
    def set_list(self, workout):
        url = reverse("admin:sessions_app_set_changelist") + f"?workout__id__exact={workout.pk}"
        note = "" if workout.set_count <= MAX_INLINE_SETS else " (too many to edit on this page)"
        return format_html('<a href="{}">{} sets</a>{}', url, workout.set_count, note)

    @admin.display(description="sets", ordering="set_count")
    def set_count(self, workout):
        return workout.set_count

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        elif form.has_changed():
            obj.save_changes(form.changed_data, was_status=form.initial.get("status"))

    def save_formset(self, request, form, formset, change):
        """The sets edited inline: each saved or deleted through its own methods (the
        lists are what the admin's history message reads)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                row.instance.delete()
                formset.deleted_objects.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            workout_set = row.save(commit=False)
            workout_set.workout = form.instance
            if workout_set.pk is None:
                workout_set.save()
                workout_set.save_changes(["exercise"])  # the sheet and records follow
                formset.new_objects.append(workout_set)
            else:
                workout_set.save_changes(row.changed_data, row.initial.get("exercise"))
                formset.changed_objects.append((workout_set, row.changed_data))


@admin.register(Set)
class SetAdmin(DeleteOneByOne, admin.ModelAdmin):
    list_display = ["exercise_name", "set_number", "weight", "reps", "workout", "created_at"]
    list_filter = ["workout__status", "workout__owner"]
    search_fields = ["exercise_name", "workout__id", "notes"]
    list_select_related = ["workout"]
    raw_id_fields = ["workout", "exercise"]
    readonly_fields = ["key", "synced_to_sheets"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            obj.save_changes(["exercise"])
        elif form.has_changed():
            obj.save_changes(form.changed_data, was_exercise_id=form.initial.get("exercise"))


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    """A lifter's exercises (rename and merge are on the lifter's Exercises page), and
    the library the starter routines use (no owner)."""

    list_display = ["name", "kind", "owner"]
    list_filter = ["kind", ("owner", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "key", "owner__username"]
    raw_id_fields = ["owner"]

    def get_readonly_fields(self, request, obj=None):
        # Renaming goes through Exercise.rename (the sets and the sheet follow).
        return ["owner", "name"] if obj is not None else []


class RoutineExerciseInline(admin.TabularInline):
    model = RoutineExercise
    extra = 1
    fields = ["position", "exercise", "target_sets", "target_reps", "rest_seconds"]
    raw_id_fields = ["exercise"]


@admin.register(BodyweightEntry)
class BodyweightEntryAdmin(DeleteOneByOne, admin.ModelAdmin):
    """A lifter's bodyweight, a value a day: a change here reaches their bodyweight sets
    and records as one from the app does (models/bodyweight.py)."""

    list_display = ["owner", "day", "weight", "unit"]
    list_filter = ["owner"]
    list_select_related = ["owner"]
    date_hierarchy = "day"
    raw_id_fields = ["owner"]

    def save_model(self, request, obj, form, change):
        from .models.bodyweight import apply_bodyweight

        super().save_model(request, obj, form, change)
        earliest = min(obj.day, form.initial.get("day") or obj.day)
        apply_bodyweight(obj.owner_id, since=earliest)


@admin.register(Routine)
class RoutineAdmin(admin.ModelAdmin):
    """Routines: the starters (no owner), which each new lifter gets a copy of on first
    use, and the lifters' own, which they edit on their routine pages."""

    list_display = ["name", "slug", "whose", "position", "rest_seconds"]
    list_filter = [("owner", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "owner__username"]
    raw_id_fields = ["owner"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoutineExerciseInline]

    @admin.display(description="owner", ordering="owner__username")
    def whose(self, routine):
        return routine.owner or "starter (copied to new lifters)"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at"]
    list_filter = ["user"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are made with `manage.py create_api_token`, which shows the secret once.
        return False


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Failed-login counts and known places. Keys are digests: search finds them by what
    was typed. `manage.py unlock USERNAME` does the same as Unlock, from a shell."""

    list_display = ["key", "failures", "last_failure_at", "locked_until", "last_success_at"]
    list_filter = [("locked_until", admin.EmptyFieldListFilter)]
    readonly_fields = [
        "key",
        "username_key",
        "failures",
        "last_failure_at",
        "locked_until",
        "last_success_at",
    ]
    search_fields = ["key"]
    search_help_text = (
        "A username (any case: every count of that lifter), an address, or both separated "
        "by a space, e.g. 'alice 10.0.0.7'."
    )
    actions = ["unlock"]

    def get_search_results(self, request, queryset, search_term):
        parts = search_term.split()
        if not parts:
            return queryset, False
        if len(parts) == 2:
            username, address = parts
            return queryset.filter(
                key=LoginThrottle.key_for("username+address", pooled(username), address)
            ), False
        term = parts[0]
        return queryset.filter(
            Q(username_key=LoginThrottle.username_key_for(pooled(term)))
            | Q(key=LoginThrottle.key_for("address", term))
        ), False

    def has_add_permission(self, request):
        return False

    @admin.action(description="Unlock (forget these failures)")
    def unlock(self, request, queryset):
        count = LoginThrottle.unlock(queryset)
        self.message_user(request, f"Unlocked {count} key{'s' if count != 1 else ''}.")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Imports, from the Import page and import_workouts: waiting for the worker or the
    lifter, running (with their progress), done, refused or failed (with why)."""

    list_display = ["file_name", "owner", "status", "created_at", "updated_at", "summary"]
    list_filter = ["status", "owner"]
    list_select_related = ["owner"]
    readonly_fields = [
        "owner",
        "file_name",
        "status",
        "created_at",
        "updated_at",
        "progress",
        "progress_total",
        "message",
        "imported_at",
        "preview",
        "names",
        "result",
    ]
    exclude = ["rows", "upload"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("rows", "upload")  # megabytes each

    @admin.display(description="summary")
    def summary(self, batch):
        if batch.message:
            return batch.message.splitlines()[0]
        return (batch.result or batch.preview).get("summary", "")
