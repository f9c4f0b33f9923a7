"""Security headers on every answer, a CSP that allows no inline script or style, and a production
configuration that `manage.py check --deploy` has nothing to say about."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.htmx import HTMX

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def pages(client, rows):
    rows.session("s_1", status="active")
    return {
        "list": client.get("/"),
        "fragment": client.get("/", headers=HTMX),
        "detail": client.get("/sessions/s_1/"),
        "sign-in": Client().get("/login/"),
        "redirect to sign-in": Client().get("/"),
        "health": Client().get("/healthz"),
    }


def test_every_answer_carries_the_security_headers(pages):
    for name, response in pages.items():
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert "Content-Security-Policy" in response, name


def test_the_policy_allows_scripts_and_styles_from_this_origin_only(pages):
    csp = policy(pages["list"])

    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe" not in pages["list"]["Content-Security-Policy"]


def test_pages_need_no_inline_script_or_style(pages):
    for name in ("list", "fragment", "detail", "sign-in"):
        html = pages[name].content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), name
        assert "<style" not in html and " style=" not in html, name
        assert not re.search(r"\son[a-z]+=", html), name
        assert "hx-on" not in html and "js:" not in html, name


def test_htmx_is_told_to_inject_no_style_and_never_eval(pages):
    html = pages["list"].content.decode()

    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    assert "Strict-Transport-Security" in Client().get("/login/", secure=True)
    assert "Strict-Transport-Security" not in Client().get("/login/")


def _production_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "APPWRITE_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="1",
        DJANGO_ALLOWED_HOSTS="dashboard.example.com",
        APPWRITE_ENDPOINT="https://appwrite.example.com/v1",
        APPWRITE_PROJECT_ID="support",
        APPWRITE_API_KEY="standard_" + secrets.token_hex(32),
    )
    return env


def test_check_deploy_with_production_settings_reports_nothing():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_environment(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_are_secure_http_only_and_same_site():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.SESSION_COOKIE_AGE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT, env=_production_environment(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.stdout.split() == ["True", "True", "True", "Lax", "43200", "True", "True"], result.stderr
