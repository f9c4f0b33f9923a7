"""The sign-in throttle: every attempt is counted, per email and per client address, before Appwrite is
asked, so that however many arrive at once only MAX_ATTEMPTS per window reach it. A success, or an attempt
Appwrite could not check, is given back. Counted atomically: with REDIS_URL in Redis (INCR under the "security"
cache alias's prefix, shared by every process), else in this process's memory, which no cache can evict."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

logger = logging.getLogger(__name__)

# Attempts allowed per email and per client address within one window, before answering 429.
MAX_ATTEMPTS = 5
WINDOW_SECONDS = 15 * 60
SECURITY_CACHE = "security"


def client_address(request: HttpRequest) -> str:
    """The address of the client as far as the DASHBOARD_TRUSTED_PROXIES proxies in front tell: each appends
    the address it was reached from to X-Forwarded-For, so with N of them the Nth entry from the end is the
    one the outermost proxy saw. Earlier entries are the client's own words and never count; with no proxy
    configured the header is ignored and the connection's address counts."""
    trusted = settings.DASHBOARD_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted == 0:
        return remote
    entries = [entry.strip() for entry in request.headers.get("X-Forwarded-For", "").split(",")]
    entries = [entry for entry in entries if entry]
    if not entries:
        return remote
    # Fewer entries than proxies: every entry there was written by a trusted proxy; the first is the outermost's.
    return entries[-trusted] if len(entries) >= trusted else entries[0]


def attempt_keys(request: HttpRequest, email: str) -> list[str]:
    """The counters an attempt counts against. Hashed: the email and the address are the client's text, which
    has no place in a cache key as it is (CacheKeyWarning: spaces, control characters, any length)."""

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    return [f"sign-in:email:{digest(email.strip().lower())}", f"sign-in:address:{digest(client_address(request))}"]


class Counts(Protocol):
    def add(self, keys: list[str], delta: int) -> list[int]:
        """Adds `delta` to each counter (a new one starts a window of WINDOW_SECONDS) and returns the new
        values; a counter not there is left at 0 by a negative delta."""

    def clear(self) -> None: ...


class LocalCounts:
    """Fixed windows in this process's memory, under a lock. Never evicts a live counter: when MAX_KEYS are
    live (a flood of made-up emails or addresses), new ones are refused (counted as over the limit) until
    windows end, rather than forgetting the counts of others."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}  # key → (window end, count), time.monotonic()

    def add(self, keys: list[str], delta: int) -> list[int]:
        now = time.monotonic()
        values = []
        with self._lock:
            for key in keys:
                ends, count = self._counts.get(key, (0.0, 0))
                if ends <= now:
                    ends, count = now + WINDOW_SECONDS, 0
                    if delta <= 0:
                        values.append(0)
                        continue
                    if len(self._counts) >= self.MAX_KEYS and not self._prune(now):
                        logger.warning("Sign-in throttle full (%s counters): refusing new ones", self.MAX_KEYS)
                        values.append(MAX_ATTEMPTS + 1)
                        continue
                count = max(count + delta, 0)
                self._counts[key] = (ends, count)
                values.append(count)
        return values

    def _prune(self, now: float) -> bool:
        self._counts = {key: value for key, value in self._counts.items() if value[0] > now}
        return len(self._counts) < self.MAX_KEYS

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


# INCRBY and, on a counter that has no expiry yet, EXPIRE, in one atomic step (a script runs alone in Redis):
# a counter can never be left without its window, and parallel attempts each see their own count.
_ADD_SCRIPT = """
local values = {}
for i, key in ipairs(KEYS) do
  if tonumber(ARGV[2]) < 0 and redis.call('EXISTS', key) == 0 then
    values[i] = 0
  else
    values[i] = redis.call('INCRBY', key, ARGV[2])
    if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[1]) end
  end
end
return values
"""


class RedisCounts:
    """The counters in Redis, under the "security" alias's location and key prefix, shared by every process."""

    def __init__(self, location: str) -> None:
        import redis

        timeout = settings.APPWRITE_TIMEOUT_SECONDS
        self._redis = redis.Redis.from_url(location, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._add = self._redis.register_script(_ADD_SCRIPT)

    def add(self, keys: list[str], delta: int) -> list[int]:
        names = [caches[SECURITY_CACHE].make_key(key) for key in keys]
        return [int(value) for value in self._add(keys=names, args=[WINDOW_SECONDS, delta])]

    def clear(self) -> None:
        names = list(self._redis.scan_iter(match=caches[SECURITY_CACHE].make_key("sign-in:*")))
        if names:
            self._redis.delete(*names)


class ThrottleUnavailable(Exception):
    """The shared counters (Redis) cannot be reached: sign-in is refused rather than left uncounted."""


_lock = threading.Lock()
_local = LocalCounts()
_redis_counts: dict[str, RedisCounts] = {}


def counts() -> Counts:
    """Redis when the "security" cache alias is configured (REDIS_URL), else this process's counters."""
    alias = settings.CACHES.get(SECURITY_CACHE)
    if alias is None:
        return _local
    location = alias["LOCATION"]
    with _lock:
        if location not in _redis_counts:
            _redis_counts[location] = RedisCounts(location)
        return _redis_counts[location]


def _add(keys: list[str], delta: int) -> list[int]:
    counter = counts()
    if isinstance(counter, LocalCounts):
        return counter.add(keys, delta)
    try:
        return counter.add(keys, delta)
    except Exception as error:  # redis-py's errors, whatever they are: connection, timeout, a refused script
        raise ThrottleUnavailable(f"{type(error).__name__}: {error}"[:300]) from error


def take_attempt(keys: list[str]) -> bool:
    """Counts one attempt against every key; False (over the limit: do not ask Appwrite) when any of them
    is now past MAX_ATTEMPTS, and then the attempt is not counted (a refused attempt spends nothing, so
    someone else's flood at one email does not also use up a shared address's attempts, nor the reverse).
    Raises ThrottleUnavailable when Redis cannot count."""
    if all(value <= MAX_ATTEMPTS for value in _add(keys, 1)):
        return True
    give_back(keys)
    return False


def give_back(keys: list[str]) -> None:
    """Un-counts an attempt that was not a wrong password (a success, or Appwrite not answering)."""
    try:
        _add(keys, -1)
    except ThrottleUnavailable as error:
        logger.warning("Could not give back a sign-in attempt: %s", error)
