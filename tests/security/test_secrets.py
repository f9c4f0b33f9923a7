"""The Appwrite API key never reaches a page, a log line or an error message, whatever Appwrite does."""

import logging

import pytest
from django.test import Client

from tests.agent_fixtures import post_sign_in
from tests.htmx import HTMX


@pytest.fixture
def everything_logged(caplog):
    """Every log record at any level, including the `dashboard` loggers (which do not propagate)."""
    caplog.set_level(logging.DEBUG)
    dashboard = logging.getLogger("dashboard")
    dashboard.addHandler(caplog.handler)
    yield caplog
    dashboard.removeHandler(caplog.handler)


def visit_everything(client: Client, agent) -> list[str]:
    answers = [
        client.get("/"),
        client.get("/", headers=HTMX),
        client.get("/sessions/hostile_1/"),
        client.get("/sessions/no_such_row/"),
        client.post("/sessions/hostile_1/close/", headers=HTMX),
        client.post("/sessions/hostile_1/close/", {"next": "/"}, follow=True),
        client.get("/readyz"),
        post_sign_in(Client(), agent.email, agent.password),
        post_sign_in(Client(), agent.email, "wrong-password"),
    ]
    return [answer.content.decode() + str(answer.headers) for answer in answers]


@pytest.mark.parametrize("fault", ["none", "500", "503", "429", "garbage"])
def test_the_api_key_never_reaches_a_page_or_a_log(client, agent, hostile_rows, appwrite_server, fault,
                                                   everything_logged, capfd, clear_sign_in_throttle):  # fmt: skip
    if fault != "none":
        appwrite_server.set_faults(fault)

    answers = visit_everything(client, agent)

    key = appwrite_server.api_key
    out, err = capfd.readouterr()
    assert all(key not in answer for answer in answers)
    assert key not in everything_logged.text and key not in out + err
    assert all(key not in str(record.args) for record in everything_logged.records)


def test_the_api_key_never_shows_when_appwrite_is_unreachable(client, agent, unreachable_appwrite,
                                                              settings, everything_logged, capfd):  # fmt: skip
    answers = visit_everything(client, agent)

    out, err = capfd.readouterr()
    assert all(settings.APPWRITE_API_KEY not in answer for answer in answers)
    assert settings.APPWRITE_API_KEY not in everything_logged.text + out + err


def test_a_key_appwrite_refuses_is_not_echoed_anywhere(client, agent, rows, settings, everything_logged,
                                                       capfd, clear_sign_in_throttle):  # fmt: skip
    settings.APPWRITE_API_KEY = "wrong_key_" + "k" * 40

    answers = visit_everything(client, agent)

    out, err = capfd.readouterr()
    assert any("API key" in answer for answer in answers)  # the agent is told what is wrong, without the key
    assert all(settings.APPWRITE_API_KEY not in answer for answer in answers)
    assert settings.APPWRITE_API_KEY not in everything_logged.text + out + err


def test_template_syntax_asking_for_the_key_in_a_message_shows_only_the_syntax(client, hostile_rows,
                                                                               appwrite_server):  # fmt: skip
    html = client.get("/sessions/hostile_1/").content.decode()

    assert "{{ settings.APPWRITE_API_KEY }}" in html
    assert appwrite_server.api_key not in html
