"""The doctor's checks of the messages schema, which is the deployment's own (only `sessionId` is assumed):
what it found among the candidate attributes, which text and sender attribute the dashboard chose (set or
detected, dashboard/appwrite/message_schema.py), and what the newest messages' sender values count as."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.conf import settings

from dashboard.appwrite import errors, message_schema, records, schema
from dashboard.appwrite.message_schema import SETTING, MessageSchema
from dashboard.doctor_report import ERROR, OK, STRING_SIZES, WARNING, plain

# Sender values of this many of the newest messages are shown, each with what it counts as.
SENDER_SAMPLE = 100
KINDS = {records.VISITOR: "visitor", records.AGENT: "agent", records.BOT: "bot or system"}

Add = Callable[..., None]
Ask = Callable[[Callable[[], Any]], Any]


def _listed(keys: Any) -> str:
    return ", ".join(keys)


def check(collection_id: str, add: Add, ask: Ask) -> None:
    """Adds the findings about the messages schema (the collection exists: the caller checked)."""
    shape: MessageSchema = ask(message_schema.detect)
    named = [settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE, settings.APPWRITE_MESSAGE_SENDER_ATTRIBUTE]
    keys = [*message_schema.TEXT_CANDIDATES, *message_schema.SENDER_CANDIDATES, *[key for key in named if key]]
    try:
        attributes = {a.key: a for a in ask(lambda: schema.list_attributes(collection_id, list(dict.fromkeys(keys))))}
    except errors.Unauthorized:  # no schema scope: detection read rows, and there is no more to say
        attributes = None
    shown = plain(collection_id, 80)
    if shape.found:
        how = "its attributes" if shape.basis == "attributes" else f"its newest {message_schema.ROWS_SAMPLE} rows"
        add(OK, f"{shown} has, of the attributes the dashboard looks for, {_listed(shape.found)} (read from {how})")
    _choice(add, shown, "text", shape.text, shape.text_origin, attributes, message_schema.TEXT_CANDIDATES,
            "APPWRITE_MESSAGE_TEXT_ATTRIBUTE", "the transcript shows each message's fields, and a row's preview too")
    _choice(add, shown, "sender", shape.sender, shape.sender_origin, attributes, message_schema.SENDER_CANDIDATES,
            "APPWRITE_MESSAGE_SENDER_ATTRIBUTE", "no message counts as the visitor's, so no row says who waits")
    if shape.sender and (attributes is None or shape.sender in attributes):
        _sender_values(add, shown, shape, ask)


def _choice(
    add: Add,
    shown: str,
    what: str,
    key: str | None,
    origin: str,
    attributes: dict[str, schema.Attribute] | None,
    candidates: tuple[str, ...],
    setting: str,
    without: str,
) -> None:
    unusable = [
        f"{a.key} is {plain(a.type, 30)}{' array' if a.array else ''}"
        for a in (attributes or {}).values()
        if a.key in candidates and a.key != key and (a.array or a.type not in STRING_SIZES)
    ]
    also = f" ({'; '.join(unusable)}: not a single string)" if unusable else ""
    if key is None:
        add(
            WARNING,
            f"{shown} has no {what} attribute among {_listed(candidates)}{also}: {without}",
            f"set {setting} to the attribute that holds the message's {what} (in the environment or .env)",
            "W006",
        )
        return
    name = f"{shown}.{plain(key, 40)}"
    actual = attributes.get(key) if attributes is not None else None
    if origin == SETTING and attributes is not None and actual is None:
        add(
            ERROR,
            f"{setting} names {plain(key, 40)}, which {shown} does not have: {without}",
            f"set {setting} to one of the collection's string attributes, or unset it to detect one",
            "E011",
        )
        return
    if actual is not None and (actual.array or actual.type not in STRING_SIZES):
        add(
            ERROR,
            f"attribute {name}, the {what} by {setting}, is {plain(actual.type, 30)}"
            f"{' array' if actual.array else ''}: it must be a single string",
            f"set {setting} to a string attribute, or unset it to detect one",
            "E011",
        )
        return
    chosen = f"by {setting}" if origin == SETTING else f"detected, the first string among {_listed(candidates)}"
    size = actual.size or STRING_SIZES.get(actual.type) if actual is not None else None
    size_shown = f" (string, {size})" if size else ""
    add(OK, f"attribute {name}{size_shown}: the message {what}, {chosen}{also}")


def _sender_values(add: Add, shown: str, shape: MessageSchema, ask: Ask) -> None:
    sender = shape.sender or ""
    values = ask(lambda: message_schema.sender_sample(sender, SENDER_SAMPLE))
    if not values:
        add(OK, f"{shown} holds no messages yet: no sender values to show")
        return
    tally = Counter(values)
    kinds = {value: shape.sender_kind(value) for value in tally}
    seen = ", ".join(
        f"{plain(value or '(empty)', 40)} → {KINDS[kinds[value]]} ({number})" for value, number in tally.most_common(12)
    )
    add(OK, f"sender values of the newest {len(values)} messages: {seen}")
    if records.VISITOR not in kinds.values():
        listed = _listed(settings.APPWRITE_MESSAGE_VISITOR_VALUES)
        add(
            WARNING,
            f"none of the newest {len(values)} messages is the visitor's by APPWRITE_MESSAGE_VISITOR_VALUES "
            f"({plain(listed, 120)}): no row will say a visitor is waiting",
            "set APPWRITE_MESSAGE_VISITOR_VALUES to the sender values the chat widget writes for visitors "
            "(comma-separated; seen above)",
            "W007",
        )
