"""The messages collection is the deployment's own: only `sessionId` is assumed. Which attribute holds a
message's text and which its sender come from the settings, or are detected once per process from the
collection; the configured sender values say who wrote a message (the visitor, an agent, else a bot or the
system). Rows are read into `records.Message` and `records.LastMessage` here, by that schema."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from appwrite.query import Query
from django.conf import settings

from dashboard.appwrite import database, errors, records, schema, shared
from dashboard.appwrite.records import AGENT, BOT, VISITOR, LastMessage, Message

# In the order they are preferred when several exist (the user's note names none of them).
TEXT_CANDIDATES = ("content", "text", "message", "body")
SENDER_CANDIDATES = ("role", "sender", "author", "from", "type")
# Appwrite's string types (1.8 added the sized and text ones); a sender or text must be one, and not an array.
STRING_TYPES = frozenset({"string", "varchar", "text", "mediumtext", "longtext"})
# Without the scope to read the collection's attributes, the newest rows are read instead.
ROWS_SAMPLE = 25
# Detected from rows of an empty collection there is nothing to go by yet: look again after this long.
RETRY_SECONDS = 60
# A message without a text attribute is shown as its fields: this many, each cut to this many characters.
MAX_FIELDS = 20
MAX_FIELD_CHARACTERS = 2000
SYSTEM_FIELDS = frozenset({"sessionId"})

SETTING, DETECTED = "setting", "detected"


@dataclass(frozen=True)
class MessageSchema:
    """Where a message's text and sender are stored (None: nowhere found), and how that was decided."""

    text: str | None
    sender: str | None
    visitor_values: frozenset[str]
    agent_values: frozenset[str]
    text_origin: str = ""  # SETTING, DETECTED, or "" when there is none
    sender_origin: str = ""
    basis: str = ""  # what detection looked at: "attributes", "rows", or "" (both were set)
    found: tuple[str, ...] = ()  # the candidate attributes the collection has, usable or not
    unusable: tuple[tuple[str, str], ...] = ()  # (key, type) of candidates that are no single string

    def sender_kind(self, value: Any) -> str:
        """VISITOR or AGENT when the stored value is one of theirs (without case), else BOT."""
        word = value.strip().casefold() if isinstance(value, str) else ""
        if word in self.visitor_values:
            return VISITOR
        if word in self.agent_values:
            return AGENT
        return BOT

    def select(self) -> list[str] | None:
        """The attributes a message is read by (None: all of them, to show its fields)."""
        if self.text is None:
            return None
        wanted = ["sessionId", self.text, *([self.sender] if self.sender else []), "$id", "$createdAt"]
        return list(dict.fromkeys(wanted))

    def message(self, row: dict[str, Any]) -> Message:
        """A stored row as a message. Appwrite answers every attribute of a row (null when unset): a text
        attribute the row does not have at all (configured wrongly) shows the fields, as none does."""
        role = records.as_text(row.get(self.sender)) if self.sender else ""
        has_text = self.text is not None and self.text in row
        return Message(
            row_id=str(row.get("$id", "")),
            session_id=records.as_text(row.get("sessionId")),
            role=role,
            text=records.as_text(row.get(self.text)) if has_text else "",
            created_at=records.parse_datetime(row.get("$createdAt")),
            sender=self.sender_kind(role),
            fields=() if has_text else self._fields(row),
        )

    def last_message(self, row: dict[str, Any]) -> LastMessage:
        message = self.message(row)
        text = " · ".join(f"{key}: {value}" for key, value in message.fields) if message.fields else message.text
        return LastMessage(text=text, sender=message.sender, sent_at=message.created_at)

    def _fields(self, row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """Every field but Appwrite's own and `sessionId`, as text: what a message holds when no attribute
        is known to be its text."""
        shown = []
        for key, value in row.items():
            if not isinstance(key, str) or key.startswith("$") or key in SYSTEM_FIELDS or value is None:
                continue
            shown.append((key[:64], records.as_text(value)[:MAX_FIELD_CHARACTERS]))
            if len(shown) == MAX_FIELDS:
                break
        return tuple(shown)


def _choose(candidates: Iterable[str], usable: set[str]) -> str | None:
    return next((key for key in candidates if key in usable), None)


def from_attributes(attributes: Iterable[schema.Attribute]) -> MessageSchema:
    """The schema as the collection's attributes describe it: the first usable candidate of each kind."""
    attributes = list(attributes)
    usable = {a.key for a in attributes if a.type in STRING_TYPES and not a.array and a.status == "available"}
    unusable = tuple((a.key, a.type + (" array" if a.array else "")) for a in attributes if a.key not in usable)
    return _decided(usable, "attributes", tuple(a.key for a in attributes), unusable)


def from_rows(rows: Iterable[dict[str, Any]]) -> MessageSchema:
    """The schema as stored rows show it: a candidate holding text in some row and nothing else in any."""
    rows = list(rows)
    present = {key for row in rows for key in row}
    usable = {
        key
        for key in present
        if all(isinstance(row.get(key), str | None) for row in rows)
        and any(isinstance(row.get(key), str) for row in rows)
    }
    candidates = (*TEXT_CANDIDATES, *SENDER_CANDIDATES)
    found = tuple(key for key in candidates if key in present)
    unusable = tuple((key, "not text") for key in found if key not in usable)
    return _decided(usable, "rows", found, unusable)


def _decided(
    usable: set[str], basis: str, found: tuple[str, ...], unusable: tuple[tuple[str, str], ...]
) -> MessageSchema:
    text_setting, sender_setting = settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE, settings.APPWRITE_MESSAGE_SENDER_ATTRIBUTE
    text = text_setting or _choose(TEXT_CANDIDATES, usable)
    # The text is never also the sender (a collection with only `message` and `type`, say).
    sender = sender_setting or _choose([key for key in SENDER_CANDIDATES if key != text], usable)
    return MessageSchema(
        text=text,
        sender=sender,
        visitor_values=frozenset(value.casefold() for value in settings.APPWRITE_MESSAGE_VISITOR_VALUES),
        agent_values=frozenset(value.casefold() for value in settings.APPWRITE_MESSAGE_AGENT_VALUES),
        text_origin=(SETTING if text_setting else DETECTED) if text else "",
        sender_origin=(SETTING if sender_setting else DETECTED) if sender else "",
        basis=basis,
        found=found,
        unusable=unusable,
    )


def detect() -> MessageSchema:
    """Asks Appwrite: the collection's attributes (candidates only), or, when the key may not read the schema
    (a pages-only key lacks tables.read), its newest rows. Both settings set: no question at all."""
    if settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE and settings.APPWRITE_MESSAGE_SENDER_ATTRIBUTE:
        return _decided(set(), "", (), ())
    collection_id = settings.APPWRITE_MESSAGES_COLLECTION_ID
    try:
        return from_attributes(schema.list_attributes(collection_id, [*TEXT_CANDIDATES, *SENDER_CANDIDATES]))
    except errors.Unauthorized as error:
        if error.type != "general_unauthorized_scope":
            raise
    queries = [Query.order_desc("$createdAt"), Query.limit(ROWS_SAMPLE)]
    return from_rows(database.list_rows(collection_id, queries, total=False).rows)


def sender_sample(sender: str, limit: int) -> list[str]:
    """The values of the sender attribute in the newest messages (the doctor shows what each counts as)."""
    queries = [Query.order_desc("$createdAt"), Query.select([sender]), Query.limit(limit)]
    rows = database.list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    return [records.as_text(row.get(sender)) for row in rows]


# Per process: (schema, monotonic time it stays good until, or None for ever), by source and settings.
_detected: dict[str, tuple[MessageSchema, float | None]] = {}
_detecting = threading.Lock()


def _key() -> str:
    return shared.source_key(
        "message-schema",
        settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE,
        settings.APPWRITE_MESSAGE_SENDER_ATTRIBUTE,
        tuple(settings.APPWRITE_MESSAGE_VISITOR_VALUES),
        tuple(settings.APPWRITE_MESSAGE_AGENT_VALUES),
    )


def cached() -> MessageSchema | None:
    """The schema when this process already knows it (no Appwrite call), else None."""
    entry = _detected.get(_key())
    if entry is None or (entry[1] is not None and time.monotonic() > entry[1]):
        return None
    return entry[0]


def current() -> MessageSchema:
    """The schema, detected on first use in this process (one request; none when both settings are set)."""
    found = cached()
    if found is not None:
        return found
    with _detecting:  # one detection at a time: everyone else waits for its answer
        found = cached()
        if found is None:
            found = detect()
            empty = found.basis == "rows" and not found.found
            _detected[_key()] = (found, time.monotonic() + RETRY_SECONDS if empty else None)
    return found


def detect_quietly() -> None:
    """`current()` for the list's first round: a failure only means no previews this time."""
    try:
        current()
    except errors.AppwriteError:
        pass


def forget() -> None:
    """Detect again on next use (a test that changed the collection)."""
    _detected.clear()
