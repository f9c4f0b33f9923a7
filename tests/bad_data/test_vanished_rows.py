"""Rows that vanish between the list and the next click (deleted by a script, or by another tool): opening,
closing or polling such a session says clearly that it no longer exists, never a 500."""

from __future__ import annotations

import pytest

from tests.agent_fixtures import csrf_token
from tests.bad_data.pages import page
from tests.htmx import HTMX


@pytest.fixture
def vanished(client, rows):
    """A session shown in the list (and its page opened once), then deleted through the SDK."""
    rows.session("s_gone", row_id="gone", status="active", userMeta='{"browser": "Firefox"}')
    rows.session("s_stays", row_id="stays", status="active")
    rows.tables.create_row(rows.database_id, "messages", "m1", {"sessionId": "s_gone", "role": "user",
                                                                "content": "hello"})  # fmt: skip
    assert 'data-row-id="gone"' in page(client, "/")
    assert 'data-message-id="m1"' in page(client, "/sessions/gone/")
    rows.tables.delete_row(rows.database_id, "sessions", "gone")
    return "gone"


def test_its_page_answers_not_found(client, vanished):
    for headers in ({}, HTMX):
        response = client.get(f"/sessions/{vanished}/", headers=headers)
        assert response.status_code == 404
        assert "Session not found" in response.content.decode()


def test_closing_it_from_the_list_says_it_no_longer_exists(client, vanished):
    data = {"csrfmiddlewaretoken": csrf_token(client), "next": "/"}
    response = client.post(f"/sessions/{vanished}/close/", data, headers={**HTMX, "HX-Target": "row"})
    assert response.status_code == 200
    assert "This session no longer exists." in response.content.decode()
    assert response["HX-Retarget"] == f'[id="row-error-{vanished}"]'

    response = client.post(f"/sessions/{vanished}/close/", data, follow=True)
    assert response.status_code == 200
    assert "This session no longer exists." in response.content.decode()


def test_the_other_rows_still_show(client, vanished):
    html = page(client, "/")
    assert 'data-row-id="stays"' in html
    assert '<dd class="mono">stays</dd>' in page(client, "/sessions/stays/")
