"""Client sessions as Appwrite hands them out: the cookies `a_session_<project>` and `_legacy`, the
`X-Fallback-Cookies` header, and every account route reading the session from a cookie, the fallback header or
`X-Appwrite-Session`."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from appwrite.services.users import Users

PASSWORD = "correct horse battery"


@pytest.fixture
def person(admin_client, new_id):
    return Users(admin_client).create(user_id="unique()", email=f"{new_id('c')}@example.com", password=PASSWORD)


def login(server, email: str, headers: dict[str, str] | None = None, key: bool = False) -> requests.Response:
    h = {"X-Appwrite-Project": server.project_id, **(headers or {})}
    if key:
        h["X-Appwrite-Key"] = server.api_key
    return requests.post(server.endpoint + "/account/sessions/email", json={"email": email, "password": PASSWORD},
                         headers=h, timeout=30)


def set_cookies(r: requests.Response) -> dict[str, str]:
    """Set-Cookie lines by cookie name (requests folds repeated headers; the raw ones are in r.raw)."""
    return {line.split("=", 1)[0]: line for line in r.raw.headers.getlist("Set-Cookie")}


def test_a_client_login_sets_both_cookies_and_the_fallback_header(appwrite_server, person):
    r = login(appwrite_server, person.email)
    assert r.status_code == 201
    name = f"a_session_{appwrite_server.project_id}"
    cookies = set_cookies(r)
    assert set(cookies) == {name, name + "_legacy"}
    main, legacy = cookies[name], cookies[name + "_legacy"]
    assert main.endswith("; path=/; httponly; samesite=None")
    assert legacy.endswith("; path=/; httponly")  # no SameSite: for browsers that refuse None
    assert "domain=" not in main  # none for an IP address or localhost (AW request.php cookieDomain)
    max_age = int(main.split("Max-Age=")[1].split(";")[0])
    assert abs(max_age - 365 * 86400) < 60
    token = json.loads(r.headers["X-Fallback-Cookies"])[name]
    assert main.startswith(f"{name}={requests.utils.quote(token, safe='')};")
    assert r.json()["secret"] == ""  # the token only ever travels in cookies and the fallback header


@pytest.mark.parametrize("how", ["cookie", "legacy cookie", "fallback header", "session header"])
def test_every_account_route_reads_the_session_wherever_appwrite_looks(appwrite_server, person, how):
    r = login(appwrite_server, person.email)
    name = f"a_session_{appwrite_server.project_id}"
    token = json.loads(r.headers["X-Fallback-Cookies"])[name]
    headers = {"X-Appwrite-Project": appwrite_server.project_id}
    if how == "cookie":
        headers["Cookie"] = f"{name}={requests.utils.quote(token, safe='')}"
    elif how == "legacy cookie":
        headers["Cookie"] = f"{name}_legacy={requests.utils.quote(token, safe='')}"
    elif how == "fallback header":
        headers["X-Fallback-Cookies"] = json.dumps({name: token})
    else:
        headers["X-Appwrite-Session"] = token
    for path in ("/account", "/account/sessions", "/account/sessions/current"):
        answer = requests.get(appwrite_server.endpoint + path, headers=headers, timeout=30)
        assert answer.status_code == 200, (path, answer.text)
    assert requests.get(appwrite_server.endpoint + "/account", headers=headers, timeout=30).json()["$id"] == person.id


def test_the_key_login_hands_out_the_token_that_the_session_header_takes(appwrite_server, person):
    secret = login(appwrite_server, person.email, key=True).json()["secret"]
    assert secret
    me = requests.get(appwrite_server.endpoint + "/account", timeout=30,
                      headers={"X-Appwrite-Project": appwrite_server.project_id, "X-Appwrite-Session": secret})
    assert me.status_code == 200 and me.json()["$id"] == person.id


def test_signing_out_clears_the_cookies_and_the_fallback(appwrite_server, person):
    http = requests.Session()
    http.headers["X-Appwrite-Project"] = appwrite_server.project_id
    assert http.post(appwrite_server.endpoint + "/account/sessions/email", timeout=30,
                     json={"email": person.email, "password": PASSWORD}).status_code == 201
    assert http.get(appwrite_server.endpoint + "/account", timeout=30).status_code == 200  # by cookie alone
    out = http.delete(appwrite_server.endpoint + "/account/sessions/current", timeout=30)
    assert out.status_code == 204 and out.headers["X-Fallback-Cookies"] == "[]"
    cleared = set_cookies(out)
    name = f"a_session_{appwrite_server.project_id}"
    assert cleared[name].startswith(f"{name}=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0")
    assert cleared[name + "_legacy"].startswith(f"{name}_legacy=deleted;")
    assert not [c for c in http.cookies if c.name.startswith("a_session_")]
    assert http.get(appwrite_server.endpoint + "/account", timeout=30).status_code == 401


def test_on_a_domain_the_cookie_has_its_domain_and_a_verified_origin_gets_no_fallback(appwrite_server, person):
    r = login(appwrite_server, person.email,
              headers={"Host": "api.example.com", "Origin": "http://localhost:3000"})
    assert "X-Fallback-Cookies" in r.headers  # localhost does not share example.com
    assert "; domain=.api.example.com;" in set_cookies(r)[f"a_session_{appwrite_server.project_id}"]
    # the widget on app.example.com talking to api.example.com: cookies are first-party, no fallback
    r = login(appwrite_server, person.email, key=False,
              headers={"Host": "api.example.com", "Origin": "http://api.example.com"})
    assert r.status_code == 201 and "X-Fallback-Cookies" not in r.headers


def test_a_forged_or_garbled_token_is_no_session(appwrite_server, person):
    r = login(appwrite_server, person.email)
    name = f"a_session_{appwrite_server.project_id}"
    token = json.loads(r.headers["X-Fallback-Cookies"])[name]
    decoded = json.loads(base64.b64decode(token))
    forged = base64.b64encode(json.dumps({**decoded, "secret": "0" * 128}).encode()).decode()
    for value in (forged, "not base64 at all!", "e30=", ""):
        answer = requests.get(appwrite_server.endpoint + "/account", timeout=30, headers={
            "X-Appwrite-Project": appwrite_server.project_id, "X-Appwrite-Session": value})
        assert answer.status_code == 401 and answer.json()["type"] == "general_unauthorized_scope"
