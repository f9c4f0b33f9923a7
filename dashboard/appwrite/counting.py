"""Counting in Appwrite: the status tabs (all, each status, idle, other stored statuses), the sessions a
filter matches, and each session's messages, never one request per row in series."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from appwrite.query import Query
from django.conf import settings
from django.utils import timezone

from dashboard.appwrite import database, errors, records, shared, transport
from dashboard.appwrite.queries import (
    IDLE,
    KNOWN_STATUSES,
    SessionFilters,
    equal_chunks,
    filter_queries,
    status_queries,
)
from dashboard.appwrite.records import Count

# Rows fetched at once when counting messages client-side.
MESSAGE_COUNT_BATCH = 5000
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


def message_counts(session_ids: Iterable[str], between_rounds: Callable[[], None] | None = None) -> dict[str, Count]:
    """Messages per session (keyed by `sessionId`, the field messages link with).

    Released Appwrite cannot group, so this lists the messages of the whole page at once, selecting only
    `sessionId`, ordered by it, and counts them here. A batch that comes back full has counted every
    session it showed except those of its last `sessionId`; those get a `limit(1)` total each, and the
    sessions it never reached one more listing beside them (a session with thousands of messages costs
    two requests, not one per row); what that listing leaves unsure gets a total each. A page therefore
    costs one request, or a few, never one per row in series. `between_rounds()` is called once the first
    requests are answered, before any follow-up (live.py starts the previews' follow-up beside these).
    """
    ids = sorted({session_id for session_id in session_ids if session_id})
    counts: dict[str, Count] = {}
    chunks = equal_chunks("sessionId", ids)
    if _grouped_counts.get(shared.source_key("grouped")):
        grouped = [lambda chunk=chunk: _count_messages_grouped(chunk) for chunk in chunks]
        for found in transport.run_concurrently(*grouped):
            counts.update(found)
        if between_rounds is not None:
            between_rounds()
        return counts
    listed = transport.run_concurrently(*[lambda chunk=chunk: _count_messages(chunk) for chunk in chunks])
    if between_rounds is not None:
        between_rounds()
    for found, cut, rest in listed:
        counts.update(found)
        calls: list[Callable[[], Any]] = [lambda sid=sid: {sid: messages_of(sid)} for sid in cut]
        calls += [lambda rest=rest: _count_messages(rest)] if rest else []
        unsure: list[str] = []
        for result in transport.run_concurrently(*calls):
            if isinstance(result, dict):
                counts.update(result)
            else:
                counts.update(result[0])
                unsure += [*result[1], *result[2]]
        exact = transport.run_concurrently(*[lambda sid=sid: messages_of(sid) for sid in unsure])
        counts.update(zip(unsure, exact, strict=True))
    return counts


def _count_messages(session_ids: list[str]) -> tuple[dict[str, Count], list[str], list[str]]:
    """The counts one listing settles; the sessions of its last `sessionId`, cut off when the listing came
    back full; and the sessions it did not reach (or that have none). Appwrite orders by its collation
    (MariaDB's, without case), never by Python's: only what the listing showed counts as settled."""
    queries = [
        Query.equal("sessionId", session_ids),
        Query.select(["sessionId"]),
        Query.order_asc("sessionId"),
        Query.limit(MESSAGE_COUNT_BATCH),
    ]
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    tally = Counter(records.as_text(row.get("sessionId")) for row in rows)
    if len(rows) < MESSAGE_COUNT_BATCH:
        return {sid: Count(tally.get(sid, 0)) for sid in session_ids}, [], []
    last = _collated(records.as_text(rows[-1].get("sessionId")))
    cut = [sid for sid in session_ids if _collated(sid) == last]
    complete = {sid: Count(tally[sid]) for sid in session_ids if sid in tally and sid not in cut}
    return complete, cut, [sid for sid in session_ids if sid not in complete and sid not in cut]


def _collated(session_id: str) -> str:
    """Near enough to how Appwrite's MariaDB compares IDs (without case, trailing spaces ignored)."""
    return session_id.rstrip(" ").casefold()


def messages_of(session_id: str) -> Count:
    """One session's messages, exactly (capped at 5000)."""
    queries = [Query.equal("sessionId", [session_id]), Query.select(["sessionId"]), Query.limit(1)]
    return records.count_of(database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=True).total)


# Whether the server groups counts (`count` + `groupBy`), per source; asked once per process.
_grouped_counts: dict[str, bool] = {}


def grouping_known() -> bool:
    """Whether this process already knows if the configured Appwrite groups counts."""
    return _grouped_counts.get(shared.source_key("grouped")) is not None


def detect_grouped_counts() -> None:
    """Asks once whether Appwrite answers `count` + `groupBy`: if it does, a page's
    message counts take one grouped request instead of listing the messages (released Appwrite cannot)."""
    queries = [Query.count("*", "n"), Query.group_by(["sessionId"]), Query.limit(1)]
    try:
        answer = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False)
    except errors.BadAnswer:  # released Appwrite (and localappwrite): general_query_invalid
        supported = False
    except errors.AppwriteError:
        return  # no answer: ask again with the next cold load
    else:
        supported = all("n" in row and "sessionId" in row for row in answer.rows)
    _grouped_counts[shared.source_key("grouped")] = supported


def _count_messages_grouped(session_ids: list[str]) -> dict[str, Count]:
    queries = [
        Query.equal("sessionId", session_ids),
        Query.count("*", "n"),
        Query.group_by(["sessionId"]),
        Query.limit(len(session_ids)),
    ]
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    tally = {records.as_text(row.get("sessionId")): int(row.get("n") or 0) for row in rows}
    return {sid: records.count_of(tally.get(sid, 0)) for sid in session_ids}


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
