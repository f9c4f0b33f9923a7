"""The smallest rows Hypothesis found that broke a page, kept as plain tests (see test_generated_rows.py)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.utils.html import escape

from tests.bad_data.pages import csv_rows, page, row_html
from tests.bad_data.strategies import deeply_nested
from tests.htmx import HTMX


@pytest.mark.parametrize("depth", [500, 700, 900, 967])
def test_deeply_nested_user_meta_is_shown_as_stored_text(client, rows, depth):
    # Was a 500: the parsed metadata, cached on the session, could not be pickled into the shared list cache.
    deep = deeply_nested(depth, "array")
    rows.session("s_deep", row_id="deep", userMeta=deep, theme=deeply_nested(200, "object"))
    row = row_html(page(client, "/"), "deep")
    assert 'data-meta="raw"' in row
    assert escape(deep) in page(client, "/sessions/deep/meta/", **HTMX)  # on demand, as stored
    detail = page(client, "/sessions/deep/")
    assert "Not a JSON object; shown as stored below." in detail


def test_an_escaped_lone_surrogate_in_user_meta_or_theme_is_shown_as_a_replacement_character(client, rows):
    # Was a 500: `"\ud800"` is valid JSON, but the character it decodes to cannot be encoded into the page.
    rows.session("s_half", row_id="half", userMeta='{"browser":"Chrome\\ud800","\\udc00":1}',
                 theme='{"primaryColor":"\\ud83d"}')  # fmt: skip
    row = row_html(page(client, "/"), "half")
    assert "Chrome\ufffd" in row
    detail = page(client, "/sessions/half/")
    assert "Chrome\ufffd" in detail and "<dt>primaryColor</dt>" in detail
    assert page(client, "/overview/")


def test_a_status_with_a_trailing_space_has_a_tab_showing_its_sessions(client, rows):
    # Was wrong: the form trimmed `status`, so the "closed " tab showed the closed sessions instead.
    rows.session("s_spaced", row_id="spaced", status="closed ")
    html = page(client, "/")
    assert 'data-key="tab-closed "' in html
    tab = page(client, "/?" + urlencode({"status": "closed "}))
    assert 'data-status="closed "' in row_html(tab, "spaced")


def test_long_non_ascii_session_ids_still_get_their_rows_counts_and_export(client, rows):
    # Was "cannot read" for the whole list and an empty export: the page's message-count query grew past
    # the 4096 characters Appwrite accepts in one query (each "é" is sent as six characters).
    session_ids = [f"{n}" + "é" * 254 for n in range(6)]
    for n, session_id in enumerate(session_ids):
        rows.session(session_id, row_id=f"long{n}")
    rows.messages(session_ids[5], 2)
    html = page(client, "/")
    for n in range(6):
        assert f'data-field="message-count">{2 if n == 5 else 0}</span>' in row_html(html, f"long{n}")
    lines = csv_rows(client)[1:]
    assert sorted(line[0] for line in lines) == [f"long{n}" for n in range(6)]
