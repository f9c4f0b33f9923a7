"""The list's rows: rendered as soon as Appwrite has sent the page, while the message counts and last messages
are still on their way (each then goes into the slot left for it), and each with a version, so that a live
refresh carries only the rows the browser does not already show (it says which it shows in X-Rows-Shown)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from dashboard import undo
from dashboard.appwrite import live, records
from dashboard.pages import Filters, version_of

ROWS = "dashboard/sessions.html#session-row-list"
CELLS = "dashboard/sessions.html#preview-cells"
# Each row's version: a hex digest this long (in the row's data-v, in X-Rows-Shown, in its tbody's order).
VERSION_LENGTH = 10
_VERSION = re.compile(rf"[0-9a-f]{{{VERSION_LENGTH}}}")
# X-Rows-Shown names at most this many rows (a page of 100, and the arrivals held back beside it).
SHOWN_LIMIT = 300
# Where a rendered row starts: a row ID is a plain Appwrite ID and every other value is escaped, so no
# visitor can write this.
_ROW_START = re.compile(r'(?=<tr data-row-id=")')


def shown_versions(header: str) -> frozenset[str]:
    """The row versions a browser says it shows (its X-Rows-Shown header); nonsense is ignored."""
    return frozenset(part for part in header.split()[:SHOWN_LIMIT] if _VERSION.fullmatch(part))


def row_version(
    session: records.ChatSession,
    count: records.Count | None,
    last: records.LastMessage | None,
    offer: dict[str, Any] | None,
    idle: bool,
) -> str:
    """Changes whenever the row would show something else. Relative times ("3 min ago", "waiting 6 min")
    are left out: the browser moves them on itself."""
    return version_of(session, count, last, offer and offer["token"], idle, length=VERSION_LENGTH)


@dataclass(frozen=True)
class RenderedRows:
    """The rows to send (all of them, or only those the browser does not show yet), the versions of the
    whole page in its order, and the row ids of the page."""

    html: SafeString
    order: str
    row_ids: frozenset[str]


class Rows:
    """The rows of one list page. `render_early(page)` renders them with slots for the message counts,
    last messages and versions (`{{<kind>-<nonce>-<i>}}`, which no visitor can write: the nonce is new for
    every page, and rendered text never holds it otherwise); `for_data(data)` fills them in."""

    def __init__(self, request: HttpRequest, filters: Filters, shown: frozenset[str] = frozenset()):
        self.request = request
        self.filters = filters
        self.shown = shown
        self.nonce = secrets.token_hex(8)
        self.page: records.Page | None = None
        self.pieces: list[str] = []

    def render_early(self, page: records.Page) -> None:
        def slot(kind: str, index: int) -> SafeString:
            return mark_safe(f"{{{{{kind}-{self.nonce}-{index}}}}}")  # noqa: S308 (no markup, a slot)

        rows = [
            {
                "session": session,
                "message_count": slot("count", index),
                "preview": slot("cell", index),
                "version": slot("v", index),
                "undo": undo.pending_undo(self.request, session),
            }
            for index, session in enumerate(page.sessions)
        ]
        html = render_to_string(ROWS, self._context(rows), self.request)
        self.page, self.pieces = page, _ROW_START.split(html)

    def for_data(self, data: live.SessionList) -> RenderedRows:
        if data.page is not self.page:  # shared by another agent's load, or the last good list
            self.render_early(data.page)
        now = timezone.now()
        idle_minutes = settings.DASHBOARD_IDLE_MINUTES
        rows = []
        for session in data.page.sessions:
            count = data.message_counts.get(session.session_id)
            last = data.last_messages.get(session.session_id)
            offer = undo.pending_undo(self.request, session)
            idle = session.is_idle(idle_minutes, now)
            version = row_version(session, count, last, offer, idle)
            rows.append({"session": session, "message_count": count, "last_message": last, "version": version})
        cells = render_to_string(CELLS, {**self._context(rows), "separator": self.nonce}, self.request)
        counts = [row["message_count"] for row in rows]
        filled = {
            "count": ["–" if count is None else conditional_escape(str(count)) for count in counts],
            "cell": cells.split(f"<!--{self.nonce}-->"),
            "v": [row["version"] for row in rows],
        }

        def fill(found: re.Match) -> str:
            return filled[found[1]][int(found[2])]

        slots = re.compile(rf"\{{\{{(count|cell|v)-{self.nonce}-(\d+)\}}\}}")
        head, *pieces = self.pieces
        sent = [head] + [
            slots.sub(fill, piece) for piece, row in zip(pieces, rows, strict=True) if row["version"] not in self.shown
        ]
        return RenderedRows(
            html=mark_safe("".join(sent)),  # noqa: S308 (rendered templates with escaped values put in)
            order=" ".join(filled["v"]),
            row_ids=frozenset(session.row_id for session in data.page.sessions),
        )

    def _context(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "rows": rows,
            "filters": self.filters,
            "now": timezone.now(),
            "list_url": self.request.get_full_path(),
            "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        }


def answer_row(request: HttpRequest, session: records.ChatSession, count: records.Count | None) -> dict[str, Any]:
    """The row an action answers with. Its last message is not read again: the row says so (the browser
    keeps the preview it shows), and its empty version makes the next refresh send the row whole."""
    return {
        "session": session,
        "message_count": count,
        "last_message": None,
        "unknown_preview": True,
        "version": "",
        "undo": undo.pending_undo(request, session),
    }
