"""Fixtures of the sign-in tests: agents made through the Appwrite SDK (tests/agent_fixtures.py), and a
clean sign-in throttle for every test (its counters live in the cache, per client address)."""

import pytest

from tests.agent_fixtures import agent, agent_accounts, clear_sign_in_throttle, signed_in_client  # noqa: F401
from tests.dashboard_fixtures import fresh_database, rows, unreachable_appwrite  # noqa: F401


@pytest.fixture(autouse=True)
def _clean_throttle(clear_sign_in_throttle):  # noqa: F811
    yield
