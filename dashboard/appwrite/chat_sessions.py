"""Chat sessions one at a time or a page at a time: read one, list a page of the list (filtered, sorted,
by cursor), the most recent ones; and the writes of the demo data (create one, see its visitor again)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appwrite.query import Query
from django.conf import settings
from django.utils import timezone

from dashboard.appwrite import database, records
from dashboard.appwrite.queries import (
    DEFAULT_SORT,
    SORTS,
    SessionFilters,
    filter_queries,
    parse_cursor,
    status_queries,
)
from dashboard.appwrite.records import ChatSession, Page


def get_session(row_id: str) -> ChatSession:
    """The session with this row id; NotFound when there is none."""
    return ChatSession.from_row(database.get_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id))


def list_sessions(
    status: str | None = None,
    search: str = "",
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    page_size: int = 25,
    filters: SessionFilters | None = None,
) -> Page:
    """One page of sessions, newest activity first by default, with cursors to the neighbours."""
    attribute, direction = SORTS.get(sort, SORTS[DEFAULT_SORT])
    queries = status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    if search:
        queries.append(Query.starts_with("sessionId", search))
    queries += filter_queries(filters)
    queries.append(Query.order_desc(attribute) if direction == "desc" else Query.order_asc(attribute))
    # One extra row tells whether there is a page beyond this one.
    queries.append(Query.limit(page_size + 1))
    parsed = parse_cursor(cursor)
    if parsed and parsed[0] == "after":
        queries.append(Query.cursor_after(parsed[1]))
    elif parsed:
        queries.append(Query.cursor_before(parsed[1]))

    rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    sessions = [ChatSession.from_row(row) for row in rows]
    if parsed and parsed[0] == "before":
        # cursorBefore returns the rows just before the cursor, in page order.
        more_before = len(sessions) > page_size
        sessions = sessions[-page_size:] if more_before else sessions
        previous_cursor = f"before:{sessions[0].row_id}" if more_before and sessions else None
        next_cursor = f"after:{sessions[-1].row_id}" if sessions else None
    else:
        more_after = len(sessions) > page_size
        sessions = sessions[:page_size]
        next_cursor = f"after:{sessions[-1].row_id}" if more_after and sessions else None
        previous_cursor = f"before:{sessions[0].row_id}" if parsed and sessions else None
    return Page(sessions=tuple(sessions), next_cursor=next_cursor, previous_cursor=previous_cursor)


def recent_sessions(status: str | None = None, limit: int = 100) -> list[ChatSession]:
    """The sessions seen last, newest first (view_sessions, the visitor simulator)."""
    queries = [*status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())]
    queries += [Query.order_desc("lastSeen"), Query.limit(limit)]
    return [
        ChatSession.from_row(row)
        for row in database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    ]


def create_session(
    session_id: str,
    *,
    status: str = "active",
    start_time: datetime | None = None,
    last_seen: datetime | None = None,
    user_meta: str | None = None,
    theme: str | None = None,
    row_id: str | None = None,
) -> ChatSession:
    """Writes a new session (the demo data, the tests); its row id is the session ID unless given."""
    data: dict[str, Any] = {"sessionId": session_id, "status": status}
    if start_time is not None:
        data["startTime"] = records.format_datetime(start_time)
    if last_seen is not None:
        data["lastSeen"] = records.format_datetime(last_seen)
    if user_meta is not None:
        data["userMeta"] = user_meta
    if theme is not None:
        data["theme"] = theme
    row = database.create_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id or session_id, data)
    return ChatSession.from_row(row)


def touch_session(row_id: str, last_seen: datetime) -> ChatSession:
    """The visitor was seen again: `lastSeen` moves, as the widget moves it with every message."""
    data = {"lastSeen": records.format_datetime(last_seen)}
    row = database.update_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id, data)
    return ChatSession.from_row(row)
