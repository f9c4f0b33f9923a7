"""Reads are retried with backoff within the request's time budget, writes never are (a lost answer is
checked by reading the row back), a circuit breaker stops asking an Appwrite that keeps failing and asks
again later, every call is logged, and readiness answers quickly."""

from __future__ import annotations

import logging
import re
import time

import pytest

from dashboard.appwrite import chat_sessions, errors, health, live, resilience, status_changes
from tests.htmx import HTMX


def log_mark(server) -> int:
    """Where the request log stands, once the requests already answered are in it."""
    time.sleep(0.05)  # localappwrite logs a request just after answering it
    return len(server.logged_requests())


def logged_since(server, before: int, rows) -> list[tuple[str, str]]:
    """This test's requests (a request an earlier test left hanging may end and be logged meanwhile)."""
    time.sleep(0.05)  # localappwrite logs a request just after answering it
    return [(method, path) for method, path in server.logged_requests()[before:] if f"/{rows.database_id}/" in path]


@pytest.mark.parametrize("mode", ["500", "503", "html", "reset", "429", "hang"])
def test_a_read_that_fails_once_is_retried_and_the_page_shows_fresh_data(client, two_sessions, appwrite_server, mode):
    client.get("/")
    live.invalidate_lists()
    appwrite_server.set_faults(mode, count=1, hang_seconds=3)

    html = client.get("/").content.decode()

    assert "Stale since" not in html and "Appwrite is" not in html
    assert 'data-row-id="s_fault_1"' in html


def test_a_write_is_sent_once_and_a_failure_leaves_the_session_as_it_was(client, two_sessions, appwrite_server):
    before = log_mark(appwrite_server)
    appwrite_server.set_faults("503", count=-1, methods=("PATCH",))

    html = client.post("/sessions/s_fault_1/close/", headers=HTMX).content.decode()

    assert "Could not close it: Appwrite is unreachable" in html
    methods = [method for method, _ in logged_since(appwrite_server, before, two_sessions)]
    assert methods.count("PATCH") == 1
    stored = two_sessions.tables.get_row(two_sessions.database_id, "sessions", "s_fault_1")
    assert stored.data["status"] == "active"


def test_a_close_whose_answer_was_lost_is_read_back_and_reported_as_done(client, two_sessions, appwrite_server):
    appwrite_server.set_faults("lost", count=1, methods=("PATCH",))

    response = client.post("/sessions/s_fault_1/close/", headers=HTMX)
    html = response.content.decode()

    assert "HX-Retarget" not in response
    assert "is now Closed" in html and 'data-status="closed"' in html
    stored = two_sessions.tables.get_row(two_sessions.database_id, "sessions", "s_fault_1")
    assert stored.data["status"] == "closed"


def test_a_write_whose_outcome_cannot_be_known_is_reported_as_unconfirmed(two_sessions, appwrite_server, settings):
    settings.APPWRITE_TIMEOUT_SECONDS = 0.5
    appwrite_server.set_faults("hang", count=-1, hang_seconds=5)  # the write and the read-back both time out

    with resilience.budget(1.0), pytest.raises(errors.Unconfirmed):
        status_changes.set_status("s_fault_2", "closed")


def test_the_breaker_stops_asking_a_failing_appwrite_then_asks_again(two_sessions, appwrite_server, monkeypatch):
    clock = [1000.0]  # the breaker's clock stands still until the test moves it: a slow machine opens no trial
    monkeypatch.setattr(resilience, "_clock", lambda: clock[0])
    appwrite_server.set_faults("503", count=-1)
    for _ in range(2):  # three tries each: the fifth failure in a row opens the breaker
        with pytest.raises(errors.AppwriteUnavailable):
            chat_sessions.list_sessions()
    before = log_mark(appwrite_server)

    for _ in range(5):
        with pytest.raises(errors.AppwriteUnavailable, match="failed 5 times in a row"):
            chat_sessions.list_sessions()
    assert logged_since(appwrite_server, before, two_sessions) == []

    appwrite_server.set_faults("off")
    clock[0] += resilience.OPEN_SECONDS
    assert [s.row_id for s in chat_sessions.list_sessions().sessions] == ["s_fault_1", "s_fault_2"]
    # One trial call, and the breaker is closed again.
    assert len(logged_since(appwrite_server, before, two_sessions)) == 1
    chat_sessions.list_sessions()
    assert len(logged_since(appwrite_server, before, two_sessions)) == 2


def test_agents_polling_an_appwrite_that_is_down_do_not_hammer_it(client, two_sessions, appwrite_server):
    client.get("/", headers=HTMX)
    before = log_mark(appwrite_server)
    appwrite_server.set_faults("503", count=-1)

    for _ in range(10):
        live.invalidate_lists()  # as if every poll had to look at Appwrite
        html = client.get("/", headers=HTMX).content.decode()
        assert "Stale since" in html

    assert len(logged_since(appwrite_server, before, two_sessions)) <= resilience.FAILURES_TO_OPEN


def test_appwrite_asking_to_wait_is_not_asked_again_before_then(two_sessions, appwrite_server):
    before = log_mark(appwrite_server)
    appwrite_server.set_faults("429", count=-1, retry_after=30)

    started = time.monotonic()
    with resilience.budget(2.0):
        for _ in range(3):
            with pytest.raises(errors.AppwriteError):
                chat_sessions.list_sessions()

    assert time.monotonic() - started < 1  # no waiting for a retry that could not fit the budget
    assert len(logged_since(appwrite_server, before, two_sessions)) == 1


def test_each_appwrite_call_is_logged_with_operation_status_and_duration_but_never_the_key(
    client, two_sessions, appwrite_server, caplog, settings
):
    live.invalidate_lists()
    call_logger = logging.getLogger("dashboard.appwrite")
    call_logger.addHandler(caplog.handler)  # the dashboard's loggers do not propagate to the root
    try:
        client.get("/")
    finally:
        call_logger.removeHandler(caplog.handler)

    calls = [record for record in caplog.records if record.name == "dashboard.appwrite"]
    assert any("status=200" in record.getMessage() for record in calls)
    for record in calls:
        line = record.getMessage()
        shape = r'appwrite_call operation="GET /v1/tablesdb/[^"]+" status=\d{3} duration_ms=[\d.]+ attempt=1'
        assert re.fullmatch(shape, line)
        assert record.appwrite["operation"].startswith("GET /v1/tablesdb/")
        assert settings.APPWRITE_API_KEY not in line and settings.APPWRITE_API_KEY not in repr(record.__dict__)


def test_readiness_answers_quickly_when_appwrite_hangs_and_is_cached_briefly(client, two_sessions, appwrite_server):
    assert client.get("/readyz").status_code == 200
    health.forget_failures()
    appwrite_server.set_faults("hang", count=-1, hang_seconds=8)

    started = time.monotonic()
    first = client.get("/readyz")
    assert first.status_code == 503 and "Appwrite is unreachable" in first.content.decode()
    assert time.monotonic() - started < health.READY_TIMEOUT_SECONDS + 1

    before = log_mark(appwrite_server)
    assert client.get("/readyz").status_code == 503  # from the brief cache: no new request
    appwrite_server.set_faults("off")
    assert logged_since(appwrite_server, before, two_sessions) == [] or all(
        method == "GET" for method, _ in logged_since(appwrite_server, before, two_sessions)
    )
