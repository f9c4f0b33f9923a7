"""Template filters of the dashboard: relative times, durations, status labels, pretty JSON."""

import json
from datetime import UTC, datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.http import urlencode

register = template.Library()


@register.filter
def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "3 min ago"; "just now" for the last minute and for moments in the future; "" when unknown."""
    if moment is None:
        return ""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    return f"{span(timedelta(seconds=seconds))} ago"


@register.filter
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


@register.filter
def status_label(status: str) -> str:
    """`agent_assigned` → "Agent assigned"; other stored statuses are shown as stored."""
    if status in ("active", "agent_assigned", "closed", "idle"):
        return status.replace("_", " ").capitalize()
    return status or "(none)"


@register.filter
def meta(session, key: str) -> str:
    """One userMeta value of a session as short text ("" when absent or not plain)."""
    return session.meta(key)


@register.filter
def pretty_json(value: dict | None) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) if value is not None else ""


@register.filter
def absolute(moment: datetime | None) -> str:
    """The moment in UTC for tooltips: "2024-12-15 14:25:10 UTC"."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@register.filter
def is_idle(session, idle_minutes: int) -> bool:
    """Whether an active session has not been seen for `idle_minutes`."""
    return session.is_idle(int(idle_minutes))


@register.simple_tag(takes_context=True)
def list_url(context, **changes) -> str:
    """The current list URL with some query parameters changed (empty value = removed); resets the cursor."""
    filters = context["filters"]
    values = {"status": filters.status, "q": filters.q, "sort": filters.sort, "cursor": ""}
    values.update(changes)
    if values["sort"] == "last_seen_desc":
        values["sort"] = ""
    query = urlencode({key: value for key, value in values.items() if value})
    return f"?{query}" if query else "/"
