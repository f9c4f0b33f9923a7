"""Fixtures of the bad-data tests: a signed-in agent shared by a module's examples, a fresh database
per generated dataset (written through the Appwrite SDK), and the Hypothesis profiles.

Every example gets a database of its own: the dashboard's shared list cache is keyed by the database,
so an example never sees another one's rows, and no cache needs clearing between them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings

from tests.bad_data.strategies import Dataset

# Real HTTP per example: few examples, no deadline. CI runs the same examples every time.
settings.register_profile(
    "bad-data",
    max_examples=25,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("bad-data-ci", parent=settings.get_profile("bad-data"), derandomize=True)
settings.load_profile("bad-data-ci" if os.environ.get("CI") == "true" else "bad-data")


@pytest.fixture(scope="module")
def agent_client(shared_sign_in) -> Client:
    """The run's signed-in agent, one client for the module: Hypothesis runs many examples inside one test
    call (the plain, one-example tests take `client`)."""
    return shared_sign_in.client()


class Databases:
    """Creates (and removes) whole Appwrite databases through the SDK, and fills them with a dataset."""

    def __init__(self, server):
        from appwrite.client import Client as AppwriteClient
        from appwrite.services.tables_db import TablesDB

        client = AppwriteClient().set_endpoint(server.endpoint).set_project(server.project_id)
        self.tables = TablesDB(client.set_key(server.api_key))

    @contextmanager
    def provisioned(self) -> Iterator[str]:
        """A new database with the dashboard's own schema, as the dashboard's settings for the block."""
        from dashboard.appwrite import schema

        database_id = "bd" + uuid.uuid4().hex[:12]
        with override_settings(APPWRITE_DATABASE_ID=database_id, APPWRITE_API="tablesdb"):
            schema.provision_schema()
            try:
                yield database_id
            finally:
                self.tables.delete(database_id)

    def write(self, database_id: str, dataset: Dataset) -> None:
        from appwrite.id import ID

        for session in dataset.sessions:
            session.stored = dict(self.tables.create_row(database_id, "sessions", session.row_id, session.data).data)
        for message in [m for s in dataset.sessions for m in s.messages] + dataset.orphans:
            data = {"sessionId": message.session_id, "role": message.role, "content": message.content}
            message.row_id = self.tables.create_row(database_id, "messages", ID.unique(), data).id


@pytest.fixture(scope="module")
def databases(appwrite_server) -> Databases:
    return Databases(appwrite_server)
