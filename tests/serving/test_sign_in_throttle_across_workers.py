"""The sign-in throttle against the production server with 2 worker processes: 30 wrong passwords sent at once
for one email. An attempt is counted before Appwrite is asked, so with Redis (shared, atomic counters) exactly 5
logins reach Appwrite, counted at localappwrite's request log; without Redis each worker counts its own, at most
5 each. A client that writes its own X-Forwarded-For (no proxy is trusted by default) gains nothing."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench import appwrite_log
from bench.gunicorn_process import start_gunicorn
from dashboard.sign_in_throttle import MAX_ATTEMPTS
from tests.serving.conftest import production_env

ATTEMPTS = 30
LOGIN_PATH = "/v1/account/sessions/email"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def server_without_redis(appwrite_server, static_root, tmp_path):
    env = production_env(appwrite_server)
    env.pop("REDIS_URL", None)
    server = start_gunicorn(env, static_root, tmp_path / "gunicorn.log", workers=2)
    yield server
    server.stop()


@pytest.fixture
def server_with_redis(appwrite_server, static_root, redis_url, tmp_path):
    env = {**production_env(appwrite_server), "REDIS_URL": redis_url}
    server = start_gunicorn(env, static_root, tmp_path / "gunicorn.log", workers=2)
    yield server
    server.stop()


class Attempt:
    """One browser at the sign-in form, its CSRF token in hand, ready to post a password."""

    def __init__(self, url: str, email: str, forwarded_for: str):
        self.url, self.email = url, email
        self.marker = f"attempt-{uuid.uuid4().hex}"  # the access log writes X-Forwarded-For: it names this post
        self.forwarded_for = f"{forwarded_for}, {self.marker}" if forwarded_for else self.marker
        self.http = requests.Session()
        form = self.http.get(url + "/login/", timeout=30)
        self.token = CSRF_FIELD.search(form.text).group(1)
        self.status = 0

    def post(self, start: threading.Barrier) -> None:
        start.wait()
        answer = self.http.post(
            self.url + "/login/",
            data={"email": self.email, "password": "not-the-password", "csrfmiddlewaretoken": self.token},
            headers={"X-Forwarded-For": self.forwarded_for},
            allow_redirects=False,
            timeout=60,
        )
        self.status = answer.status_code


def all_at_once(server, appwrite_server, attempts: list[Attempt]) -> tuple[int, dict[int, Counter]]:
    """Posts every attempt at the same moment: (logins that reached Appwrite, {worker pid: answers by status})."""
    start = threading.Barrier(len(attempts))
    began = time.monotonic()
    with ThreadPoolExecutor(len(attempts)) as pool:
        list(pool.map(lambda attempt: attempt.post(start), attempts))
    log = appwrite_log.fetch(appwrite_server.host, appwrite_server.port)
    reached = sum(1 for entry in appwrite_log.within(log, began, time.monotonic()) if entry.path == LOGIN_PATH)
    by_worker: dict[int, Counter] = {}
    access = server.log()
    for attempt in attempts:
        found = re.search(rf'"POST /login/ HTTP/1.1" (\d+) .*<(\d+)> xff="[^"]*{attempt.marker}"', access)
        assert found, attempt.marker
        assert int(found.group(1)) == attempt.status
        by_worker.setdefault(int(found.group(2)), Counter())[attempt.status] += 1
    return reached, by_worker


def test_with_redis_exactly_five_of_thirty_parallel_wrong_passwords_reach_appwrite(server_with_redis, agent_accounts,
                                                                                 appwrite_server):  # fmt: skip
    someone = agent_accounts.user()
    attempts = [Attempt(server_with_redis.url, someone.email, "") for _ in range(ATTEMPTS)]

    reached, by_worker = all_at_once(server_with_redis, appwrite_server, attempts)

    assert reached == MAX_ATTEMPTS
    assert sorted(attempt.status for attempt in attempts) == [200] * MAX_ATTEMPTS + [429] * (ATTEMPTS - MAX_ATTEMPTS)
    assert len(by_worker) == 2, by_worker  # both workers answered, and counted together


def test_without_redis_each_worker_lets_at_most_five_reach_appwrite(server_without_redis, agent_accounts,
                                                                    appwrite_server):  # fmt: skip
    someone = agent_accounts.user()
    attempts = [Attempt(server_without_redis.url, someone.email, "") for _ in range(ATTEMPTS)]

    reached, by_worker = all_at_once(server_without_redis, appwrite_server, attempts)

    assert all(answers[200] <= MAX_ATTEMPTS for answers in by_worker.values()), by_worker
    assert reached == sum(answers[200] for answers in by_worker.values()) <= MAX_ATTEMPTS * 2
    assert all(answers[200] == min(MAX_ATTEMPTS, answers.total()) for answers in by_worker.values()), by_worker


def test_forged_x_forwarded_for_entries_do_not_dodge_the_limit_per_address(server_with_redis, appwrite_server):
    # Different made-up emails, so that only the per-address count stands between them and Appwrite, and a
    # different forged address in each request (first and last entries alike).
    attempts = [
        Attempt(server_with_redis.url, f"guess-{uuid.uuid4().hex[:8]}@example.com", f"198.51.100.{number}")
        for number in range(ATTEMPTS)
    ]

    reached, _ = all_at_once(server_with_redis, appwrite_server, attempts)

    assert reached == MAX_ATTEMPTS
    assert Counter(attempt.status for attempt in attempts) == {200: MAX_ATTEMPTS, 429: ATTEMPTS - MAX_ATTEMPTS}
