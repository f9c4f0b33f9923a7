"""Fixtures shared by the dashboard and browser tests: a fresh, provisioned Appwrite database per test,
both API flavours, and a helper that writes sessions and messages straight through the Appwrite SDK."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone


def minutes_ago(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class AppwriteRows:
    """Creates sessions and messages with the Appwrite SDK itself, the way the chat widget would."""

    def __init__(self, endpoint: str, project_id: str, api_key: str, database_id: str):
        from appwrite.client import Client
        from appwrite.services.tables_db import TablesDB

        client = Client().set_endpoint(endpoint).set_project(project_id).set_key(api_key)
        self.tables = TablesDB(client)
        self.database_id = database_id

    def session(self, session_id: str | None = None, *, row_id: str | None = None, **fields: Any) -> dict:
        session_id = session_id or "s_" + uuid.uuid4().hex[:12]
        data: dict[str, Any] = {"sessionId": session_id, "status": "active"}
        for key, value in fields.items():
            data[key] = iso(value) if isinstance(value, datetime) else value
        row = self.tables.create_row(self.database_id, "sessions", row_id or session_id, data)
        return {"$id": row.id, **row.data}

    def messages(self, session_id: str, count: int, role: str = "user") -> None:
        from appwrite.id import ID

        for number in range(count):
            data = {"sessionId": session_id, "role": role, "content": f"message {number}"}
            self.tables.create_row(self.database_id, "messages", ID.unique(), data)


@pytest.fixture
def fresh_database(settings, appwrite_server) -> str:
    """A database of its own for this test, with the dashboard's schema provisioned."""
    from dashboard.appwrite import schema

    settings.APPWRITE_DATABASE_ID = "t" + uuid.uuid4().hex[:12]
    api = settings.APPWRITE_API
    settings.APPWRITE_API = "tablesdb"
    schema.provision_schema()
    settings.APPWRITE_API = api
    return settings.APPWRITE_DATABASE_ID


@pytest.fixture
def rows(fresh_database, appwrite_server) -> AppwriteRows:
    return AppwriteRows(appwrite_server.endpoint, appwrite_server.project_id, appwrite_server.api_key, fresh_database)


@pytest.fixture(params=["tablesdb", "databases"])
def api_flavour(request, settings) -> Iterator[str]:
    """Runs a test against TablesDB and against the legacy collections/documents API."""
    settings.APPWRITE_API = request.param
    yield request.param


@pytest.fixture
def unreachable_appwrite(settings) -> None:
    """Points the dashboard at a loopback port nobody listens on: a real connection failure."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.APPWRITE_ENDPOINT = f"http://127.0.0.1:{port}/v1"
    settings.APPWRITE_TIMEOUT_SECONDS = 1
