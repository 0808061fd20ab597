"""The request budget: every call to Google takes a token first, from one budget per
service account shared by every worker and process, reads and writes counted apart (as
Google counts them: 60 of each per minute per service account by default).

A budget is a GCRA token bucket ("generic cell rate algorithm"): one number per bucket,
the theoretical time of the next call, moved on by one interval per call. It lets a
burst of a tenth of the limit through at once, then one call per interval, so that any
window of SHEETS_QUOTA_WINDOW_SECONDS holds at most the limit. A call that finds no
token waits (within its run's deadline) instead of meeting Google's 429. A 429 met all
the same (another program on the same account, a limit set too high) pauses the whole
bucket for every process until its Retry-After has passed.

The state lives in Redis when REDIS_URL is set (one Lua script: atomic, on the Redis
server's clock) and in the database otherwise (a row per bucket, moved on by conditional
UPDATEs, so concurrent processes settle who took the token in the database).
"""

import datetime
import math
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

READ, WRITE = "read", "write"
KINDS = (READ, WRITE)
REDIS_PREFIX = "workoutlog:sheets-budget"
# A wait is slept in naps this long at most, so a pause lifted or extended by another
# process is seen soon enough.
LONGEST_NAP_SECONDS = 5.0


class OutOfBudget(Exception):
    """No token before the deadline: the run stops; the next run goes on."""


@dataclass(frozen=True)
class Rate:
    """limit calls in any window of window_seconds, as a burst and an interval."""

    limit: int
    window_seconds: float

    @property
    def burst(self):
        return max(1, self.limit // 10)

    @property
    def interval_seconds(self):
        return self.window_seconds / max(1, self.limit - self.burst)

    @property
    def tolerance_seconds(self):
        return (self.burst - 1) * self.interval_seconds

    def wait_seconds(self, next_at, now):
        """(seconds to wait, the bucket's next time once this call is taken)."""
        next_at = max(next_at, now)
        allowed_at = next_at - self.tolerance_seconds
        if allowed_at > now:
            return allowed_at - now, None
        return 0.0, next_at + self.interval_seconds


def rate_of(kind):
    limit = settings.SHEETS_READS_PER_MINUTE if kind == READ else settings.SHEETS_WRITES_PER_MINUTE
    return Rate(limit, settings.SHEETS_QUOTA_WINDOW_SECONDS)


@dataclass
class BucketState:
    """What an operator sees of one bucket (snapshot())."""

    account: str
    kind: str
    limit: int
    window_seconds: float
    taken_in_window: int  # calls in the last window_seconds
    paused_until: object  # an aware datetime, or None
    last_refusal_at: object  # the last 429 met, or None
    last_refusal: str

    @property
    def used_percent(self):
        return round(100 * self.taken_in_window / self.limit) if self.limit else 0


class DatabaseBuckets:
    """Buckets in the database: SheetsBudget rows, changed by conditional UPDATEs only."""

    name = "database"

    def _row(self, key):
        from .models import SheetsBudget

        try:
            return SheetsBudget.objects.get_or_create(key=key)[0]
        except IntegrityError:  # created by another process at the same moment
            return SheetsBudget.objects.get(key=key)

    def take(self, key, rate):
        from .models import SheetsBudget

        while True:
            row = self._row(key)
            now = time.time()
            if row.paused_until > now:
                return row.paused_until - now
            wait, next_at = rate.wait_seconds(row.next_at, now)
            if wait:
                return wait
            recent = [moment for moment in row.recent_calls if moment > now - rate.window_seconds]
            won = SheetsBudget.objects.filter(pk=row.pk, version=row.version).update(
                next_at=next_at, version=row.version + 1, recent_calls=[*recent, now]
            )
            if won:
                return 0.0
            # Another process took a token meanwhile: look again.

    def pause(self, key, seconds, reason):
        from .models import SheetsBudget

        self._row(key)
        now = time.time()
        SheetsBudget.objects.filter(key=key).update(
            paused_until=Greatest(F("paused_until"), now + seconds),
            version=F("version") + 1,
            last_refusal_at=timezone.now(),
            last_refusal=reason[:1000],
        )

    def state(self, key, rate):
        from .models import SheetsBudget

        row = SheetsBudget.objects.filter(key=key).first()
        if row is None:
            return 0, None, None, ""
        since = time.time() - rate.window_seconds
        taken = sum(moment > since for moment in row.recent_calls)
        return taken, row.paused_until, row.last_refusal_at, row.last_refusal


# KEYS: next time, pause-until. ARGV: interval, tolerance, window, time to live (ms).
# Returns the seconds to wait as a string ("0" once the token is taken); Redis's own
# clock, so processes on several machines agree.
TAKE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local paused_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused_until > now then return tostring(paused_until - now) end
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_at < now then next_at = now end
local allowed_at = next_at - tonumber(ARGV[2])
if allowed_at > now then return tostring(allowed_at - now) end
redis.call('SET', KEYS[1], tostring(next_at + tonumber(ARGV[1])), 'PX', ARGV[4])
local recent = KEYS[1] .. ':recent'
redis.call('ZREMRANGEBYSCORE', recent, '-inf', now - tonumber(ARGV[3]))
redis.call('ZADD', recent, now, redis.call('INCR', KEYS[1] .. ':sequence'))
redis.call('PEXPIRE', recent, ARGV[4])
return '0'
"""
# KEYS: pause-until, last refusal. ARGV: seconds, reason, time of the refusal (ISO).
PAUSE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local until_at = now + tonumber(ARGV[1])
local paused_until = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_at > paused_until then
  redis.call('SET', KEYS[1], tostring(until_at), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
redis.call('SET', KEYS[2], ARGV[3] .. ' ' .. ARGV[2], 'EX', 86400)
return tostring(until_at)
"""


class RedisBuckets:
    """Buckets in Redis: each take and pause is one Lua script, atomic on the server."""

    name = "redis"

    def __init__(self, url):
        import redis

        self.redis = redis.Redis.from_url(url)
        self._take = self.redis.register_script(TAKE_SCRIPT)
        self._pause = self.redis.register_script(PAUSE_SCRIPT)

    def take(self, key, rate):
        ttl_ms = math.ceil((rate.window_seconds + rate.interval_seconds) * 1000) + 1000
        keys = [f"{REDIS_PREFIX}:{key}", f"{REDIS_PREFIX}:{key}:paused"]
        args = [rate.interval_seconds, rate.tolerance_seconds, rate.window_seconds, ttl_ms]
        return float(self._take(keys=keys, args=args))

    def pause(self, key, seconds, reason):
        keys = [f"{REDIS_PREFIX}:{key}:paused", f"{REDIS_PREFIX}:{key}:refused"]
        self._pause(keys=keys, args=[seconds, reason[:1000], timezone.now().isoformat()])

    def state(self, key, rate):
        seconds, microseconds = self.redis.time()
        now = seconds + microseconds / 1_000_000
        recent = f"{REDIS_PREFIX}:{key}:recent"
        taken = self.redis.zcount(recent, f"({now - rate.window_seconds}", "+inf")
        paused_until = float(self.redis.get(f"{REDIS_PREFIX}:{key}:paused") or 0)
        refused = (self.redis.get(f"{REDIS_PREFIX}:{key}:refused") or b"").decode()
        refused_at, _, reason = refused.partition(" ")
        refused_at = datetime.datetime.fromisoformat(refused_at) if refused_at else None
        return taken, paused_until - now + time.time(), refused_at, reason


_redis_buckets = {}


def buckets():
    """Redis when REDIS_URL is set, else the database."""
    if not settings.REDIS_URL:
        return DatabaseBuckets()
    if settings.REDIS_URL not in _redis_buckets:
        _redis_buckets[settings.REDIS_URL] = RedisBuckets(settings.REDIS_URL)
    return _redis_buckets[settings.REDIS_URL]


class Budget:
    """The request budget of one service account."""

    def __init__(self, account, sleep=time.sleep):
        self.account = account
        self.sleep = sleep
        self.waited_seconds = 0.0

    def key(self, kind):
        return f"{self.account}:{kind}"

    def take(self, kind, deadline=None):
        """Take a token for one call of this kind (READ or WRITE), waiting for one.

        deadline is a time.monotonic() value: raises OutOfBudget rather than wait past it.
        """
        store, rate = buckets(), rate_of(kind)
        while wait := store.take(self.key(kind), rate):
            if deadline is not None and time.monotonic() + wait > deadline:
                raise OutOfBudget(
                    f"The {kind} requests budget of {self.account} has no room before this "
                    f"run's deadline ({wait:.0f} s to wait); the next run goes on."
                )
            nap = min(wait, LONGEST_NAP_SECONDS)
            self.sleep(nap)
            self.waited_seconds += nap

    def pause(self, kind, seconds, reason):
        """Google answered 429: no process takes a token of this kind for seconds."""
        buckets().pause(self.key(kind), seconds, reason)


def configured_account():
    """The account whose quota the instance's own sheet uses: the first key file's
    client_email, or, without one, the endpoint's address (the imitation).
    SheetsClient.account agrees."""
    from .accounts import first_account

    first = first_account()
    if first is not None:
        return first.email or "unreadable service-account key"
    return no_credentials_account(settings.GOOGLE_SHEETS_API_URL)


def all_accounts():
    """Every account with a budget: each configured key's client_email (the endpoint's
    address without keys)."""
    from .accounts import usable_accounts

    return [account.email for account in usable_accounts()] or [configured_account()]


def no_credentials_account(url):
    return f"no-credentials@{urlsplit(url.rstrip('/')).netloc}"


def snapshot(account=None):
    """Each bucket of the account (the configured one by default), for the operator's
    panel: [reads, writes], with what was taken in the current window, the pause a 429
    set (if it still runs) and the last 429."""
    account = account or configured_account()
    store = buckets()
    states = []
    for kind in KINDS:
        rate = rate_of(kind)
        taken, paused_until, refused_at, reason = store.state(f"{account}:{kind}", rate)
        paused = paused_until and paused_until > time.time()
        states.append(
            BucketState(
                account=account,
                kind=kind,
                limit=rate.limit,
                window_seconds=rate.window_seconds,
                taken_in_window=taken,
                paused_until=(
                    datetime.datetime.fromtimestamp(paused_until, tz=datetime.UTC)
                    if paused
                    else None
                ),
                last_refusal_at=refused_at,
                last_refusal=reason,
            )
        )
    return states
