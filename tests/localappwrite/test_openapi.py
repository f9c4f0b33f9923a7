"""Raw answers of every implemented operation, validated against Appwrite's OpenAPI server spec (1.8.1 + the
1.9 differences patched in `openapi_check.KNOWN_1_9_DIFFERENCES`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from .conftest import RawApi
from .openapi_check import path_template, raw_spec, validate_body, validate_response


def uid(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


# ------------------------------------------------------------------------------------------------ helper


def test_the_spec_file_is_the_1_8_1_server_spec():
    spec = raw_spec()
    assert spec["info"]["version"] == "1.8.1" and spec["openapi"].startswith("3.0")


def test_literal_paths_win_over_templates():
    assert path_template("/account/sessions/email") == "/account/sessions/email"
    assert path_template("/account/sessions/abc") == "/account/sessions/{sessionId}"
    assert (
        path_template("/tablesdb/d/tables/t/columns/string")
        == "/tablesdb/{databaseId}/tables/{tableId}/columns/string"
    )


def test_the_checker_rejects_what_appwrite_1_9_would_not_send():
    with pytest.raises(AssertionError):  # $sequence as an integer (1.8 shape)
        validate_body(
            {
                "$id": "r",
                "$sequence": 1,
                "$tableId": "t",
                "$databaseId": "d",
                "$createdAt": "2024-12-15T14:25:10.123+00:00",
                "$updatedAt": "2024-12-15T14:25:10.123+00:00",
                "$permissions": [],
            },
            {"$ref": "#/definitions/row"},
        )
    with pytest.raises(AssertionError):  # a datetime without milliseconds / offset
        validate_body(
            {
                "$id": "t",
                "$createdAt": "2024-12-15 14:25:10",
                "$updatedAt": "",
                "name": "x",
                "total": 0,
                "prefs": {},
            },
            {"$ref": "#/definitions/team"},
        )
    with pytest.raises(AssertionError):  # an error code as a string
        validate_body(
            {"message": "m", "code": "404", "type": "t", "version": "1.9.6"}, {"$ref": "#/definitions/error"}
        )
    with pytest.raises(AssertionError):  # null for a string field of a membership
        validate_body(
            {
                "$id": "m",
                "$createdAt": "",
                "$updatedAt": "",
                "userId": "u",
                "userName": None,
                "userEmail": "",
                "userPhone": "",
                "teamId": "t",
                "teamName": "",
                "invited": "",
                "joined": "",
                "confirm": True,
                "mfa": False,
                "userAccessedAt": "",
                "roles": [],
            },
            {"$ref": "#/definitions/membership"},
        )


# --------------------------------------------------------------------------------- accounts and health


def test_health_version_answer(raw_guest):
    validate_response(raw_guest.get("/health/version"))


def test_users_answers(raw_admin):
    user_id = uid("u")
    created = validate_response(
        raw_admin.post(
            "/users",
            json={
                "userId": user_id,
                "email": f"{user_id}@example.com",
                "password": "password123",
                "name": "Val",
            },
        )
    )
    assert created["$id"] == user_id
    validate_response(raw_admin.post("/users", json={"userId": "unique()"}))  # no email, no password
    validate_response(raw_admin.get(f"/users/{user_id}"))
    validate_response(raw_admin.get("/users", params={"queries[0]": '{"method":"limit","values":[3]}'}))
    validate_response(raw_admin.get("/users", params={"search": "Val", "total": "false"}))
    validate_response(raw_admin.patch(f"/users/{user_id}/status", json={"status": False}))
    validate_response(raw_admin.get(f"/users/{user_id}/memberships"))
    validate_response(raw_admin.delete(f"/users/{user_id}"))


def test_teams_and_memberships_answers(raw_admin):
    team_id = uid("t")
    validate_response(raw_admin.post("/teams", json={"teamId": team_id, "name": "Valid"}))
    validate_response(raw_admin.get(f"/teams/{team_id}"))
    validate_response(raw_admin.get("/teams"))
    user_id = uid("u")
    raw_admin.post("/users", json={"userId": user_id, "email": f"{user_id}@example.com", "name": "Mem"})
    m = validate_response(
        raw_admin.post(f"/teams/{team_id}/memberships", json={"roles": ["a"], "userId": user_id})
    )
    by_email = validate_response(
        raw_admin.post(
            f"/teams/{team_id}/memberships",
            json={"roles": [], "email": f"{uid('n')}@example.com", "url": "http://localhost/join"},
        )
    )
    assert by_email["confirm"] is True
    validate_response(
        raw_admin.get(
            f"/teams/{team_id}/memberships",
            params={"queries[0]": '{"method":"equal","attribute":"confirm","values":[true]}'},
        )
    )
    validate_response(raw_admin.get(f"/teams/{team_id}/memberships/{m['$id']}"))
    validate_response(raw_admin.patch(f"/teams/{team_id}/memberships/{m['$id']}", json={"roles": ["b"]}))
    validate_response(raw_admin.get(f"/users/{user_id}/memberships"))
    validate_response(raw_admin.delete(f"/teams/{team_id}/memberships/{m['$id']}"))
    validate_response(raw_admin.delete(f"/teams/{team_id}"))


def test_account_and_session_answers(appwrite_server, raw_admin, raw_guest):
    user_id = uid("u")
    email = f"{user_id}@example.com"
    raw_admin.post("/users", json={"userId": user_id, "email": email, "password": "password123"})
    guest_session = validate_response(
        raw_guest.post("/account/sessions/email", json={"email": email, "password": "password123"})
    )
    assert guest_session["secret"] == ""
    session = validate_response(
        raw_admin.post("/account/sessions/email", json={"email": email, "password": "password123"})
    )
    validate_response(
        raw_admin.post("/account/sessions", json={"email": email, "password": "password123"}),
        as_template="/account/sessions/email",
    )
    me = RawApi(appwrite_server, session=session["secret"])
    validate_response(me.get("/account"))
    validate_response(me.get("/account/sessions"))
    validate_response(me.get("/account/sessions/current"))
    validate_response(me.get(f"/account/sessions/{guest_session['$id']}"))
    validate_response(me.delete(f"/account/sessions/{guest_session['$id']}"))
    validate_response(me.delete("/account/sessions/current"))
    other = validate_response(
        raw_admin.post("/account/sessions/email", json={"email": email, "password": "password123"})
    )
    validate_response(RawApi(appwrite_server, session=other["secret"]).delete("/account/sessions"))
    third = raw_admin.post("/account/sessions/email", json={"email": email, "password": "password123"}).json()
    validate_response(raw_admin.get(f"/users/{user_id}/sessions"))
    validate_response(raw_admin.get(f"/users/{user_id}/sessions", params={"total": "false"}))
    validate_response(raw_admin.delete(f"/users/{user_id}/sessions/{third['$id']}"))
    validate_response(raw_admin.delete(f"/users/{user_id}/sessions"))


@pytest.mark.parametrize(
    "call",
    [
        lambda a, g: a.get("/users/nobody-here"),
        lambda a, g: a.post("/users", json={"userId": "x", "password": "short"}),
        lambda a, g: a.get("/users", params={"queries[0]": "{oops"}),
        lambda a, g: g.get("/users"),
        lambda a, g: g.get("/account"),
        lambda a, g: a.get("/teams/nope"),
        lambda a, g: a.post(
            "/account/sessions/email", json={"email": "no@example.com", "password": "password123"}
        ),
        lambda a, g: a.delete("/teams/nope/memberships/nope"),
        lambda a, g: a.get("/no/such/route"),
    ],
)
def test_error_answers_match_the_error_schema(raw_admin, raw_guest, call):
    r = call(raw_admin, raw_guest)
    assert r.status_code >= 400
    if r.status_code == 404 and r.json()["type"] == "general_route_not_found":
        validate_body(r.json(), {"$ref": "#/definitions/error"})  # no spec path to match
    else:
        validate_response(r)


# ------------------------------------------------------------------------- databases (TablesDB + legacy)


def _not_implemented(r: requests.Response) -> bool:
    try:
        return r.status_code == 404 and r.json().get("type") == "general_route_not_found"
    except ValueError:
        return False


class Recorder:
    """Runs a scenario of raw calls and remembers each answer under a label."""

    def __init__(self, api: RawApi):
        self.api = api
        self.answers: dict[str, requests.Response] = {}

    def call(self, label: str, method: str, path: str, **kw: Any) -> dict[str, Any] | None:
        r = self.api.request(method, path, **kw)
        self.answers[label] = r
        try:
            return r.json() if r.content else None
        except ValueError:
            return None


TABLESDB_STEPS = [
    "create database",
    "list databases",
    "get database",
    "create table",
    "list tables",
    "get table",
    "create string column",
    "create integer column",
    "create boolean column",
    "create float column",
    "create datetime column",
    "create email column",
    "create enum column",
    "list columns",
    "get column",
    "create index",
    "list indexes",
    "get index",
    "create row",
    "create second row",
    "list rows",
    "list rows with queries",
    "get row",
    "update row",
    "delete row",
    "delete index",
    "delete column",
    "delete table",
    "delete database",
]
LEGACY_STEPS = [
    "create database",
    "list databases",
    "get database",
    "create collection",
    "list collections",
    "get collection",
    "create string attribute",
    "create integer attribute",
    "create boolean attribute",
    "create float attribute",
    "create datetime attribute",
    "create email attribute",
    "create enum attribute",
    "list attributes",
    "get attribute",
    "create index",
    "list indexes",
    "get index",
    "create document",
    "create second document",
    "list documents",
    "list documents with queries",
    "get document",
    "update document",
    "delete document",
    "delete index",
    "delete attribute",
    "delete collection",
    "delete database",
]


def _columns_scenario(
    rec: Recorder, base: str, kind: str, id_key: str, col: str, cols: str, rows: str, row_id_key: str
) -> None:
    """The same walk for `/tablesdb` (tables/columns/rows) and `/databases` (collections/attributes/
    documents)."""
    db = uid("db")
    rec.call("create database", "POST", base, json={"databaseId": db, "name": "Spec DB"})
    rec.call("list databases", "GET", base)
    rec.call("get database", "GET", f"{base}/{db}")
    t = uid("t")
    security_key = "rowSecurity" if kind == "table" else "documentSecurity"
    rec.call(
        f"create {kind}",
        "POST",
        f"{base}/{db}/{kind}s",
        json={id_key: t, "name": "Spec", "permissions": ['read("any")'], security_key: False},
    )
    rec.call(f"list {kind}s", "GET", f"{base}/{db}/{kind}s")
    rec.call(f"get {kind}", "GET", f"{base}/{db}/{kind}s/{t}")
    tp = f"{base}/{db}/{kind}s/{t}"
    rec.call(
        f"create string {col}",
        "POST",
        f"{tp}/{cols}/string",
        json={"key": "title", "size": 128, "required": True},
    )
    rec.call(
        f"create integer {col}",
        "POST",
        f"{tp}/{cols}/integer",
        json={"key": "count", "required": False, "min": 0, "max": 1000, "default": 0},
    )
    rec.call(f"create boolean {col}", "POST", f"{tp}/{cols}/boolean", json={"key": "done", "required": False})
    rec.call(f"create float {col}", "POST", f"{tp}/{cols}/float", json={"key": "score", "required": False})
    rec.call(
        f"create datetime {col}", "POST", f"{tp}/{cols}/datetime", json={"key": "dueAt", "required": False}
    )
    rec.call(f"create email {col}", "POST", f"{tp}/{cols}/email", json={"key": "owner", "required": False})
    rec.call(
        f"create enum {col}",
        "POST",
        f"{tp}/{cols}/enum",
        json={"key": "status", "elements": ["open", "done"], "required": False, "default": "open"},
    )
    rec.call(f"list {cols}", "GET", f"{tp}/{cols}")
    rec.call(f"get {col}", "GET", f"{tp}/{cols}/title")
    index_cols = "columns" if kind == "table" else "attributes"
    rec.call(
        "create index",
        "POST",
        f"{tp}/indexes",
        json={"key": "by_title", "type": "key", index_cols: ["title"]},
    )
    rec.call("list indexes", "GET", f"{tp}/indexes")
    rec.call("get index", "GET", f"{tp}/indexes/by_title")
    row_id = uid("r")
    data = {
        "title": "First",
        "count": 3,
        "done": False,
        "score": 1.5,
        "dueAt": "2025-01-05T00:00:00.000+00:00",
        "owner": "a@example.com",
        "status": "open",
    }
    singular = rows[:-1]
    rec.call(f"create {singular}", "POST", f"{tp}/{rows}", json={row_id_key: row_id, "data": data})
    rec.call(
        f"create second {singular}",
        "POST",
        f"{tp}/{rows}",
        json={row_id_key: "unique()", "data": {"title": "Second"}},
    )
    rec.call(f"list {rows}", "GET", f"{tp}/{rows}")
    rec.call(
        f"list {rows} with queries",
        "GET",
        f"{tp}/{rows}",
        params={
            "queries[0]": json.dumps(
                {"method": "equal", "attribute": "title", "values": ["First", "Second"]}
            ),
            "queries[1]": json.dumps({"method": "orderDesc", "attribute": "$createdAt"}),
            "queries[2]": json.dumps({"method": "limit", "values": [1]}),
        },
    )
    rec.call(f"get {singular}", "GET", f"{tp}/{rows}/{row_id}")
    rec.call(f"update {singular}", "PATCH", f"{tp}/{rows}/{row_id}", json={"data": {"title": "Renamed"}})
    rec.call(f"delete {singular}", "DELETE", f"{tp}/{rows}/{row_id}")
    rec.call("delete index", "DELETE", f"{tp}/indexes/by_title")
    rec.call(f"delete {col}", "DELETE", f"{tp}/{cols}/score")
    rec.call(f"delete {kind}", "DELETE", tp)
    rec.call("delete database", "DELETE", f"{base}/{db}")


@pytest.fixture(scope="module")
def tablesdb_answers(appwrite_server) -> dict[str, requests.Response]:
    rec = Recorder(RawApi(appwrite_server, key=appwrite_server.api_key))
    _columns_scenario(rec, "/tablesdb", "table", "tableId", "column", "columns", "rows", "rowId")
    return rec.answers


@pytest.fixture(scope="module")
def legacy_answers(appwrite_server) -> dict[str, requests.Response]:
    rec = Recorder(RawApi(appwrite_server, key=appwrite_server.api_key))
    _columns_scenario(
        rec, "/databases", "collection", "collectionId", "attribute", "attributes", "documents", "documentId"
    )
    return rec.answers


def _check(answers: dict[str, requests.Response], step: str) -> None:
    r = answers[step]
    if _not_implemented(r):
        pytest.skip(f"{r.request.method} {r.request.url} is not implemented (404 general_route_not_found)")
    assert r.status_code < 400, f"{step}: {r.status_code} {r.text[:500]}"
    validate_response(r)


@pytest.mark.parametrize("step", TABLESDB_STEPS)
def test_tablesdb_answer_matches_the_spec(tablesdb_answers, step):
    _check(tablesdb_answers, step)


@pytest.mark.parametrize("step", LEGACY_STEPS)
def test_legacy_databases_answer_matches_the_spec(legacy_answers, step):
    _check(legacy_answers, step)


def test_tablesdb_error_answers_match_the_error_schema(raw_admin):
    for path in (
        "/tablesdb/nope",
        "/tablesdb/nope/tables/nope/rows",
        "/databases/nope/collections/nope/documents",
    ):
        r = raw_admin.get(path)
        if _not_implemented(r):
            continue
        assert r.status_code == 404, r.text
        validate_response(r)
    r = raw_admin.get("/tablesdb/nope/tables/nope/rows", params={"queries[0]": "{broken"})
    if not _not_implemented(r):
        assert 400 <= r.status_code < 500, r.text
        validate_response(r)
