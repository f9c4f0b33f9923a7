"""Statuses and metadata that real Appwrite can hold but that are no tab and no chip: an empty status, and
`NaN` or `Infinity` in userMeta (Python's JSON reader takes them; they are not JSON)."""

from __future__ import annotations

import re

from tests.bad_data.pages import page, row_html


def tabs(html: str) -> list[tuple[str, bool]]:
    """(label, is current) of each status tab."""
    found = re.findall(r'<a class="tab"[^>]*?( aria-current="page")?>\s*([^<]*?)\s*<', html)
    return [(label, bool(current)) for current, label in found]


def test_an_empty_status_is_no_second_all_tab(client, rows):
    rows.session("s_empty", row_id="empty", status="")
    rows.session("s_odd", row_id="odd", status="waiting")

    html = page(client, "/")

    assert [label for label, current in tabs(html) if current] == ["All"]
    assert "(none)" not in [label for label, _ in tabs(html)]
    assert "waiting" in [label for label, _ in tabs(html)]
    assert 'data-row-id="empty"' in html  # its row shows under All


def test_nan_and_infinity_in_user_meta_are_no_chips(client, rows):
    meta = '{"browser": NaN, "device": Infinity, "location": -Infinity, "language": 1e999, "referrer": "/help"}'
    rows.session("s_nan", row_id="nan", userMeta=meta)

    row = row_html(page(client, "/"), "nan")

    assert not re.search(r'class="chip[^"]*"[^>]*>(nan|inf|-inf|NaN|Infinity)<', row)
    for text in (">nan<", ">inf<", ">-inf<"):
        assert text not in row
    assert page(client, "/sessions/nan/")  # the session page shows the metadata as stored
