"""Every page and action needs a signed-in agent, except sign-in itself, the health probes and static
files; state-changing requests need the CSRF token and change nothing in Appwrite without it."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from dashboard.access import PUBLIC_URL_NAMES
from tests.agent_fixtures import post_sign_in
from tests.htmx import HTMX

HTMX_ON_THE_LIST = {**HTMX, "HX-Current-URL": "http://testserver/"}


def _every_route() -> list[tuple[str, str]]:
    routes = []
    for pattern in get_resolver().url_patterns:
        assert isinstance(pattern, URLPattern), "an include() would need walking here"
        arguments = {name: "s_probe" for name in pattern.pattern.converters}
        routes.append((pattern.name, reverse(pattern.name, kwargs=arguments)))
    return routes


PROTECTED = [pytest.param(url, id=name) for name, url in _every_route() if name not in PUBLIC_URL_NAMES]


def test_the_public_routes_are_exactly_sign_in_sign_out_and_the_health_probes():
    names = {name for name, _ in _every_route()}

    assert PUBLIC_URL_NAMES == {"login", "logout", "healthz", "readyz"}
    assert PUBLIC_URL_NAMES <= names


@pytest.mark.parametrize("url", PROTECTED)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_out_request_is_sent_to_sign_in(rows, url, method):
    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", PROTECTED)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_out_htmx_request_gets_hx_redirect_and_no_content(rows, url, method):
    response = getattr(Client(), method)(url, headers=HTMX_ON_THE_LIST)

    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/login/")
    assert response.content == b""


def test_public_pages_answer_signed_out(rows):
    client = Client()

    assert client.get("/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/static/dashboard/app.css").status_code == 200


def test_a_signed_out_close_changes_nothing_in_appwrite(rows):
    from dashboard.appwrite import chat_sessions

    rows.session("s_open", status="active")

    response = Client().post("/sessions/s_open/close/", {"next": "/"})

    assert response["Location"].startswith("/login/")
    assert chat_sessions.get_session("s_open").status == "active"


def test_closing_without_a_csrf_token_is_refused_and_changes_nothing_in_appwrite(agent, rows):
    from dashboard.appwrite import chat_sessions

    rows.session("s_open", status="active")
    client = Client(enforce_csrf_checks=True)
    assert post_sign_in(client, agent.email, agent.password).status_code == 302

    refused = client.post("/sessions/s_open/close/", {"next": "/"})
    refused_htmx = client.post("/sessions/s_open/close/", headers=HTMX)

    assert refused.status_code == 403 and refused_htmx.status_code == 403
    assert chat_sessions.get_session("s_open").status == "active"

    html = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.post("/sessions/s_open/close/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert chat_sessions.get_session("s_open").status == "closed"


@pytest.mark.parametrize("url", PROTECTED)
def test_no_post_gets_through_without_a_csrf_token(agent, rows, url):
    client = Client(enforce_csrf_checks=True)
    post_sign_in(client, agent.email, agent.password)

    assert client.post(url).status_code == 403


def test_signing_out_needs_a_csrf_token(agent, rows):
    client = Client(enforce_csrf_checks=True)
    post_sign_in(client, agent.email, agent.password)

    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200
