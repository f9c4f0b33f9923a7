"""Agents sign in with their Appwrite email and password; only members of the agents team get in,
and everyone else gets the same answer."""

import re

import pytest
from django.test import Client

from dashboard.appwrite import agents
from dashboard.signin import REFUSED, UNREACHABLE
from tests.agent_fixtures import csrf_token, post_sign_in


def problem_of(response) -> str:
    match = re.search(r'data-field="sign-in-problem">([^<]*)<', response.content.decode())
    return match.group(1) if match else ""


def test_the_sign_in_page_is_a_form_with_email_and_password():
    response = Client().get("/login/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'method="post"' in html and 'action="/login/"' in html
    assert 'name="email"' in html and 'type="password"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "Sign out" not in html


def test_a_member_of_the_agents_team_signs_in_and_sees_the_sessions(agent, rows):
    client = Client()

    response = post_sign_in(client, agent.email, agent.password)

    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="session-rows"' in page.content.decode()
    assert "Ada Agent" in page.content.decode() and 'data-action="sign-out"' in page.content.decode()


def test_the_email_is_not_case_sensitive(agent, rows):
    response = post_sign_in(Client(), agent.email.upper(), agent.password)

    assert response.status_code == 302


def test_signing_in_returns_to_the_page_that_was_asked_for(agent, rows):
    client = Client()
    first = client.get("/?status=closed")
    assert first.status_code == 302 and first["Location"] == "/login/?next=%2F%3Fstatus%3Dclosed"

    response = post_sign_in(client, agent.email, agent.password, next="/?status=closed")

    assert response["Location"] == "/?status=closed"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_signing_in_never_sends_the_agent_to_another_site(agent, target):
    response = post_sign_in(Client(), agent.email, agent.password, next=target)

    assert response.status_code == 302 and response["Location"] == "/"


def _refused_attempts(agent_accounts):
    """Each way of not getting in, as (email, password)."""
    member = agent_accounts.user()
    outsider = agent_accounts.user(member=False)
    blocked = agent_accounts.user()
    agent_accounts.block(blocked)
    return {
        "wrong password": (member.email, "not-the-password"),
        "unknown email": ("nobody-" + member.email, member.password),
        "not in the agents team": (outsider.email, outsider.password),
        "blocked user": (blocked.email, blocked.password),
        "malformed email": ("not an email", "whatever-password"),
        "short password": (member.email, "short"),
    }


def test_wrong_password_unknown_email_non_member_and_blocked_user_get_the_same_answer(agent_accounts):
    answers = {}
    for case, (email, password) in _refused_attempts(agent_accounts).items():
        client = Client(REMOTE_ADDR=f"10.0.0.{len(answers) + 1}")
        response = post_sign_in(client, email, password)
        answers[case] = (response.status_code, problem_of(response), "sessionid" in response.cookies)

    assert set(answers.values()) == {(200, REFUSED, False)}, answers


def test_a_refused_agent_sees_no_page(agent_accounts):
    outsider = agent_accounts.user(member=False)
    client = Client()
    post_sign_in(client, outsider.email, outsider.password)

    assert client.get("/")["Location"].startswith("/login/")


def test_a_sign_in_is_an_appwrite_session_of_the_agent_that_lasts_until_signing_out(agent_accounts, rows):
    someone = agent_accounts.user()
    client = Client()

    post_sign_in(client, someone.email, someone.password)

    assert len(agent_accounts.users.list_sessions(someone.user_id).sessions) == 1
    client.post("/logout/", {"csrfmiddlewaretoken": csrf_token(client)})
    assert agent_accounts.users.list_sessions(someone.user_id).sessions == []


def test_the_appwrite_session_of_someone_refused_is_deleted_at_once(agent_accounts):
    outsider = agent_accounts.user(member=False)

    assert post_sign_in(Client(), outsider.email, outsider.password).status_code == 200

    assert agent_accounts.users.list_sessions(outsider.user_id).sessions == []


def test_the_sign_in_transport_never_keeps_appwrite_session_cookies(agent):
    from http.cookiejar import Cookie

    post_sign_in(Client(), agent.email, agent.password)
    jar = agents._sign_in_transport().session.cookies
    cookie = Cookie(0, "a_session_demo", "secret", None, False, "127.0.0.1", True, False, "/", True,
                    False, None, False, None, None, {})  # fmt: skip
    jar.set_cookie_if_ok(cookie, _FakeRequest("http://127.0.0.1/v1/account/sessions/email"))

    assert len(jar) == 0


class _FakeRequest:
    """What http.cookiejar asks of a request when deciding whether to keep a cookie."""

    def __init__(self, url):
        self.url = url
        self.unverifiable = False
        self.origin_req_host = "127.0.0.1"

    def get_full_url(self):
        return self.url

    def get_host(self):
        return "127.0.0.1"

    def get_type(self):
        return "http"

    def is_unverifiable(self):
        return False

    def get_origin_req_host(self):
        return "127.0.0.1"

    def has_header(self, name):
        return False


def test_an_unreachable_appwrite_is_reported_as_such_not_as_a_wrong_password(agent, unreachable_appwrite):
    response = post_sign_in(Client(), agent.email, agent.password)

    assert response.status_code == 503
    assert problem_of(response) == UNREACHABLE
    assert "sessionid" not in response.cookies


def test_an_appwrite_server_error_is_not_a_wrong_password(agent, appwrite_server):
    client = Client()
    token = csrf_token(client)
    appwrite_server.set_faults("500", count=1)

    response = client.post("/login/", {"email": agent.email, "password": agent.password, "csrfmiddlewaretoken": token})

    assert response.status_code == 503 and problem_of(response) == UNREACHABLE


def test_signing_in_needs_the_csrf_token(agent):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"email": agent.email, "password": agent.password})

    assert response.status_code == 403
    assert "sessionid" not in response.cookies


def test_signing_in_gives_a_new_session_cookie_and_csrf_token(agent, rows):
    client = Client()
    post_sign_in(client, agent.email, agent.password)
    first_session = client.cookies["sessionid"].value
    first_csrf = client.cookies["csrftoken"].value

    post_sign_in(client, agent.email, agent.password)

    assert client.cookies["sessionid"].value != first_session
    assert client.cookies["csrftoken"].value != first_csrf


def test_the_session_cookie_is_http_only_same_site_lax_and_lasts_twelve_idle_hours(agent):
    response = post_sign_in(Client(), agent.email, agent.password)
    cookie = response.cookies["sessionid"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 60 * 60


def test_a_signed_in_agent_visiting_the_sign_in_page_goes_to_the_list(client):
    response = client.get("/login/")

    assert response.status_code == 302 and response["Location"] == "/"
