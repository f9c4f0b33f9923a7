"""One session as its open page watches it: the session and its message total, shared by every agent who
has the page open, and read from Appwrite again only when something says they may have changed: a new
message (the widget moves `lastSeen` with each), an agent's status change anywhere (the lists' generation),
or RECHECK_SECONDS gone by (a visitor seen again, a change made outside the dashboard, a deleted session)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from django.core.cache import cache

from dashboard.appwrite import chat_sessions, counting, errors, live, shared, transport
from dashboard.appwrite.records import ChatSession, Count

# A change made outside the dashboard (a visitor seen again without writing, the widget's own status change)
# shows on an open session page within this long; new messages and agents' changes show at the next poll.
RECHECK_SECONDS = 15
ENTRY_SECONDS = 10 * 60


@dataclass(frozen=True)
class WatchedSession:
    session: ChatSession
    message_total: Count | None  # None: it could not be counted
    # The newest message the total includes, as a transcript last saw it ("" for none; None: not known, as when
    # it was read for a poll that does not look at messages).
    newest_message: str | None
    read_at: float  # time.time() of the read
    generation: int


def _key(row_id: str) -> str:
    return shared.source_key("watched-session", row_id)


def remember(session: ChatSession, message_total: Count | None, newest_message: str | None) -> None:
    """What a session's page showed as it opened: its first polls need not ask Appwrite again."""
    entry = WatchedSession(session, message_total, newest_message, time.time(), live.generation())
    cache.set(_key(session.row_id), entry, ENTRY_SECONDS)


def _total(session_id: str) -> Count | None:
    try:
        return counting.messages_of(session_id)
    except errors.AppwriteError:
        return None  # the page says "–" rather than fail the whole poll over a count


def known(row_id: str) -> WatchedSession:
    """The session as last read (for its sessionId, which never changes), or read now."""
    entry = cache.get(_key(row_id))
    if isinstance(entry, WatchedSession):
        return entry
    generation, read_at = live.generation(), time.time()
    session = chat_sessions.get_session(row_id)
    watched = WatchedSession(session, _total(session.session_id), None, read_at, generation)
    cache.set(_key(row_id), watched, ENTRY_SECONDS)
    return watched


def watch(row_id: str, newest_message: str | None) -> WatchedSession:
    """The session and its message total as they are now, as far as anything says. `newest_message` is
    the newest message the page's poll found (None when it did not look: an older page of the transcript).

    Asks Appwrite nothing while nothing says it changed. After a new message: the session and the total,
    side by side; after an agent's change or RECHECK_SECONDS: the session, and the total only when the page
    could not tell (no `newest_message`) and the session moved. NotFound when the session is gone."""
    entry = known(row_id)
    generation = live.generation()
    if newest_message is not None and entry.newest_message is None:
        # Read without looking at messages (just now, or for an older page of the transcript, whose polls
        # count again whenever the session moves): its total goes with the newest message found now.
        entry = replace(entry, newest_message=newest_message)
        cache.set(_key(row_id), entry, ENTRY_SECONDS)
    arrived = newest_message is not None and newest_message != entry.newest_message
    due = entry.generation != generation or time.time() - entry.read_at >= RECHECK_SECONDS
    if not arrived and not due:
        return entry
    read_at = time.time()
    try:
        if arrived:
            session, total = transport.run_concurrently(
                lambda: chat_sessions.get_session(row_id), lambda: _total(entry.session.session_id)
            )
        else:
            session, total = chat_sessions.get_session(row_id), entry.message_total
            if newest_message is None and session.updated_at != entry.session.updated_at:
                total = _total(session.session_id)
    except errors.NotFound:
        cache.delete(_key(row_id))
        raise
    newest = newest_message if newest_message is not None else entry.newest_message
    watched = WatchedSession(session, total, newest, read_at, generation)
    cache.set(_key(row_id), watched, ENTRY_SECONDS)
    return watched
