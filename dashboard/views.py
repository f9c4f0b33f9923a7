"""Pages of the sessions dashboard: the live list and the health probes (the status actions, close
included, and the session page live in session_views.py)."""

import hashlib
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from dashboard.access import agent_required
from dashboard.appwrite import counting, errors, health, live, queries, records
from dashboard.labels import ago
from dashboard.pages import (
    LAST_GOOD_SECONDS,
    SORT_CHOICES,
    Filters,
    describe_problem,
    last_good_key,
    parse_filters,
    wants_fragment,
)


class _Rows:
    """The list's rows, rendered as soon as Appwrite has sent the page, while Appwrite is still counting
    the page's messages; each count then goes into the slot left for it (`{{count-<nonce>-<i>}}`, which
    no visitor can write: the nonce is new for every page, and rendered text never holds it otherwise)."""

    def __init__(self, request: HttpRequest, filters: Filters):
        self.request = request
        self.filters = filters
        self.nonce = secrets.token_hex(8)
        self.page: records.Page | None = None
        self.html = ""

    def render_early(self, page: records.Page) -> None:
        slots = [f"{{{{count-{self.nonce}-{index}}}}}" for index in range(len(page.sessions))]
        self.page, self.html = page, self._render(page.sessions, slots)

    def for_data(self, data: live.SessionList) -> SafeString:
        counts = [data.message_counts.get(session.session_id) for session in data.page.sessions]
        if data.page is not self.page:  # shared by another agent's load, or the last good list
            return mark_safe(self._render(data.page.sessions, counts))  # noqa: S308 (rendered template)
        texts = ["–" if count is None else conditional_escape(str(count)) for count in counts]
        filled = re.sub(rf"\{{\{{count-{self.nonce}-(\d+)\}}\}}", lambda found: texts[int(found[1])], self.html)
        return mark_safe(filled)  # noqa: S308 (a rendered template with escaped counts put in)

    def _render(self, sessions, counts) -> str:
        context = {
            "rows": [{"session": s, "message_count": c} for s, c in zip(sessions, counts, strict=True)],
            "filters": self.filters,
            "now": timezone.now(),
            "list_url": self.request.get_full_path(),
            "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        }
        return render_to_string("dashboard/sessions.html#session-row-list", context, self.request)


def _load_list(filters: Filters, rows: _Rows) -> tuple[live.SessionList | None, str]:
    """The list to show and, when Appwrite failed, what went wrong (then the list is the last good one)."""
    cache_key = last_good_key("list", filters)
    page_size = settings.DASHBOARD_PAGE_SIZE
    try:
        try:
            data = live.load_session_list(
                filters.status, filters.q, filters.sort, filters.cursor, page_size, filters.narrowing,
                while_counting=rows.render_early,
            )
        except errors.StaleCursor:
            data = live.load_session_list(
                filters.status, filters.q, filters.sort, None, page_size, filters.narrowing,
                while_counting=rows.render_early,
            )
    except errors.AppwriteError as error:
        return cache.get(cache_key), describe_problem(error)
    cache.set(cache_key, data, LAST_GOOD_SECONDS)
    return data, ""


def _rows_version(data: live.SessionList | None, problem: str, filters: Filters, now) -> str:
    """Changes whenever the rows region would show other data. Relative times ("3 min ago") are left
    out: the browser moves them on itself (app.js), so a minute going by costs no swap; which rows
    count as idle is part of it."""
    idle_minutes = settings.DASHBOARD_IDLE_MINUTES
    parts: list[object] = [filters, problem, idle_minutes]
    if data is not None:
        parts += [data.page, data.counts, sorted(data.message_counts.items())]
        parts += [s.is_idle(idle_minutes, now) for s in data.page.sessions]
        if problem:
            parts += [data.loaded_at, ago(data.loaded_at, now)]  # the banner says how old the data is
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def _tabs(filters: Filters, counts: counting.StatusCounts | None) -> list[dict]:
    tabs = [{"status": "", "label": "All", "count": counts.all if counts else None}]
    statuses = list(queries.KNOWN_STATUSES)
    if counts:
        # A stored status "idle" would be a second Idle tab leading to the computed one: its rows show under All.
        statuses += [status for status in counts.by_status if status not in statuses and status != queries.IDLE]
    for status in statuses:
        count = counts.by_status.get(status) if counts else None
        tabs.append({"status": status, "label": "", "count": count})
        if status == "active":
            tabs.append({"status": queries.IDLE, "label": "Idle", "count": counts.idle if counts else None})
    if filters.status and filters.status not in [tab["status"] for tab in tabs]:
        tabs.append({"status": filters.status, "label": "", "count": None})
    for tab in tabs:
        tab["current"] = tab["status"] == filters.status
    return tabs


@require_GET
@agent_required
def session_list(request: HttpRequest) -> HttpResponse:
    filters = parse_filters(request)
    rows = _Rows(request, filters)
    data, problem = _load_list(filters, rows)
    now = timezone.now()
    version = _rows_version(data, problem, filters, now)
    fragment = wants_fragment(request)
    if fragment and request.headers.get("X-Rows-Version") == version:
        response = HttpResponse(status=204)
    else:
        context = {
            "filters": filters,
            "data": data,
            "problem": problem,
            "now": now,
            "rows_version": version,
            "rows_html": rows.for_data(data) if data else "",
            "tabs": _tabs(filters, data.counts if data else None),
            "sort_choices": SORT_CHOICES,
            "list_url": request.get_full_path(),
            "poll_seconds": settings.DASHBOARD_POLL_SECONDS,
            "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        }
        template = "dashboard/sessions.html#session-rows" if fragment else "dashboard/sessions.html"
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        health.check_ready()
    except errors.AppwriteError as error:
        return HttpResponse(f"not ready: {describe_problem(error)}", status=503, content_type="text/plain")
    return HttpResponse("ready", content_type="text/plain")
