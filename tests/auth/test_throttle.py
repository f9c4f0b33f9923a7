"""Sign-in is throttled: after 5 failures per email, or per client address, within 15 minutes the
answer is 429, counted in Django's cache (Redis when REDIS_URL is set, so across processes)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from bench.dashboard_process import free_port
from dashboard.signin import THROTTLED
from tests.agent_fixtures import post_sign_in
from tests.auth.test_sign_in import problem_of

ROOT = Path(__file__).resolve().parents[2]


def fail(email: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        response = post_sign_in(Client(REMOTE_ADDR=address), email, "not-the-password")
        assert response.status_code == 200


def test_five_failures_for_one_email_block_it_even_with_the_right_password(agent_accounts):
    someone = agent_accounts.user()
    for number in range(5):
        fail(someone.email, f"10.1.0.{number}")

    response = post_sign_in(Client(REMOTE_ADDR="10.1.0.99"), someone.email, someone.password)

    assert response.status_code == 429
    assert problem_of(response) == THROTTLED
    assert "sessionid" not in response.cookies


def test_four_failures_still_let_the_right_password_in(agent_accounts, rows):
    someone = agent_accounts.user()
    fail(someone.email, "10.2.0.1", times=4)

    assert post_sign_in(Client(REMOTE_ADDR="10.2.0.1"), someone.email, someone.password).status_code == 302


def test_five_failures_from_one_address_block_that_address_for_every_email(agent_accounts):
    for number in range(5):
        fail(f"guess-{number}@example.com", "10.3.0.1")
    someone = agent_accounts.user()

    blocked = post_sign_in(Client(REMOTE_ADDR="10.3.0.1"), someone.email, someone.password)
    elsewhere = post_sign_in(Client(REMOTE_ADDR="10.3.0.2"), someone.email, someone.password)

    assert blocked.status_code == 429 and problem_of(blocked) == THROTTLED
    assert elsewhere.status_code == 302


def test_the_email_is_counted_whatever_its_case(agent_accounts):
    someone = agent_accounts.user()
    for number in range(5):
        fail(someone.email.upper() if number % 2 else someone.email, f"10.4.0.{number}")

    assert post_sign_in(Client(REMOTE_ADDR="10.4.0.9"), someone.email, someone.password).status_code == 429


def test_appwrite_being_unreachable_is_not_counted_as_a_failure(agent, unreachable_appwrite, settings):
    for _ in range(6):
        assert post_sign_in(Client(REMOTE_ADDR="10.5.0.1"), agent.email, agent.password).status_code == 503


def test_a_throttled_attempt_does_not_reach_appwrite(agent_accounts, appwrite_server):
    someone = agent_accounts.user()
    fail(someone.email, "10.6.0.1", times=5)
    client = Client(REMOTE_ADDR="10.6.0.2")
    client.get("/login/")
    before = appwrite_server.request_count()

    post_sign_in(client, someone.email, someone.password)

    assert appwrite_server.request_count() == before


def test_behind_the_https_proxy_the_address_is_the_one_the_proxy_appended(agent_accounts, settings):
    settings.HTTPS = True
    for number in range(5):
        # The client forges the first X-Forwarded-For entry; the proxy appends the real address.
        client = Client(REMOTE_ADDR="10.7.0.254", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 10.7.0.1")
        assert post_sign_in(client, f"guess-{number}@example.com", "not-the-password").status_code == 200
    someone = agent_accounts.user()
    same_client = Client(REMOTE_ADDR="10.7.0.254", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.7.0.1")
    other_client = Client(REMOTE_ADDR="10.7.0.254", HTTP_X_FORWARDED_FOR="10.7.0.2")

    assert post_sign_in(same_client, someone.email, someone.password).status_code == 429
    assert post_sign_in(other_client, someone.email, someone.password).status_code == 302


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no redis-server (make test installs it)")
        pytest.skip("no redis-server on PATH (make test installs it)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=5)


def test_with_redis_the_count_is_shared_with_other_dashboard_processes(agent_accounts, redis_url, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                    "KEY_PREFIX": "dashboard"}
    }  # fmt: skip
    someone = agent_accounts.user()
    fail(someone.email, "10.8.0.1", times=5)

    other_process = subprocess.run(
        [sys.executable, "-c", (
            "import django; django.setup()\n"
            "from django.test import RequestFactory\n"
            "from dashboard.signin import _failure_keys, _throttled\n"
            f"request = RequestFactory().post('/login/', REMOTE_ADDR='10.8.0.2')\n"
            f"print(_throttled(_failure_keys(request, {someone.email!r})))\n"
        )],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "REDIS_URL": redis_url},
    )  # fmt: skip

    assert other_process.stdout.strip() == "True", other_process.stderr
