"""What an agent sees of a generated dataset: fetching the dashboard's pages with the test client and
reading rows, messages and CSV lines out of them the way a user (or a script) would."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from datetime import datetime, timedelta

from django.test import Client
from django.utils.html import escape

from tests.bad_data.strategies import Dataset, SessionSpec

IDLE_MINUTES = 10  # DASHBOARD_IDLE_MINUTES in the tests


def page(client: Client, url: str, **headers) -> str:
    """The page's HTML; it must be a 200 and no error page."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:2000])
    html = response.content.decode()
    assert "Traceback" not in html and "Server Error" not in html
    return html


def row_html(html: str, row_id: str) -> str:
    """The list row of one session (row ids are plain Appwrite ids; everything else in a row is escaped)."""
    found = re.search(rf'<tr data-row-id="{re.escape(row_id)}".*?</tr>', html, re.DOTALL)
    assert found, f"no row {row_id} on the page"
    return found[0]


def stored_status(session: SessionSpec) -> str:
    return session.stored.get("status") or ""


def parsed(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def is_idle(session: SessionSpec, now: datetime) -> bool:
    last_seen = parsed(session.stored.get("lastSeen"))
    return (
        stored_status(session) == "active"
        and last_seen is not None
        and last_seen < now - timedelta(minutes=IDLE_MINUTES)
    )


def message_count(dataset: Dataset, session: SessionSpec) -> int:
    return sum(m.session_id == session.session_id for s in dataset.sessions for m in s.messages)


def plain_meta_value(text: str, key: str) -> str | None:
    """A userMeta value a row should show as a chip: a plain string or number of a JSON object."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    item = value.get(key)
    if isinstance(item, bool) or not isinstance(item, str | int | float):
        return None
    if isinstance(item, float) and not math.isfinite(item):  # NaN, Infinity: no JSON value, no chip
        return None
    shown = str(item)[:80]
    if not shown or any(0xD800 <= ord(char) <= 0xDFFF for char in shown):
        return None
    return shown


def assert_row_shows(html: str, session: SessionSpec, count: int) -> None:
    """The row carries its hooks with the stored values, escaped, and shows what is readable."""
    row = row_html(html, session.row_id)
    assert f'data-session-id="{escape(session.session_id)}"' in row
    assert f'data-status="{escape(stored_status(session))}"' in row
    assert escape(session.session_id or "(no session ID)") in row
    expected_count = str(count) if session.session_id else "–"
    assert f'data-field="message-count">{expected_count}</span>' in row
    last_seen = session.stored.get("lastSeen")
    if last_seen:
        assert f'<time data-field="last-seen" datetime="{parsed(last_seen).isoformat()}"' in row
    else:
        assert 'data-field="last-seen"' not in row and "never" in row
    user_meta = session.stored.get("userMeta") or ""
    for key in ("browser", "device", "location"):
        value = plain_meta_value(user_meta, key)
        if value is not None:
            assert escape(value) in row, (key, value)
    if user_meta and plain_meta_value(user_meta, "") is None and not _is_object(user_meta):
        assert escape(user_meta) in row  # not an object: shown as stored, escaped


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def csv_rows(client: Client, url: str = "/export.csv") -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def spreadsheet_safe(text: str) -> str:
    """A cell as the export writes it: quoted when a spreadsheet would take it for a formula (a leading tab or
    CR, or = + - @ in any width after whitespace and invisible characters)."""
    folded = unicodedata.normalize("NFKC", text)
    visible = [c for c in folded if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")]
    starts_formula = text[:1] in ("\t", "\r") or (visible[:1] and visible[0] in "=+-@\u2212")
    return "'" + text if starts_formula else text
