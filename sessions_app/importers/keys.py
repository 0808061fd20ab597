"""Which line is which set: every imported set gets a key from its line's content.

The same line in the next, longer export gets the same key, which is how a second
import knows it; identical lines of one workout are told apart by a counter, so a set
really done twice imports twice. The content holds times as the file writes them (local,
without a zone), so a key is the same whatever zone the server or the lifter is in, and
it is derived with the instance's secret (derived_keys.py): nobody can compute another
lifter's keys.

Before this, keys were uuid5 of a constant and of a content that held the start time
with the server's UTC offset. A line's key under that rule is still computed
(LineKeys.before_secrets), and so are keys under a secret key the instance had before:
the store looks these up among the lifter's own sets only, so that re-importing a file
imported then adds nothing, and nobody else's key can stand in the way.
"""

import functools
import re
import uuid
from collections import Counter
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from ..derived_keys import derived_key, earlier_secrets

# The constant of the keys before they were derived with a secret.
KEYS_BEFORE_SECRETS = uuid.UUID("8a0f3c9e-7d43-4a8f-9a57-6f2b1d0e4c21")


class Occurrences:
    """The n-th identical line of a workout is its set n. Only the workout being read is
    counted (memory stays flat); a workout whose lines come back later in the file
    counts that stretch apart."""

    def __init__(self):
        self.current = None
        self.seen = Counter()
        self.stretches = Counter()

    def of(self, workout, text):
        if workout != self.current:
            self.current = workout
            self.seen = Counter()
            self.stretches[workout] += 1
        self.seen[text] += 1
        occurrence = str(self.seen[text])
        if self.stretches[workout] > 1:
            occurrence = f"{self.stretches[workout]}.{occurrence}"
        return occurrence


class LineKeys:
    """The keys of one lifter's lines, in the order of the file."""

    def __init__(self, owner_id):
        self.owner_id = owner_id
        self.occurrences = Occurrences()
        self.occurrences_before_secrets = Occurrences()
        self.earlier_secrets = earlier_secrets()

    def key(self, workout, *content):
        """(key, the keys the same line had under the instance's earlier secret keys)."""
        text = joined(workout, content)
        message = f"{self.owner_id}|{text}|{self.occurrences.of(workout, text)}"
        earlier = [derived_key("import", message, secret) for secret in self.earlier_secrets]
        return derived_key("import", message), earlier

    def before_secrets(self, workout, *content):
        """The key the same line got before keys were derived with a secret."""
        text = joined(workout, content)
        occurrence = self.occurrences_before_secrets.of(workout, text)
        return uuid.uuid5(KEYS_BEFORE_SECRETS, f"{self.owner_id}|{text}|{occurrence}")


def joined(workout, content):
    return "|".join(str(part) for part in (workout, *content))


def local_text(naive):
    """A file's local time as a key holds it: the same under any zone."""
    return naive.isoformat()


def text_before_secrets(naive):
    """A start time as keys held it before: aware in the server's zone, with its offset."""
    return aware_text(naive, timezone.get_default_timezone_name())


@functools.lru_cache(maxsize=256)
def aware_text(naive, zone_name):
    return timezone.make_aware(naive, timezone.get_default_timezone()).isoformat()


# The reading of numbers keys were computed from before numbers were read strictly.
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


@functools.lru_cache(maxsize=4096)
def number_before(text, decimal_comma=False):
    text = text.strip()
    if decimal_comma and DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return f"{number.normalize():f}" if number else "0"


def load_and_reps_before(weight, reps):
    reps = "" if reps == "0" else reps
    weight = "" if weight == "0" and not reps else weight
    return weight, reps


@functools.lru_cache(maxsize=256)
def rpe_before(text, decimal_comma=False):
    text = number_before(text, decimal_comma)
    if text in ("", "0"):
        return None
    try:
        rpe = Decimal(text)
    except InvalidOperation:
        return None
    if rpe.is_finite() and 6 <= rpe <= 10 and not rpe * 2 % 1:
        return rpe
    return None
