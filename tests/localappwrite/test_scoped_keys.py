"""Keys with only some scopes (`--scoped-key KEY=SCOPE,…`): refused like Appwrite refuses them, 401
`general_unauthorized_scope`, and let through on every route their scopes open."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from localappwrite.launcher import LocalAppwrite, start_localappwrite

from .conftest import RawApi

READER = "key_reader_only"
LEGACY_READER = "key_legacy_reader"


@pytest.fixture(scope="module")
def scoped_server() -> Iterator[LocalAppwrite]:
    server = start_localappwrite(
        faults=False,
        extra_args=[
            "--scoped-key",
            f"{READER}=rows.read,tables.read,databases.read",
            "--scoped-key",
            f"{LEGACY_READER}=documents.read,collections.read,databases.read",
        ],
    )
    admin = RawApi(server, key=server.api_key)
    assert admin.post("/tablesdb", json={"databaseId": "db", "name": "Db"}).status_code == 201
    assert admin.post("/tablesdb/db/tables", json={"tableId": "t", "name": "T"}).status_code == 201
    yield server
    server.stop()


def test_a_scoped_key_reads_what_its_scopes_open(scoped_server):
    reader = RawApi(scoped_server, key=READER)
    assert reader.get("/tablesdb/db/tables/t/rows").status_code == 200
    assert reader.get("/tablesdb/db/tables/t/columns").status_code == 200
    assert reader.get("/databases/db").status_code == 200


def test_a_missing_scope_is_401_general_unauthorized_scope_naming_what_the_route_accepts(scoped_server):
    reader = RawApi(scoped_server, key=READER)
    answer = reader.patch("/tablesdb/db/tables/t/rows/nothere", json={"data": {}})
    assert answer.status_code == 401
    body = answer.json()
    assert body["type"] == "general_unauthorized_scope"
    assert body["message"] == (
        f"app.{scoped_server.project_id}@service.{scoped_server.host} (role: applications) "
        f"missing scopes ({json.dumps(['rows.write', 'documents.write'], separators=(',', ':'))})"
    )
    assert reader.get("/users").json()["message"].endswith('missing scopes (["users.read"])')


def test_tablesdb_routes_also_take_the_legacy_scope_names_and_legacy_routes_only_theirs(scoped_server):
    legacy_reader = RawApi(scoped_server, key=LEGACY_READER)
    assert legacy_reader.get("/tablesdb/db/tables/t/rows").status_code == 200
    assert legacy_reader.get("/databases/db/collections/t/documents").status_code == 200
    reader = RawApi(scoped_server, key=READER)
    answer = reader.get("/databases/db/collections/t/documents")
    assert answer.status_code == 401
    assert answer.json()["message"].endswith('missing scopes (["documents.read"])')


def test_the_full_key_still_holds_every_scope_and_a_wrong_key_is_still_user_unauthorized(scoped_server):
    full = RawApi(scoped_server, key=scoped_server.api_key)
    answer = full.patch("/tablesdb/db/tables/t/rows/nothere", json={"data": {}})
    assert (answer.status_code, answer.json()["type"]) == (400, "row_missing_payload")
    answer = RawApi(scoped_server, key="key_nobody").get("/tablesdb/db/tables/t/rows")
    assert (answer.status_code, answer.json()["type"]) == (401, "user_unauthorized")
