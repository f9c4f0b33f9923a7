"""Appwrite-shaped errors: unknown routes, auth failures, malformed input, huge values — never a 500."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from appwrite.exception import AppwriteException
from appwrite.services.users import Users

from .conftest import RawApi, sdk_client


def assert_error(r: requests.Response, code: int, type_: str) -> dict:
    assert r.status_code == code, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"message", "code", "type", "version"}
    assert body["code"] == code and isinstance(body["code"], int)
    assert body["type"] == type_ and body["message"] and body["version"] == "1.9.6"
    return body


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/v1/nothing/here"),
        ("POST", "/v1/users/x/y/z"),
        ("PUT", "/v1/users"),
        ("DELETE", "/v1"),
        ("GET", "/"),
        ("GET", "/console"),
        ("PATCH", "/v2/users"),
        ("GET", "/v1/account/sessions/email/extra"),
    ],
)
def test_unknown_route_is_404_general_route_not_found(appwrite_server, method, path):
    r = requests.request(
        method,
        f"http://{appwrite_server.host}:{appwrite_server.port}{path}",
        timeout=10,
        headers={"X-Appwrite-Project": appwrite_server.project_id, "X-Appwrite-Key": appwrite_server.api_key},
    )
    body = assert_error(r, 404, "general_route_not_found")
    assert body["message"] == ("Route not found. Please ensure the endpoint is configured correctly and that the API "
                               "route is valid for this SDK version. Refer to the API docs for more details.")


def test_unknown_route_through_the_sdk_raises_with_code_and_type(admin_client):
    with pytest.raises(AppwriteException) as e:
        admin_client.call("get", "/no/such/route", {"content-type": "application/json"}, {})
    assert e.value.code == 404 and e.value.type == "general_route_not_found"


def test_wrong_project_is_404_project_not_found(appwrite_server):
    with pytest.raises(AppwriteException) as e:
        Users(sdk_client(appwrite_server, key=appwrite_server.api_key, project="other-project")).list()
    assert e.value.code == 404 and e.value.type == "project_not_found"


def test_wrong_key_is_401_user_unauthorized(appwrite_server):
    with pytest.raises(AppwriteException) as e:
        Users(sdk_client(appwrite_server, key="wrong-key")).list()
    assert e.value.code == 401 and e.value.type == "user_unauthorized"


def test_no_key_on_users_is_401_general_unauthorized_scope(appwrite_server):
    with pytest.raises(AppwriteException) as e:
        Users(sdk_client(appwrite_server)).create(user_id="nokey", email="nokey@example.com")
    assert e.value.code == 401 and e.value.type == "general_unauthorized_scope"
    assert e.value.message == 'User (role: guests) missing scopes (["users.write"])'


def test_key_without_project_is_403_project_id_missing(appwrite_server):
    r = requests.get(
        appwrite_server.endpoint + "/users", headers={"X-Appwrite-Key": appwrite_server.api_key}, timeout=10
    )
    assert_error(r, 403, "project_id_missing")


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", b"\xff\xfe", b'"just a string"', b"null"])
def test_malformed_json_body_is_400(raw_admin, payload):
    r = raw_admin.post("/users", data=payload, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["type"] == "general_argument_invalid"


@pytest.mark.parametrize(
    "raw_query",
    [
        "queries[0]={bad",
        "queries[0]=%7B%7D%7D",
        "queries=notalist",
        "queries[0]=%5B%5D",
        "queries[0]=" + "x" * 5000,
        "total=maybe",
        "search=" + "s" * 300,
    ],
)
def test_broken_list_parameters_are_400_on_users(raw_admin, raw_query):
    r = raw_admin.get("/users?" + raw_query)
    assert_error(r, 400, "general_argument_invalid")


def test_broken_query_json_on_memberships_is_400(raw_admin, new_id):
    tid = new_id("t")
    assert raw_admin.post("/teams", json={"teamId": tid, "name": "x"}).status_code == 201
    assert_error(raw_admin.get(f"/teams/{tid}/memberships?queries[0]=%7B"), 400, "general_argument_invalid")


def test_more_than_100_queries_is_400(raw_admin):
    params = {f"queries[{i}]": json.dumps({"method": "limit", "values": [1]}) for i in range(101)}
    assert_error(raw_admin.get("/users", params=params), 400, "general_argument_invalid")


@pytest.mark.parametrize(
    "body",
    [
        {"userId": "u" * 10_000, "email": "a@example.com"},
        {"userId": "unique()", "name": "n" * 1_000_000},
        {"userId": "unique()", "email": "e" * 100_000 + "@example.com"},
        {"userId": "unique()", "password": "p" * 100_000},
        {"userId": 12345},
        {"userId": ["list"]},
        {"userId": "unique()", "email": {"an": "object"}},
        {"userId": "unique()", "phone": 5551234},
        {"userId": None},
        {},
    ],
)
def test_huge_or_mistyped_values_are_400_not_500(raw_admin, body):
    assert_error(raw_admin.post("/users", json=body), 400, "general_argument_invalid")


def test_huge_limit_and_offset_values_are_refused_by_the_queries_validator(raw_admin):
    r = raw_admin.get(
        "/users",
        params={
            "queries[0]": json.dumps({"method": "limit", "values": [10**30]}),
            "queries[1]": json.dumps({"method": "offset", "values": [10**30]}),
        },
    )
    # utopia's Limit validator is Range(1, PHP_INT_MAX): past it, the `queries` param is invalid (not a 500).
    body = assert_error(r, 400, "general_argument_invalid")
    assert body["message"].startswith("Invalid `queries` param: Invalid query: Invalid limit: ")


@pytest.mark.parametrize(
    "path", ["/users/" + "x" * 5000, "/users/..%2F..", "/teams/%00bad", "/teams/_x/memberships"]
)
def test_bad_path_ids_are_400_not_500(raw_admin, path):
    assert_error(raw_admin.get(path), 400, "general_argument_invalid")


def test_status_must_be_a_boolean(raw_admin, new_id):
    uid = new_id("u")
    assert raw_admin.post("/users", json={"userId": uid}).status_code == 201
    assert_error(
        raw_admin.patch(f"/users/{uid}/status", json={"status": "blocked"}), 400, "general_argument_invalid"
    )
    assert_error(raw_admin.patch(f"/users/{uid}/status", json={}), 400, "general_argument_invalid")


def test_too_large_body_is_rejected_with_400(appwrite_server):
    with socket.create_connection((appwrite_server.host, appwrite_server.port), timeout=10) as s:
        s.sendall(
            b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 999999999999\r\n\r\n{}"
        )
        chunks = []
        while True:  # the server answers, then closes the connection
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        answer = b"".join(chunks).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 400") and "general_argument_invalid" in answer


def test_a_session_header_with_garbage_is_treated_as_a_guest(appwrite_server):
    raw = RawApi(appwrite_server, session="\u00e9" * 10 + "x" * 5000)
    assert_error(raw.get("/account"), 401, "general_unauthorized_scope")


def test_the_server_keeps_answering_after_all_the_bad_input(raw_admin):
    assert raw_admin.get("/users").status_code == 200


@pytest.mark.parametrize(
    "mode,code,type_",
    [
        ("500", 500, "general_server_error"),
        ("503", 503, "general_service_disabled"),
        ("429", 429, "general_rate_limit_exceeded"),
    ],
)
def test_fault_switch_makes_the_next_answers_fail_on_purpose(
    appwrite_server, admin_client, mode, code, type_
):
    appwrite_server.set_faults(mode, count=1)
    with pytest.raises(AppwriteException) as e:
        Users(admin_client).list()
    assert e.value.code == code and e.value.type == type_
    assert Users(admin_client).list().total >= 0  # count=1: the next call succeeds again


def test_fault_switch_can_make_the_server_hang(appwrite_server):
    appwrite_server.set_faults("hang", count=1, hang_seconds=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(appwrite_server.endpoint + "/health/version", timeout=0.3)


def test_fault_switch_can_send_retry_after_with_a_429(appwrite_server):
    appwrite_server.set_faults("429", count=2, retry_after=7)
    answer = requests.get(appwrite_server.endpoint + "/health/version", timeout=5)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    appwrite_server.set_faults("429", count=1)
    assert "Retry-After" not in requests.get(appwrite_server.endpoint + "/health/version", timeout=5).headers


def test_fault_switch_can_answer_a_proxy_error_page_cut_off_json_or_nothing(appwrite_server):
    url = appwrite_server.endpoint + "/health/version"
    appwrite_server.set_faults("html", count=1)
    page = requests.get(url, timeout=5)
    assert page.status_code == 502 and page.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in page.text

    appwrite_server.set_faults("malformed", count=1)
    cut = requests.get(url, timeout=5)
    assert cut.status_code == 200 and cut.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        cut.json()

    appwrite_server.set_faults("reset", count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=5)
    assert requests.get(url, timeout=5).status_code == 200  # count=1: answers again


def test_fault_switch_can_fail_only_some_methods_and_lose_the_answer_of_a_request_it_carried_out(
    appwrite_server, admin_client
):
    from appwrite.id import ID

    appwrite_server.set_faults("lost", count=1, methods=("POST",))
    assert requests.get(appwrite_server.endpoint + "/health/version", timeout=5).status_code == 200
    with pytest.raises(AppwriteException):
        Users(admin_client).create(ID.custom("lost-answer-user"), email="lost@example.com", password="a-password-1")

    assert Users(admin_client).get("lost-answer-user").email == "lost@example.com"  # it was created
