"""Settings come from the environment and refuse bad values at start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "APPWRITE_", "DASHBOARD_"))}
    code = (
        "import dashboard.settings as s; "
        "print(s.DEBUG, s.APPWRITE_API, s.APPWRITE_TIMEOUT_SECONDS, s.CACHES['default']['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_debug_mode_starts_without_a_secret_key_or_an_appwrite_endpoint():
    result = load_settings(DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["True", "tablesdb", "5"]


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = load_settings(DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be one of"),
        ("APPWRITE_TIMEOUT_SECONDS", "soon", "APPWRITE_TIMEOUT_SECONDS must be a number"),
        ("APPWRITE_TIMEOUT_SECONDS", "0", "APPWRITE_TIMEOUT_SECONDS must be between"),
        ("DASHBOARD_POLL_SECONDS", "1.5", "DASHBOARD_POLL_SECONDS must be a whole number"),
        ("APPWRITE_API", "graphql", "APPWRITE_API must be one of tablesdb, databases"),
        ("APPWRITE_DATABASE_ID", "-bad id", "APPWRITE_DATABASE_ID is not a valid Appwrite ID"),
        ("APPWRITE_ENDPOINT", "cloud.appwrite.io/v1", "APPWRITE_ENDPOINT must start with http"),
        ("APPWRITE_MESSAGE_TEXT_ATTRIBUTE", "message text", "is not a valid Appwrite attribute key"),
        ("APPWRITE_MESSAGE_VISITOR_VALUES", " , ", "APPWRITE_MESSAGE_VISITOR_VALUES must name at least one value"),
        ("DASHBOARD_SESSION_CHECK_SECONDS", "60", "DASHBOARD_SESSION_CHECK_SECONDS must be between 0 and 30"),
        ("DASHBOARD_TRUSTED_PROXIES", "one", "DASHBOARD_TRUSTED_PROXIES must be a whole number"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_clear_message(name, value, message):
    result = load_settings(**{"DJANGO_DEBUG": "1", name: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_an_endpoint_needs_a_project_and_a_key():
    result = load_settings(DJANGO_DEBUG="1", APPWRITE_ENDPOINT="https://cloud.appwrite.io/v1")

    assert "APPWRITE_PROJECT_ID and APPWRITE_API_KEY are required" in result.stderr


def test_redis_url_switches_the_cache_to_redis():
    result = load_settings(DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.stdout.split()[3] == "django.core.cache.backends.redis.RedisCache"


def test_with_redis_the_security_counters_have_an_alias_of_their_own_and_none_without():
    code = "import dashboard.settings as s; print(sorted(s.CACHES), s.CACHES.get('security', {}).get('KEY_PREFIX'))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "APPWRITE_", "DASHBOARD_", "REDIS_"))}

    def run(**env: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, "DJANGO_DEBUG": "1", **env},
                              capture_output=True, text=True, timeout=30)  # fmt: skip
        return done.stdout.strip()

    assert run(REDIS_URL="redis://127.0.0.1:6379/0") == "['default', 'security'] dashboard-security"
    assert run() == "['default'] None"


def test_a_sender_value_cannot_mean_both_the_visitor_and_an_agent():
    values = {"APPWRITE_MESSAGE_VISITOR_VALUES": "user,guest", "APPWRITE_MESSAGE_AGENT_VALUES": "User"}
    result = load_settings(DJANGO_DEBUG="1", **values)

    assert result.returncode != 0
    assert "both name user" in result.stderr
