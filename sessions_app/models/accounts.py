"""A lifter's own settings, their API tokens, and failed logins counted against guessing."""

import datetime
import functools
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from .units import WeightUnit

# A lifter's mark in the ids of their workouts: letters and digits no one misreads.
ID_TAG_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"
ID_TAG_LENGTH = 4


@functools.cache
def time_zone_names():
    """The IANA names this system knows ("Europe/Paris", "America/Los_Angeles")."""
    return frozenset(zoneinfo.available_timezones())


def zone_named(name):
    """The time zone of that name, or the instance's (TIME_ZONE) for an empty or unknown
    one."""
    if name and name in time_zone_names():
        return zoneinfo.ZoneInfo(name)
    return timezone.get_default_timezone()


class LifterProfile(models.Model):
    """A lifter's own settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lifter_profile"
    )
    # Empty until the lifter chooses; pounds until then, as before units existed.
    weight_unit = models.CharField(max_length=2, choices=WeightUnit, blank=True)
    # Set when the starter routines were copied into the lifter's (give_starter_routines).
    starter_routines_given = models.BooleanField(default=False, editable=False)
    # Empty until the browser says it (the first page after logging in) or the lifter
    # chooses in Settings: the instance's TIME_ZONE until then.
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        help_text="An IANA name such as Europe/Paris; empty: the instance's TIME_ZONE.",
    )
    # Ends the ids of the lifter's workouts ("2026-12-02_push.k3fq"), so that an id never
    # depends on another lifter's workouts. Made the first time it is needed.
    id_tag = models.CharField(max_length=8, unique=True, null=True, blank=True, editable=False)
    # At the bar (plates.py): the lifter's bar and plates, per unit (a lifter who changes
    # unit finds the other set as they left it); empty: the usual ones of that unit.
    bar_kg = models.DecimalField("bar (kg)", max_digits=6, decimal_places=2, null=True, blank=True)
    bar_lb = models.DecimalField("bar (lb)", max_digits=6, decimal_places=2, null=True, blank=True)
    plates_kg = models.CharField("plates (kg)", max_length=200, blank=True)
    plates_lb = models.CharField("plates (lb)", max_length=200, blank=True)
    # "Add warm-ups" (warmups.py): "bar×10, 40%×5, 60%×3, 80%×2" when empty.
    warmup_ramp = models.CharField("warm-up ramp", max_length=200, blank=True)

    def __str__(self):
        return f"{self.user}: {self.unit}"

    @property
    def unit(self):
        return self.weight_unit or WeightUnit.LB

    @classmethod
    def unit_lookup(cls, user_id):
        """The lifter's unit, looked up only if it is called (a form asks for it only to
        question an implausible weight)."""
        return functools.partial(cls.unit_of, user_id)

    @classmethod
    def unit_of(cls, user_id, sent=None):
        """The lifter's unit; or the unit a request sent, when it is one (no query then)."""
        if sent in WeightUnit.values:
            return sent
        unit = cls.objects.filter(user_id=user_id).values_list("weight_unit", flat=True).first()
        return unit or WeightUnit.LB

    def bar_and_plates(self, unit=None):
        """The lifter's bar and plates in their unit (or the one asked)."""
        from ..plates import DEFAULT_BAR, DEFAULT_PLATES, BarAndPlates, plates_in

        unit = unit or self.unit
        bar = getattr(self, f"bar_{unit}")
        plates = plates_in(getattr(self, f"plates_{unit}")) or DEFAULT_PLATES[unit]
        return BarAndPlates(unit, DEFAULT_BAR[unit] if bar is None else bar, plates)

    @classmethod
    def at_the_bar(cls, user_id):
        """The lifter's profile as the workout screen needs it (unit, bar, plates, warm-up
        ramp): one query; an unsaved one with the defaults for a lifter without one."""
        return cls.objects.filter(user_id=user_id).first() or cls(user_id=user_id)

    @classmethod
    def bar_and_plates_of(cls, user_id):
        return cls.at_the_bar(user_id).bar_and_plates()

    @property
    def zone(self):
        return zone_named(self.time_zone)

    @classmethod
    def zone_of(cls, user_id):
        """The lifter's time zone (the instance's until they have one)."""
        name = cls.objects.filter(user_id=user_id).values_list("time_zone", flat=True).first()
        return zone_named(name)

    @classmethod
    def save_time_zone(cls, user_id, name, only_if_unset=False):
        """Keep the lifter's time zone (a name time_zone_names() knows). only_if_unset:
        the browser's guess, which never replaces a zone the lifter has."""
        profile, _ = cls.objects.get_or_create(user_id=user_id)
        changed = cls.objects.filter(pk=profile.pk)
        if only_if_unset:
            changed = changed.filter(time_zone="")
        return bool(changed.update(time_zone=name))

    @classmethod
    def id_tag_of(cls, user_id):
        """The lifter's mark in their workouts' ids, made (once, unique) if missing."""
        for _ in range(20):
            profile, _ = cls.objects.get_or_create(user_id=user_id)
            if profile.id_tag:
                return profile.id_tag
            tag = "".join(secrets.choice(ID_TAG_LETTERS) for _ in range(ID_TAG_LENGTH))
            try:
                with transaction.atomic():
                    cls.objects.filter(pk=profile.pk, id_tag=None).update(id_tag=tag)
            except IntegrityError:
                continue  # another lifter has it: draw again
        raise IntegrityError("Could not find a free id tag.")


class ApiToken(models.Model):
    """A per-user token for the JSON API; only its SHA-256 digest is stored."""

    PREFIX = "wl_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12,
        editable=False,
        help_text="The token's first characters, to tell tokens apart.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"

    def __str__(self):
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def digest_of(raw_token):
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name=""):
        """Create a token and return the only copy of its secret text."""
        raw_token = cls.PREFIX + secrets.token_urlsafe(32)
        cls.objects.create(
            user=user, name=name, digest=cls.digest_of(raw_token), hint=raw_token[:8]
        )
        return raw_token

    @classmethod
    def user_id_for(cls, raw_token, now=None):
        """The id of the token's (active) user, or None."""
        owner = cls.owner_for(raw_token, now)
        return owner and owner[0]

    @classmethod
    def owner_for(cls, raw_token, now=None):
        """(id, time zone name) of the token's (active) user, or None.

        Every API call starts here, so it is one plain indexed query: through the ORM
        it cost more than storing the set itself (bench/RESULTS.md). The lifter's time
        zone comes with it, for the dates the API answers.
        """
        User = get_user_model()
        quote = connection.ops.quote_name
        sql = (
            f"SELECT t.{quote('id')}, t.{quote('user_id')}, t.{quote('last_used_at')}, "
            f"p.{quote('time_zone')} "
            f"FROM {quote(cls._meta.db_table)} t JOIN {quote(User._meta.db_table)} u "
            f"ON u.{quote(User._meta.pk.column)} = t.{quote('user_id')} "
            f"LEFT JOIN {quote(LifterProfile._meta.db_table)} p "
            f"ON p.{quote('user_id')} = t.{quote('user_id')} "
            f"WHERE t.{quote('digest')} = %s AND u.{quote('is_active')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [cls.digest_of(raw_token)])
            found = cursor.fetchone()
        if found is None:
            return None
        token_id, user_id, last_used_at, time_zone = found
        if last_used_at is not None and timezone.is_naive(last_used_at):
            last_used_at = last_used_at.replace(tzinfo=datetime.UTC)  # SQLite keeps UTC
        now = now or timezone.now()
        # Writing on every call would make each API request a write; once a minute is enough.
        if last_used_at is None or (now - last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token_id).update(last_used_at=now)
        return user_id, time_zone or ""


class LoginThrottle(models.Model):
    """Failed logins counted under one key (a username from one address or in one known
    browser, a username, an address; see sessions_app/login.py), and where a lifter
    logged in successfully before.

    Past its free failures a key is paused: every attempt under it waits until
    locked_until, and each further failure doubles the wait (up to
    LOGIN_DELAY_MAX_MINUTES). A count is forgotten LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS
    after its last failure. Counted inside one transaction on the locked row, so guesses
    sent side by side to several web processes are all counted (healthchecks'
    TokenBucket accepts lost updates).
    """

    # Digests: a username field often holds a password typed in the wrong box.
    key = models.CharField(max_length=64, unique=True)
    username_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Digest of the username this key counts for (empty for an address).",
    )
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(
        "paused until", null=True, blank=True, help_text="No password is checked before this."
    )
    last_success_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The lifter logged in from this address then: it is theirs, not a guesser's.",
    )

    class Meta:
        indexes = [
            # Pruning: rows whose last failure is older than the memory of failures.
            models.Index(fields=["last_failure_at"], name="login_throttle_age"),
            # `manage.py unlock USERNAME` and the admin's search: every key of a lifter.
            models.Index(fields=["username_key"], name="login_throttle_lifter"),
        ]

    def __str__(self):
        return f"{self.key[:12]}…: {self.failures}"

    @staticmethod
    def key_for(*parts):
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    @classmethod
    def username_key_for(cls, pooled_username):
        return cls.key_for("lifter", pooled_username)

    @staticmethod
    def delay_after(failures, free_failures):
        """How long a key is paused after its n-th failure (None while some are free)."""
        if failures < free_failures:
            return None
        first = settings.LOGIN_DELAY_FIRST_SECONDS
        longest = settings.LOGIN_DELAY_MAX_MINUTES * 60
        doublings = min(failures - free_failures, 32)
        return datetime.timedelta(seconds=min(first * 2**doublings, longest))

    @classmethod
    def is_known_place(cls, key, now):
        known_since = now - datetime.timedelta(days=settings.LOGIN_KNOWN_DEVICE_DAYS)
        return cls.objects.filter(key=key, last_success_at__gte=known_since).exists()

    @classmethod
    def locked_until_for(cls, keys, now):
        """When the last of these keys' pauses ends, or None when none is paused."""
        return cls.objects.filter(key__in=keys, locked_until__gt=now).aggregate(
            until=models.Max("locked_until")
        )["until"]

    @classmethod
    def prune(cls, now):
        """Rows that hold neither a failure still counted, nor a pause, nor a known place."""
        forgotten = now - datetime.timedelta(hours=settings.LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS)
        unknown = now - datetime.timedelta(days=settings.LOGIN_KNOWN_DEVICE_DAYS)
        cls.objects.filter(
            models.Q(last_failure_at__lt=forgotten) | models.Q(last_failure_at__isnull=True),
            models.Q(last_success_at__lt=unknown) | models.Q(last_success_at__isnull=True),
            models.Q(locked_until__lt=now) | models.Q(locked_until__isnull=True),
        ).delete()

    @classmethod
    def record_failure(cls, limits, now):
        """Count one failure under each key ({key: (free failures, username key)}). A key
        past its free failures is paused for a delay that doubles with each further one.
        Returns the latest pause's end among the keys, or None."""
        forgotten = now - datetime.timedelta(hours=settings.LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS)
        locked_until = None
        with transaction.atomic():
            cls.prune(now)
            for key, (free_failures, username_key) in limits.items():
                cls.objects.get_or_create(key=key, defaults={"username_key": username_key})
                row = cls.objects.select_for_update().get(key=key)
                if row.last_failure_at is None or row.last_failure_at < forgotten:
                    row.failures = 0
                row.failures += 1
                row.last_failure_at = now
                if delay := cls.delay_after(row.failures, free_failures):
                    row.locked_until = now + delay
                row.save(update_fields=["failures", "last_failure_at", "locked_until"])
                if row.locked_until and row.locked_until > now:
                    locked_until = max(locked_until or row.locked_until, row.locked_until)
        return locked_until

    @classmethod
    def record_success(cls, place_key, own_keys, now, username_key):
        """The lifter logged in: this address is known as theirs, and the counts that were
        theirs alone (this address, this browser) start again."""
        with transaction.atomic():
            cls.objects.update_or_create(
                key=place_key,
                defaults={
                    "username_key": username_key,
                    "failures": 0,
                    "locked_until": None,
                    "last_success_at": now,
                },
            )
            cls.objects.filter(key__in=own_keys, last_success_at__isnull=True).delete()

    @classmethod
    def unlock(cls, rows):
        """Forget the failures of these rows (their known places stay known)."""
        counted = models.Q(failures__gt=0) | models.Q(locked_until__isnull=False)
        return rows.filter(counted).update(failures=0, locked_until=None)
