"""Template filters of the dashboard: relative times, durations, status labels, pretty JSON."""

import json
from datetime import UTC, datetime, timedelta

from django import template
from django.conf import settings
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
    values = {**filters.query_values(), "cursor": ""}
    values.update(changes)
    if values["sort"] == "last_seen_desc":
        values["sort"] = ""
    query = urlencode({key: value for key, value in values.items() if value})
    return f"?{query}" if query else "/"


# -- Session detail, transcript and status changes ---------------------------------------

ROLE_LABELS = {"user": "Visitor", "assistant": "Assistant", "agent": "Agent", "system": "System"}


@register.filter
def role_label(role: str) -> str:
    """Who wrote a message, in words ("user" is the visitor); other stored roles as stored."""
    return ROLE_LABELS.get(role, role or "(no role)")


@register.simple_tag(takes_context=True)
def pending_undo(context, session) -> dict | None:
    """The Undo on offer for this session after a status change, or None."""
    from dashboard.session_views import pending_undo as offer

    return offer(context.get("request"), session)


@register.simple_tag
def theme_preview(theme: dict) -> dict:
    """The colours of the widget preview: the theme's own when they are plain CSS colours."""
    from dashboard.colours import css_colour

    return {
        "primary": css_colour(theme.get("primaryColor")) or "#2557d6",
        "background": css_colour(theme.get("backgroundColor")) or "#ffffff",
        "text": css_colour(theme.get("textColor")) or "#1d2330",
    }


# -- Filters, bulk and idle close, export, overview ---------------------------------------


@register.simple_tag(takes_context=True)
def chip_url(context, session, key: str) -> str:
    """The list URL with this session's userMeta `key` added as a filter; '' when the value cannot be one."""
    from urllib.parse import parse_qsl, urlsplit

    value = (session.user_meta_object or {}).get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return ""
    filters = context.get("filters")
    if filters is not None and hasattr(filters, "query_values"):
        values = filters.query_values()
    else:  # a row rendered on its own (after a status change): the list it came from
        values = dict(parse_qsl(urlsplit(str(context.get("list_url") or "/")).query))
    values.pop("cursor", None)
    values[key] = value
    if values.get("sort") == "last_seen_desc":
        values["sort"] = ""
    return "/?" + urlencode({name: text for name, text in values.items() if text})


@register.filter
def filter_param(filters, name: str) -> str:
    """One filter as it appears in the URL ('' when unset): dates as YYYY-MM-DD."""
    return filters.query_values().get(name, "") if filters is not None else ""


@register.simple_tag(takes_context=True)
def filter_query(context) -> str:
    """The current filter as a query string ('' or '?…'), without the cursor: for actions and the export."""
    filters = context.get("filters")
    if filters is None:
        return ""
    values = {name: value for name, value in filters.query_values().items() if value}
    if values.get("sort") == "last_seen_desc":
        del values["sort"]
    return "?" + urlencode(values) if values else ""


@register.simple_tag
def export_limit() -> str:
    return f"{settings.DASHBOARD_EXPORT_MAX_ROWS:,}"
