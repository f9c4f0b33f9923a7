"""The schema the dashboard needs: creating what is missing of it (appwrite_setup, create_agent), and the
read-only questions of the doctor (dashboard/doctor.py), which decides what is right or wrong with the
answers. The expected attributes and indexes are defined here once, for both."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MethodType
from typing import Any

from appwrite.enums.databases_index_type import DatabasesIndexType
from appwrite.enums.order_by import OrderBy
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.id import ID
from appwrite.query import Query
from appwrite.services.databases import Databases
from appwrite.services.tables_db import TablesDB
from appwrite.services.teams import Teams
from appwrite.services.users import Users
from django.conf import settings

from dashboard.appwrite import agents, database, errors, records, transport

# -- Provisioning (appwrite_setup, create_agent) ------------------------------------------

SESSION_ATTRIBUTES = [
    ("string", "sessionId", 255, True, None),
    ("string", "status", 64, False, "active"),
    ("datetime", "startTime", None, False, None),
    ("datetime", "lastSeen", None, False, None),
    ("string", "userMeta", 8192, False, None),
    ("string", "theme", 2048, False, None),
]
MESSAGE_ATTRIBUTES = [
    ("string", "sessionId", 255, True, None),
    ("string", "role", 32, True, None),
    ("string", "content", 16384, True, None),
]
SESSION_INDEXES = [
    ("status_lastSeen", ["status", "lastSeen"]),
    ("lastSeen", ["lastSeen"]),
    ("sessionId", ["sessionId"]),
]
MESSAGE_INDEXES = [("sessionId", ["sessionId"])]


@dataclass(frozen=True)
class SetupStep:
    what: str
    created: bool


def _ensure(what: str, create: Callable[[], Any]) -> SetupStep:
    try:
        errors.call(create)
    except errors.AlreadyExists:
        return SetupStep(what, created=False)
    return SetupStep(what, created=True)


def _wait_for_attributes(collection_id: str, keys: Sequence[str], timeout: float = 60) -> None:
    """Real Appwrite builds attributes in the background; indexes need them `available`."""
    client = transport.client()
    database_id = settings.APPWRITE_DATABASE_ID
    deadline = time.monotonic() + timeout
    while True:
        if settings.APPWRITE_API == "tablesdb":
            items = errors.call(TablesDB(client).list_columns, database_id, collection_id).columns
        else:
            list_attributes = transport.undeprecated(Databases.list_attributes)
            items = errors.call(list_attributes, Databases(client), database_id, collection_id).attributes
        states = {}
        for item in items:
            item = item if isinstance(item, dict) else item.to_dict()
            states[item.get("key")] = item.get("status", "available")
        failed = [key for key in keys if states.get(key) in ("failed", "stuck")]
        if failed:
            raise errors.BadAnswer(f"Appwrite could not build the attributes {failed} of {collection_id}")
        if all(states.get(key) == "available" for key in keys):
            return
        if time.monotonic() > deadline:
            raise errors.AppwriteUnavailable(f"attributes of {collection_id} are still not available after {timeout}s")
        time.sleep(0.5)


def provision_schema() -> list[SetupStep]:
    """Creates what is missing of the database, both collections, their attributes and indexes,
    and the agents team; reports each step as created or already there."""
    client = transport.client()
    database_id = settings.APPWRITE_DATABASE_ID
    tables = settings.APPWRITE_API == "tablesdb"
    steps = []
    api = TablesDB(client) if tables else Databases(client)

    def method(name: str) -> Callable[..., Any]:
        return MethodType(transport.undeprecated(getattr(type(api), name)), api)

    create_database = method("create")
    if tables:
        create_collection = method("create_table")
        create_string = method("create_string_column")
        create_datetime = method("create_datetime_column")
        key_index = TablesDBIndexType.KEY
    else:
        create_collection = method("create_collection")
        create_string = method("create_string_attribute")
        create_datetime = method("create_datetime_attribute")
        key_index = DatabasesIndexType.KEY
    create_index = method("create_index")

    steps.append(_ensure(f"database {database_id}", lambda: create_database(database_id, "Support")))
    for collection_id, name, attributes, indexes in (
        (settings.APPWRITE_SESSIONS_COLLECTION_ID, "Chat sessions", SESSION_ATTRIBUTES, SESSION_INDEXES),
        (settings.APPWRITE_MESSAGES_COLLECTION_ID, "Chat messages", MESSAGE_ATTRIBUTES, MESSAGE_INDEXES),
    ):
        steps.append(
            _ensure(
                f"collection {collection_id}",
                lambda c=collection_id, n=name: create_collection(database_id, c, n),
            )
        )
        for kind, key, size, required, default in attributes:
            if kind == "string":

                def create(c=collection_id, k=key, s=size, r=required, d=default):
                    return create_string(database_id, c, k, s, r, default=d)
            else:

                def create(c=collection_id, k=key, r=required):
                    return create_datetime(database_id, c, k, r)

            steps.append(_ensure(f"attribute {collection_id}.{key}", create))
        _wait_for_attributes(collection_id, [attribute[1] for attribute in attributes])
        for key, columns in indexes:
            orders = [OrderBy.ASC] * len(columns)
            steps.append(
                _ensure(
                    f"index {collection_id}.{key}",
                    lambda c=collection_id, k=key, cols=columns, o=orders: create_index(
                        database_id, c, k, key_index, cols, o
                    ),
                )
            )
    team_id = settings.APPWRITE_AGENTS_TEAM_ID
    steps.append(_ensure(f"team {team_id}", lambda: Teams(client).create(team_id, "Support agents")))
    return steps


def ensure_agent(email: str, password: str, name: str) -> list[SetupStep]:
    """Creates the Appwrite user if missing and makes it a member of the agents team."""
    client = transport.client()
    users = Users(client)
    steps = [_ensure(f"user {email}", lambda: users.create(ID.unique(), email=email, password=password, name=name))]
    found = errors.call(users.list, queries=[Query.equal("email", [email.lower()])])
    if not found.users:
        raise errors.NotFound(f"user {email} was not found after creating it")
    user_id = found.users[0].id
    team_id = settings.APPWRITE_AGENTS_TEAM_ID
    teams = Teams(client)
    steps.append(
        _ensure(
            f"membership of {email} in {team_id}",
            lambda: teams.create_membership(team_id, [], user_id=user_id),
        )
    )
    return steps


# -- Checking the schema (appwrite_doctor) ------------------------------------------------
# Schema answers are read as plain JSON: the SDK's models refuse attribute types they do not know,
# and a drifted collection may hold any.


@dataclass(frozen=True)
class Attribute:
    """One attribute (column) as Appwrite describes it; `size` is None for types without one."""

    key: str
    type: str
    size: int | None
    required: bool
    array: bool
    status: str


@dataclass(frozen=True)
class SchemaIndex:
    key: str
    attributes: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class ScopeProbe:
    """Whether the API key holds `scope` (its name under the configured APPWRITE_API)."""

    scope: str
    used_for: str
    granted: bool


def _schema_path(collection_id: str | None = None, tail: str = "") -> str:
    database_id = settings.APPWRITE_DATABASE_ID
    tables = settings.APPWRITE_API == "tablesdb"
    path = f"/tablesdb/{database_id}" if tables else f"/databases/{database_id}"
    if collection_id is not None:
        path += f"/tables/{collection_id}" if tables else f"/collections/{collection_id}"
    return path + tail


def _get_json(path: str, queries: Sequence[str] = ()) -> dict[str, Any]:
    client = transport.client()
    headers = {"X-Appwrite-Project": client.get_config("project"), "accept": "application/json"}
    answer = errors.call(client.call, "get", path, headers, {"queries": list(queries)} if queries else {})
    if not isinstance(answer, dict):
        raise errors.BadAnswer(f"Appwrite answered {path} with something that is not a JSON object")
    return answer


def get_database() -> str:
    """The configured database's name; NotFound when it does not exist."""
    return records.as_text(_get_json(_schema_path()).get("name"))


def get_collection(collection_id: str) -> str:
    """The collection's (table's) name; NotFound when it or its database does not exist."""
    return records.as_text(_get_json(_schema_path(collection_id)).get("name"))


def list_attributes(collection_id: str, keys: Sequence[str]) -> list[Attribute]:
    """The collection's attributes among `keys` (others may exist and do not matter here)."""
    name = "columns" if settings.APPWRITE_API == "tablesdb" else "attributes"
    answer = _get_json(_schema_path(collection_id, f"/{name}"), [Query.equal("key", list(keys)), Query.limit(100)])
    found = []
    for item in answer.get(name) or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        size = item.get("size")
        found.append(
            Attribute(
                key=item["key"],
                type=records.as_text(item.get("type")),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                required=item.get("required") is True,
                array=item.get("array") is True,
                status=records.as_text(item.get("status")) or "available",
            )
        )
    return found


def list_indexes(collection_id: str) -> list[SchemaIndex]:
    answer = _get_json(_schema_path(collection_id, "/indexes"), [Query.limit(100)])
    found = []
    for item in answer.get("indexes") or []:
        if not isinstance(item, dict):
            continue
        attributes = item.get("columns", item.get("attributes")) or []
        if isinstance(attributes, list):
            columns = tuple(str(attribute) for attribute in attributes)
            status = records.as_text(item.get("status")) or "available"
            found.append(SchemaIndex(records.as_text(item.get("key")), columns, status))
    return found


def get_team(team_id: str) -> str:
    """The team's name; NotFound when it does not exist."""
    return records.as_text(_get_json(f"/teams/{team_id}").get("name"))


def _granted(probe: Callable[[], Any]) -> bool:
    """Appwrite checks a key's scopes before it looks at the request: any answer about the request itself
    (found, not found, bad input, wrong password) means the scope is there."""
    try:
        probe()
    except errors.AppwriteError as error:
        if error.type == "general_unauthorized_scope":
            return False
        if error.status in (400, 401, 404, 409) and error.type and error.type != "user_unauthorized":
            return True
        raise
    return True


def probe_scopes() -> list[ScopeProbe]:
    """Asks, for each scope the dashboard itself uses (not appwrite_setup or create_agent), one harmless
    question: reads list one item; the write updates a row id that cannot exist with no data (400 or 404
    with the scope, 401 without); the sign-in probe logs in with an address no user has."""
    rows = "rows" if settings.APPWRITE_API == "tablesdb" else "documents"
    sessions_id = settings.APPWRITE_SESSIONS_COLLECTION_ID
    client = transport.client()
    probes = [
        (
            f"{rows}.read",
            "lists, counts and opens sessions and messages",
            lambda: database.list_rows(sessions_id, [Query.limit(1)], total=False),
        ),
        (
            f"{rows}.write",
            "closes, reopens and takes sessions",
            lambda: database.update_row(sessions_id, f"doctor{secrets.token_hex(12)}", {}),
        ),
        (
            "users.read",
            "reads the agent's user and Appwrite session at sign-in and at every check of the sign-in",
            lambda: errors.call(Users(client).list, [Query.limit(1)], total=False),
        ),
        (
            "teams.read",
            "checks that the agent is a member of the agents team",
            lambda: errors.call(Teams(client).list, [Query.limit(1)], total=False),
        ),
        ("sessions.write", "checks the agent's password at sign-in", agents.probe_sign_in),
        (
            "users.write",
            "ends the agent's Appwrite session at sign-out",
            lambda: errors.call(Users(client).delete_session, f"doctor{secrets.token_hex(12)}", "doctor"),
        ),
    ]
    return [ScopeProbe(scope, used_for, _granted(probe)) for scope, used_for, probe in probes]
