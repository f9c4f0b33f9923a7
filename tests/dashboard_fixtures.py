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

    def say(self, session_id: str, role: str, content: str) -> str:
        """One message, as the widget writes it: its row ID."""
        from appwrite.id import ID

        data = {"sessionId": session_id, "role": role, "content": content}
        return self.tables.create_row(self.database_id, "messages", ID.unique(), data).id

    def messages(self, session_id: str, count: int, role: str = "user") -> None:
        for number in range(count):
            self.say(session_id, role, f"message {number}")


def delete_database(server, database_id: str) -> None:
    """Deletes a test's database once the test is over. localappwrite keeps every table of every database in
    one SQLite schema, whose every change (a column, an index) costs more the larger the schema is: kept, the
    databases of a run made provisioning 20 times slower by the end of it."""
    from appwrite.client import Client
    from appwrite.exception import AppwriteException
    from appwrite.services.tables_db import TablesDB

    server.set_faults("off")  # the test's own faults are switched off after this teardown
    client = Client().set_endpoint(server.endpoint).set_project(server.project_id).set_key(server.api_key)
    try:
        TablesDB(client).delete(database_id)
    except AppwriteException as error:
        if error.code != 404:  # the test deleted it itself
            raise


@pytest.fixture
def fresh_database(settings, appwrite_server) -> Iterator[str]:
    """A database of its own for this test, with the dashboard's schema provisioned (deleted afterwards)."""
    from dashboard.appwrite import schema

    database_id = settings.APPWRITE_DATABASE_ID = "t" + uuid.uuid4().hex[:12]
    api = settings.APPWRITE_API
    settings.APPWRITE_API = "tablesdb"
    schema.provision_schema()
    settings.APPWRITE_API = api
    yield database_id
    delete_database(appwrite_server, database_id)


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
    from bench.dashboard_process import free_port

    settings.APPWRITE_ENDPOINT = f"http://127.0.0.1:{free_port()}/v1"
    settings.APPWRITE_TIMEOUT_SECONDS = 1
