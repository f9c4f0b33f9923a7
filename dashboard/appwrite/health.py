"""Whether Appwrite is there: the cheap authenticated read behind /readyz (its answer kept briefly), the
version the endpoint reports (the doctor's first question), and forgetting past failures (tests)."""

from __future__ import annotations

import time

from appwrite.query import Query
from django.conf import settings

from dashboard.appwrite import database, errors, resilience, shared, transport


def ping() -> None:
    """Raises unless Appwrite answers a cheap authenticated read."""
    database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, [Query.limit(1)], total=False)


# Readiness asks Appwrite with a short timeout, and load balancers may ask often: the answer is kept briefly.
READY_TIMEOUT_SECONDS = 2.0
READY_CACHE_SECONDS = 2.0
_readiness: dict[str, tuple[float, errors.AppwriteError | None]] = {}


def check_ready() -> None:
    """Raises unless Appwrite answered `ping` within READY_TIMEOUT_SECONDS, at most READY_CACHE_SECONDS ago."""
    key = shared.source_key("ready")
    found = _readiness.get(key)
    if found is None or time.monotonic() - found[0] > READY_CACHE_SECONDS:
        error = None
        try:
            with resilience.budget(min(READY_TIMEOUT_SECONDS, settings.APPWRITE_TIMEOUT_SECONDS)):
                ping()
        except errors.AppwriteError as failure:
            error = failure
        found = _readiness[key] = (time.monotonic(), error)
    if found[1] is not None:
        raise found[1]


def forget_failures() -> None:
    """Closes every circuit breaker and forgets the readiness answer (tests start each case with an
    Appwrite that is known to be fine)."""
    transport.reset_breakers()
    _readiness.clear()


def appwrite_version() -> str:
    """The version the endpoint reports. `GET /health/version` is public, so it is asked without the key:
    it tells whether APPWRITE_ENDPOINT is an Appwrite at all, apart from whether the key is good."""
    client = transport.public_client()
    answer = errors.call(client.call, "get", "/health/version", {"accept": "application/json"}, {})
    version = answer.get("version") if isinstance(answer, dict) else None
    if not isinstance(version, str):
        raise errors.BadAnswer("the endpoint answered /health/version without a version: it is not Appwrite's API")
    return version[:40]
