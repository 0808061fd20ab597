"""Set keys derived with the instance's secret key.

An imported set's key comes from what its line says and who imports it, so the same
line imports once however often the file comes back. Derived with the secret (an
HMAC), nobody can compute another lifter's keys: not to find out whether a line is in
their history, nor to take a key before them. A key sent by one lifter that turns out
to be another's is stored under own_key_for() instead: derived from the sender and
the key, so sending it again still finds the one set, and nothing says why.
"""

import functools
import hashlib
import hmac
import uuid

from django.conf import settings


@functools.cache
def _base(purpose, secret):
    key = hashlib.sha256(f"workout-log.{purpose}.{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def derived_key(purpose, text, secret=None):
    """A UUID from text, keyed by the secret (the instance's by default) and purpose."""
    mac = _base(purpose, secret or settings.SECRET_KEY).copy()
    mac.update(text.encode())
    return uuid.UUID(bytes=mac.digest()[:16])


def earlier_secrets():
    """Secret keys the instance had before (SECRET_KEY_FALLBACKS): keys derived with them
    are still the lifter's."""
    return list(getattr(settings, "SECRET_KEY_FALLBACKS", []))


def own_key_for(owner_id, key):
    """The key a set of owner_id's is stored under when the key they sent is another
    lifter's."""
    return derived_key("own-key", f"{owner_id}|{key}")
