"""Signing out ends every copy of the cookie on every worker, with no Redis: the production server with 2
worker processes (each with its own in-process cache), the caches filled with thousands of entries by another
agent before and after the sign-out. The worker that handled the sign-out refuses a copy at once; the other
within DASHBOARD_SESSION_CHECK_SECONDS (short here, 30 s by default), because a sign-in is an Appwrite session
that signing out deletes, and each worker asks Appwrite again once its last answer is that old."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.gunicorn_process import start_gunicorn
from tests.dashboard_fixtures import AppwriteRows, delete_database
from tests.serving.conftest import production_env
from tests.serving.workers import WorkerConnection, one_connection_per_worker

CHECK_SECONDS = 2
# Distinct list URLs each worker serves the other agent, before and after the sign-out: each keeps the list's
# last good answer and its live state under a key of its own, past the 2,000 entries the in-process cache holds.
FILL_PAGES_PER_WORKER = 1_100


@pytest.fixture(scope="module")
def database(appwrite_server):
    from django.test import override_settings

    from dashboard.appwrite import schema

    database_id = "t" + uuid.uuid4().hex[:12]
    with override_settings(APPWRITE_DATABASE_ID=database_id, APPWRITE_API="tablesdb"):
        schema.provision_schema()
    rows = AppwriteRows(appwrite_server.endpoint, appwrite_server.project_id, appwrite_server.api_key, database_id)
    for _ in range(5):
        rows.session()
    yield database_id
    delete_database(appwrite_server, database_id)


@pytest.fixture(scope="module")
def two_workers(appwrite_server, static_root, database, tmp_path_factory):
    env = {**production_env(appwrite_server), "APPWRITE_DATABASE_ID": database,
           "DASHBOARD_SESSION_CHECK_SECONDS": str(CHECK_SECONDS)}  # fmt: skip
    env.pop("REDIS_URL", None)
    server = start_gunicorn(env, static_root, tmp_path_factory.mktemp("sign-out") / "gunicorn.log", workers=2)
    yield server
    server.stop()


def signed_in(answer) -> bool:
    return answer.status == 200 and 'data-action="sign-out"' in answer.text


def refused(answer) -> bool:
    return answer.status == 302 and answer.headers["Location"].startswith("/login/")


def fill_caches(workers: dict[int, WorkerConnection], session: str) -> None:
    """Another agent loads FILL_PAGES_PER_WORKER different list URLs on each worker (the workers side by side)."""

    def load(connection: WorkerConnection) -> None:
        for page in range(FILL_PAGES_PER_WORKER):
            answer = connection.get(f"/?q=fill-{uuid.uuid4().hex[:8]}-{page}", cookies={"sessionid": session})
            assert signed_in(answer)

    with ThreadPoolExecutor(len(workers)) as pool:
        list(pool.map(load, workers.values()))


def test_a_copy_of_the_cookie_is_refused_at_once_where_it_signed_out_and_within_the_check_interval_elsewhere(
    two_workers, agent_accounts
):
    workers = one_connection_per_worker(two_workers)
    here, elsewhere = workers.values()
    someone, other_agent = agent_accounts.user(), agent_accounts.user()
    copy = here.sign_in(someone.email, someone.password)
    other_session = here.sign_in(other_agent.email, other_agent.password)
    fill_caches(workers, other_session)
    # Both workers have just confirmed the sign-in with Appwrite: the other one's answer stands for a while.
    assert signed_in(here.get("/", cookies={"sessionid": copy}))
    assert signed_in(elsewhere.get("/", cookies={"sessionid": copy}))

    here.sign_out(copy)
    signed_out_at = time.monotonic()

    assert refused(here.get("/", cookies={"sessionid": copy}))
    time.sleep(max(CHECK_SECONDS + 0.5 - (time.monotonic() - signed_out_at), 0))
    assert refused(elsewhere.get("/", cookies={"sessionid": copy}))
    fill_caches(workers, other_session)
    for connection in (here, elsewhere, *(WorkerConnection(two_workers) for _ in range(6))):
        assert refused(connection.get("/", cookies={"sessionid": copy}))
        assert refused(connection.get("/overview/", cookies={"sessionid": copy}))
