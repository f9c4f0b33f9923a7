"""Fixtures of the browser tests: one headless Chromium per run, driven by Playwright.

Without a Chromium the tests are skipped with the reason shown, except on CI (CI=true), where a
missing browser fails the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else shutil.which(path)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    path = _chromium_path()
    if path is None:
        reason = f"no Chromium at {os.environ.get('CHROMIUM', '/usr/bin/chromium')} (set $CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def dashboard_server() -> Iterator[str]:
    """The dashboard on a real multi-threaded HTTP server in this process (so it sees the tests' settings).

    Django's own LiveServerThread, without pytest-django's `live_server`, which would ask for a database."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={}, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def dashboard_url(dashboard_server, fresh_database, settings) -> str:
    """The dashboard with a fresh database, refreshing every second."""
    settings.DASHBOARD_POLL_SECONDS = 1
    return dashboard_server


@pytest.fixture
def page(signed_in_page) -> Iterator:
    """A page of a signed-in agent (see tests/agent_fixtures.py); `signed_in_page()` opens more."""
    yield signed_in_page(viewport={"width": 1400, "height": 900})
