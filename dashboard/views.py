"""Pages of the sessions dashboard: the live list and the health probes (the status actions, close
included, and the session page live in session_views.py)."""


from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard import undo
from dashboard.access import agent_required
from dashboard.appwrite import chat_sessions, counting, errors, health, live, queries
from dashboard.labels import ago
from dashboard.pages import (
    SORT_CHOICES,
    Filters,
    describe_problem,
    load_or_last_good,
    parse_filters,
    render_fragment,
    render_page,
    vary_on_htmx,
    version_of,
    wants_fragment,
)
from dashboard.rows import Rows, shown_versions

# A hidden tab's list refreshes this many times less often (static/dashboard/live.js): it still counts what
# arrives in the tab's title.
HIDDEN_POLL_FACTOR = 6


def _load_list(filters: Filters, rows: Rows) -> tuple[live.SessionList | None, str]:
    """The list to show and, when Appwrite failed, what went wrong (then the list is the last good one)."""

    def load(cursor: str | None) -> live.SessionList:
        return live.load_session_list(
            filters.status, filters.q, filters.sort, cursor, settings.DASHBOARD_PAGE_SIZE, filters.narrowing,
            while_counting=rows.render_early,
        )

    def load_from_the_cursor() -> live.SessionList:
        try:
            return load(filters.cursor)
        except errors.StaleCursor:
            return load(None)

    return load_or_last_good(load_from_the_cursor, "list", filters)


def _rows_version(data: live.SessionList | None, problem: str, filters: Filters, now) -> str:
    """Changes whenever the rows region would show other data. Relative times ("3 min ago") are left
    out: the browser moves them on itself (app.js), so a minute going by costs no swap; which rows
    count as idle is part of it."""
    idle_minutes = settings.DASHBOARD_IDLE_MINUTES
    parts: list[object] = [filters, problem, idle_minutes]
    if data is not None:
        parts += [data.page, data.counts, sorted(data.message_counts.items()), sorted(data.last_messages.items())]
        parts += [s.is_idle(idle_minutes, now) for s in data.page.sessions]
        if problem:
            parts += [data.loaded_at, ago(data.loaded_at, now)]  # the banner says how old the data is
    return version_of(parts, length=20)


def _tabs(filters: Filters, counts: counting.StatusCounts | None) -> list[dict]:
    tabs = [{"status": "", "label": "All", "count": counts.all if counts else None}]
    statuses = list(queries.KNOWN_STATUSES)
    if counts:
        # A stored status "idle" would be a second Idle tab leading to the computed one, and an empty one a
        # second All (`?status=` is every session): their rows show under All.
        shown_elsewhere = (*statuses, queries.IDLE, "")
        statuses += [status for status in counts.by_status if status not in shown_elsewhere]
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
    filters = parse_filters(request.GET)
    if filters.problem:
        return _refused_filter(request, filters)
    # A live refresh says which rows it shows (by their versions): only the others travel, beside the
    # page's order. A page, or a refresh that says nothing, gets every row.
    shown = shown_versions(request.headers.get("X-Rows-Shown", "")) if wants_fragment(request) else frozenset()
    rows = Rows(request, filters, shown)
    data, problem = _load_list(filters, rows)
    now = timezone.now()
    version = _rows_version(data, problem, filters, now)
    if wants_fragment(request) and request.headers.get("X-Rows-Version") == version:
        return vary_on_htmx(HttpResponse(status=204))  # the live refresh already shows these rows
    rendered = rows.for_data(data) if data else None
    context = {
        "filters": filters,
        "data": data,
        "problem": problem,
        "now": now,
        "rows_version": version,
        "rows": rendered,
        "patch": bool(shown),
        "undo_offers": undo.pending_offers(request, besides=rendered.row_ids if rendered else frozenset()),
        "tabs": _tabs(filters, data.counts if data else None),
        "sort_choices": SORT_CHOICES,
        "list_url": request.get_full_path(),
        "poll_seconds": settings.DASHBOARD_POLL_SECONDS,
        "hidden_poll_seconds": settings.DASHBOARD_POLL_SECONDS * HIDDEN_POLL_FACTOR,
        "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
    }
    return render_page(request, "dashboard/sessions.html", context, partial="session-rows")


def _refused_filter(request: HttpRequest, filters: Filters) -> HttpResponse:
    """A filter with a value that is not valid shows no rows but says which value (400; 200 for htmx's own
    refresh, which swaps only 200 answers): dropped, it would have shown the whole list as if filtered."""
    context = {
        "filters": filters,
        "filter_problem": filters.problem,
        "tabs": _tabs(filters, None),
        "sort_choices": SORT_CHOICES,
        "list_url": request.get_full_path(),
        "poll_seconds": settings.DASHBOARD_POLL_SECONDS,
        "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        "now": timezone.now(),
    }
    status = 200 if wants_fragment(request) else 400
    return render_page(request, "dashboard/sessions.html", context, partial="session-rows", status=status)


@require_GET
@agent_required
def session_meta(request: HttpRequest, row_id: str) -> HttpResponse:
    """A row's visitor metadata as stored, pretty-printed, for htmx: the list's rows leave it out (the
    session page shows it, and a plain request goes there)."""
    if not wants_fragment(request):
        return vary_on_htmx(HttpResponseRedirect(reverse("session_detail", args=[row_id]) + "#visitor-title"))
    try:
        session = chat_sessions.get_session(row_id)
    except errors.NotFound:
        problem = "This session no longer exists."
    except errors.AppwriteError as error:
        problem = describe_problem(error)
    else:
        context = {"text": session.user_meta, "value": session.user_meta_object}
        return render_fragment(request, "dashboard/sessions.html#meta-json", context)
    return render_fragment(request, "dashboard/sessions.html#meta-problem", {"problem": problem})


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
