"""Acting on many sessions: closing a selection (bulk and idle close) page by page, closing explicitly
selected sessions, and walking every session a filter matches (the export). Each close is one status
change; a session that fails is reported, never hidden."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from appwrite.query import Query
from django.conf import settings
from django.utils import timezone

from dashboard.appwrite import counting, database, errors, status_changes, transport
from dashboard.appwrite.queries import (
    MAX_QUERY_VALUES,
    Selection,
    SessionFilters,
    equal_chunks,
    filter_queries,
    selection_queries,
    status_queries,
)
from dashboard.appwrite.records import ChatSession, Count

# Rows read per Appwrite call when a bulk action or an export walks every page (read when called, so that
# a test can make pages small).
WALK_PAGE_SIZE = 100
# Explicitly selected sessions closed in one request (also Appwrite's limit of values in one `equal`).
MAX_SELECTED = MAX_QUERY_VALUES


def count_selection(selection: Selection) -> Count:
    """How many open sessions the selection would close now (capped at 5000 like every total)."""
    if selection.status == "closed":
        return Count(0)
    return counting.total(selection_queries(selection, timezone.now()))


@dataclass(frozen=True)
class CloseOutcome:
    """What became of one session of a bulk close."""

    row_id: str
    session_id: str
    result: str  # "closed", "already_closed" or "failed"
    reason: str = ""


@dataclass(frozen=True)
class CloseBatch:
    """One page of a bulk close: each session's outcome, and where the walk goes on."""

    outcomes: tuple[CloseOutcome, ...]
    last_row_id: str | None  # where the next batch starts (cursorAfter)
    done: bool


def _close_one(session: ChatSession) -> CloseOutcome:
    if session.status == "closed":
        return CloseOutcome(session.row_id, session.session_id, "already_closed")
    try:
        status_changes.set_status(session.row_id, "closed")
    except errors.NotFound:
        return CloseOutcome(session.row_id, session.session_id, "failed", "no longer exists")
    except errors.AppwriteError as error:
        return CloseOutcome(session.row_id, session.session_id, "failed", str(error)[:120])
    return CloseOutcome(session.row_id, session.session_id, "closed")


def _close_all(sessions: Sequence[ChatSession]) -> list[CloseOutcome]:
    outcomes: list[CloseOutcome] = []
    for start in range(0, len(sessions), transport.MAX_CONCURRENT_CALLS):
        chunk = sessions[start : start + transport.MAX_CONCURRENT_CALLS]
        outcomes += transport.run_concurrently(*[lambda s=s: _close_one(s) for s in chunk])
    return outcomes


def close_selection_batch(selection: Selection, after: str | None = None, limit: int | None = None) -> CloseBatch:
    """Closes one page of the selection, walking by `$id` from `after`.

    Closed rows drop out of the query, but a cursor is found by id whatever its status, so walking
    on from the last row handled never revisits a failure and never skips an open row. A vanished
    cursor row starts the walk again from the first page (already closed rows no longer match)."""
    if selection.status == "closed":
        return CloseBatch((), after, True)
    limit = WALK_PAGE_SIZE if limit is None else limit
    queries = [*selection_queries(selection, timezone.now()), Query.order_asc("$id"), Query.limit(limit)]
    try:
        cursor = [Query.cursor_after(after)] if after else []
        rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries + cursor, total=False).rows
    except errors.StaleCursor:
        rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    sessions = [ChatSession.from_row(row) for row in rows]
    outcomes = _close_all(sessions)
    last = sessions[-1].row_id if sessions else after
    return CloseBatch(tuple(outcomes), last, done=len(sessions) < limit)


def iter_selection(selection: Selection, limit: int | None = None) -> Iterator[list[ChatSession]]:
    """The open sessions a selection would close, page by page (by `$id`), changing nothing."""
    if selection.status == "closed":
        return
    limit = WALK_PAGE_SIZE if limit is None else limit
    queries = [*selection_queries(selection, timezone.now()), Query.order_asc("$id"), Query.limit(limit)]
    after: str | None = None
    while True:
        cursor = [Query.cursor_after(after)] if after else []
        rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries + cursor, total=False).rows
        if rows:
            yield [ChatSession.from_row(row) for row in rows]
        if len(rows) < limit:
            return
        after = str(rows[-1]["$id"])


def close_sessions_by_id(row_ids: Sequence[str]) -> list[CloseOutcome]:
    """Closes explicitly selected sessions (at most MAX_SELECTED); unknown ids are reported as failed."""
    ids = list(dict.fromkeys(row_ids))[:MAX_SELECTED]
    if not ids:
        return []
    reads = [
        lambda chunk=chunk: database.list_rows(
            settings.APPWRITE_SESSIONS_COLLECTION_ID, [Query.equal("$id", chunk), Query.limit(len(chunk))], total=False
        ).rows
        for chunk in equal_chunks("$id", ids)
    ]
    found = {row["$id"]: ChatSession.from_row(row) for rows in transport.run_concurrently(*reads) for row in rows}
    closed = {outcome.row_id: outcome for outcome in _close_all([found[i] for i in ids if i in found])}
    return [closed.get(i) or CloseOutcome(i, "", "failed", "no longer exists") for i in ids]


def iter_matching_pages(
    status: str, search: str, filters: SessionFilters | None, page_size: int | None = None
) -> Iterator[list[ChatSession]]:
    """Every session the list shows for this filter, one page at a time, newest created first.

    Ordered by `$createdAt` (never empty, never changes) so sessions moving while the walk runs
    are neither repeated nor skipped, as they could be when walking by last seen."""
    page_size = WALK_PAGE_SIZE if page_size is None else page_size
    queries = status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    if search:
        queries.append(Query.starts_with("sessionId", search))
    queries += [*filter_queries(filters), Query.order_desc("$createdAt"), Query.limit(page_size)]
    after: str | None = None
    while True:
        page = queries + ([Query.cursor_after(after)] if after else [])
        rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, page, total=False).rows
        if rows:
            yield [ChatSession.from_row(row) for row in rows]
        if len(rows) < page_size:
            return
        after = str(rows[-1]["$id"])
