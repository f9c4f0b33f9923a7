"""How the dashboard words things on its pages: relative times, lengths of time, moments in UTC, status
and role labels, a message's one-line preview, pretty JSON. Plain functions: the template tags register
them, views call them."""

import json
import re
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from dashboard.log_lines import escape_controls

SENDER_LABELS = {"visitor": "Visitor", "agent": "Agent"}  # records.VISITOR, records.AGENT
BOT_LABELS = {"assistant": "Assistant", "system": "System", "bot": "Bot"}


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "3 min ago"; "just now" for the last minute and for moments in the future; "" when unknown."""
    if moment is None:
        return ""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    return f"{span(timedelta(seconds=seconds))} ago"


def span(length: timedelta | None) -> str:
    """A length of time in at most two units: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    if length is None:
        return ""
    seconds = int(length.total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        rest = minutes % 60
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    rest = hours % 24
    return f"{days} d {rest} h" if rest else f"{days} d"


def moment(value: datetime | None) -> str:
    """A moment for a `<time datetime>` that only the browser reads: UTC, to the second."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute(moment: datetime | None) -> str:
    """The moment in UTC for tooltips: "2024-12-15 14:25:10 UTC"."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


_WORD_BREAKS = re.compile(r"[_\-\s]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


def status_label(status: str) -> str:
    """A stored status in words: `agent_assigned` → "Agent assigned", `waiting_for_customer` → "Waiting for
    customer", `onHold` → "On hold"; capitals after the first letter stay ("VIP"). Control characters (a
    right-to-left override among them) are written out, so they cannot reorder what the agent reads."""
    words = _WORD_BREAKS.sub(" ", _CAMEL.sub(" ", status)).strip()
    if not words:
        return "(none)"
    words = " ".join(word if word.isupper() and len(word) > 1 else word.lower() for word in words.split(" "))
    return escape_controls(words[:1].upper() + words[1:])


def readable(text: str) -> str:
    """Visitor-controlled text as the agent reads it: control characters written as visible escapes."""
    return escape_controls(text)


# -- A list row's last message -------------------------------------------------------------

# Who wrote it (records.VISITOR, AGENT, BOT).
LAST_SENDER_LABELS = {**SENDER_LABELS, "bot": "Bot"}  # records.VISITOR, AGENT, BOT
# On one line: the row shows what fits (about 80 characters) and the rest on demand, up to this many
# characters (the session page has it all).
PREVIEW_CHARACTERS = 1000
_SPACES = re.compile(r"\s+")


def last_sender_label(sender: str) -> str:
    """Who wrote a list row's last message: "Visitor", "Agent" or "Bot"."""
    return LAST_SENDER_LABELS.get(sender, "Bot")


def one_line(text: str) -> str:
    """A message on one line: its line breaks and runs of spaces as single spaces, controls written out."""
    return escape_controls(_SPACES.sub(" ", text).strip())


def preview(text: str) -> str:
    """A message for its row: on one line, whole up to PREVIEW_CHARACTERS (the row shows what fits and the
    rest on demand; the session page has it all), cut at a word with "…" beyond that."""
    line = one_line(text)
    if len(line) <= PREVIEW_CHARACTERS:
        return line
    cut = line[:PREVIEW_CHARACTERS]
    space = cut.rfind(" ")
    return (cut[:space] if space > PREVIEW_CHARACTERS * 2 // 3 else cut).rstrip() + "…"


def waiting(moment: datetime | None, now: datetime | None = None) -> str:
    """ "waiting 6 min" since the visitor's last message; "waiting <1 min" in its first minute."""
    if moment is None:
        return ""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    return "waiting <1 min" if seconds < 60 else f"waiting {span(timedelta(seconds=seconds))}"


def sender_label(role: str, sender: str) -> str:
    """Who wrote a message, by what the configured sender values make of the stored one (`user` and
    `customer` are the visitor); a bot's or the system's value in words when known, else as stored."""
    if sender in SENDER_LABELS:
        return SENDER_LABELS[sender]
    return BOT_LABELS.get(role, role or "(no sender)")


def pretty_json(value: dict | None) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) if value is not None else ""
