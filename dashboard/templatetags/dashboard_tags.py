"""The dashboard's template filters and tags. The wording (times, labels, JSON) lives in dashboard/labels.py
and the theme colours in dashboard/colours.py: they are only registered here. What stays here needs the
template itself: a record's method called with an argument, and URLs built from the page's context."""

from django import template
from django.conf import settings

from dashboard import colours, labels, rows, undo

register = template.Library()

register.filter("ago", labels.ago)
register.filter("span", labels.span)
register.filter("absolute", labels.absolute)
register.filter("moment", labels.moment)
register.filter("status_label", labels.status_label)
register.filter("pretty_json", labels.pretty_json)
register.filter("readable", labels.readable)
register.filter("last_sender_label", labels.last_sender_label)
register.filter("preview", labels.preview)
register.filter("waiting", labels.waiting)
register.simple_tag(colours.theme_preview, name="theme_preview")


@register.filter
def meta(session, key: str) -> str:
    """One userMeta value of a session as short text ("" when absent or not plain)."""
    return session.meta(key)


@register.filter
def is_idle(session, idle_minutes: int) -> bool:
    """Whether an active session has not been seen for `idle_minutes`."""
    return session.is_idle(int(idle_minutes))


@register.simple_tag(takes_context=True)
def list_url(context, **changes) -> str:
    """The current list URL with some query parameters changed (empty value = removed); resets the cursor."""
    return context["filters"].query_string(**changes) or "/"


# -- Session detail, transcript and status changes ---------------------------------------


@register.simple_tag(takes_context=True)
def pending_undo(context, session) -> dict | None:
    """The Undo on offer for this session after a status change, or None."""
    return undo.pending_undo(context.get("request"), session)


@register.simple_tag(takes_context=True)
def answer_row(context, session, message_count) -> dict:
    """The list row an action answers with (dashboard/rows.py)."""
    return rows.answer_row(context.get("request"), session, message_count)


# -- Filters, bulk and idle close, export, overview ---------------------------------------


@register.simple_tag(takes_context=True)
def chip_url(context, session, key: str) -> str:
    """The list URL with this session's userMeta `key` added as a filter; '' when the value cannot be one."""
    value = (session.user_meta_object or {}).get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 200 or "\x00" in value:
        return ""  # no filter could take it
    filters = context.get("filters")
    return filters.list_url(**{key: value}) if filters is not None else ""


@register.filter
def filter_param(filters, name: str) -> str:
    """One filter as it appears in the URL ('' when unset): dates as YYYY-MM-DD."""
    return filters.query_values().get(name, "") if filters is not None else ""


@register.simple_tag(takes_context=True)
def filter_query(context) -> str:
    """The current filter as a query string ('' or '?…'), without the cursor: for actions and the export."""
    filters = context.get("filters")
    return filters.query_string() if filters is not None else ""


@register.simple_tag
def export_limit() -> str:
    return f"{settings.DASHBOARD_EXPORT_MAX_ROWS:,}"
