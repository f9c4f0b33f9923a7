"""Each row's newest message, for the list's previews (who wrote last, what, since when): the page's sessions
asked together, newest messages first, in one request, never one per row; a session that flooded the answer
cannot hide the others, which get one bounded follow-up. live.py caches them by (row, `$updatedAt`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from appwrite.query import Query
from django.conf import settings
from django.core.cache import cache

from dashboard.appwrite import database, errors, records, shared, transport
from dashboard.appwrite.message_schema import MessageSchema
from dashboard.appwrite.queries import equal_chunks
from dashboard.appwrite.records import ChatSession, LastMessage

logger = logging.getLogger(__name__)

# Messages one request reads per session asked, within bounds: a session is covered when its newest message
# is among them, so only a session with more messages than that, all newer than another one's newest, crowds
# that one out (and it gets the follow-up). 25 rows read 250 messages; 100 rows 1,000.
ROWS_PER_SESSION = 10
MIN_ROWS = 100
MAX_ROWS = 1000
# As long as live.py keeps the lists (LIST_ENTRY_SECONDS); whether an entry is still good is decided by its
# `$updatedAt` and when it was read.
ENTRY_SECONDS = 120


def _rows_for(asked: int) -> int:
    return max(MIN_ROWS, min(MAX_ROWS, ROWS_PER_SESSION * asked))


@dataclass(frozen=True)
class Batch:
    """What one request told: the newest message of the sessions it covered, the sessions it showed to have
    none, and those it cannot tell about (its answer was full before their newest message came)."""

    found: dict[str, LastMessage]
    empty: list[str]
    unsure: list[str]


def read_batch(session_ids: list[str], shape: MessageSchema) -> Batch:
    """The newest messages of these sessions, newest first (the transcript's order: `$createdAt`, then
    Appwrite's own sequence). Only exact `sessionId` matches count: Appwrite's MariaDB compares without case,
    so asking for `s_dup` also brings `S_DUP`'s messages."""
    limit = _rows_for(len(session_ids))
    queries = [Query.equal("sessionId", session_ids), Query.order_desc("$createdAt"), Query.limit(limit)]
    selected = shape.select()
    if selected is not None:
        queries.append(Query.select(selected))
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    asked = set(session_ids)
    found: dict[str, LastMessage] = {}
    for row in rows:
        session_id = records.as_text(row.get("sessionId"))
        if session_id in asked and session_id not in found:
            found[session_id] = shape.last_message(row)
    rest = [session_id for session_id in session_ids if session_id not in found]
    whole = len(rows) < limit  # every message of these sessions was in the answer
    return Batch(found, rest if whole else [], [] if whole else rest)


class PageRead:
    """The newest messages of a page's sessions: from the shared cache where a session's `$updatedAt` has
    not moved since it was read (and it was read after `since`, the last full reload), else from Appwrite.

    `start()` sends the first request at once, beside the message counts' first. `follow_up()`, once the
    counts have theirs (counting.message_counts calls it between its rounds), reads its answer and asks for
    the sessions a flood left unsure, beside the counts' own follow-ups: a third round, only after a flood.
    `finish()` collects everything; what even the follow-up left out stays unknown until its next read."""

    def __init__(self, sessions: Sequence[ChatSession], since: float, shape: MessageSchema | None, asked: float):
        self.shape, self.asked = shape, asked
        self.keys = {
            session.row_id: (session, self._key(session))
            for session in sessions
            if session.session_id
        }
        entries = cache.get_many([key for _, key in self.keys.values()]) if self.keys else {}
        self.known: dict[str, LastMessage | None] = {}
        for session, key in self.keys.values():
            entry = entries.get(key)
            if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == session.updated_at and entry[2] >= since:
                self.known[session.session_id] = entry[1]
        self.to_read = sorted({s.session_id for s, _ in self.keys.values()} - set(self.known))
        self.futures: list[Future] = []
        self.read: dict[str, LastMessage | None] | None = None  # what Appwrite said (None: not asked yet)

    def _key(self, session: ChatSession) -> str:
        # The schema is part of the key: other settings read other attributes.
        shape = self.shape
        words = (shape.text, shape.sender, sorted(shape.visitor_values), sorted(shape.agent_values)) if shape else None
        return shared.source_key("last-message", session.row_id, session.session_id, words)

    def start(self) -> None:
        if self.to_read and self.shape is not None:
            shape = self.shape
            calls = [lambda chunk=chunk: read_batch(chunk, shape) for chunk in equal_chunks("sessionId", self.to_read)]
            self.futures = transport.start_concurrently(*calls)

    def follow_up(self) -> None:
        if self.read is not None or self.shape is None:
            return
        self.read, unsure = {}, []
        for batch in self._results():
            self.read.update({**batch.found, **dict.fromkeys(batch.empty)})
            unsure += batch.unsure
        shape = self.shape
        if unsure:
            self.futures = transport.start_concurrently(lambda: read_batch(equal_chunks("sessionId", unsure)[0], shape))
        else:
            self.futures = []

    def finish(self) -> dict[str, LastMessage]:
        """Every session's newest message that is known (missing: none, or not known yet). A failed read
        leaves its previews unknown, and asked again next time, rather than failing the list."""
        self.follow_up()
        if self.read is not None:
            for batch in self._results():
                self.read.update({**batch.found, **dict.fromkeys(batch.empty)})
            self.known.update(self.read)
            entries = {
                key: (session.updated_at, self.read[session.session_id], self.asked)
                for session, key in self.keys.values()
                if session.session_id in self.read
            }
            cache.set_many(entries, ENTRY_SECONDS)
        return {session_id: message for session_id, message in self.known.items() if message is not None}

    def _results(self) -> list[Batch]:
        batches = []
        for future in self.futures:
            try:
                batches.append(future.result())
            except errors.AppwriteError as error:
                logger.warning("the list's newest messages could not be read: %s", error)
        self.futures = []
        return batches
