"""Fixtures of the security tests: a signed-in agent (tests/agent_fixtures.py) and Appwrite rows full
of hostile visitor data (tests/hostile_fixtures.py). The Chromium tests live in tests/browser, which
owns the one browser of a run."""

from tests.agent_fixtures import agent, agent_accounts, clear_sign_in_throttle, signed_in_client  # noqa: F401
from tests.dashboard_fixtures import fresh_database, rows, unreachable_appwrite  # noqa: F401
from tests.hostile_fixtures import hostile_rows  # noqa: F401
