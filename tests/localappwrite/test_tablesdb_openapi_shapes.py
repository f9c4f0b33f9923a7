"""Every databases route's answer (TablesDB and legacy) validated against Appwrite's OpenAPI spec, with the
1.9 differences that `openapi_check` patches in."""

from __future__ import annotations

import json

from .openapi_check import validate_body, validate_response


def q(method: str, attribute: str | None = None, values: list | None = None) -> str:
    body: dict = {"method": method}
    if attribute is not None:
        body["attribute"] = attribute
    if values is not None:
        body["values"] = values
    return json.dumps(body)


def test_tablesdb_answers_match_the_spec(raw_admin, new_id):
    db = new_id("db")
    ok = validate_response
    ok(raw_admin.post("/tablesdb", json={"databaseId": db, "name": "Spec"}))
    ok(raw_admin.get("/tablesdb"))
    ok(raw_admin.get(f"/tablesdb/{db}"))
    ok(raw_admin.put(f"/tablesdb/{db}", json={"name": "Spec 2"}))
    ok(raw_admin.post(f"/tablesdb/{db}/tables", json={"tableId": "t", "name": "T", "permissions": ['read("any")']}))
    base = f"/tablesdb/{db}/tables/t"
    for kind, body in [("string", {"key": "s", "size": 10, "required": True}),
                       ("varchar", {"key": "v", "size": 10, "required": False, "default": "x"}),
                       ("integer", {"key": "i", "required": False, "min": 0, "max": 9, "default": 1}),
                       ("float", {"key": "f", "required": False}),
                       ("boolean", {"key": "b", "required": False, "default": False}),
                       ("datetime", {"key": "d", "required": False}),
                       ("enum", {"key": "e", "elements": ["a", "b"], "required": False}),
                       ("email", {"key": "m", "required": False})]:
        ok(raw_admin.post(f"{base}/columns/{kind}", json=body))
    ok(raw_admin.patch(f"{base}/columns/varchar/v", json={"required": False, "default": "y"}))
    ok(raw_admin.get(f"{base}/columns"))
    for key in ("s", "i", "f", "b", "d", "e", "m"):
        ok(raw_admin.get(f"{base}/columns/{key}"))
    ok(raw_admin.post(f"{base}/indexes", json={"key": "k", "type": "key", "columns": ["s", "d"]}))
    ok(raw_admin.post(f"{base}/indexes", json={"key": "ft", "type": "fulltext", "columns": ["s"]}))
    ok(raw_admin.get(f"{base}/indexes"))
    ok(raw_admin.get(f"{base}/indexes/k"))
    ok(raw_admin.get(base))
    ok(raw_admin.get(f"/tablesdb/{db}/tables"))
    ok(raw_admin.put(base, json={"name": "T2", "rowSecurity": True}))
    ok(raw_admin.post(f"{base}/rows", json={"rowId": "r1", "data": {"s": "one", "d": "2024-01-01T00:00:00Z"}}))
    # The bulk form of POST …/rows shares the single-row path in the spec; Appwrite answers a RowList there.
    bulk = raw_admin.post(f"{base}/rows", json={"rows": [{"$id": "r2", "s": "two"}, {"s": "three"}]})
    assert bulk.status_code == 201
    validate_body(bulk.json(), {"$ref": "#/definitions/rowList"})
    ok(raw_admin.get(f"{base}/rows", params={"queries[0]": q("orderDesc", "d"), "queries[1]": q("limit", values=[2])}))
    ok(raw_admin.get(f"{base}/rows/r1"))
    ok(raw_admin.patch(f"{base}/rows/r1", json={"data": {"i": 5}}))
    ok(raw_admin.put(f"{base}/rows/r9", json={"data": {"s": "nine"}}))
    ok(raw_admin.patch(f"{base}/rows/r1/i/increment", json={"value": 1}))
    ok(raw_admin.patch(f"{base}/rows/r1/i/decrement", json={"value": 1}))
    ok(raw_admin.patch(f"{base}/rows", json={"data": {"b": True}, "queries": [q("equal", "s", ["two"])]}))
    ok(raw_admin.delete(f"{base}/rows", json={"queries": [q("equal", "s", ["two"])]}))
    ok(raw_admin.delete(f"{base}/rows/r1"))
    ok(raw_admin.get(f"{base}/rows/r1"))  # 404 error body
    ok(raw_admin.get(f"{base}/rows", params={"queries[0]": q("count")}))  # 400 error body
    ok(raw_admin.delete(f"{base}/indexes/k"))
    ok(raw_admin.delete(f"{base}/columns/i"))
    ok(raw_admin.delete(base))
    ok(raw_admin.delete(f"/tablesdb/{db}"))


def test_legacy_databases_answers_match_the_spec(raw_admin, new_id):
    db = new_id("db")
    ok = validate_response
    ok(raw_admin.post("/databases", json={"databaseId": db, "name": "Legacy"}))
    ok(raw_admin.get("/databases"))
    ok(raw_admin.get(f"/databases/{db}"))
    ok(raw_admin.post(f"/databases/{db}/collections", json={"collectionId": "c", "name": "C"}))
    base = f"/databases/{db}/collections/c"
    ok(raw_admin.post(f"{base}/attributes/string", json={"key": "s", "size": 10, "required": False}))
    ok(raw_admin.post(f"{base}/attributes/datetime", json={"key": "d", "required": False}))
    ok(raw_admin.post(f"{base}/attributes/integer", json={"key": "i", "required": False}))
    ok(raw_admin.post(f"{base}/attributes/boolean", json={"key": "b", "required": False}))
    ok(raw_admin.get(f"{base}/attributes"))
    ok(raw_admin.get(f"{base}/attributes/s"))
    ok(raw_admin.post(f"{base}/indexes", json={"key": "k", "type": "key", "attributes": ["s"]}))
    ok(raw_admin.get(f"{base}/indexes"))
    ok(raw_admin.get(f"{base}/indexes/k"))
    ok(raw_admin.get(base))
    ok(raw_admin.get(f"/databases/{db}/collections"))
    ok(raw_admin.put(base, json={"name": "C2", "documentSecurity": True}))
    ok(raw_admin.post(f"{base}/documents", json={"documentId": "d1", "data": {"s": "one"}}))
    ok(raw_admin.get(f"{base}/documents"))
    ok(raw_admin.get(f"{base}/documents/d1"))
    ok(raw_admin.patch(f"{base}/documents/d1", json={"data": {"i": 2}}))
    ok(raw_admin.delete(f"{base}/documents/d1"))
    ok(raw_admin.get(f"{base}/documents/d1"))
    ok(raw_admin.delete(f"{base}/attributes/s"))
    ok(raw_admin.delete(base))
    ok(raw_admin.delete(f"/databases/{db}"))
