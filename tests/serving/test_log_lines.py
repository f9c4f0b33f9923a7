"""What a visitor sends cannot forge a log line: the production server (behind the HTTPS proxy setting, so
the sign-in log quotes the forwarded address) gets real requests with line breaks, separators and bidi
controls in the path and in X-Forwarded-For, and its log is read back."""

from __future__ import annotations

import logging
import re
import sys
import time

import pytest
import requests

from bench.gunicorn_process import start_gunicorn
from dashboard.log_lines import EscapingFormatter, escape_controls
from tests.serving.conftest import production_env

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def served_behind_https_proxy(appwrite_server, static_root, tmp_path_factory):
    # Behind one proxy (DASHBOARD_TRUSTED_PROXIES=1), the sign-in log quotes the address it appended.
    env = {**production_env(appwrite_server), "DJANGO_HTTPS": "1", "DASHBOARD_TRUSTED_PROXIES": "1"}
    server = start_gunicorn(env, static_root, tmp_path_factory.mktemp("log-lines") / "gunicorn.log", workers=1)
    yield server
    server.stop()


def log_lines_after(server, marker: str, timeout: float = 10) -> list[str]:
    """The server's log split as any reader may split it (str.splitlines also breaks at NEL, U+2028, …), once
    `marker` shows up in it."""
    deadline = time.monotonic() + timeout
    while marker not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    return server.log().splitlines()


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/x%0AFORGED-LINE", r"/x\nFORGED-LINE"),
        ("/x%0D%0AFORGED-CRLF", r"/x\r\nFORGED-CRLF"),
        ("/x%C2%85FORGED-NEL", r"\x85FORGED-NEL"),
        ("/x%E2%80%A8FORGED-SEPARATOR", r"\u2028FORGED-SEPARATOR"),
        ("/x%1B%5B2JFORGED-ESCAPE", r"/x\x1b[2JFORGED-ESCAPE"),
        ("/x%E2%80%AEFORGED-BIDI", r"\u202eFORGED-BIDI"),
    ],
)
def test_a_path_with_control_characters_stays_on_its_own_escaped_access_log_line(
    served_behind_https_proxy, path, logged
):
    marker = logged.rsplit("FORGED", 1)[1]
    answer = requests.get(served_behind_https_proxy.url + path, headers=HTTPS, allow_redirects=False, timeout=10)
    lines = log_lines_after(served_behind_https_proxy, "FORGED" + marker)

    assert answer.status_code == 404
    assert [line for line in lines if "FORGED" + marker in line and not line.startswith("127.0.0.1 [")] == []
    access = [line for line in lines if line.startswith("127.0.0.1 [") and "FORGED" + marker in line]
    assert len(access) == 1, lines[-5:]
    assert logged in access[0]
    assert re.search(r'" 404 \d+ \d+ms <\d+> xff="-"$', access[0]), access[0]


def test_a_forwarded_address_with_a_line_break_is_escaped_in_the_sign_in_log(served_behind_https_proxy):
    url = served_behind_https_proxy.url
    form = requests.get(url + "/login/", headers=HTTPS, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    # NEL (0x85) is a byte HTTP lets through in a header value, and a line break to many log readers.
    forwarded = "198.51.100.7, 203.0.113.9\x85FORGED-SIGN-IN from address 192.0.2.1"
    headers = {
        **HTTPS,
        "X-Forwarded-For": forwarded.encode("latin-1"),
        "Cookie": f"csrftoken={form.cookies['csrftoken']}",
        "Referer": url.replace("http://", "https://") + "/login/",
    }
    answer = requests.post(url + "/login/", headers=headers, allow_redirects=False, timeout=30,
                           data={"email": "nobody@example.com", "password": "wrong", "csrfmiddlewaretoken": token})
    lines = log_lines_after(served_behind_https_proxy, "FORGED-SIGN-IN from address 192.0.2.1")

    assert answer.status_code == 200 and "password" in answer.text  # refused, the form shown again
    refused = [line for line in lines if "dashboard.signin: Sign-in refused" in line]
    assert refused and refused[-1].endswith(r"from address 203.0.113.9\x85FORGED-SIGN-IN from address 192.0.2.1")
    assert [line for line in lines if line.startswith("FORGED")] == []


def test_a_logged_traceback_keeps_its_lines_indented_under_the_line_that_announced_it():
    formatter = EscapingFormatter("%(levelname)s %(name)s: %(message)s")
    try:
        raise ValueError("bad id s_1\nERROR forged: looks like a line of its own")
    except ValueError:
        record = logging.LogRecord("dashboard", logging.ERROR, __file__, 1, "Failed on %s", ("s_1\u2028x",),
                                   exc_info=sys.exc_info())

    first, *rest = formatter.format(record).split("\n")

    assert first == r"ERROR dashboard: Failed on s_1\u2028x"
    assert rest[0] == "    Traceback (most recent call last):"
    assert all(line.startswith("    ") for line in rest)
    assert "    ERROR forged: looks like a line of its own" in rest


def test_printable_text_in_any_script_is_logged_as_it_is():
    assert escape_controls('Zoë 客服 "quoted" \\ back-slash') == 'Zoë 客服 "quoted" \\ back-slash'
