"""Counting in Appwrite: the status tabs (all, each status, idle, other stored statuses) under the list's
search and filters, the sessions a filter matches, and each session's messages (session_messages.py), never
one request per row in series."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from appwrite.query import Query
from django.conf import settings
from django.utils import timezone

from dashboard.appwrite import database, errors, records, session_messages, transport
from dashboard.appwrite.queries import (
    IDLE,
    KNOWN_STATUSES,
    SessionFilters,
    filter_queries,
    status_queries,
)
from dashboard.appwrite.records import Count

# Rows read to discover statuses other than the known ones.
OTHER_STATUS_SAMPLE = 1000


@dataclass(frozen=True)
class StatusCounts:
    """Counts of the status tabs; None where Appwrite refused to count (see `_optional_total`)."""

    all: Count
    idle: Count | None
    by_status: dict[str, Count | None] = field(default_factory=dict)  # known ones first, then others


def total(queries: list[str]) -> Count:
    """How many sessions match (capped at 5000 like every total)."""
    answer = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, [*queries, Query.limit(1)], total=True)
    return records.count_of(answer.total)


def _other_statuses(narrowing: list[str]) -> Counter[str]:
    """Statuses other than the known ones, counted from one select-only query."""
    queries = [*narrowing, *[Query.not_equal("status", status) for status in KNOWN_STATUSES]]
    queries += [Query.select(["status"]), Query.limit(OTHER_STATUS_SAMPLE)]
    try:
        answer = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False)
    except errors.BadAnswer:  # a drifted schema (`status` of another type): no other tabs rather than no list
        return Counter()
    return Counter(records.as_text(row.get("status")) for row in answer.rows)


def _optional_total(queries: list[str]) -> Count | None:
    """A tab's count, or None (shown as "–") when Appwrite refuses the query: a deployment whose `status`
    or `lastSeen` has drifted to another type still gets its list, only without that count."""
    try:
        return total(queries)
    except errors.BadAnswer:
        return None


def total_and_newest(narrowing: list[str] | None = None) -> tuple[Count, dict[str, Any] | None]:
    """All sessions (of the search and filters), and in the same request the last changed one of them (where
    the next probe starts: with a narrowing it may be older than the newest of all, which only makes that
    probe look further back)."""
    queries = [*(narrowing or []), Query.order_desc("$updatedAt"), Query.select(["$id"]), Query.limit(1)]
    answer = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=True)
    return records.count_of(answer.total), (answer.rows[0] if answer.rows else None)


def narrowing_queries(search: str = "", filters: SessionFilters | None = None) -> list[str]:
    """The session ID search and the metadata and date filters, as the list and its counts apply them."""
    return ([Query.starts_with("sessionId", search)] if search else []) + filter_queries(filters)


def status_count_calls(
    with_newest: bool = False, search: str = "", filters: SessionFilters | None = None
) -> list[Callable[[], Any]]:
    """The tab counts as independent calls, for a caller that runs them beside its own (live.py); with
    `with_newest` the first also brings the last changed session. `status_counts_from` reads their results.
    With a search or filters each tab counts what it would list under them (as `count_matching` does)."""
    now = timezone.now()
    idle_minutes = settings.DASHBOARD_IDLE_MINUTES
    narrowing = narrowing_queries(search, filters)
    calls: list[Callable[[], Any]] = [lambda: total_and_newest(narrowing) if with_newest else total(narrowing)]
    calls += [
        lambda status=status: _optional_total(status_queries(status, idle_minutes, now) + narrowing)
        for status in KNOWN_STATUSES
    ]
    calls += [
        lambda: _optional_total(status_queries(IDLE, idle_minutes, now) + narrowing),
        lambda: _other_statuses(narrowing),
    ]
    return calls


def status_counts_from(results: list[Any]) -> StatusCounts:
    all_count, *known, idle, others = results
    by_status = dict(zip(KNOWN_STATUSES, known, strict=True))
    truncated = sum(others.values()) >= OTHER_STATUS_SAMPLE
    for status, number in sorted(others.items()):
        by_status[status] = Count(number, capped=truncated)
    return StatusCounts(all=all_count, idle=idle, by_status=by_status)


def status_counts() -> StatusCounts:
    """Counts for the status tabs: all, each known status, idle, and any other stored status."""
    return status_counts_from(transport.run_concurrently(*status_count_calls()))


def message_counts(session_ids: Iterable[str]) -> dict[str, Count]:
    """Messages per session (keyed by `sessionId`, the field messages link with), for a whole page in one
    request or a few, never one per row: see session_messages.page_messages."""
    return session_messages.message_counts(session_ids)


def messages_of(session_id: str) -> Count:
    """One session's messages, exactly (capped at 5000)."""
    return session_messages.messages_of(session_id)


def count_sessions() -> int:
    """All sessions (capped at 5000)."""
    return total([]).value


def count_sessions_in(status: str | None) -> Count:
    """Sessions with this status (`idle` included), or all of them."""
    return total(status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now()))


def count_matching(status: str, search: str, filters: SessionFilters | None) -> Count:
    """Sessions the list shows for this filter, all pages together (capped at 5000)."""
    queries = status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    return total(queries + narrowing_queries(search, filters))
