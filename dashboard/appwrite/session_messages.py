"""What the list shows of each session's messages: how many, and the newest (its preview: who wrote last,
what, since when). A page's sessions are read together, never one request per row: one listing of their
messages, ordered by `sessionId` and newest first within each, gives both; a session that floods it costs
two follow-ups beside each other, not one per row."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from appwrite.query import Query
from django.conf import settings

from dashboard.appwrite import database, errors, records, shared, transport
from dashboard.appwrite.message_schema import MessageSchema
from dashboard.appwrite.queries import equal_chunks
from dashboard.appwrite.records import Count, LastMessage

# Messages one listing reads: Appwrite's own cap on counting, so a session it cuts off has 5000 or more.
MESSAGE_COUNT_BATCH = 5000
# Grouped counts (a future Appwrite) read no messages: the newest are then asked apart, this many at once.
NEWEST_BATCH = 1000


@dataclass
class PageMessages:
    """Counts by `sessionId`, and the newest message of each session that has one (when a schema was given)."""

    counts: dict[str, Count] = field(default_factory=dict)
    newest: dict[str, LastMessage] = field(default_factory=dict)

    def take(self, other: PageMessages) -> None:
        self.counts.update(other.counts)
        for session_id, message in other.newest.items():
            self.newest.setdefault(session_id, message)


def message_counts(session_ids: Iterable[str]) -> dict[str, Count]:
    return page_messages(session_ids, None).counts


def page_messages(session_ids: Iterable[str], shape: MessageSchema | None) -> PageMessages:
    """Each session's message count and, with a messages schema, its newest message.

    Released Appwrite cannot group, so this lists the messages of the whole page at once, ordered by
    `sessionId` then newest first (selecting `sessionId` alone without a schema, else also the text and
    sender), and counts them here; each session's first row is its newest message. A listing that comes back
    full has settled every session it showed except those the database may sort as its last `sessionId`,
    whose newest it still has: those are counted one by one, and the sessions it never reached get one more
    listing beside them; what that one leaves unsure is read one by one. Exact `sessionId` matches only:
    Appwrite's MariaDB compares without case (and accents), so a listing for `s_dup` also brings `S_DUP`'s
    messages, which are neither counted nor shown as `s_dup`'s."""
    ids = sorted({session_id for session_id in session_ids if session_id})
    found = PageMessages()
    chunks = equal_chunks("sessionId", ids)
    if _grouped_counts.get(shared.source_key("grouped")):
        calls: list[Callable[[], PageMessages]] = [lambda chunk=chunk: _grouped(chunk) for chunk in chunks]
        if shape is not None:
            calls += [lambda chunk=chunk: _newest(chunk, shape) for chunk in chunks]
        for part in transport.run_concurrently(*calls):
            found.take(part)
        return found
    for listing in transport.run_concurrently(*[lambda chunk=chunk: _listing(chunk, shape) for chunk in chunks]):
        found.take(listing)
        # The sessions of its last `sessionId` are counted one by one (their newest message came), and those it
        # did not reach get one more listing, side by side; what even that leaves unsure, one by one.
        follow_ups: list[Callable[[], PageMessages]] = [lambda sid=sid: _count_of(sid) for sid in listing.cut]
        follow_ups += [lambda rest=listing.rest: _listing(rest, shape)] if listing.rest else []
        last_round: list[Callable[[], PageMessages]] = []
        for part in transport.run_concurrently(*follow_ups):
            found.take(part)
            if isinstance(part, _Listing):
                last_round += [lambda sid=sid: _count_of(sid) for sid in part.cut]
                last_round += [lambda sid=sid: _one_session(sid, shape) for sid in part.rest]
        for part in transport.run_concurrently(*last_round):
            found.take(part)
    return found


@dataclass
class _Listing(PageMessages):
    """One listing: what it settled, the sessions of its last `sessionId` when it came back full (their
    newest known, their count not), and those it did not reach (or that have none)."""

    cut: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)


def _newest_first() -> list[str]:
    """Newest first, as the transcript shows them last: by `$createdAt`, then by Appwrite's insertion order
    for messages of the same millisecond (`$sequence`, which Appwrite 1.8's TablesDB always has; older
    servers tie-break on their own)."""
    tie = [Query.order_desc("$sequence")] if settings.APPWRITE_API == "tablesdb" else []
    return [Query.order_desc("$createdAt"), *tie]


def _shown(shape: MessageSchema | None) -> list[str] | None:
    """What a listing selects: `sessionId` alone for counts; with a schema its text and sender too (all of
    a message's attributes when none is known to be its text, to show them)."""
    return ["sessionId"] if shape is None else shape.select()


def _listing(session_ids: list[str], shape: MessageSchema | None) -> _Listing:
    queries = [Query.equal("sessionId", session_ids), Query.order_asc("sessionId")]
    if shape is not None:
        queries += _newest_first()
    selected = _shown(shape)
    queries += [*([Query.select(selected)] if selected else []), Query.limit(MESSAGE_COUNT_BATCH)]
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    asked = set(session_ids)
    tally: Counter[str] = Counter()
    newest: dict[str, LastMessage] = {}
    for row in rows:
        session_id = records.as_text(row.get("sessionId"))
        tally[session_id] += 1
        if shape is not None and session_id in asked and session_id not in newest:
            newest[session_id] = shape.last_message(row)
    if len(rows) < MESSAGE_COUNT_BATCH:
        return _Listing({sid: Count(tally.get(sid, 0)) for sid in session_ids}, newest)
    # The database sorts by its own collation, not Python's order: a session whose rows came is settled
    # unless it may share the last one's place in that order; one whose rows did not come is unknown.
    last = _collation_key(records.as_text(rows[-1].get("sessionId")))
    cut = [sid for sid in session_ids if _collation_key(sid) == last]
    settled = {sid: Count(tally[sid]) for sid in session_ids if sid in tally and sid not in cut}
    rest = [sid for sid in session_ids if sid not in settled and sid not in cut]
    return _Listing(settled, newest, cut=cut, rest=rest)


def _collation_key(text: str) -> str:
    """A key that two ids share whenever the database may compare them as equal: coarser than MariaDB's
    case- and accent-insensitive collations (which also ignore trailing spaces, and some characters
    altogether). Too coarse only costs an exact count; too fine would give a wrong one."""
    letters = unicodedata.normalize("NFKD", text).casefold()
    kept = [char for char in letters if char.isalnum() and not unicodedata.combining(char)]
    return "".join(char for index, char in enumerate(kept) if index == 0 or kept[index - 1] != char)


def _one_session(session_id: str, shape: MessageSchema | None) -> PageMessages:
    """One session's count and, with a schema, its newest message: its messages listed (newest first, at
    most 5000), to keep only those of exactly this id."""
    queries = [Query.equal("sessionId", [session_id])]
    if shape is not None:
        queries += _newest_first()
    selected = _shown(shape)
    queries += [*([Query.select(selected)] if selected else []), Query.limit(records.COUNT_CAP)]
    answer = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=True)
    own = [row for row in answer.rows if records.as_text(row.get("sessionId")) == session_id]
    newest = {session_id: shape.last_message(own[0])} if shape is not None and own else {}
    exact = len(own)
    if answer.total > len(answer.rows) and exact < len(answer.rows):
        count = Count(exact, capped=True)  # more rows than listed, not all of them this session's: at least so many
    else:
        count = records.count_of(exact if exact < len(answer.rows) else answer.total)
    return PageMessages({session_id: count}, newest)


def _count_of(session_id: str) -> PageMessages:
    return PageMessages({session_id: messages_of(session_id)})


def messages_of(session_id: str) -> Count:
    """One session's messages, exactly (capped at 5000)."""
    return _one_session(session_id, None).counts[session_id]


# -- Grouped counts: a future Appwrite's `count` + `groupBy` ------------------------------------------

# Whether the server groups counts, per source; asked once per process.
_grouped_counts: dict[str, bool] = {}


def grouping_known() -> bool:
    """Whether this process already knows if the configured Appwrite groups counts."""
    return _grouped_counts.get(shared.source_key("grouped")) is not None


def detect_grouped_counts() -> None:
    """Asks once whether Appwrite answers `count` + `groupBy`: if it does, a page's message counts take
    one grouped request instead of listing the messages (released Appwrite cannot)."""
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


def _grouped(session_ids: list[str]) -> PageMessages:
    queries = [
        Query.equal("sessionId", session_ids),
        Query.count("*", "n"),
        Query.group_by(["sessionId"]),
        Query.limit(len(session_ids)),
    ]
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    tally = {records.as_text(row.get("sessionId")): int(row.get("n") or 0) for row in rows}
    return PageMessages({sid: records.count_of(tally.get(sid, 0)) for sid in session_ids})


def _newest(session_ids: list[str], shape: MessageSchema) -> PageMessages:
    """Beside grouped counts: the newest messages of these sessions, newest first. A session with more
    messages than the answer holds, all newer than another one's newest, leaves that one unknown this time."""
    queries = [Query.equal("sessionId", session_ids), *_newest_first(), Query.limit(NEWEST_BATCH)]
    selected = shape.select()
    queries += [Query.select(selected)] if selected else []
    newest: dict[str, LastMessage] = {}
    for row in database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows:
        session_id = records.as_text(row.get("sessionId"))
        if session_id in session_ids and session_id not in newest:
            newest[session_id] = shape.last_message(row)
    return PageMessages(newest=newest)
