"""Fixtures of the triage tests (detail page, status actions, undo, terminal view): a fresh database
per test and a Django test client signed in as an agent (see tests/agent_fixtures.py)."""

import pytest

from tests.agent_fixtures import agent, agent_accounts, sign_in  # noqa: F401
from tests.dashboard_fixtures import fresh_database, rows, unreachable_appwrite  # noqa: F401


@pytest.fixture
def client(agent, appwrite_server):  # noqa: F811
    from django.test import Client

    return sign_in(Client(), agent, appwrite_server)
