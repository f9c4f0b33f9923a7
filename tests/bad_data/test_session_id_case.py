"""Appwrite's database (MariaDB) compares and sorts text case-insensitively: the messages of a page come back
sorted in an order Python's own does not follow. The dashboard counts every session of a page right beside
one with 5,000 messages or more."""

from __future__ import annotations

import re

import pytest

from tests.bad_data.pages import csv_rows, page, row_html


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


@pytest.mark.parametrize(
    ("one", "other"), [("S_DUP", "s_dup"), ("É_big", "e_big"), ("abc ", "abc"), ("straße", "strase")]
)
def test_ids_the_database_may_take_for_one_share_a_place_in_its_order(one, other):
    # MariaDB's collations are case- and accent-insensitive and ignore trailing spaces (localappwrite's
    # SQLite folds ASCII case only, so this part is checked without it).
    from dashboard.appwrite.counting import _collation_key

    assert _collation_key(one) == _collation_key(other)
