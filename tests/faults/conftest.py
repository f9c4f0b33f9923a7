"""Fixtures of the fault tests: a signed-in client, two sessions, and Appwrite failing in each way it can.

Every page and action must answer within 2 × APPWRITE_TIMEOUT_SECONDS + 2 s whatever Appwrite does; the
timeout is 1 s for the pages here, so that a hanging Appwrite costs seconds, not minutes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.dashboard_process import free_port
from tests.dashboard_fixtures import minutes_ago

TIMEOUT_SECONDS = 1
# What a page or an action may take at most while Appwrite fails (the bound).
ANSWER_WITHIN = 2 * TIMEOUT_SECONDS + 2


# Each way Appwrite fails, as (name, how to make it fail until the end of the test).
FAULTS: dict[str, Callable] = {
    "connection refused": lambda server, settings: setattr(
        settings, "APPWRITE_ENDPOINT", f"http://127.0.0.1:{free_port()}/v1"
    ),
    "connection reset": lambda server, settings: server.set_faults("reset"),
    "hang past the timeout": lambda server, settings: server.set_faults("hang", hang_seconds=8),
    "500": lambda server, settings: server.set_faults("500"),
    "503": lambda server, settings: server.set_faults("503"),
    "502 html page": lambda server, settings: server.set_faults("html"),
    "429": lambda server, settings: server.set_faults("429"),
    "429 retry-after": lambda server, settings: server.set_faults("429", retry_after=30),
    "malformed json": lambda server, settings: server.set_faults("malformed"),
    "html with 200": lambda server, settings: server.set_faults("garbage"),
}


@pytest.fixture
def client(client, settings):
    """The run's signed-in client (tests/agent_fixtures.py), its pages' Appwrite calls timing out after
    TIMEOUT_SECONDS. The tests that call the service itself keep the default timeout."""
    settings.APPWRITE_TIMEOUT_SECONDS = TIMEOUT_SECONDS
    return client


@pytest.fixture
def two_sessions(rows):
    rows.session("s_fault_1", status="active", startTime=minutes_ago(30), lastSeen=minutes_ago(2),
                 userMeta='{"browser":"Firefox 133","location":"Lisbon, PT"}')
    rows.messages("s_fault_1", 3)
    rows.session("s_fault_2", status="agent_assigned", startTime=minutes_ago(50), lastSeen=minutes_ago(9))
    return rows


@pytest.fixture(params=list(FAULTS))
def fault(request, appwrite_server, settings) -> Callable[[], None]:
    """Switches the parametrised failure on when called; the autouse fixture of tests/conftest.py
    switches it off (and closes the circuit breakers) after the test."""
    from dashboard.appwrite import live

    def start() -> None:
        FAULTS[request.param](appwrite_server, settings)
        live.invalidate_lists()  # the next read must ask Appwrite instead of the shared cache

    start.name = request.param
    return start
