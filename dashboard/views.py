"""Pages of the sessions dashboard: the live list and the health probes (the status actions, close
included, and the session page live in session_views.py)."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from dashboard import service
from dashboard.access import agent_required
from dashboard.templatetags.dashboard_tags import ago

# The last good list per filter is kept this long, to show while Appwrite is down.
LAST_GOOD_SECONDS = 24 * 60 * 60

SORT_CHOICES = [
    ("last_seen_desc", "Last seen, newest first"),
    ("last_seen_asc", "Last seen, oldest first"),
    ("started_desc", "Started, newest first"),
    ("started_asc", "Started, oldest first"),
]


class SessionFilterForm(forms.Form):
    status = forms.CharField(required=False, max_length=64)
    q = forms.CharField(required=False, max_length=255, label="Session ID")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    cursor = forms.CharField(required=False, max_length=64)
    # Metadata and start-date filters (see service.filter_queries and the README for their semantics).
    browser = forms.CharField(required=False, max_length=200)
    device = forms.CharField(required=False, max_length=200)
    location = forms.CharField(required=False, max_length=200)
    started_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    started_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


@dataclass(frozen=True)
class Filters:
    status: str
    q: str
    sort: str
    cursor: str | None
    browser: str = ""
    device: str = ""
    location: str = ""
    started_from: date | None = None
    started_to: date | None = None

    @property
    def narrowing(self) -> service.SessionFilters:
        """The metadata and date part, as the service takes it."""
        return service.SessionFilters(self.browser, self.device, self.location, self.started_from, self.started_to)

    def query_values(self) -> dict[str, str]:
        """Every filter as URL query values (empty ones included), without the cursor."""
        return {
            "status": self.status,
            "q": self.q,
            "sort": self.sort,
            "browser": self.browser,
            "device": self.device,
            "location": self.location,
            "started_from": self.started_from.isoformat() if self.started_from else "",
            "started_to": self.started_to.isoformat() if self.started_to else "",
        }


def _filters(request: HttpRequest) -> Filters:
    """Query parameters of the list; a bad value falls back to its default instead of failing."""
    form = SessionFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    cursor = data.get("cursor") or None
    return Filters(
        status=data.get("status") or "",
        q=data.get("q") or "",
        sort=data.get("sort") or service.DEFAULT_SORT,
        cursor=cursor if service.parse_cursor(cursor) else None,
        browser=data.get("browser") or "",
        device=data.get("device") or "",
        location=data.get("location") or "",
        started_from=data.get("started_from"),
        started_to=data.get("started_to"),
    )


def _wants_fragment(request: HttpRequest) -> bool:
    """Only the rows region for htmx's own requests; boosts and history restores need the page."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def _describe(error: service.AppwriteError) -> str:
    if isinstance(error, service.Unauthorized):
        return "Appwrite refused the dashboard's API key"
    if isinstance(error, service.RateLimited):
        return "Appwrite is rate limiting the dashboard"
    if isinstance(error, service.BadAnswer):
        return "Appwrite answered something the dashboard cannot read"
    return "Appwrite is unreachable"


def _load_list(filters: Filters) -> tuple[service.SessionList | None, str]:
    """The list to show and, when Appwrite failed, what went wrong (then the list is the last good one)."""
    source = (settings.APPWRITE_DATABASE_ID, settings.APPWRITE_SESSIONS_COLLECTION_ID)
    cache_key = "last-good-list:" + hashlib.sha256(repr((source, filters)).encode()).hexdigest()
    page_size = settings.DASHBOARD_PAGE_SIZE
    try:
        try:
            data = service.load_session_list(
                filters.status, filters.q, filters.sort, filters.cursor, page_size, filters.narrowing
            )
        except service.StaleCursor:
            data = service.load_session_list(
                filters.status, filters.q, filters.sort, None, page_size, filters.narrowing
            )
    except service.AppwriteError as error:
        return cache.get(cache_key), _describe(error)
    cache.set(cache_key, data, LAST_GOOD_SECONDS)
    return data, ""


def _rows_version(data: service.SessionList | None, problem: str, filters: Filters, now) -> str:
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


def _tabs(filters: Filters, counts: service.StatusCounts | None) -> list[dict]:
    tabs = [{"status": "", "label": "All", "count": counts.all if counts else None}]
    statuses = list(service.KNOWN_STATUSES)
    if counts:
        statuses += [status for status in counts.by_status if status not in statuses]
    for status in statuses:
        count = counts.by_status.get(status) if counts else None
        tabs.append({"status": status, "label": "", "count": count})
        if status == "active":
            tabs.append({"status": service.IDLE, "label": "Idle", "count": counts.idle if counts else None})
    if filters.status and filters.status not in [tab["status"] for tab in tabs]:
        tabs.append({"status": filters.status, "label": "", "count": None})
    for tab in tabs:
        tab["current"] = tab["status"] == filters.status
    return tabs


@require_GET
@agent_required
def session_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    data, problem = _load_list(filters)
    now = timezone.now()
    version = _rows_version(data, problem, filters, now)
    fragment = _wants_fragment(request)
    if fragment and request.headers.get("X-Rows-Version") == version:
        response = HttpResponse(status=204)
    else:
        context = {
            "filters": filters,
            "data": data,
            "problem": problem,
            "now": now,
            "rows_version": version,
            "rows": [
                {"session": session, "message_count": data.message_counts.get(session.session_id)}
                for session in data.page.sessions
            ]
            if data
            else [],
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


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        service.ping()
    except service.AppwriteError as error:
        return HttpResponse(f"not ready: {_describe(error)}", status=503, content_type="text/plain")
    return HttpResponse("ready", content_type="text/plain")
