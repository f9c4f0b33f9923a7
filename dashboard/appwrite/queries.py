"""How the dashboard asks Appwrite for sessions: the statuses and sorts it knows, the page cursors, the
list filters (status, session ID, visitor metadata, start dates), bulk selections, and the queries
they become."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from appwrite.query import Query
from django.conf import settings

KNOWN_STATUSES = ("active", "agent_assigned", "closed")
IDLE = "idle"
SORTS = {
    "last_seen_desc": ("lastSeen", "desc"),
    "last_seen_asc": ("lastSeen", "asc"),
    "started_desc": ("startTime", "desc"),
    "started_asc": ("startTime", "asc"),
    # The visitor waiting longest first: the widget moves `lastSeen` with every visitor message, so on the
    # Active and Idle tabs the oldest `lastSeen` is the visitor whose last word is oldest. Whether an agent
    # has answered since is each row's preview to say (its newest message's sender); Appwrite cannot sort by it.
    "waiting_longest": ("lastSeen", "asc"),
}
DEFAULT_SORT = "last_seen_desc"
# Appwrite accepts at most 500 values in one `equal` query.
MAX_QUERY_VALUES = 500

# Filters a shared list URL may carry besides status and search; see README "Filtering by visitor metadata".
META_FILTER_KEYS = ("browser", "device", "location")


def status_queries(status: str | None, idle_minutes: int, now: datetime) -> list[str]:
    """A status tab as queries: `idle` is an active session not seen for `idle_minutes`; none for all."""
    if not status:
        return []
    if status == IDLE:
        cutoff = (now - timedelta(minutes=idle_minutes)).isoformat()
        return [Query.equal("status", ["active"]), Query.less_than("lastSeen", cutoff)]
    return [Query.equal("status", [status])]


def parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    """`after:<row id>` or `before:<row id>`, as the page links carry it; None for anything else."""
    if not cursor or ":" not in cursor:
        return None
    direction, row_id = cursor.split(":", 1)
    if direction not in ("after", "before") or not row_id or len(row_id) > 36:
        return None
    return direction, row_id


# Appwrite refuses a query longer than this many characters, as the SDK sends it (JSON, non-ASCII \u-escaped).
MAX_QUERY_LENGTH = 4096


def equal_chunks(attribute: str, values: list[str]) -> list[list[str]]:
    """Values in groups that fit one `equal` query: 500 values, and 4096 characters, which a few long
    non-ASCII IDs (255 characters, each escaped to six) reach long before."""
    chunks: list[list[str]] = []
    chunk: list[str] = []
    empty = len(str(Query.equal(attribute, [""])))
    length = empty
    for value in values:
        size = len(json.dumps(value)) + 1
        if chunk and (len(chunk) >= MAX_QUERY_VALUES or length + size > MAX_QUERY_LENGTH):
            chunks.append(chunk)
            chunk, length = [], empty
        chunk.append(value)
        length += size
    return [*chunks, chunk] if chunk else chunks


@dataclass(frozen=True)
class SessionFilters:
    """Narrowing beyond status and search: userMeta values, and a start date range (days, inclusive, in the
    IANA zone `time_zone`; UTC when it is empty)."""

    browser: str = ""
    device: str = ""
    location: str = ""
    started_from: date | None = None
    started_to: date | None = None
    time_zone: str = ""

    def __bool__(self) -> bool:
        return any((self.browser, self.device, self.location, self.started_from, self.started_to))


def _meta_fragments(key: str, value: str) -> list[str]:
    """The texts `"key":"value"` can take inside userMeta: compact (JSON.stringify, the widget) or with
    a space (Python's json.dumps), with non-ASCII raw or \\u-escaped. The closing quote keeps
    "Chrome 13" from matching "Chrome 131"."""
    fragments = []
    for ensure_ascii in (False, True):
        for separator in (":", ": "):
            text = json.dumps(key, ensure_ascii=ensure_ascii) + separator + json.dumps(value, ensure_ascii=ensure_ascii)
            if text not in fragments:
                fragments.append(text)
    return fragments


def filter_queries(filters: SessionFilters | None) -> list[str]:
    """Appwrite queries for the metadata and date filters. Appwrite cannot look inside a JSON string,
    so metadata is matched as a substring of the stored text (`contains` with several values = any)."""
    if not filters:
        return []
    queries = []
    for key in META_FILTER_KEYS:
        value = getattr(filters, key)
        if value:
            queries.append(Query.contains("userMeta", _meta_fragments(key, value)))
    zone = _zone(filters.time_zone)
    start = _midnight(filters.started_from, zone) if filters.started_from else None
    end = _midnight(filters.started_to, zone, days_later=1) if filters.started_to else None
    if start:
        queries.append(Query.greater_than_equal("startTime", start))
    if end == LAST_STORABLE.isoformat():  # the last day there is ends with the last moment Appwrite stores
        queries.append(Query.less_than_equal("startTime", end))
    elif end:
        queries.append(Query.less_than("startTime", end))
    return queries


def _zone(name: str) -> tzinfo:
    """The named zone; UTC for none (the views refuse an unknown name visibly before it comes here)."""
    if not name:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _midnight(day: date, zone: tzinfo, days_later: int = 0) -> str:
    """The moment a day (or the one `days_later`) begins in `zone`, in UTC as Appwrite compares it (a DST day
    is 23 or 25 hours), within the moments Appwrite can store: 9999-12-31 has no day after it, and Appwrite
    refuses a moment before the year 1000 in a query."""
    try:
        moment = (datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=days_later)).astimezone(UTC)
    except OverflowError:
        moment = LAST_STORABLE if day.year > 1 else FIRST_STORABLE
    return min(max(moment, FIRST_STORABLE), LAST_STORABLE).isoformat()


# The moments Appwrite's datetime columns hold (MariaDB's DATETIME), and so the bounds it takes in a query.
FIRST_STORABLE = datetime(1000, 1, 1, tzinfo=UTC)
LAST_STORABLE = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


@dataclass(frozen=True)
class Selection:
    """The open sessions a bulk close acts on: a list filter, optionally only those not seen for
    `idle_minutes`, and only sessions that already existed at `created_before` (the confirmation)."""

    status: str = ""
    search: str = ""
    filters: SessionFilters = field(default_factory=SessionFilters)
    idle_minutes: int | None = None
    created_before: datetime | None = None


def selection_queries(selection: Selection, now: datetime) -> list[str]:
    """The open sessions of a selection, as queries (closed ones never match)."""
    status = selection.status
    if selection.idle_minutes is not None:
        # Idle close: the filter's status (active when it is "all" or "idle") not seen for N minutes,
        # the cutoff taken afresh for every page, so a visitor who came back is left alone.
        status = "active" if status in ("", IDLE) else status
        cutoff = now - timedelta(minutes=selection.idle_minutes)
        queries = [Query.equal("status", [status]), Query.less_than("lastSeen", cutoff.isoformat())]
    else:
        queries = status_queries(status, settings.DASHBOARD_IDLE_MINUTES, now)
    queries.append(Query.not_equal("status", "closed"))
    if selection.search:
        queries.append(Query.starts_with("sessionId", selection.search))
    queries += filter_queries(selection.filters)
    if selection.created_before is not None:
        queries.append(Query.less_than_equal("$createdAt", selection.created_before.isoformat()))
    return queries
