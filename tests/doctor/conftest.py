"""Fixtures of the schema doctor's tests: a schema of its own per test, provisioned by `appwrite_setup`, an SDK
client to break it with, and a way to run the doctor as an operator would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dashboard_fixtures import delete_database


@dataclass(frozen=True)
class DoctorRun:
    output: str
    exit_status: int

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()

    def line(self, start: str) -> str:
        """The report line starting with `start`, and the fix printed under it (if any), as one string."""
        for number, line in enumerate(self.lines):
            if line.startswith(start):
                following = self.lines[number + 1] if number + 1 < len(self.lines) else ""
                return line + ("\n" + following if following.lstrip().startswith("fix:") else "")
        raise AssertionError(f"no line starting with {start!r} in:\n{self.output}")


def run_doctor() -> DoctorRun:
    """`manage.py appwrite_doctor` in this process: what it prints and the status it exits with."""
    out = StringIO()
    try:
        call_command("appwrite_doctor", stdout=out, no_color=True)
    except CommandError as error:
        return DoctorRun(out.getvalue(), error.returncode)
    return DoctorRun(out.getvalue(), 0)


@pytest.fixture
def provisioned(settings, appwrite_server) -> Iterator[str]:
    """A database of this test's own, provisioned by `appwrite_setup` under the configured APPWRITE_API
    (deleted afterwards)."""
    database_id = settings.APPWRITE_DATABASE_ID = "doc" + uuid.uuid4().hex[:12]
    call_command("appwrite_setup", stdout=StringIO())
    yield database_id
    delete_database(appwrite_server, database_id)


@pytest.fixture
def tables(appwrite_server):
    """The SDK's TablesDB service with the full key, to break a schema the way an operator could."""
    from appwrite.client import Client
    from appwrite.services.tables_db import TablesDB

    client = Client().set_endpoint(appwrite_server.endpoint).set_project(appwrite_server.project_id)
    return TablesDB(client.set_key(appwrite_server.api_key))
