"""How the dashboard words things on its pages: relative times, lengths of time, moments in UTC, status
and role labels, pretty JSON. Plain functions: the template tags register them, views call them."""

import json
from datetime import UTC, datetime, timedelta

from django.utils import timezone

ROLE_LABELS = {"user": "Visitor", "assistant": "Assistant", "agent": "Agent", "system": "System"}
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


def absolute(moment: datetime | None) -> str:
    """The moment in UTC for tooltips: "2024-12-15 14:25:10 UTC"."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def status_label(status: str) -> str:
    """`agent_assigned` → "Agent assigned"; other stored statuses are shown as stored."""
    if status in ("active", "agent_assigned", "closed", "idle"):
        return status.replace("_", " ").capitalize()
    return status or "(none)"


def role_label(role: str) -> str:
    """Who wrote a message, in words ("user" is the visitor); other stored roles as stored."""
    return ROLE_LABELS.get(role, role or "(no role)")


def sender_label(role: str, sender: str) -> str:
    """Who wrote a message, by what the configured sender values make of the stored one (`user` and
    `customer` are the visitor); a bot's or the system's value in words when known, else as stored."""
    if sender in SENDER_LABELS:
        return SENDER_LABELS[sender]
    return BOT_LABELS.get(role, role or "(no sender)")


def pretty_json(value: dict | None) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) if value is not None else ""
