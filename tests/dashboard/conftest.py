"""Fixtures of the dashboard tests (shared with the browser tests, see tests/dashboard_fixtures.py).

`client` is signed in as an agent (through /login/, see tests/agent_fixtures.py): every page needs one."""

import pytest

from tests.agent_fixtures import agent, agent_accounts, sign_in  # noqa: F401
from tests.dashboard_fixtures import api_flavour, fresh_database, rows, unreachable_appwrite  # noqa: F401


@pytest.fixture
def client(agent, appwrite_server):  # noqa: F811
    from django.test import Client

    return sign_in(Client(), agent, appwrite_server)
