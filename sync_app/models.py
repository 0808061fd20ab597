"""The sync's own bookkeeping: where each lifter's rows go, deletions to carry out,
workouts whose push keeps failing, each lifter's sheet (its lease, back-off and last
pull), the worker's heartbeat, and a record of every run. (Which workouts the sheet
must still follow is the sessions table's own synced_to_sheets, as the original design
has it.)"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class SheetsProfile(models.Model):
    """A lifter's own spreadsheet; empty fields use the instance's default. A lifter who
    disconnected has no sheet at all (not even the default) until they connect again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sheets_profile"
    )
    spreadsheet_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="The id in the sheet's address: docs.google.com/spreadsheets/d/<id>/edit. "
        "Share the sheet with the service account as an editor.",
    )
    worksheet = models.CharField(max_length=100, blank=True, help_text="The tab name.")
    disconnected_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the lifter pressed Disconnect: nothing of theirs is sent to any "
        "sheet (nothing is deleted either). Empty it to sync again.",
    )
    service_account = models.CharField(
        max_length=254,
        blank=True,
        help_text="The service account (its client_email) the lifter's sheet is shared with; "
        "every call to their sheet is made as it, on its quota. Empty: the first account.",
    )
    moved_from_account = models.CharField(
        max_length=254,
        blank=True,
        help_text="The account the lifter was moved from: they are asked to share their sheet "
        "with the new one until a call to it goes through.",
    )

    class Meta:
        verbose_name = "Google Sheets profile"

    def __str__(self):
        return f"{self.user}: {self.spreadsheet_id or 'instance default'}"


class SheetCheck(models.Model):
    """The last "Check" a lifter asked for on their sheet page: which sheet, and what the
    worker found there (it reads; it never writes). A newer request replaces it, and an
    answer arriving for an older one is dropped."""

    class Outcome(models.TextChoices):
        CHECKING = "checking"
        READY = "ready", "ready to connect"
        CONFIRM = "confirm", "ready, once the lifter confirms"
        PROBLEM = "problem"
        UNREACHABLE = "unreachable", "Google did not answer"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sheet_check"
    )
    spreadsheet_id = models.CharField(max_length=100)
    worksheet = models.CharField(max_length=100)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome, default=Outcome.CHECKING)
    title = models.CharField(max_length=200, blank=True, help_text="The spreadsheet's title.")
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = "sheet check"

    def __str__(self):
        return f"{self.user}: {self.spreadsheet_id} / {self.worksheet}: {self.outcome}"

    @property
    def can_connect(self):
        return self.outcome in (self.Outcome.READY, self.Outcome.CONFIRM)


class Tombstone(models.Model):
    """A set whose row must leave the sheet (deleted, or its workout cancelled).

    Only keys recorded here are ever deleted from a sheet: a keyed row the database
    has never heard of is reported by `sync --check`, never removed. The sheet is
    recorded when the set goes, because the lifter (and their profile) may go too.
    """

    key = models.UUIDField(unique=True)
    spreadsheet_id = models.CharField(max_length=100)
    worksheet = models.CharField(max_length=100)
    session_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pending row deletion"

    def __str__(self):
        return f"{self.session_id} {self.key}"


class FailingPush(models.Model):
    """A completed workout whose rows the sync could not write: how often it tried and
    the last error. Gone once the workout is in the sheet.

    A workout whose rows Google refused for good (400: too many cells for the sheet,
    say) is set aside at its revision: the push leaves it out, so it never holds back
    anyone else's rows, until it changes (its revision moves) or an operator asks to
    try it again.
    """

    FAILING_AFTER_ATTEMPTS = 3

    workout = models.OneToOneField(
        "sessions_app.Workout",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="failing_push",
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    set_aside_revision = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Google refused this revision of the workout for good (the error says "
        "why); the sync leaves it out until the workout changes or someone tries again.",
    )

    class Meta:
        verbose_name = "failing push"

    def __str__(self):
        return f"{self.workout_id}: {self.attempts} attempt(s)"

    @property
    def is_failing(self):
        return self.attempts >= self.FAILING_AFTER_ATTEMPTS

    @property
    def set_aside(self):
        return (
            self.set_aside_revision is not None and self.set_aside_revision == self.workout.revision
        )

    @classmethod
    def try_again(cls, workout_ids):
        """Let set-aside workouts be pushed again (after the operator made room, say)."""
        return cls.objects.filter(
            workout_id__in=workout_ids, set_aside_revision__isnull=False
        ).update(set_aside_revision=None)


class SyncRun(models.Model):
    class Outcome(models.TextChoices):
        RUNNING = "running"
        SUCCESS = "success"
        PARTIAL = "partial", "partial (some sheets failed)"
        FAILED = "failed"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=20, default="schedule")
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.RUNNING)
    sessions = models.PositiveIntegerField(default=0)
    rows_appended = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveIntegerField(default=0)
    rows_taken = models.PositiveIntegerField(
        default=0, help_text="Rows edited in the sheet whose values the database took."
    )
    conflicts = models.PositiveIntegerField(
        default=0, help_text="Rows found changed on both sides, or deleted in the sheet."
    )
    rows_imported = models.PositiveIntegerField(
        default=0, help_text="Rows typed into the sheet without a key, imported as sets."
    )
    api_calls = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    sheets_skipped = models.PositiveIntegerField(
        default=0, help_text="Sheets a pull did not read: unchanged since the last pull."
    )
    error = models.TextField(blank=True)
    alive_at = models.DateTimeField(
        null=True, blank=True, help_text="Renewed while the run lives (runs go side by side)."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # Status panel: the latest successful run.
            models.Index(fields=["outcome", "-started_at"], name="syncrun_outcome_started"),
        ]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"

    @property
    def duration_seconds(self):
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 2)


class WrittenRow(models.Model):
    """What the sync last wrote for a set's row (or found there, matching): a fingerprint.

    With it a run tells who changed a row since: the sheet (its row no longer has this
    fingerprint), the database (the set's row would not have it), or both. The
    fingerprint counts only for the tab it was written to.
    """

    set = models.OneToOneField(
        "sessions_app.Set", on_delete=models.CASCADE, primary_key=True, related_name="written_row"
    )
    target = models.CharField(max_length=210, help_text="spreadsheet id / tab")
    fingerprint = models.CharField(max_length=24)

    class Meta:
        indexes = [
            # A pull: every fingerprint written to one tab.
            models.Index(fields=["target"], name="writtenrow_target"),
        ]

    def __str__(self):
        return f"{self.set_id} in {self.target}: {self.fingerprint}"


class SheetConflict(models.Model):
    """A set the sync leaves alone until someone chooses which side is right."""

    class Kind(models.TextChoices):
        BOTH_CHANGED = "both", "changed in the sheet and in the app"
        DELETED = "deleted", "row deleted in the sheet"

    set = models.OneToOneField(
        "sessions_app.Set", on_delete=models.CASCADE, related_name="sheet_conflict"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    target = models.CharField(max_length=210, help_text="spreadsheet id / tab")
    row_number = models.PositiveIntegerField(null=True, blank=True)
    # The row as found in the sheet (texts, in the columns of header_version); empty
    # when the row was deleted.
    sheet_row = models.JSONField(default=list, blank=True)
    header_version = models.PositiveSmallIntegerField(default=2)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-found_at"]

    def __str__(self):
        return f"{self.set_id}: {self.get_kind_display()}"


class SyncState(models.Model):
    """One row: worker liveness, the queued-task flag, and the last time Google said the
    quota was used up (429). The leases are per sheet (SheetState)."""

    sync_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="A sync task was queued then and has not started yet."
    )
    worker_heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_quota_error_at = models.DateTimeField(
        null=True, blank=True, help_text="The last time Google answered 429 (quota used up)."
    )
    last_quota_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "sync state"

    def __str__(self):
        return "Sync state"

    @classmethod
    def load(cls):
        state, _ = cls.objects.get_or_create(pk=1)
        return state

    @classmethod
    def quota_error_met(cls, text, now=None):
        cls.load()
        cls.objects.filter(pk=1).update(
            last_quota_error_at=now or timezone.now(), last_quota_error=text[:1000]
        )


class SheetState(models.Model):
    """One lifter's sheet (a target: spreadsheet and tab) as the sync sees it.

    Its lease keeps two runs from writing the same sheet at once while runs on other
    sheets go on; it is taken and given back with conditional UPDATEs (SQLite has no
    SELECT ... FOR UPDATE) and expires, so a worker killed mid-run blocks that sheet for
    one lease at most. A write whose outcome is unknown makes the sheet settle; a sheet
    that keeps failing backs off (a growing delay) without slowing the others. The pull
    remembers when it read the sheet and the file's modifiedTime then, to skip a sheet
    nobody changed since.
    """

    target = models.CharField(max_length=210, unique=True, help_text="spreadsheet id / tab")
    lease_holder = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    settle_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A write whose outcome is unknown may still land until then; no run before.",
    )
    failures = models.PositiveIntegerField(
        default=0, help_text="Runs in a row that failed on this sheet."
    )
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="Backing off: the automatic runs leave it until then."
    )
    last_error = models.TextField(blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True)
    modified_time = models.CharField(
        max_length=40, blank=True, help_text="The file's modifiedTime (Drive) at the last pull."
    )

    class Meta:
        verbose_name = "lifter's sheet"
        indexes = [
            # Status panel and runs: the sheets backing off.
            models.Index(fields=["retry_at"], name="sheetstate_retry_at"),
        ]

    def __str__(self):
        return self.target

    @classmethod
    def rows(cls, target):
        """The sheet's row, made on first use."""
        cls.objects.get_or_create(target=str(target))
        return cls.objects.filter(target=str(target))

    @classmethod
    def take_lease(cls, target, holder, seconds, now=None):
        now = now or timezone.now()
        free = (
            Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_holder=holder)
        )
        return bool(
            cls.rows(target)
            .filter(free)
            .update(lease_holder=holder, lease_expires_at=now + timezone.timedelta(seconds=seconds))
        )

    @classmethod
    def release_lease(cls, target, holder):
        cls.objects.filter(target=str(target), lease_holder=holder).update(
            lease_holder="", lease_expires_at=None
        )

    @classmethod
    def settle(cls, target, seconds, now=None):
        until = (now or timezone.now()) + timezone.timedelta(seconds=seconds)
        cls.rows(target).update(settle_until=until)

    @classmethod
    def settling(cls, target, now=None):
        return cls.objects.filter(
            target=str(target), settle_until__gt=now or timezone.now()
        ).exists()

    @classmethod
    def backing_off(cls, now=None):
        """The targets (as text) the automatic runs leave alone for now."""
        return set(
            cls.objects.filter(retry_at__gt=now or timezone.now()).values_list("target", flat=True)
        )

    @classmethod
    def leased(cls, now=None):
        """The targets (as text) a live run holds now."""
        held = cls.objects.exclude(lease_holder="").filter(
            lease_expires_at__gt=now or timezone.now()
        )
        return set(held.values_list("target", flat=True))

    @classmethod
    def failed(cls, target, error, now=None):
        """One more failed run: the next automatic try waits twice as long as the last."""
        now = now or timezone.now()
        rows = cls.rows(target)
        rows.update(failures=F("failures") + 1, last_error=str(error)[:1000])
        failures = rows.values_list("failures", flat=True).get()
        delay = min(
            settings.SYNC_SHEET_BACKOFF_SECONDS * 2 ** (failures - 1),
            settings.SYNC_SHEET_BACKOFF_MAX_SECONDS,
        )
        rows.update(retry_at=now + timezone.timedelta(seconds=delay))
        return delay

    @classmethod
    def succeeded(cls, target):
        cls.objects.filter(target=str(target)).exclude(failures=0, retry_at=None).update(
            failures=0, retry_at=None, last_error=""
        )

    @classmethod
    def pulled(cls, target, modified_time, now=None):
        cls.rows(target).update(pulled_at=now or timezone.now(), modified_time=modified_time)


class SheetsBudget(models.Model):
    """One bucket of the shared request budget (budget.py) when there is no Redis: a
    service account's reads, or its writes. Changed only by conditional UPDATEs on
    version, so that two processes never take the same token."""

    key = models.CharField(max_length=300, unique=True, help_text="service account : kind")
    # Seconds since the epoch (time.time()), the bucket's arithmetic being in seconds.
    next_at = models.FloatField(default=0, help_text="The bucket's theoretical next call.")
    paused_until = models.FloatField(default=0, help_text="After a 429: no call before.")
    version = models.PositiveBigIntegerField(default=0)
    # The times of the calls of the last window (at most its limit), for the panel.
    recent_calls = models.JSONField(default=list)
    last_refusal_at = models.DateTimeField(null=True, blank=True)
    last_refusal = models.TextField(blank=True, help_text="Google's last 429 for this bucket.")

    class Meta:
        verbose_name = "Sheets request budget"

    def __str__(self):
        return self.key
