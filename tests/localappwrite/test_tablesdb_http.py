"""Raw HTTP against the databases routes: status codes, headers and Appwrite's 4xx for bad input."""

from __future__ import annotations

import pytest

from .conftest import RawApi


@pytest.fixture
def table_path(raw_admin, new_id) -> str:
    db = new_id("db")
    assert raw_admin.post("/tablesdb", json={"databaseId": db, "name": "Raw"}).status_code == 201
    assert raw_admin.post(f"/tablesdb/{db}/tables", json={"tableId": "t", "name": "T"}).status_code == 201
    r = raw_admin.post(f"/tablesdb/{db}/tables/t/columns/varchar", json={"key": "a", "size": 10, "required": False})
    assert r.status_code == 202 and r.json()["status"] == "available"
    return f"/tablesdb/{db}/tables/t"


def test_creates_answer_201_and_deletes_204_with_a_content_type(raw_admin, table_path):
    r = raw_admin.post(f"{table_path}/rows", json={"rowId": "r1", "data": {"a": "x"}})
    assert r.status_code == 201 and r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["$sequence"] == "1" and body["$tableId"] == "t"
    r = raw_admin.delete(f"{table_path}/rows/r1")
    assert r.status_code == 204 and r.headers["Content-Type"]


def test_error_bodies_have_message_integer_code_type_and_version(raw_admin, table_path):
    body = raw_admin.get(f"{table_path}/rows/nope").json()
    assert set(body) == {"message", "code", "type", "version"}
    assert (body["code"], body["type"]) == (404, "row_not_found")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 100000],
                         ids=["broken", "array", "string", "not-utf8", "deeply-nested"])
def test_malformed_bodies_are_400(raw_admin, table_path, raw):
    r = raw_admin.post(f"{table_path}/rows", data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["type"] == "general_argument_invalid"


@pytest.mark.parametrize("body", [
    {"rowId": "r1", "data": "not an object"},
    {"rowId": "r1", "data": [1, 2]},
    {"rowId": 5, "data": {"a": "x"}},
    {"data": {"a": "x"}},
    {"rowId": "r1", "data": {"a": "x"}, "permissions": "read(any)"},
])
def test_mistyped_params_are_400_general_argument_invalid(raw_admin, table_path, body):
    r = raw_admin.post(f"{table_path}/rows", json=body)
    assert r.status_code == 400 and r.json()["type"] == "general_argument_invalid"


@pytest.mark.parametrize("value", ["x" * 1_000_000, 10 ** 40, 1e308, {"nested": "object"}, [["deep"]]],
                         ids=["megabyte-string", "huge-int", "huge-float", "object", "nested-array"])
def test_huge_or_odd_values_are_400_row_invalid_structure(raw_admin, table_path, value):
    r = raw_admin.post(f"{table_path}/rows", json={"rowId": "r1", "data": {"a": value}})
    assert r.status_code == 400 and r.json()["type"] == "row_invalid_structure"


@pytest.mark.parametrize("params", [
    {"queries": "not-an-array"},
    {"total": "maybe"},
    {"queries[0]": "x" * 4097},
])
def test_bad_list_params_are_400_general_argument_invalid(raw_admin, table_path, params):
    r = raw_admin.get(f"{table_path}/rows", params=params)
    assert r.status_code == 400 and r.json()["type"] == "general_argument_invalid"


@pytest.mark.parametrize("params", [{"queries[0]": "{"}, {"queries[0]": '{"method":"limit","values":[1e400]}'},
                                    {"queries[0]": '{"method":"limit","values":[99999999999999999999999]}'}])
def test_broken_query_json_is_400_general_query_invalid(raw_admin, table_path, params):
    r = raw_admin.get(f"{table_path}/rows", params=params)
    assert r.status_code == 400 and r.json()["type"] == "general_query_invalid"


def test_unknown_database_subroutes_are_404_general_route_not_found(raw_admin, table_path):
    for path in (f"{table_path}/columns/relationship", f"{table_path}/rows/r1/extra/segments/here"):
        r = raw_admin.post(path, json={})
        assert r.status_code == 404 and r.json()["type"] == "general_route_not_found"


def test_rows_need_the_api_key(appwrite_server, table_path):
    guest = RawApi(appwrite_server)
    r = guest.get(f"{table_path}/rows")
    assert (r.status_code, r.json()["type"]) == (401, "user_unauthorized")
    wrong = RawApi(appwrite_server, key="wrong")
    r = wrong.get(f"{table_path}/rows")
    assert (r.status_code, r.json()["type"]) == (401, "user_unauthorized")
    r = guest.post("/tablesdb", json={"databaseId": "x", "name": "x"})
    assert (r.status_code, r.json()["type"]) == (401, "general_unauthorized_scope")
    r = RawApi(appwrite_server, key=appwrite_server.api_key, project="other").get(f"{table_path}/rows")
    assert (r.status_code, r.json()["type"]) == (404, "project_not_found")
