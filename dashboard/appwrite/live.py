"""The list every agent polls, shared by all of them: its pages, tab counts and message counts are kept
in the shared cache under a version; one cheap probe per interval, for all agents together, tells whether
Appwrite has anything newer, and an agent's own change (a new generation) makes everyone load afresh.
See bench/README.md, "How the list stays cheap"."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from appwrite.query import Query
from django.conf import settings
from django.core.cache import cache

from dashboard.appwrite import (
    chat_sessions,
    counting,
    database,
    message_schema,
    records,
    session_messages,
    shared,
    transport,
)
from dashboard.appwrite.counting import StatusCounts
from dashboard.appwrite.queries import SessionFilters
from dashboard.appwrite.records import ChatSession, Count, LastMessage, Page

# The list every agent polls is shared (see this module's docstring). One agent polling every
# P seconds looks at Appwrite on every poll as long as a look stays good for less than P; any number of
# agents look at most once per PROBE_SHARE x P. So 50 agents cost at most P / (0.8 P) = 1.25 times what
# one agent costs (the target is 1.5), with 20% of room for the browsers' timer jitter.
PROBE_SHARE = 0.8
# Deleted sessions, sessions turning idle as time passes and messages written without bumping their
# session are invisible to the probe: everything is asked again at least this often.
FULL_REFRESH_SECONDS = 60
# Writes may commit out of `$updatedAt` order, and a cold load reads the newest row beside the page:
# the probe looks back this far and compares what it finds with what it saw the last time.
PROBE_OVERLAP = timedelta(seconds=2)
PROBE_LIMIT = 100
# Shared entries outlive a full reload; whether they are still good is decided by their version.
LIST_ENTRY_SECONDS = 2 * FULL_REFRESH_SECONDS


@dataclass(frozen=True)
class SessionList:
    """What the list page shows: one page, the tab counts (of the list's search and filters) and each row's
    message count and newest message."""

    page: Page
    counts: StatusCounts
    message_counts: dict[str, Count]
    loaded_at: datetime  # when Appwrite last confirmed it
    version: str = ""  # changes whenever Appwrite's answer may have changed
    # Each row's newest message, by session ID (missing: not known yet, or the session has none).
    last_messages: dict[str, LastMessage] = field(default_factory=dict)


@dataclass(frozen=True)
class _ListState:
    """What every agent shares about the sessions collection: the version of the cached lists, and
    what the last look at Appwrite saw (the newest `$updatedAt`, the rows near it), in Appwrite's clock."""

    generation: int  # bumped by the agents' own changes
    version: str
    newest: datetime | None
    seen: frozenset[tuple[str, datetime | None]]  # ($id, $updatedAt) found by the last probe
    checked: float  # _clock() of the last look
    full: float  # _clock() of the last full reload


def load_session_list(
    status: str | None,
    search: str,
    sort: str,
    cursor: str | None,
    page_size: int,
    filters: SessionFilters | None = None,
    while_counting: Callable[[Page], None] | None = None,
) -> SessionList:
    """The list page's data, taken from what every agent shares unless Appwrite has something newer.

    Cold (nothing shared yet, a full reload due, or right after an agent's own change): two rounds in
    series, the page beside the tab counts (whose `all` total also brings the newest `$updatedAt`), then
    the message counts and newest messages of the page's rows (one listing). Warm: one probe per probe
    interval for all agents together, and only when it finds changes the page and counts again, message
    counts and newest messages only for changed rows. The tab counts follow `search` and `filters`, as the
    "select all N" count does (counting.count_matching).

    When the page is read from Appwrite, `while_counting(page)` is called on the caller's thread as soon
    as it is there, while its message counts are still on their way (the list view renders the rows then)."""
    generation = shared.counter(shared.source_key("generation"))
    state, state_join = _list_state(generation)
    cold = state_join is not None
    version = secrets.token_hex(8) if cold else state.version
    started = _clock()

    def current(entry: Any) -> bool:
        return isinstance(entry, tuple) and entry[0] == version

    joins = [state_join] if state_join is not None else []
    try:
        # Always in this order, so that two leaders never wait for each other.
        counts_join = shared.join(shared.source_key("counts", search, filters or None), current)
        joins.append(counts_join)
        page_join = shared.join(shared.source_key("page", status, search, sort, cursor, page_size, filters), current)
        joins.append(page_join)
        counting_tabs, paging = cold or counts_join.leading, page_join.leading
        # The page goes first, and its rows' message counts follow it as soon as it is there, beside
        # the tab counts: two round trips in series, whatever a count may cost.
        page_known: Future = Future()
        # Once per process: what the messages collection calls its text and sender, asked beside the page
        # (the page's messages are read after it, so this costs no round of its own).
        detecting = (
            transport.start_concurrently(message_schema.detect_quietly)[0]
            if cold and message_schema.cached() is None
            else None
        )

        def page_and_messages() -> tuple[Page, dict[str, Count], dict[str, LastMessage]]:
            try:
                page = chat_sessions.list_sessions(status, search, sort, cursor, page_size, filters)
            except BaseException as error:
                page_known.set_exception(error)
                raise
            page_known.set_result(page)
            since = started if cold else state.full
            if detecting is not None:
                detecting.result()
            return page, *_cached_messages(page.sessions, since, message_schema.cached())

        calls = [page_and_messages] if paging else []
        calls += counting.status_count_calls(with_newest=True, search=search, filters=filters) if counting_tabs else []
        # Once per process, beside the first round.
        if cold and not session_messages.grouping_known():
            calls.append(session_messages.detect_grouped_counts)
        if paging and while_counting is not None:
            futures = transport.start_concurrently(*calls)
            while_counting(page_known.result())
            results = [future.result() for future in futures]
        else:
            results = transport.run_concurrently(*calls) if calls else []
        page, counts_by_session, newest_messages = results.pop(0) if paging else (None, None, None)

        if counting_tabs:
            (all_count, newest), *rest = results[:6]
            counts = counting.status_counts_from([all_count, *rest])
            counts_join.finish((version, counts), LIST_ENTRY_SECONDS)
            if cold:
                state = _cold_state(generation, version, newest, page, started)
                state_join.finish(state, LIST_ENTRY_SECONDS)
        else:
            counts = counts_join.value[1]

        if paging:
            page_join.finish((version, page, counts_by_session, newest_messages), LIST_ENTRY_SECONDS)
        else:
            _, page, counts_by_session, newest_messages = page_join.value
    except BaseException as error:
        for join in joins:
            join.fail(error)
        raise
    return SessionList(
        page=page,
        counts=counts,
        message_counts=counts_by_session,
        loaded_at=datetime.fromtimestamp(state.checked, UTC),
        version=version,
        last_messages=newest_messages,
    )


def _cold_state(
    generation: int, version: str, newest: dict[str, Any] | None, page: Page | None, started: float
) -> _ListState:
    """Where the next probe starts after a full reload. What the previous look saw still holds (it was
    seen before this reload began); without one, the newest row counts as seen only when the page read
    shows it as it is, since it may have changed between the two reads."""
    previous = cache.get(shared.source_key("state"))
    if isinstance(previous, _ListState):
        return replace(previous, generation=generation, version=version, checked=started, full=started)
    newest_at = records.parse_datetime(newest.get("$updatedAt")) if newest else None
    seen: frozenset[tuple[str, datetime | None]] = frozenset()
    if newest and page and any(s.row_id == newest.get("$id") and s.updated_at == newest_at for s in page.sessions):
        seen = frozenset({(records.as_text(newest.get("$id")), newest_at)})
    return _ListState(generation, version, newest_at, seen, checked=started, full=started)


def _clock() -> float:
    """Wall-clock seconds, shared by dashboard processes on one Redis (tests move it forward)."""
    return time.time()


def probe_seconds() -> float:
    """How long a look at Appwrite stays good for every agent."""
    return settings.DASHBOARD_POLL_SECONDS * PROBE_SHARE


def _list_state(generation: int) -> tuple[_ListState | None, shared.Join | None]:
    """The shared state, probed when it is due; (None, join) when the caller must load cold and publish it."""
    key = shared.source_key("state")

    def fresh(state: Any) -> bool:
        now = _clock()
        return (
            isinstance(state, _ListState)
            and state.generation == generation
            and now - state.full < FULL_REFRESH_SECONDS
            and now - state.checked < probe_seconds()
        )

    state = cache.get(key)
    if fresh(state):
        return state, None
    joined = shared.join(key, fresh)
    if not joined.leading:
        return joined.value, None
    state = cache.get(key)
    # After an agent's own change (a new generation) a probe is enough: it finds that change.
    probe_able = isinstance(state, _ListState) and _clock() - state.full < FULL_REFRESH_SECONDS
    if not probe_able:
        return None, joined
    try:
        state = _probe(state, generation)
    except BaseException as error:
        joined.fail(error)
        raise
    joined.finish(state, LIST_ENTRY_SECONDS)
    return state, None


def _probe(state: _ListState, generation: int) -> _ListState:
    """One request: the sessions whose `$updatedAt` is at or near the newest known one or later.
    Anything not seen by the last look means the shared lists are out of date."""
    started = _clock()
    queries = [Query.order_desc("$updatedAt"), Query.select(["$id"]), Query.limit(PROBE_LIMIT)]
    if state.newest is not None:
        queries.insert(0, Query.greater_than("$updatedAt", records.format_datetime(state.newest - PROBE_OVERLAP)))
    rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    seen = frozenset((records.as_text(row.get("$id")), records.parse_datetime(row.get("$updatedAt"))) for row in rows)
    newest = max([moment for moment in (state.newest, *(at for _, at in seen)) if moment is not None], default=None)
    changed = not seen <= state.seen or state.generation != generation
    return replace(
        state,
        generation=generation,
        version=secrets.token_hex(8) if changed else state.version,
        newest=newest,
        seen=seen,
        checked=started,
    )


def _cached_messages(
    sessions: Sequence[ChatSession], since: float, shape: message_schema.MessageSchema | None
) -> tuple[dict[str, Count], dict[str, LastMessage]]:
    """Message counts and newest messages of a page, asking Appwrite only for sessions whose `$updatedAt`
    moved (the widget bumps `lastSeen` with every message) or whose entry is older than the last full
    reload. Without a messages schema (its detection failed) only the counts: the previews wait for one."""
    updated = {session.session_id: session.updated_at for session in sessions if session.session_id}
    # The schema is part of the key: other settings read other attributes (and none, no previews).
    words = (shape.text, shape.sender, sorted(shape.visitor_values), sorted(shape.agent_values)) if shape else None
    keys = {session_id: shared.source_key("messages", session_id, words) for session_id in updated}
    found = cache.get_many(list(keys.values())) if keys else {}
    counts: dict[str, Count] = {}
    newest: dict[str, LastMessage] = {}
    missing = []
    for session_id, key in keys.items():
        entry = found.get(key)
        if isinstance(entry, tuple) and len(entry) == 4 and entry[0] == updated[session_id] and entry[2] >= since:
            counts[session_id] = entry[1]
            if entry[3] is not None:
                newest[session_id] = entry[3]
        else:
            missing.append(session_id)
    if missing:
        asked = _clock()
        fresh = session_messages.page_messages(missing, shape)
        counts.update(fresh.counts)
        newest.update(fresh.newest)
        # A session with messages whose newest is not known (grouped counts, crowded) is asked again next time.
        known = [sid for sid in missing if sid in fresh.counts and (shape is None or sid in fresh.newest
                                                                    or fresh.counts[sid].value == 0)]
        entries = {keys[sid]: (updated[sid], fresh.counts[sid], asked, fresh.newest.get(sid)) for sid in known}
        cache.set_many(entries, LIST_ENTRY_SECONDS)
    return counts, newest


def invalidate_lists() -> None:
    """After an agent's own change: every agent's next load starts afresh, so the change shows at once."""
    shared.bump(shared.source_key("generation"))


def generation() -> int:
    """Moves with every agent's own change (see invalidate_lists): pages that watch a session read it again."""
    return shared.counter(shared.source_key("generation"))
