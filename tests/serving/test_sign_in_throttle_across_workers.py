"""The sign-in throttle against the production server with 2 worker processes: 30 wrong passwords sent at once
for one email. An attempt is counted before Appwrite is asked, so with Redis (shared, atomic counters) exactly 5
logins reach Appwrite, counted at localappwrite's request log; without Redis each worker counts its own, at most
5 each. A client that writes its own X-Forwarded-For (no proxy is trusted by default) gains nothing.

Which worker accepts a connection is the kernel's choice, and one worker may take a whole burst. So each
attempt fetches the form first, on a keep-alive connection whose worker the access log names, and the attempts
are chosen half on each worker: the posts then go down those same connections, to both workers for certain."""

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
        form = self.http.get(url + "/login/", headers={"X-Forwarded-For": self.forwarded_for}, timeout=30)
        self.token = CSRF_FIELD.search(form.text).group(1)
        self.status = 0

    def worker(self, server, method: str) -> tuple[int, int] | None:
        """(status, worker pid) of this attempt's `method` request, as the access log wrote it (None: not yet)."""
        found = re.search(rf'"{method} /login/ HTTP/1.1" (\d+) .*<(\d+)> xff="[^"]*{self.marker}"', server.log())
        return (int(found.group(1)), int(found.group(2))) if found else None

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


def on_both_workers(server, email: str) -> list[Attempt]:
    """ATTEMPTS attempts with their forms fetched, half on each of the two workers' keep-alive connections."""
    by_worker: dict[int, list[Attempt]] = {}
    for _ in range(ATTEMPTS * 20):
        attempt = Attempt(server.url, email, "")
        deadline = time.monotonic() + 10
        while (answered := attempt.worker(server, "GET")) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answered, attempt.marker
        chosen = by_worker.setdefault(answered[1], [])
        if len(chosen) < ATTEMPTS // 2:
            chosen.append(attempt)
        else:
            attempt.http.close()
        if len(by_worker) == 2 and all(len(chosen) == ATTEMPTS // 2 for chosen in by_worker.values()):
            return [attempt for chosen in by_worker.values() for attempt in chosen]
    raise AssertionError(f"the form was not served by both workers: {by_worker.keys()}")


def all_at_once(server, appwrite_server, attempts: list[Attempt]) -> tuple[int, dict[int, Counter]]:
    """Posts every attempt at the same moment: (logins that reached Appwrite, {worker pid: answers by status})."""
    start = threading.Barrier(len(attempts))
    began = time.monotonic()
    with ThreadPoolExecutor(len(attempts)) as pool:
        list(pool.map(lambda attempt: attempt.post(start), attempts))
    log = appwrite_log.fetch(appwrite_server.host, appwrite_server.port)
    reached = sum(1 for entry in appwrite_log.within(log, began, time.monotonic()) if entry.path == LOGIN_PATH)
    by_worker: dict[int, Counter] = {}
    for attempt in attempts:
        found = attempt.worker(server, "POST")
        assert found, attempt.marker
        assert found[0] == attempt.status
        by_worker.setdefault(found[1], Counter())[attempt.status] += 1
    return reached, by_worker


def test_with_redis_exactly_five_of_thirty_parallel_wrong_passwords_reach_appwrite(server_with_redis, agent_accounts,
                                                                                 appwrite_server):  # fmt: skip
    someone = agent_accounts.user()
    attempts = on_both_workers(server_with_redis, someone.email)

    reached, by_worker = all_at_once(server_with_redis, appwrite_server, attempts)

    assert reached == MAX_ATTEMPTS
    assert sorted(attempt.status for attempt in attempts) == [200] * MAX_ATTEMPTS + [429] * (ATTEMPTS - MAX_ATTEMPTS)
    assert [answers.total() for answers in by_worker.values()] == [ATTEMPTS // 2] * 2, by_worker  # counted together


def test_without_redis_each_worker_lets_at_most_five_reach_appwrite(server_without_redis, agent_accounts,
                                                                    appwrite_server):  # fmt: skip
    someone = agent_accounts.user()
    attempts = on_both_workers(server_without_redis, someone.email)

    reached, by_worker = all_at_once(server_without_redis, appwrite_server, attempts)

    # Each worker counts alone: five through on each, ten in all.
    assert [answers[200] for answers in by_worker.values()] == [MAX_ATTEMPTS] * 2, by_worker
    assert [answers.total() for answers in by_worker.values()] == [ATTEMPTS // 2] * 2, by_worker
    assert reached == MAX_ATTEMPTS * 2


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
