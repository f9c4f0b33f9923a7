"""Fixtures of the dashboard tests (shared with the browser tests, see tests/dashboard_fixtures.py)."""

from tests.dashboard_fixtures import api_flavour, fresh_database, rows, unreachable_appwrite  # noqa: F401
