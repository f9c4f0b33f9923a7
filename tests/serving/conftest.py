"""The dashboard as production serves it: static files collected into a temporary STATIC_ROOT, then the real
gunicorn with the repository's gunicorn.conf.py (2 workers, DEBUG off) against the test run's localappwrite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.gunicorn_process import Gunicorn, collect_static, environment, start_gunicorn
from tests.agent_fixtures import agent, agent_accounts  # noqa: F401 (fixtures)
from tests.localappwrite_process import LocalAppwrite


def production_env(server: LocalAppwrite) -> dict[str, str]:
    """The real settings (`dashboard.settings`, DEBUG off), over plain HTTP on loopback."""
    return environment(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_SECRET_KEY="serving-tests-secret-key-" + "x" * 40,
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        APPWRITE_ENDPOINT=server.endpoint,
        APPWRITE_PROJECT_ID=server.project_id,
        APPWRITE_API_KEY=server.api_key,
    )


@pytest.fixture(scope="module")
def static_root(appwrite_server: LocalAppwrite, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("static")
    collect_static(production_env(appwrite_server), root)
    return root


@pytest.fixture(scope="module")
def served(appwrite_server: LocalAppwrite, static_root: Path, tmp_path_factory) -> Iterator[Gunicorn]:
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = start_gunicorn(production_env(appwrite_server), static_root, log, workers=2)
    yield server
    server.stop()
