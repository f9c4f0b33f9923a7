"""A session's transcript: its messages a page at a time in the order they were written, the messages
newer than the last one shown (the live transcript), their total; and adding one (the demo data).

Appwrite's database compares text case-insensitively: asked for `s_dup`'s messages it brings `S_DUP`'s too.
Only exact matches are kept; pages and the live transcript still move on by the rows as read (`read_to`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appwrite.id import ID
from appwrite.query import Query
from django.conf import settings

from dashboard.appwrite import counting, database, message_schema
from dashboard.appwrite.queries import parse_cursor
from dashboard.appwrite.records import Count, Message, format_datetime

# Messages on one page of a transcript, and at most in one live poll's answer.
TRANSCRIPT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Transcript:
    """One page of a transcript, oldest first, with cursors to the older and newer pages."""

    messages: tuple[Message, ...]
    older_cursor: str | None
    newer_cursor: str | None
    read_to: Message | None = None  # the page's last row as read, the session's or one of another case

    @property
    def at_newest(self) -> bool:
        """Nothing newer exists (yet): the page may grow live."""
        return self.newer_cursor is None


def _message_queries(session_id: str) -> list[str]:
    return [Query.equal("sessionId", [session_id])]


def _own(messages: list[Message], session_id: str) -> tuple[Message, ...]:
    return tuple(message for message in messages if message.session_id == session_id)


@dataclass(frozen=True)
class NewMessages:
    """The live transcript's news: the session's new messages, oldest first, and the last row read (where
    the next poll goes on from, even when it was another session's)."""

    messages: tuple[Message, ...]
    read_to: Message | None


def transcript(session_id: str, cursor: str | None = None, page_size: int | None = None) -> Transcript:
    """A page of messages in `$createdAt` order: the newest page without a cursor, else the page
    just before (`before:<id>`) or after (`after:<id>`) the given message."""
    page_size = page_size or TRANSCRIPT_PAGE_SIZE
    parsed = parse_cursor(cursor)
    queries = _message_queries(session_id)
    # One extra row tells whether there is more beyond the page.
    if parsed is None:
        queries += [Query.order_desc("$createdAt"), Query.limit(page_size + 1)]
    else:
        queries += [Query.order_asc("$createdAt"), Query.limit(page_size + 1)]
        queries.append(Query.cursor_after(parsed[1]) if parsed[0] == "after" else Query.cursor_before(parsed[1]))
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    shape = message_schema.current()
    messages = [shape.message(row) for row in rows]
    more = len(messages) > page_size
    if parsed is None:
        messages = list(reversed(messages[:page_size]))
        older, newer = more, False
    elif parsed[0] == "before":
        messages = messages[-page_size:]
        older, newer = more, True
    else:
        messages = messages[:page_size]
        older, newer = True, more
    return Transcript(
        messages=_own(messages, session_id),
        older_cursor=f"before:{messages[0].row_id}" if older and messages else None,
        newer_cursor=f"after:{messages[-1].row_id}" if newer and messages else None,
        read_to=messages[-1] if messages else None,
    )


def messages_after(
    session_id: str, message_id: str | None, limit: int | None = None, *, since: datetime | None = None
) -> NewMessages:
    """Messages newer than `message_id`, or without one, written after `since` (from the start without
    either), oldest first, a page at most. Raises StaleCursor when the message `message_id` is gone."""
    queries = [*_message_queries(session_id), Query.order_asc("$createdAt"), Query.limit(limit or TRANSCRIPT_PAGE_SIZE)]
    if message_id:
        queries.append(Query.cursor_after(message_id))
    elif since is not None:
        queries.append(Query.greater_than("$createdAt", format_datetime(since)))
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    shape = message_schema.current()
    messages = [shape.message(row) for row in rows]
    return NewMessages(_own(messages, session_id), messages[-1] if messages else None)


def message_total(session_id: str) -> Count:
    """All of the session's messages (capped at 5000)."""
    return counting.messages_of(session_id)


def create_message(session_id: str, role: str, content: str, sent_at: datetime | None = None) -> str:
    """Adds one message to a session's transcript (the demo data, the visitor simulator), under the schema's
    own text and sender attributes (`appwrite_setup`'s `content` and `role` where it names none); returns the
    message's row id. `sent_at` backdates it (`$createdAt`, which Appwrite lets an API key set)."""
    shape = message_schema.current()
    data = {"sessionId": session_id, shape.sender or "role": role, shape.text or "content": content}
    if sent_at is not None:
        data["$createdAt"] = format_datetime(sent_at)
    return database.create_row(settings.APPWRITE_MESSAGES_COLLECTION_ID, ID.unique(), data)["$id"]
