"""Times stored as text (a drifted schema) that no UTC clock can show: `9999-12-31T23:59:59-05:00` is in the
year 10000 in UTC, `0001-01-01T00:00:00+05:00` before the year 1. Python cannot shift either to UTC; the
list, the sorted list, the session page, its fragment and the export still answer, and show them as the last
(first) moment there is."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings

from tests.bad_data.pages import csv_rows, page, row_html
from tests.htmx import HTMX

LATE = "9999-12-31T23:59:59-05:00"
EARLY = "0001-01-01T00:00:00+05:00"
ROWS = {
    "late": {"startTime": LATE, "lastSeen": LATE},
    "early": {"startTime": EARLY, "lastSeen": EARLY},
    "both": {"startTime": EARLY, "lastSeen": LATE},
    "wrong_way": {"startTime": LATE, "lastSeen": EARLY},
}


@pytest.fixture
def text_times(appwrite_server):
    """The dashboard's collections, but with `startTime` and `lastSeen` as string columns."""
    from appwrite.client import Client
    from appwrite.id import ID
    from appwrite.services.tables_db import TablesDB

    tables = TablesDB(
        Client().set_endpoint(appwrite_server.endpoint).set_project(appwrite_server.project_id)
        .set_key(appwrite_server.api_key)
    )  # fmt: skip
    database_id = "far" + uuid.uuid4().hex[:10]
    tables.create(database_id, "Times as text")
    tables.create_table(database_id, "sessions", "Sessions")
    tables.create_string_column(database_id, "sessions", "sessionId", 255, True)
    tables.create_string_column(database_id, "sessions", "status", 64, False, "active")
    tables.create_string_column(database_id, "sessions", "startTime", 64, False)
    tables.create_string_column(database_id, "sessions", "lastSeen", 64, False)
    tables.create_string_column(database_id, "sessions", "userMeta", 8192, False)
    tables.create_table(database_id, "messages", "Messages")
    tables.create_string_column(database_id, "messages", "sessionId", 255, True)
    tables.create_string_column(database_id, "messages", "role", 32, False)
    tables.create_string_column(database_id, "messages", "content", 1000, False)
    for row_id, times in ROWS.items():
        tables.create_row(database_id, "sessions", row_id, {"sessionId": f"s_{row_id}", "status": "active", **times})
        tables.create_row(database_id, "messages", ID.unique(), {"sessionId": f"s_{row_id}", "role": "user",
                                                                 "content": "hello"})  # fmt: skip
    with override_settings(APPWRITE_DATABASE_ID=database_id, APPWRITE_API="tablesdb"):
        yield database_id
    tables.delete(database_id)


@pytest.mark.parametrize("url", ["/", "/?sort=started_asc", "/?sort=last_seen_asc", "/?sort=started_desc"])
def test_the_list_answers_with_moments_beyond_utc_in_every_order(client, text_times, url):
    html = page(client, url)
    for row_id in ROWS:
        assert f'data-row-id="{row_id}"' in html
    assert 'id="session-rows"' in page(client, url, **HTMX)


@pytest.mark.parametrize("url", ["/?status=idle", "/overview/"])
def test_the_idle_tab_and_the_overview_answer(client, text_times, url):
    assert "<main" in page(client, url)


def test_a_moment_beyond_the_years_of_utc_shows_as_the_last_or_first_there_is(client, text_times):
    html = page(client, "/")
    assert 'datetime="9999-12-31T23:59:59.999999+00:00"' in row_html(html, "late")
    assert 'datetime="0001-01-01T00:00:00+00:00"' in row_html(html, "early")


@pytest.mark.parametrize("row_id", list(ROWS))
def test_each_session_page_and_its_fragments_answer(client, text_times, row_id):
    detail = page(client, f"/sessions/{row_id}/")
    assert f'<dd class="mono">{row_id}</dd>' in detail
    assert 'id="transcript"' in page(client, f"/sessions/{row_id}/", **HTMX)
    live = client.get(f"/sessions/{row_id}/messages/?after=", headers=HTMX)
    assert live.status_code == 200 and "hello" in live.content.decode()


def test_the_export_is_whole(client, text_times):
    header, *lines = csv_rows(client)
    assert not [line for line in lines if line[0].startswith("#")]
    by_row = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert set(by_row) == set(ROWS)
    assert by_row["late"]["last_seen"] == "9999-12-31T23:59:59.999999+00:00"
    assert by_row["early"]["start_time"] == "0001-01-01T00:00:00+00:00"
    assert by_row["both"]["messages"] == "1"
