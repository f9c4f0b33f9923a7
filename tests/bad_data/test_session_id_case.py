"""Appwrite's database (MariaDB) compares and sorts text case-insensitively, so `S_DUP` and `s_dup` are one
value to it: a query for one session's messages brings the other's too, and the messages of a page come back
sorted in an order Python's own does not follow. The dashboard keeps only exact matches, and counts every
session of a page right beside one with 5,000 messages or more."""

from __future__ import annotations

import re

import pytest

from tests.bad_data.pages import csv_rows, page, row_html
from tests.htmx import HTMX


def many_messages(rows, session_id: str, count: int) -> None:
    """`count` messages of one session, written a thousand a request (Appwrite's bulk create)."""
    for start in range(0, count, 1000):
        data = [
            {"sessionId": session_id, "role": "user", "content": f"m{n}"}
            for n in range(start, min(count, start + 1000))
        ]
        rows.tables.create_rows(rows.database_id, "messages", data)


def shown_count(html: str, row_id: str) -> str:
    return re.search(r'data-field="message-count">([^<]*)</span>', row_html(html, row_id)).group(1)


def exported_counts(client) -> dict[str, str]:
    header, *lines = csv_rows(client)
    return {line[0]: line[header.index("messages")] for line in lines if not line[0].startswith("#")}


@pytest.mark.parametrize(
    ("few", "big"), [("B_few", "a_big"), ("b_few", "A_big"), ("a_few", "B_big"), ("Z_few", "_big")]
)
def test_a_session_beside_one_with_5000_messages_shows_its_own_count(client, rows, few, big):
    rows.session(few, row_id="few")
    rows.session(big, row_id="big")
    rows.session("no_messages", row_id="none")
    rows.messages(few, 2)
    many_messages(rows, big, 5000)

    html = page(client, "/")

    assert shown_count(html, "few") == "2"
    assert shown_count(html, "big") == "5000+"
    assert shown_count(html, "none") == "0"
    assert exported_counts(client) == {"few": "2", "big": "5000+", "none": "0"}


@pytest.fixture
def same_but_case(rows):
    rows.session("s_dup", row_id="lower")
    rows.session("S_DUP", row_id="upper")
    rows.session("s_alone", row_id="alone")
    rows.messages("s_dup", 2, role="user")
    rows.messages("S_DUP", 3, role="agent")
    rows.messages("S_ALONE", 4, role="agent")  # no session of that exact id
    return rows


def test_messages_of_another_case_are_not_in_a_sessions_transcript(client, same_but_case):
    lower = page(client, "/sessions/lower/")
    upper = page(client, "/sessions/upper/")
    alone = page(client, "/sessions/alone/")

    assert lower.count("data-message-id=") == 2 and 'data-role="agent"' not in lower
    assert upper.count("data-message-id=") == 3 and 'data-role="user"' not in upper
    assert alone.count("data-message-id=") == 0
    assert '<span data-field="message-total">2 messages</span>' in lower
    assert '<span data-field="message-total">3 messages</span>' in upper
    assert '<span data-field="message-total">0 messages</span>' in alone
    fragment = page(client, "/sessions/lower/", **HTMX)
    assert 'id="transcript"' in fragment and fragment.count("data-message-id=") == 2


def test_the_live_transcript_brings_only_the_sessions_own_new_messages(client, same_but_case):
    live = client.get("/sessions/lower/messages/?after=", headers=HTMX).content.decode()
    assert live.count("data-message-id=") == 2 and 'data-role="agent"' not in live

    same_but_case.messages("S_DUP", 1, role="agent")
    same_but_case.messages("s_dup", 1, role="system")
    after = re.findall(r'data-message-id="([^"]+)"', live)[-1]
    newer = client.get(f"/sessions/lower/messages/?after={after}", headers=HTMX).content.decode()
    assert newer.count("data-message-id=") == 1 and 'data-role="system"' in newer


def test_the_live_transcript_moves_on_past_a_page_of_another_cases_messages(client, same_but_case, monkeypatch):
    from dashboard.appwrite import transcripts

    monkeypatch.setattr(transcripts, "TRANSCRIPT_PAGE_SIZE", 2)
    html = page(client, "/sessions/lower/")
    same_but_case.messages("S_DUP", 3, role="agent")
    same_but_case.messages("s_dup", 1, role="system")

    poll = re.search(r'hx-get="(/sessions/lower/messages/\?after=[^"&]*)', html).group(1)
    shown = []
    for _ in range(4):  # two polls of two rows reach the new message; each moves the poller on
        response = client.get(poll, headers=HTMX)
        if response.status_code == 204:
            continue
        fragment = response.content.decode()
        shown += re.findall(r'data-role="([^"]+)"', fragment)
        poll = re.search(r'hx-get="(/sessions/lower/messages/\?after=[^"&]*)', fragment).group(1)

    assert shown == ["system"]


def test_the_list_and_the_export_count_only_exact_matches(client, same_but_case):
    html = page(client, "/")

    assert (shown_count(html, "lower"), shown_count(html, "upper"), shown_count(html, "alone")) == ("2", "3", "0")
    assert exported_counts(client) == {"lower": "2", "upper": "3", "alone": "0"}


@pytest.mark.parametrize(
    ("one", "other"), [("S_DUP", "s_dup"), ("É_big", "e_big"), ("abc ", "abc"), ("straße", "strase")]
)
def test_ids_the_database_may_take_for_one_share_a_place_in_its_order(one, other):
    # MariaDB's collations are case- and accent-insensitive and ignore trailing spaces (localappwrite's
    # SQLite folds ASCII case only, so this part is checked without it).
    from dashboard.appwrite.session_messages import _collation_key

    assert _collation_key(one) == _collation_key(other)
