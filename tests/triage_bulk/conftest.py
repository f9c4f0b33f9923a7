"""Fixtures of the bulk, idle-close, export, filter and overview tests: a fresh database per test and
a Django test client signed in as an agent (see tests/agent_fixtures.py)."""

from __future__ import annotations

import pytest

from tests.agent_fixtures import agent, agent_accounts, sign_in  # noqa: F401
from tests.dashboard_fixtures import fresh_database, minutes_ago, rows, unreachable_appwrite  # noqa: F401


@pytest.fixture
def client(agent, appwrite_server):  # noqa: F811
    from django.test import Client

    return sign_in(Client(), agent, appwrite_server)


