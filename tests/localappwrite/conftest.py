"""Fixtures of localappwrite's own tests. The server itself is `appwrite_server` from tests/conftest.py.

Sections are owned by different modules' tests: add fixtures in your own section, don't rewrite others'.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from appwrite.client import Client

from localappwrite.launcher import LocalAppwrite

# ------------------------------------------------------------------ accounts, health, errors, openapi


class RawApi:
    """Plain-HTTP access to a localappwrite (for what the SDK cannot send, and for raw JSON answers)."""

    def __init__(self, server: LocalAppwrite, key: str | None = None, session: str | None = None,
                 project: str | None = None):
        self.server = server
        self.base = server.endpoint
        self.headers: dict[str, str] = {"X-Appwrite-Project": project or server.project_id}
        if key is not None:
            self.headers["X-Appwrite-Key"] = key
        if session is not None:
            self.headers["X-Appwrite-Session"] = session
        self.http = requests.Session()

    def request(self, method: str, path: str, *, json: Any = None, params: Any = None,
                headers: dict[str, str] | None = None, data: bytes | str | None = None) -> requests.Response:
        h = {**self.headers, **(headers or {})}
        if json is not None:
            h.setdefault("Content-Type", "application/json")
        return self.http.request(method, self.base + path, json=json, params=params, headers=h, data=data,
                                 timeout=30)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)


def sdk_client(server: LocalAppwrite, *, key: str | None = None, session: str | None = None,
               project: str | None = None) -> Client:
    client = Client().set_endpoint(server.endpoint).set_project(project or server.project_id)
    if key is not None:
        client.set_key(key)
    if session is not None:
        client.set_session(session)
    return client


@pytest.fixture
def new_id() -> Callable[[str], str]:
    """Unique ids and e-mail local parts, so tests sharing the session-wide server never collide."""
    def make(prefix: str = "t") -> str:
        return f"{prefix}{uuid.uuid4().hex[:12]}"
    return make


@pytest.fixture
def admin_client(appwrite_server: LocalAppwrite) -> Client:
    """An SDK client holding the server's API key."""
    return sdk_client(appwrite_server, key=appwrite_server.api_key)


@pytest.fixture
def raw_admin(appwrite_server: LocalAppwrite) -> RawApi:
    """Plain HTTP with project + API key headers."""
    return RawApi(appwrite_server, key=appwrite_server.api_key)


@pytest.fixture
def raw_guest(appwrite_server: LocalAppwrite) -> RawApi:
    """Plain HTTP with the project header only."""
    return RawApi(appwrite_server)


# ------------------------------------------------------------------ databases, tables, rows, queries


@pytest.fixture
def tables_db(admin_client: Client) -> Any:
    """The SDK's TablesDB service with the API key."""
    from appwrite.services.tables_db import TablesDB

    return TablesDB(admin_client)


@pytest.fixture
def legacy_db(admin_client: Client) -> Any:
    """The SDK's (deprecated) Databases service with the API key."""
    from appwrite.services.databases import Databases

    return Databases(admin_client)


@pytest.fixture
def database_id(tables_db: Any, new_id: Callable[[str], str]) -> str:
    """A fresh, empty TablesDB database."""
    db = new_id("db")
    tables_db.create(db, "Test database")
    return db


def create_sessions_table(tables_db: Any, database_id: str, table_id: str = "sessions") -> str:
    """The sessions table of CONTRACT.md: its columns and its three indexes."""
    tables_db.create_table(database_id, table_id, "Sessions")
    tables_db.create_varchar_column(database_id, table_id, "sessionId", 255, True)
    tables_db.create_varchar_column(database_id, table_id, "status", 64, False, default="active")
    tables_db.create_datetime_column(database_id, table_id, "startTime", False)
    tables_db.create_datetime_column(database_id, table_id, "lastSeen", False)
    tables_db.create_varchar_column(database_id, table_id, "userMeta", 8192, False)
    tables_db.create_varchar_column(database_id, table_id, "theme", 2048, False)
    tables_db.create_index(database_id, table_id, "status_lastSeen", "key", ["status", "lastSeen"])
    tables_db.create_index(database_id, table_id, "lastSeen", "key", ["lastSeen"])
    tables_db.create_index(database_id, table_id, "sessionId", "key", ["sessionId"])
    return table_id


@pytest.fixture
def sessions_table(tables_db: Any, database_id: str) -> str:
    """A fresh sessions table (CONTRACT.md schema) in `database_id`."""
    return create_sessions_table(tables_db, database_id)


class appwrite_raises:  # noqa: N801 - used like pytest.raises
    """`with appwrite_raises(404, "row_not_found"):` asserts an AppwriteException with this code and type."""

    def __init__(self, code: int, type_: str):
        self.expected = (code, type_)

    def __enter__(self) -> pytest.ExceptionInfo:
        from appwrite.exception import AppwriteException

        self._ctx = pytest.raises(AppwriteException)
        self.info = self._ctx.__enter__()
        return self.info

    def __exit__(self, *exc: Any) -> bool:
        suppressed = self._ctx.__exit__(*exc)
        actual = (self.info.value.code, self.info.value.type)
        assert actual == self.expected, f"{actual} != {self.expected}: {self.info.value.message}"
        return suppressed
