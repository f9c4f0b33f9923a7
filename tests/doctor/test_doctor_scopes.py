"""The doctor against keys holding only some scopes, on a localappwrite of its own started with `--scoped-key`
(the suite's shared server has one all-scopes key)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from localappwrite.launcher import LocalAppwrite, start_localappwrite

from .conftest import run_doctor

# What a key made for appwrite_setup's reading side plus some of the dashboard's scopes would hold.
PARTIAL = "key_partial"
# Exactly what the dashboard uses to serve pages, nothing to read the schema with.
DASHBOARD_ONLY = "key_dashboard_only"


@pytest.fixture(scope="module")
def scoped_appwrite() -> Iterator[LocalAppwrite]:
    server = start_localappwrite(
        faults=False,
        extra_args=[
            "--scoped-key",
            f"{PARTIAL}=databases.read,tables.read,rows.read,teams.read",
            "--scoped-key",
            f"{DASHBOARD_ONLY}=rows.read,rows.write,users.read,users.write,teams.read,sessions.write",
        ],
    )
    yield server
    server.stop()


@pytest.fixture
def on_scoped_appwrite(settings, scoped_appwrite) -> LocalAppwrite:
    """Settings pointing at the scoped server, its schema provisioned with the full key."""
    settings.APPWRITE_ENDPOINT = scoped_appwrite.endpoint
    settings.APPWRITE_PROJECT_ID = scoped_appwrite.project_id
    settings.APPWRITE_API_KEY = scoped_appwrite.api_key
    call_command("appwrite_setup", stdout=StringIO())
    return scoped_appwrite


def test_each_scope_the_dashboard_needs_and_the_key_lacks_is_an_error_naming_it(on_scoped_appwrite, settings):
    settings.APPWRITE_API_KEY = PARTIAL

    report = run_doctor()

    assert report.exit_status == 1
    assert report.line("ok       scope rows.read: ")
    assert report.line("ok       scope teams.read: ")
    rows_write = report.line("ERROR    the API key lacks the scope rows.write: the dashboard closes, reopens and takes")
    assert "add rows.write (consoles before 1.8 call it documents.write) to the key's scopes" in rows_write
    assert report.line("ERROR    the API key lacks the scope users.read: ")
    assert report.line("ERROR    the API key lacks the scope sessions.write: the dashboard checks the agent's password")
    assert report.line("ERROR    the API key lacks the scope users.write: the dashboard ends the agent's Appwrite")
    assert "ok       attribute sessions.lastSeen (datetime)" in report.lines
    assert report.lines[-1].startswith("4 errors, 0 warnings, ")
    assert PARTIAL not in report.output


def test_the_legacy_api_names_the_documents_scopes(on_scoped_appwrite, settings):
    settings.APPWRITE_API = "databases"
    settings.APPWRITE_API_KEY = PARTIAL

    report = run_doctor()

    # The legacy routes take only the legacy names: the key's rows.read does not open them.
    assert report.line("ERROR    the API key lacks the scope documents.read: ")
    assert report.line("ERROR    the API key lacks the scope documents.write: ")


def test_a_key_with_only_the_dashboard_scopes_passes_and_says_the_schema_was_not_checked(on_scoped_appwrite, settings):
    settings.APPWRITE_API_KEY = DASHBOARD_ONLY

    report = run_doctor()

    assert report.exit_status == 0
    assert not [line for line in report.lines if line.startswith("ERROR")], report.output
    problem = report.line("WARNING  database ")
    assert "not checked: the key lacks databases.read" in problem
    assert "APPWRITE_API_KEY=<that key> python manage.py appwrite_doctor" in problem
    assert not [line for line in report.lines if "attribute" in line]
