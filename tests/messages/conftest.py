"""Fixtures of the messages-schema tests: a database of the test's own whose messages collection is shaped
the way another deployment may have made it (tests/messages/shaped.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.messages.shaped import ShapedMessages


@pytest.fixture
def shaped_messages(rows) -> Callable[..., ShapedMessages]:
    from dashboard.appwrite import message_schema

    yield lambda columns, **options: ShapedMessages(rows, columns, **options)
    message_schema.forget()
