"""A filter value that is not valid (a null byte, too long, a date that is not one) is refused where it is
seen, saying which: never dropped, which would show, export or close the whole list as if it were filtered."""

import re
from urllib.parse import quote

import pytest

from dashboard.appwrite import chat_sessions
from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX

INVALID = [
    ("q=s_%00", "Session ID (Null characters are not allowed.)"),
    ("browser=" + "x" * 201, "Browser (Ensure this value has at most 200 characters (it has 201).)"),
    ("started_from=yesterday", "Started on or after (Enter a valid date.)"),
    ("started_to=2025-02-30", "Started on or before (Enter a valid date.)"),
    ("status=" + "a" * 65, "Status (Ensure this value has at most 64 characters (it has 65).)"),
    ("location=Berlin%00", "Location (Null characters are not allowed.)"),
]


def row_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr data-row-id="([^"]+)"', html))


@pytest.fixture
def sessions(rows):
    rows.session("s_1", row_id="one", startTime=minutes_ago(90), lastSeen=minutes_ago(60))
    rows.session("s_2", row_id="two", startTime=minutes_ago(90), lastSeen=minutes_ago(60))
    return rows


@pytest.mark.parametrize(("query", "why"), INVALID)
def test_the_list_refuses_an_invalid_filter_and_says_which_value(client, sessions, query, why):
    response = client.get(f"/?{query}")
    html = response.content.decode()

    assert response.status_code == 400
    assert f"This filter is not valid: {why}. Nothing is shown or done with it." in html
    assert 'data-notice="invalid-filter"' in html and not row_ids(html)


@pytest.mark.parametrize(("query", "why"), INVALID[:3])
def test_the_live_refresh_gets_the_refusal_in_its_region(client, sessions, query, why):
    response = client.get(f"/?{query}", headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200  # htmx swaps 200 answers only
    assert html.lstrip().startswith('<section id="session-rows"') and "<html" not in html
    assert why in html and not row_ids(html)


def test_the_refusal_links_to_the_list_without_the_invalid_value(client, sessions):
    html = client.get("/?status=active&started_from=yesterday").content.decode()

    assert re.search(r'<a href="/\?status=active" data-key="without-invalid-filter">', html)


def test_the_pages_actions_keep_the_invalid_value_so_they_are_refused_too(client, sessions):
    html = client.get("/?started_from=yesterday").content.decode()

    assert 'href="/export.csv?started_from=yesterday"' in html
    assert 'action="/bulk/close/?started_from=yesterday"' in html


@pytest.mark.parametrize(("query", "why"), INVALID)
def test_the_export_refuses_an_invalid_filter(client, sessions, query, why):
    response = client.get(f"/export.csv?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert why in response.content.decode() and "s_1" not in response.content.decode()


@pytest.mark.parametrize(("query", "why"), INVALID[:3])
def test_closing_all_matching_an_invalid_filter_closes_nothing(client, sessions, query, why):
    html = client.post(f"/bulk/close/?{query}", {"scope": "filter", "confirmed": "1"}).content.decode()

    assert why in html and "data-run-state" not in html
    assert chat_sessions.get_session("one").status == chat_sessions.get_session("two").status == "active"


def test_select_all_matching_offers_no_count_for_an_invalid_filter(client, sessions):
    html = client.get("/bulk/matching/?started_from=yesterday", headers=HTMX).content.decode()

    assert 'id="bulk-matching"' in html and "Select all matching this filter" in html
    assert "Select all 2" not in html


@pytest.mark.parametrize(("query", "why"), INVALID[:3])
def test_closing_idle_sessions_of_an_invalid_filter_closes_nothing(client, sessions, query, why):
    preview = client.get(f"/close-idle/?{query}&idle_minutes=30").content.decode()
    html = client.post(f"/close-idle/?{query}", {"idle_minutes": "30", "confirmed": "1"}).content.decode()

    assert why in preview and why in html and "data-run-state" not in html
    assert chat_sessions.get_session("one").status == chat_sessions.get_session("two").status == "active"


def test_a_valid_filter_with_a_quoted_value_is_not_refused(client, sessions):
    assert client.get("/?browser=" + quote('Say "hi" <b>')).status_code == 200


@pytest.mark.parametrize("query", ["sort=nonsense", "cursor=x", "cursor=" + "x" * 100])
def test_a_bad_sort_or_cursor_only_falls_back_to_the_default(client, sessions, query):
    response = client.get(f"/?{query}")

    assert response.status_code == 200 and row_ids(response.content.decode()) == {"one", "two"}
    assert client.get(f"/export.csv?{query}").status_code == 200


def test_a_stored_status_with_a_null_character_is_a_status_like_any_other(client, rows):
    rows.session("s_odd", row_id="odd", status="wait\x00ing")
    rows.session("s_other", row_id="other", status="active")

    html = client.get("/").content.decode()
    tab = client.get("/?status=wait%00ing")

    assert 'href="?status=wait%00ing"' in html
    assert tab.status_code == 200 and row_ids(tab.content.decode()) == {"odd"}


def test_a_metadata_value_with_a_null_character_is_a_chip_without_a_filter_link(client, rows):
    rows.session("s_odd", row_id="odd", userMeta='{"browser":"Chrome\\u0000 131"}')

    html = client.get("/").content.decode()

    assert '<span class="chip" title="Browser">Chrome\x00 131</span>' in html
    assert 'data-filter-chip="browser"' not in html
