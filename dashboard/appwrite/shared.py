"""A cache shared by every agent (Django's cache: in-process, or Redis with REDIS_URL) with single-flight:
while one caller computes a value, everyone else who needs the same key waits for it instead of asking
Appwrite too; and the keys that name one Appwrite source. It makes no Appwrite call itself: live.py
decides what to compute."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dashboard.appwrite import resilience

# A leader that died (killed process) releases its cross-process lock after this many timeouts.
LOCK_TIMEOUTS = 3
# A follower in this process gives the leader this much longer than its own wait limit.
FOLLOW_GRACE_SECONDS = 0.2
# How often a follower in another process looks for the leader's value.
FOLLOW_POLL_SECONDS = 0.02


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def _lock_seconds() -> float:
    # A leader that died (killed process) releases its cross-process lock after this long.
    return float(settings.APPWRITE_TIMEOUT_SECONDS) * resilience.BUDGET_TIMEOUTS * LOCK_TIMEOUTS


def _wait_limit() -> float:
    # Never wait longer for someone else's Appwrite call than for one of our own, nor past the
    # request's time budget.
    limit = float(settings.APPWRITE_TIMEOUT_SECONDS)
    left = resilience.remaining()
    return limit if left is None else max(min(limit, left), 0.0)


class Join:
    """The caller's part in computing one key: `value` is set when it was cached or someone else
    computed it; otherwise `leading` is true and the caller must `finish(value)` or `fail(error)`."""

    def __init__(self, key: str):
        self.key = key
        self.lock_key = key + ":lock"
        self.value: Any = None
        self.leading = False
        self._flight: _Flight | None = None
        self._lock_token: str | None = None

    def finish(self, value: Any, timeout: float) -> None:
        cache.set(self.key, value, timeout)
        self._release(value, None)

    def fail(self, error: BaseException) -> None:
        self._release(None, error)

    def _release(self, value: Any, error: BaseException | None) -> None:
        if not self.leading:
            return
        self.leading = False
        if self._lock_token is not None and cache.get(self.lock_key) == self._lock_token:
            cache.delete(self.lock_key)
        flight = self._flight
        if flight is not None:
            flight.value, flight.error = value, error
            with _flights_lock:
                if _flights.get(self.key) is flight:
                    del _flights[self.key]
            flight.done.set()


def join(key: str, valid: Callable[[Any], bool]) -> Join:
    """Looks `key` up; on a miss either waits for whoever computes it (this process or another one)
    or makes the caller the one who computes it. A leader's failure reaches the followers of this
    process; a follower for whom the leader's value is not valid (it wants a newer one) follows or
    leads the next computation; followers elsewhere, or anyone who waited `APPWRITE_TIMEOUT_SECONDS`
    in vain, compute it themselves."""
    deadline = time.monotonic() + _wait_limit()
    while True:
        joined = Join(key)
        value = cache.get(key)
        if value is not None and valid(value):
            joined.value = value
            return joined

        with _flights_lock:
            flight = _flights.get(key)
            if flight is None:
                flight = _flights[key] = _Flight()
                leader = True
            else:
                leader = False
        if leader:
            break
        if flight.done.wait(max(deadline - time.monotonic(), 0.0) + FOLLOW_GRACE_SECONDS):
            if flight.error is not None:
                raise flight.error
            if flight.value is not None and valid(flight.value):
                joined.value = flight.value
                return joined
            if time.monotonic() < deadline:
                # The leader computed what another caller wanted (the list as an older look saw it): follow
                # the next flight, or lead it. Computing alone, every such follower asked Appwrite itself.
                continue
        joined.leading = True  # waited as long as we may: do it ourselves, without a flight
        return joined

    joined._flight = flight
    joined.leading = True
    token = secrets.token_hex(8)
    if cache.add(joined.lock_key, token, timeout=_lock_seconds()):
        joined._lock_token = token
        return joined
    # Another process computes it: wait for its value while its lock lasts, within our limit.
    deadline = time.monotonic() + _wait_limit()
    while time.monotonic() < deadline:
        time.sleep(FOLLOW_POLL_SECONDS)
        found = cache.get_many([key, joined.lock_key])
        value = found.get(key)
        if value is not None and valid(value):
            joined._release(value, None)  # hands it to this process's followers too
            joined.value = value
            return joined
        if joined.lock_key not in found:
            break  # the other leader finished without a usable value, or failed: try ourselves
    if cache.add(joined.lock_key, token, timeout=_lock_seconds()):
        joined._lock_token = token
    return joined


def counter(key: str) -> int:
    """A number that only `bump()` changes; it starts from the clock, so a counter the cache lost
    never comes back with a value it had before."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key)
    return int(value) if value is not None else 0


def bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (never read, or evicted)
        cache.set(key, time.time_ns(), timeout=None)


# Part of every key: the entries are pickles, which name their classes' modules, so this goes up whenever a
# cached class moves or changes shape (2: dashboard/service.py became this package; 3: a Message carries its text
# and sender by the messages schema) and old and new code, side by side during a rolling deploy on one Redis,
# never read each other's entries.
KEY_VERSION = 3


def source_key(kind: str, *parts: Any) -> str:
    """Cache keys of one Appwrite source (endpoint, project, database, collections, idle rule)."""
    source = (
        settings.APPWRITE_ENDPOINT,
        settings.APPWRITE_PROJECT_ID,
        settings.APPWRITE_API,
        settings.APPWRITE_DATABASE_ID,
        settings.APPWRITE_SESSIONS_COLLECTION_ID,
        settings.APPWRITE_MESSAGES_COLLECTION_ID,
        settings.DASHBOARD_IDLE_MINUTES,
    )
    return f"sessions-list:{kind}:" + hashlib.sha256(repr((KEY_VERSION, source, parts)).encode()).hexdigest()[:32]
