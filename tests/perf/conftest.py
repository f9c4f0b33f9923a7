"""Fixtures of the performance tests: a localappwrite that answers every request after LATENCY_MS, a fresh
provisioned database on it per test, rows written in bulk, and its request log.

These tests count Appwrite requests and requests in series; speed itself is the benchmark's job (bench/)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from bench import appwrite_log
from localappwrite.launcher import LocalAppwrite, start_localappwrite
from tests.dashboard_fixtures import delete_database

LATENCY_MS = 30


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@pytest.fixture(scope="session")
def slow_appwrite() -> Iterator[LocalAppwrite]:
    server = start_localappwrite(latency_ms=LATENCY_MS)
    yield server
    server.stop()


class SlowRows:
    """Writes sessions and messages straight to Appwrite, as the chat widget would (in bulk, to be quick)."""

    def __init__(self, server: LocalAppwrite, database_id: str):
        self.server = server
        self.http = requests.Session()
        self.http.headers.update({"X-Appwrite-Project": server.project_id, "X-Appwrite-Key": server.api_key})
        self.tables = f"{server.endpoint}/tablesdb/{database_id}/tables"

    def sessions(self, count: int, messages_each: int = 3) -> list[str]:
        now = datetime.now(UTC)
        ids = [f"s_{number:05d}" for number in range(count)]
        rows = [
            {"$id": sid, "sessionId": sid, "status": "active", "lastSeen": seen, "$updatedAt": seen}
            for number, sid in enumerate(ids)
            for seen in [iso(now - timedelta(minutes=number))]
        ]
        self._bulk("sessions", rows)
        messages = [
            {"sessionId": sid, "role": "user", "content": f"hello {n}"} for sid in ids for n in range(messages_each)
        ]
        self._bulk("messages", messages)
        return ids

    def _bulk(self, table: str, rows: list[dict]) -> None:
        for start in range(0, len(rows), 1000):
            self.http.post(f"{self.tables}/{table}/rows", json={"rows": rows[start : start + 1000]}).raise_for_status()

    def visitor_writes(self, session_id: str) -> None:
        """What the widget does on a visitor's message: add it, and bump the session's lastSeen."""
        self.http.post(
            f"{self.tables}/messages/rows",
            json={"rowId": "unique()", "data": {"sessionId": session_id, "role": "user", "content": "one more"}},
        ).raise_for_status()
        self.http.patch(
            f"{self.tables}/sessions/rows/{session_id}", json={"data": {"lastSeen": iso(datetime.now(UTC))}}
        ).raise_for_status()


@pytest.fixture
def slow_rows(settings, slow_appwrite) -> Iterator[SlowRows]:
    """The dashboard pointed at the slow localappwrite, with a fresh database of its own (deleted afterwards)."""
    from dashboard.appwrite import database, message_schema, schema, session_messages, transport

    settings.APPWRITE_ENDPOINT = slow_appwrite.endpoint
    settings.APPWRITE_PROJECT_ID = slow_appwrite.project_id
    settings.APPWRITE_API_KEY = slow_appwrite.api_key
    settings.APPWRITE_API = "tablesdb"
    database_id = settings.APPWRITE_DATABASE_ID = "p" + uuid.uuid4().hex[:12]
    schema.provision_schema()
    # Once per process in real life, beside the first cold load's first round: not part of what the tests count.
    session_messages.detect_grouped_counts()
    message_schema.current()
    # A running server has its threads and connections: the first page of a test process would otherwise
    # open them while it runs, and a late start in its first round looks like a round trip of its own.
    def read() -> None:
        database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, [], total=False)

    def read_beside() -> None:  # on the pool, as a page does before its rows' messages are read beside it
        transport.run_concurrently(read, read)

    transport.run_concurrently(*[read_beside] * transport.MAX_CONCURRENT_CALLS)
    yield SlowRows(slow_appwrite, database_id)
    delete_database(slow_appwrite, database_id)


class RequestLog:
    """The Appwrite requests made while a block ran."""

    def __init__(self, server: LocalAppwrite):
        self.server = server
        self.requests: list[appwrite_log.Logged] = []

    def __enter__(self) -> RequestLog:
        time.sleep(0.01)
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.end = time.monotonic()
        log = appwrite_log.fetch(self.server.host, self.server.port)
        self.requests = [r for r in appwrite_log.within(log, self.start, self.end) if r.path.startswith("/v1/")]

    @property
    def in_series(self) -> int:
        return appwrite_log.in_series(self.requests)

    def to(self, collection: str) -> list[appwrite_log.Logged]:
        return [r for r in self.requests if r.collection == collection]


@pytest.fixture
def appwrite_requests(slow_appwrite):
    return lambda: RequestLog(slow_appwrite)


@pytest.fixture
def later(monkeypatch):
    """Moves the dashboard's clock on, as if `seconds` had passed."""
    from dashboard.appwrite import live

    offset = [0.0]
    real = live._clock
    monkeypatch.setattr(live, "_clock", lambda: real() + offset[0])

    def move(seconds: float) -> None:
        offset[0] += seconds

    return move
