"""Sign-in is throttled: every attempt is counted, per email and per client address, before Appwrite is asked;
past 5 wrong passwords within 15 minutes the answer is 429 and Appwrite is not asked. Counted in this process,
or in Redis when REDIS_URL is set (the "security" cache alias). Across real worker processes:
tests/serving/test_sign_in_throttle_across_workers.py."""

import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

from django.test import Client

from bench import appwrite_log
from dashboard import sign_in_throttle
from dashboard.signin import THROTTLED
from tests.agent_fixtures import post_sign_in
from tests.auth.test_sign_in import problem_of

ROOT = Path(__file__).resolve().parents[2]
LOGIN_PATH = "/v1/account/sessions/email"


def fail(email: str, address: str, times: int = 1, **headers) -> None:
    for _ in range(times):
        response = post_sign_in(Client(REMOTE_ADDR=address, **headers), email, "not-the-password")
        assert response.status_code == 200


def logins_since(appwrite_server, start: float) -> int:
    """Sign-in requests that reached Appwrite since `start` (time.monotonic()), as its request log tells."""
    log = appwrite_log.fetch(appwrite_server.host, appwrite_server.port)
    return sum(1 for entry in appwrite_log.within(log, start, time.monotonic()) if entry.path == LOGIN_PATH)


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


def test_signing_in_does_not_use_up_attempts(agent_accounts, rows):
    someone = agent_accounts.user()
    for _ in range(7):
        assert post_sign_in(Client(REMOTE_ADDR="10.2.1.1"), someone.email, someone.password).status_code == 302


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


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored_even_behind_https(agent_accounts, appwrite_server,
                                                                              settings):  # fmt: skip
    settings.HTTPS = True  # DASHBOARD_TRUSTED_PROXIES stays at its default, 0
    start = time.monotonic()
    for number in range(8):
        # A client talking to the dashboard directly writes whatever it likes, last entry included.
        client = Client(REMOTE_ADDR="10.7.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 10.7.9.{number}")
        post_sign_in(client, f"guess-{number}@example.com", "not-the-password")

    assert logins_since(appwrite_server, start) == 5


def test_behind_one_trusted_proxy_the_address_is_the_one_it_appended(agent_accounts, settings):
    settings.DASHBOARD_TRUSTED_PROXIES = 1
    for number in range(5):
        # The client forges the first entries; the proxy (REMOTE_ADDR) appends the address it was reached from.
        fail(f"guess-{number}@example.com", "10.8.0.254", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 10.8.0.1")
    someone = agent_accounts.user()
    same_client = Client(REMOTE_ADDR="10.8.0.254", HTTP_X_FORWARDED_FOR="9.9.9.9, 8.8.8.8, 10.8.0.1")
    other_client = Client(REMOTE_ADDR="10.8.0.254", HTTP_X_FORWARDED_FOR="10.8.0.2")

    assert post_sign_in(same_client, someone.email, someone.password).status_code == 429
    assert post_sign_in(other_client, someone.email, someone.password).status_code == 302


def test_behind_two_trusted_proxies_the_address_is_the_second_entry_from_the_end(rf, settings):
    settings.DASHBOARD_TRUSTED_PROXIES = 2
    request = rf.post("/login/", REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.9.0.1")

    assert sign_in_throttle.client_address(request) == "203.0.113.7"


def test_what_a_client_writes_never_reaches_a_cache_key_as_it_is(rf, settings):
    settings.DASHBOARD_TRUSTED_PROXIES = 1
    request = rf.post("/login/", HTTP_X_FORWARDED_FOR="a b\x01c " + "x" * 300)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # CacheKeyWarning included
        keys = sign_in_throttle.attempt_keys(request, " Someone@Example.COM\x00 ")
        sign_in_throttle.take_attempt(keys)

    assert all(re.fullmatch(r"sign-in:(email|address):[0-9a-f]{64}", key) for key in keys), keys


def test_with_redis_the_count_is_shared_with_other_dashboard_processes(agent_accounts, redis_url, settings):
    settings.CACHES = {
        **settings.CACHES,
        "security": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                     "KEY_PREFIX": "dashboard-security"},
    }  # fmt: skip
    someone = agent_accounts.user()
    fail(someone.email, "10.10.0.1", times=5)

    other_process = subprocess.run(
        [sys.executable, "-c", (
            "import django; django.setup()\n"
            "from django.test import RequestFactory\n"
            "from dashboard.sign_in_throttle import attempt_keys, take_attempt\n"
            "request = RequestFactory().post('/login/', REMOTE_ADDR='10.10.0.2')\n"
            f"print(take_attempt(attempt_keys(request, {someone.email!r})))\n"
        )],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "REDIS_URL": redis_url},
    )  # fmt: skip

    assert other_process.stdout.strip() == "False", other_process.stderr
