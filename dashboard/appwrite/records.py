"""What the package hands out: frozen dataclasses read from Appwrite's rows (a `ChatSession`, a `Message`,
a `Count`, a `Page` of sessions), parsed so that no stored value, however odd, can crash a page."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from django.utils import timezone

from dashboard.colours import css_colour

# Appwrite stops counting at 5000 (APP_LIMIT_COUNT); a count of 5000 means "5000 or more".
COUNT_CAP = 5000


# The first and last moments Python can hold in UTC.
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def parse_datetime(value: Any) -> datetime | None:
    """A stored moment, in UTC (UTC when it names no zone); None for anything that is not one. Text a
    drifted schema holds can name a moment beyond the years UTC can show (`9999-12-31T23:59:59-05:00` is in
    the year 10000): it becomes the last (or first) moment there is, which every page can show and compare."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return LATEST if parsed.year > 1 else EARLIEST


def format_datetime(moment: datetime) -> str:
    """A moment as Appwrite stores and compares it: UTC, to the millisecond."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


# Metadata nested deeper than this is shown as stored text: pretty-printing it, or pickling it into the
# shared cache with its session, would run out of stack.
MAX_JSON_DEPTH = 32
# In JSON text: an escaped backslash, a surrogate pair, or half of one (`\ud800` alone is valid JSON, but
# a page cannot encode the lone surrogate it decodes to, so it becomes U+FFFD).
_JSON_ESCAPE = re.compile(
    r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)


def _nested_too_deep(value: Any) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _json_object(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    if "\\u" in text:
        text = _JSON_ESCAPE.sub(lambda found: "\\ufffd" if len(found[0]) == 6 else found[0], text)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and not _nested_too_deep(value) else None


def as_text(value: Any) -> str:
    """A stored value as text: strings as they are, anything else as its JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class ChatSession:
    """One visitor's chat session, exactly the fields stored in the sessions collection."""

    row_id: str
    session_id: str
    status: str
    start_time: datetime | None
    last_seen: datetime | None
    user_meta: str  # JSON object as text, kept as stored
    theme: str  # JSON object as text, kept as stored
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ChatSession:
        return cls(
            row_id=str(row.get("$id", "")),
            session_id=as_text(row.get("sessionId")),
            status=as_text(row.get("status")),
            start_time=parse_datetime(row.get("startTime")),
            last_seen=parse_datetime(row.get("lastSeen")),
            user_meta=as_text(row.get("userMeta")),
            theme=as_text(row.get("theme")),
            created_at=parse_datetime(row.get("$createdAt")),
            updated_at=parse_datetime(row.get("$updatedAt")),
        )

    @cached_property
    def user_meta_object(self) -> dict[str, Any] | None:
        """userMeta as a dict, or None when it is empty, not JSON or not an object."""
        return _json_object(self.user_meta)

    @cached_property
    def theme_object(self) -> dict[str, Any] | None:
        return _json_object(self.theme)

    def meta(self, key: str) -> str:
        """A userMeta value as short text ('' when absent); nested values are not shown here, nor `NaN`,
        `Infinity` or `1e999` (which Python's JSON reader takes, but which are no JSON value: no chip)."""
        value = (self.user_meta_object or {}).get(key)
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)[:80]
        return ""

    @property
    def theme_colour(self) -> str | None:
        """The theme's primary colour when it is a valid CSS colour literal."""
        theme = self.theme_object or {}
        return css_colour(theme.get("primaryColor"))

    def idle_for(self, now: datetime | None = None) -> timedelta | None:
        """Time since last seen; zero for a last-seen in the future, None when unknown."""
        if self.last_seen is None:
            return None
        return max((now or timezone.now()) - self.last_seen, timedelta(0))

    @property
    def duration(self) -> timedelta | None:
        """From start to last seen; None when either is missing or they are out of order."""
        if self.start_time is None or self.last_seen is None or self.last_seen < self.start_time:
            return None
        return self.last_seen - self.start_time

    def is_idle(self, idle_minutes: int, now: datetime | None = None) -> bool:
        idle_for = self.idle_for(now)
        return self.status == "active" and idle_for is not None and idle_for > timedelta(minutes=idle_minutes)


@dataclass(frozen=True)
class Count:
    """A count from Appwrite; `capped` when Appwrite stopped counting (shown as "5000+")."""

    value: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.value}+" if self.capped else str(self.value)


def count_of(total: int) -> Count:
    """Appwrite's total as a Count, capped where Appwrite stops counting."""
    return Count(min(total, COUNT_CAP), capped=total >= COUNT_CAP)


@dataclass(frozen=True)
class Page:
    """One page of the session list, with the cursors (`after:<id>`, `before:<id>`) of its neighbours."""

    sessions: tuple[ChatSession, ...]
    next_cursor: str | None
    previous_cursor: str | None


# Who wrote a message, as the row shows it: the sender values that mean each are configured or detected
# (dashboard/appwrite/message_schema.py); anything else is a bot or the system.
VISITOR, AGENT, BOT = "visitor", "agent", "bot"


@dataclass(frozen=True)
class LastMessage:
    """The newest message of a session, for its row in the list: what was written, by whom, and when."""

    text: str  # as stored (the template escapes it and cuts it to one line)
    sender: str  # VISITOR, AGENT or BOT
    sent_at: datetime | None

    @property
    def waiting_since(self) -> datetime | None:
        """When the visitor wrote last, the moment they started waiting for a reply; else None."""
        return self.sent_at if self.sender == VISITOR else None


@dataclass(frozen=True)
class Message:
    """One message of a session's transcript, read by the messages schema (message_schema.py), which is the
    deployment's own: only `sessionId` is assumed."""

    row_id: str
    session_id: str
    role: str  # the sender as stored ('' when the collection has no sender attribute); the page's data-role
    text: str  # as stored ('' when the collection has no text attribute: then `fields` is what it holds)
    created_at: datetime | None
    sender: str = BOT  # VISITOR, AGENT or BOT (also when the sender cannot be told: nobody is then waiting)
    fields: tuple[tuple[str, str], ...] = ()  # without a text attribute: its stored fields, as text
