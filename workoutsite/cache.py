"""The file cache of a single-machine install, with counters that are atomic.

Django's FileBasedCache implements add() as "has_key, then set" and incr() as "get,
then set": two web processes counting at once both read 3 and both write 4. Here both
run under one lock file shared by every process of the machine, so each increment
counts. (Redis, the cache of a scaled-out instance, does this natively.)
"""

import os
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

LOCK_FILE_NAME = "counters.lock"


class FileCacheWithAtomicCounters(FileBasedCache):
    @contextmanager
    def _counters_locked(self):
        self._createdir()  # the folder may have been deleted since
        with open(os.path.join(self._dir, LOCK_FILE_NAME), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._counters_locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._counters_locked():
            return super().incr(key, delta, version)
