"""With REDIS_URL, the shared list and its single-flight span dashboard processes: two processes polled
by their agents cost Appwrite about what one does. Needs Debian's redis-server (`make test` installs it; the
`redis_url` fixture is tests/redis_fixtures.py)."""

from __future__ import annotations

import random
import threading
import time

from bench.dashboard_process import signed_in, start_dashboard
from tests.agent_fixtures import AgentAccounts
from tests.htmx import HTMX

POLL_SECONDS = 1


def _poll(sessions, seconds: float) -> None:
    """Each signed-in HTTP session polls the list fragment like htmx, for `seconds`."""
    deadline = time.monotonic() + seconds
    failures: list[str] = []

    def agent(http, url) -> None:
        version = ""
        time.sleep(random.random() * POLL_SECONDS)
        while time.monotonic() < deadline:
            started = time.monotonic()
            answer = http.get(url + "/", headers={**HTMX, "X-Rows-Version": version}, timeout=10)
            if answer.status_code == 200:
                version = answer.text.split('data-rows-version="', 1)[1].split('"', 1)[0]
            elif answer.status_code != 204:
                failures.append(f"{answer.status_code}: {answer.text[:200]}")
                return
            time.sleep(max(0.0, started + POLL_SECONDS - time.monotonic()))

    threads = [threading.Thread(target=agent, args=pair) for pair in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]


def test_two_dashboard_processes_on_one_redis_cost_appwrite_what_one_does(
    slow_rows, slow_appwrite, appwrite_requests, redis_url, tmp_path
):
    ids = slow_rows.sessions(60)
    accounts = AgentAccounts(slow_appwrite.endpoint, slow_appwrite.project_id, slow_appwrite.api_key)
    agent = accounts.user(name="Redis test agent")
    env = {
        "APPWRITE_ENDPOINT": slow_appwrite.endpoint,
        "APPWRITE_PROJECT_ID": slow_appwrite.project_id,
        "APPWRITE_API_KEY": slow_appwrite.api_key,
        "APPWRITE_DATABASE_ID": slow_rows.tables.split("/tablesdb/")[1].split("/")[0],
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # real settings; static files need no collectstatic
        "DJANGO_SECRET_KEY": "redis-test-secret-key-" + "x" * 40,
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DASHBOARD_POLL_SECONDS": str(POLL_SECONDS),
        "REDIS_URL": redis_url,
    }
    first = start_dashboard(env, tmp_path / "first.log")
    second = start_dashboard(env, tmp_path / "second.log")
    stop = threading.Event()

    def widget() -> None:
        while not stop.is_set():
            slow_rows.visitor_writes(random.choice(ids[:10]))
            stop.wait(0.7)

    writer = threading.Thread(target=widget)
    try:
        agents_of_first = [(signed_in(first.url, agent.email, agent.password), first.url) for _ in range(4)]
        agents_of_second = [(signed_in(second.url, agent.email, agent.password), second.url) for _ in range(4)]
        _poll(agents_of_first, 2)  # warm both processes' sign-ins and the shared cache
        _poll(agents_of_second, 2)
        writer.start()
        with appwrite_requests() as one_process:
            _poll(agents_of_first, 6)
        with appwrite_requests() as two_processes:
            _poll(agents_of_first + agents_of_second, 6)
    finally:
        stop.set()
        if writer.is_alive():
            writer.join()
        first.stop()
        second.stop()

    def list_reads(log) -> int:
        return len([r for r in log.requests if r.method == "GET" and r.collection in ("sessions", "messages")])

    print(f"Appwrite list reads in 6 s: one process {list_reads(one_process)}, two {list_reads(two_processes)}")
    assert list_reads(one_process) > 0
    assert list_reads(two_processes) <= 1.5 * list_reads(one_process), (
        list_reads(one_process),
        list_reads(two_processes),
    )
