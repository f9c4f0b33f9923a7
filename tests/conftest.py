"""Fixtures shared by every test: one real localappwrite server per test run, and the settings pointing at it.

`appwrite_server` starts `python -m localappwrite` on a free loopback port once per run (fault injection on,
off by default: see `LocalAppwrite.set_faults`). The autouse `_appwrite_settings` fixture points Django's
settings (APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID, APPWRITE_API_KEY) and the environment at it, so code that
reads either, and child processes, talk to the same server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from localappwrite.launcher import LocalAppwrite, start_localappwrite

# Fixtures every directory may use, registered once: a session-scoped fixture is then made once per run
# (imported into several conftests, each import was a fixture of its own, made again for each directory).
pytest_plugins = ["tests.agent_fixtures", "tests.dashboard_fixtures", "tests.hostile_fixtures", "tests.redis_fixtures"]

# Tests that measure time, load or requests in series over a window: `make test` runs them alone, after the
# rest has run in parallel (pytest-xdist), so that no other test shares the machine with their window.
SERIAL = ("tests/perf/", "tests/serving/test_slow_clients.py", "tests/serving/test_load.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SERIAL):
            item.add_marker(pytest.mark.serial)


@pytest.fixture(scope="session")
def appwrite_server() -> Iterator[LocalAppwrite]:
    server = start_localappwrite()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _appwrite_settings(appwrite_server: LocalAppwrite) -> Iterator[None]:
    values = {
        "APPWRITE_ENDPOINT": appwrite_server.endpoint,
        "APPWRITE_PROJECT_ID": appwrite_server.project_id,
        "APPWRITE_API_KEY": appwrite_server.api_key,
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    override = None
    from django.conf import settings

    if settings.configured:  # not when run with `-p no:django` (localappwrite's own tests need no Django)
        from django.test import override_settings

        override = override_settings(**values)
        override.enable()
    yield
    if override is not None:
        override.disable()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def time_passes(time_machine) -> Callable[[float], None]:
    """`time_passes(seconds)` moves this process's wall clock on at once, instead of sleeping: time.time and
    datetime.now, which Django's signed cookies and cache expiry and the dashboard's undo offers read.
    time.monotonic, behind every timeout and circuit breaker, keeps its own pace."""
    time_machine.move_to(time.time(), tick=True)
    return time_machine.shift


@pytest.fixture(autouse=True)
def _faults_off(appwrite_server: LocalAppwrite) -> Iterator[None]:
    """A test that injects faults never leaks them into the next one."""
    yield
    if appwrite_server.process.poll() is None:
        appwrite_server.set_faults("off")
    from django.conf import settings

    if settings.configured:
        from dashboard.appwrite import health

        health.forget_failures()  # a breaker opened by this test's faults must not refuse the next test's calls
