"""Fixtures of the sign-in tests: agents made through the Appwrite SDK (tests/agent_fixtures.py), and a
clean sign-in throttle for every test (its counters live in the cache, per client address)."""

import pytest


@pytest.fixture(autouse=True)
def _clean_throttle(clear_sign_in_throttle):
    yield
