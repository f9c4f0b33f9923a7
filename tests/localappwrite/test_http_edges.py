"""What a client meets at the edges of HTTP: odd methods, preflights, unreadable bodies, broken request lines.
Appwrite answers each with its JSON error (or CORS headers), never an HTML page and never a 5xx."""

from __future__ import annotations

import http.client
import json
import socket

import pytest


def raw_request(server, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"X-Appwrite-Project": server.project_id,
                                                        "X-Appwrite-Key": server.api_key, **(headers or {})})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def assert_appwrite_error(status: int, headers: dict[str, str], body: bytes, code: int, type_: str) -> dict:
    assert status == code, body[:300]
    assert headers["content-type"].startswith("application/json")
    parsed = json.loads(body)
    assert parsed["code"] == code and parsed["type"] == type_ and parsed["version"] == "1.9.6"
    return parsed


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT", "FOO", "LINK"])
def test_a_method_appwrite_does_not_serve_is_its_json_404(appwrite_server, method):
    status, headers, body = raw_request(appwrite_server, method, "/v1/users")
    assert_appwrite_error(status, headers, body, 404, "general_route_not_found")


def test_head_is_get_without_a_body(appwrite_server):
    status, headers, body = raw_request(appwrite_server, "HEAD", "/v1/health/version")
    assert status == 200 and body == b"" and headers["content-type"].startswith("application/json")


def test_a_path_outside_the_api_is_a_json_404_too(appwrite_server):
    status, headers, body = raw_request(appwrite_server, "GET", "/console/../../etc/passwd")
    assert_appwrite_error(status, headers, body, 404, "general_route_not_found")


def test_a_preflight_is_answered_like_appwrite_with_the_origin_echoed(appwrite_server):
    status, headers, body = raw_request(appwrite_server, "OPTIONS", "/v1/account/sessions/email", headers={
        "Origin": "https://chat.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-appwrite-project,x-sdk-version"})
    assert status == 204 and body == b""
    assert headers["access-control-allow-origin"] == "https://chat.example.com"
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["access-control-allow-methods"] == "GET, POST, PUT, PATCH, DELETE"
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "x-appwrite-project", "x-sdk-version", "x-fallback-cookies"} <= allowed
    assert headers["access-control-expose-headers"] == "X-Appwrite-Session, X-Fallback-Cookies"


def test_a_loopback_origin_is_allowed_and_a_stranger_is_refused(appwrite_server):
    guest = {"X-Appwrite-Key": ""}
    status, headers, _ = raw_request(appwrite_server, "GET", "/v1/health/version",
                                     headers={**guest, "Origin": "http://localhost:5173"})
    assert status == 200 and headers["access-control-allow-origin"] == "http://localhost:5173"
    conn = http.client.HTTPConnection(appwrite_server.host, appwrite_server.port, timeout=30)
    conn.request("POST", "/v1/account/sessions/email", body=b"{}", headers={
        "X-Appwrite-Project": appwrite_server.project_id, "Origin": "https://evil.example",
        "Content-Type": "application/json"})
    r = conn.getresponse()
    parsed = assert_appwrite_error(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read(), 403,
                                   "general_unknown_origin")
    conn.close()
    assert "(evil.example)" in parsed["message"] and "access-control-allow-origin" not in dict(r.getheaders())


@pytest.mark.parametrize("body", [
    b'{"userId": "\\ud800abc"}',  # a lone surrogate: PHP's json_decode refuses the body
    '{"userId": "abc"}'.encode("utf-16"),  # not UTF-8
    b'{"userId": "abc", "email": ',  # cut off
    b"\xff\xfe\x00garbage",
    b"[" * 100_000 + b"]" * 100_000,  # deeper than any decoder goes
    b'"just a string"',
])
def test_a_body_php_cannot_decode_reads_as_no_params(appwrite_server, body):
    status, headers, answer = raw_request(appwrite_server, "POST", "/v1/users", body=body,
                                          headers={"Content-Type": "application/json"})
    parsed = assert_appwrite_error(status, headers, answer, 400, "general_argument_invalid")
    assert parsed["message"] == 'Param "userId" is not optional.'


def test_a_lone_surrogate_in_a_row_never_reaches_storage(appwrite_server, raw_admin, tables_db, database_id, new_id):
    table = new_id("t")
    tables_db.create_table(database_id, table, "T")
    tables_db.create_varchar_column(database_id, table, "text", 64, False)
    body = b'{"rowId": "unique()", "data": {"text": "\\udfff"}}'
    status, headers, answer = raw_request(appwrite_server, "POST",
                                          f"/v1/tablesdb/{database_id}/tables/{table}/rows", body=body,
                                          headers={"Content-Type": "application/json"})
    assert_appwrite_error(status, headers, answer, 400, "general_argument_invalid")
    assert tables_db.list_rows(database_id, table).total == 0


def send_raw(server, data: bytes) -> tuple[bytes, bytes]:
    with socket.create_connection((server.host, server.port), timeout=30) as s:
        s.sendall(data)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def test_a_lone_surrogate_in_a_query_is_the_query_parsers_400(raw_admin, tables_db, database_id, new_id):
    query = '{"method": "equal", "attribute": "name", "values": ["\\ud800"]}'
    users = raw_admin.get("/users", params={"queries[0]": query})
    assert users.status_code == 400 and users.json()["message"] == (
        "Invalid `queries` param: Invalid query: Single unpaired UTF-16 surrogate in unicode escape")
    table = new_id("t")
    tables_db.create_table(database_id, table, "T")
    tables_db.create_varchar_column(database_id, table, "name", 64, False)
    rows = raw_admin.get(f"/tablesdb/{database_id}/tables/{table}/rows", params={"queries[0]": query})
    assert (rows.status_code, rows.json()["type"]) == (400, "general_query_invalid")


def test_a_body_over_the_limit_is_a_400_before_it_is_read(appwrite_server):
    head, body = send_raw(appwrite_server, b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                           b"Content-Length: 22000000\r\n\r\n{")
    assert head.startswith(b"HTTP/1.1 400 ") and json.loads(body)["type"] == "general_argument_invalid"


@pytest.mark.parametrize("request_line", [b"GARBAGE\r\n\r\n", b"GET /v1/users HTTP/9.9\r\n\r\n",
                                          b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n"])
def test_a_broken_request_line_is_a_json_400(appwrite_server, request_line):
    head, body = send_raw(appwrite_server, request_line)
    assert head.split(b" ")[1].startswith(b"4"), head[:200]
    assert b"application/json" in head and json.loads(body)["type"] == "general_bad_request"


def test_a_form_encoded_body_is_read_as_params(appwrite_server, new_id):
    user_id = new_id("form")
    status, _, body = raw_request(appwrite_server, "POST", "/v1/users", body=f"userId={user_id}".encode(),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 201 and json.loads(body)["$id"] == user_id
