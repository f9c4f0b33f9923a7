"""How the dashboard behaves when Appwrite does not: a time budget per request, retries of reads with
backoff and jitter inside it, and a circuit breaker that stops asking an Appwrite that is down.

No Appwrite call is made here; transport.py applies these rules to each call (the request middleware and
the doctor open the budget).

The numbers: a page must answer within 2 × APPWRITE_TIMEOUT_SECONDS + 2 s whatever Appwrite does. The
request's Appwrite work gets 2 × the timeout (`budget`), every call's timeout is cut to what is left of
it, a read is retried only while enough is left, and after `FAILURES_TO_OPEN` failures in a row the
breaker answers at once for `OPEN_SECONDS` (or as long as Appwrite's Retry-After asks), then lets one
call through to see whether Appwrite is back.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# A request's Appwrite calls share this many times the per-call timeout.
BUDGET_TIMEOUTS = 2
# Reads are tried at most this often (retries only while the budget allows).
READ_ATTEMPTS = 3
# Full-jitter backoff: a retry waits a random time up to BACKOFF_BASE × 2^n seconds (at most BACKOFF_CAP).
BACKOFF_BASE = 0.1
BACKOFF_CAP = 1.0
# A call is not started (nor retried) with less time than this left: it could not succeed anyway.
MIN_CALL_SECONDS = 0.05
# The breaker opens after this many failures in a row, for this long; an answer with Retry-After opens it
# at once, for as long as it asks (up to OPEN_SECONDS_CAP).
FAILURES_TO_OPEN = 5
OPEN_SECONDS = 5.0
OPEN_SECONDS_CAP = 60.0

# The breaker's clock (tests move it on instead of waiting for the breaker to half-open).
_clock = time.monotonic

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("appwrite_deadline", default=None)


class BudgetSpent(Exception):
    """The request has no time left for another Appwrite call."""


class CircuitOpen(Exception):
    """Appwrite failed too often just now; calls are refused until the breaker lets one through."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Every Appwrite call in this block (and on threads started with its context) ends within
    `seconds` from now, retries included. A block inside another one never extends it."""
    deadline = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left of the current budget; None outside of one (management commands, tests)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def call_timeout(timeout: float) -> float:
    """The timeout of the next call: the configured one, cut to the budget; BudgetSpent when none is left."""
    left = remaining()
    if left is None:
        return timeout
    if left < MIN_CALL_SECONDS:
        raise BudgetSpent("the time budget of this request is spent")
    return min(timeout, left)


def backoff(attempt: int, retry_after: float | None = None) -> float:
    """How long to wait before retry number `attempt` (1, 2, …): full jitter, or what Retry-After asks."""
    if retry_after is not None:
        return retry_after
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))


def can_wait(seconds: float) -> bool:
    """Whether waiting `seconds` still leaves room for one more call within the budget."""
    left = remaining()
    return left is None or left - seconds >= MIN_CALL_SECONDS * 4


@dataclass
class CircuitBreaker:
    """Closed: calls go through and failures are counted. Open: calls are refused at once until `open_until`.
    Then half-open: one call goes through (others are still refused); its outcome closes or reopens it."""

    failures_to_open: int | None = None  # None: FAILURES_TO_OPEN (and OPEN_SECONDS), read when used
    open_seconds: float | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0
        self._trial_running = False

    @property
    def _threshold(self) -> int:
        return FAILURES_TO_OPEN if self.failures_to_open is None else self.failures_to_open

    def before_call(self) -> None:
        """Raises CircuitOpen when the call must not go to Appwrite now."""
        with self._lock:
            if self._failures < self._threshold:
                return
            now = _clock()
            if now < self._open_until or self._trial_running:
                left = max(self._open_until - now, 0)
                raise CircuitOpen(f"Appwrite failed {self._failures} times in a row; next try in {left:.0f} s")
            self._trial_running = True  # half-open: this call is the trial

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._trial_running = False

    def failed(self, retry_after: float | None = None) -> None:
        """Counts a failure; Appwrite asking to wait (Retry-After) opens the breaker at once for that long."""
        with self._lock:
            self._failures = max(self._failures + 1, self._threshold if retry_after else 0)
            self._trial_running = False
            if self._failures >= self._threshold:
                open_seconds = OPEN_SECONDS if self.open_seconds is None else self.open_seconds
                wait = open_seconds if retry_after is None else retry_after
                self._open_until = _clock() + min(wait, OPEN_SECONDS_CAP)

    def reset(self) -> None:
        self.succeeded()


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (Appwrite sends seconds; an HTTP date is read too); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(moment.timestamp() - time.time(), 0.0)
