"""Working on many sessions at once and seeing them whole: bulk close, closing idle sessions,
the CSV export of a filtered list, and the overview page."""

from __future__ import annotations

import csv
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from dashboard.access import agent_required
from dashboard.appwrite import bulk, counting, errors, ids, queries, records, stats
from dashboard.close_runs import CloseRun, end_run, resumed_run, selection_of, start_run
from dashboard.pages import (
    describe_problem,
    load_or_last_good,
    page_key,
    parse_filters,
    render_fragment,
    render_page,
)

# A bulk close works through the matching sessions in pages; one request handles at most this many
# pages or this many seconds, then answers with its progress and continues in the next request.
CLOSE_PAGE_SIZE = 100
PAGES_PER_REQUEST = 5
SECONDS_PER_REQUEST = 8.0
EXPORT_COLUMNS = [
    "row_id",
    "session_id",
    "status",
    "start_time",
    "last_seen",
    "duration_seconds",
    "messages",
    "browser",
    "device",
    "location",
    "user_meta",
    "theme",
]


def _export_limit() -> int:
    return settings.DASHBOARD_EXPORT_MAX_ROWS


def _advance(run: CloseRun) -> str:
    """Closes the next pages of a filter run; returns a problem to show, or ''."""
    selection = run.selection()
    deadline = time.monotonic() + SECONDS_PER_REQUEST
    try:
        for _ in range(PAGES_PER_REQUEST):
            batch = bulk.close_selection_batch(selection, run.after, CLOSE_PAGE_SIZE)
            run.add(batch.outcomes)
            run.after = batch.last_row_id
            if batch.done:
                run.done = True
                break
            if time.monotonic() > deadline:
                break
    except errors.AppwriteError as error:
        return f"{describe_problem(error)}: the run paused. Nothing is lost; continue when Appwrite answers again"
    return ""


# -- Bulk close ---------------------------------------------------------------------------


class RowIdsField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        return [str(item) for item in value or []]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if len(value) > bulk.MAX_SELECTED:
            raise forms.ValidationError(
                f"Select at most {bulk.MAX_SELECTED} sessions, or use “select all matching this filter”."
            )
        for row_id in value:
            if not ids.is_appwrite_id(row_id):
                raise forms.ValidationError("That selection contains something that is not a session.")


class BulkCloseForm(forms.Form):
    selected = RowIdsField(required=False)  # the rows' checkboxes
    confirmed = forms.BooleanField(required=False)


def _panel(request: HttpRequest, panel: str, context: dict) -> HttpResponse:
    """The panel alone for htmx, else the whole close page around it."""
    context = {"panel": panel, "poll_seconds": settings.DASHBOARD_POLL_SECONDS, **context}
    return render_page(request, "dashboard/close_sessions.html", context, partial=panel)


def _run_response(request: HttpRequest, panel: str, run: CloseRun, problem: str = "") -> HttpResponse:
    if run.done or run.stopped:
        end_run(request, run)
    filters = parse_filters(run.filters)
    context = {"state": "run", "run": run, "problem": problem, "filters": filters, "list_url": filters.list_url()}
    context["run_action"] = reverse("bulk_close" if panel == "bulk-panel" else "close_idle")
    response = _panel(request, panel, context)
    if run.done or run.stopped:
        trigger_client_event(response, "sessions-closed")  # the list loads its rows afresh
    return response


def _continue(request: HttpRequest, panel: str) -> HttpResponse:
    run, refused = resumed_run(request)
    if run is None:
        return _panel(request, panel, {"state": "error", "problem": refused})
    problem = ""
    if request.POST.get("stop"):
        run.stopped = True
    elif not run.done:
        problem = _advance(run)
    return _run_response(request, panel, run, problem)


@require_POST
@agent_required
def bulk_close(request: HttpRequest) -> HttpResponse:
    """Close the selected sessions, or all matching the filter in the URL: a confirm step, then the run."""
    if request.POST.get("progress"):
        return _continue(request, "bulk-panel")
    form = BulkCloseForm(request.POST)
    filters = parse_filters(request.GET)
    context = {"filters": filters, "list_url": filters.list_url()}
    if filters.problem:
        return _panel(request, "bulk-panel", {**context, "state": "error", "problem": f"{filters.problem}."})
    if not form.is_valid():
        problem = " ".join(form.errors.get("selected", [])) or "That request could not be read."
        return _panel(request, "bulk-panel", {**context, "state": "error", "problem": problem})

    all_matching = "filter" in request.POST.getlist("scope")
    ids = form.cleaned_data["selected"]
    if not all_matching and not ids:
        return _panel(request, "bulk-panel", {**context, "state": "error", "problem": "No sessions are selected."})
    try:
        if all_matching and form.cleaned_data["confirmed"]:
            expected = bulk.count_selection(selection_of(filters))
            run = CloseRun(
                "filter", filters.query_values(), None, timezone.now().isoformat(), expected.value, expected.capped
            )
            start_run(request, run)
            return _run_response(request, "bulk-panel", run, _advance(run))
        if all_matching:
            count = bulk.count_selection(selection_of(filters))
            return _panel(request, "bulk-panel", {**context, "state": "confirm", "scope": "filter", "count": count})
        if form.cleaned_data["confirmed"]:
            run = CloseRun("selected", filters.query_values(), expected=len(ids), done=True)
            run.add(bulk.close_sessions_by_id(ids))
            return _run_response(request, "bulk-panel", run)
    except errors.AppwriteError as error:
        problem = f"{describe_problem(error)}. Nothing more was closed; try again."
        return _panel(request, "bulk-panel", {**context, "state": "error", "problem": problem})
    return _panel(request, "bulk-panel", {**context, "state": "confirm", "scope": "selected", "ids": ids})


@require_GET
@agent_required
def matching_count(request: HttpRequest) -> HttpResponse:
    """The "select all N matching this filter" control, with N counted now."""
    filters = parse_filters(request.GET)
    try:
        count = None if filters.problem else counting.count_matching(filters.status, filters.q, filters.narrowing)
    except errors.AppwriteError:
        count = None
    context = {"filters": filters, "matching": count, "matching_loaded": True}
    return render_fragment(request, "dashboard/sessions.html#bulk-matching", context)


# -- Close idle sessions ------------------------------------------------------------------


class IdleCloseForm(BulkCloseForm):
    idle_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 365, label="Idle for more than (minutes)")


@require_http_methods(["GET", "POST"])
@agent_required
def close_idle(request: HttpRequest) -> HttpResponse:
    """GET previews how many sessions of the filter are idle for more than N minutes; POST closes them."""
    filters = parse_filters(request.GET)
    data = request.POST if request.method == "POST" else request.GET
    form = IdleCloseForm(data)
    context = {"filters": filters, "list_url": filters.list_url(), "form": form}
    if request.method == "POST" and data.get("progress"):
        return _continue(request, "idle-panel")
    if filters.problem:
        return _panel(request, "idle-panel", {**context, "state": "ask", "problem": f"{filters.problem}."})
    if not form.is_valid():
        return _panel(request, "idle-panel", {**context, "state": "ask"})
    minutes = form.cleaned_data["idle_minutes"]
    selection = selection_of(filters, idle_minutes=minutes)
    context["idle_minutes"] = minutes
    try:
        count = bulk.count_selection(selection)
        if request.method == "POST" and form.cleaned_data["confirmed"]:
            values = filters.query_values()
            run = CloseRun("idle", values, minutes, timezone.now().isoformat(), count.value, count.capped)
            start_run(request, run)
            return _run_response(request, "idle-panel", run, _advance(run))
    except errors.AppwriteError as error:
        context["problem"] = f"{describe_problem(error)}. Nothing was closed; try again."
        return _panel(request, "idle-panel", {**context, "state": "ask"})
    status = "active" if filters.status in ("", queries.IDLE) else filters.status
    context.update(state="preview", count=count, idle_status=status, tab_idle_minutes=settings.DASHBOARD_IDLE_MINUTES)
    return _panel(request, "idle-panel", context)


# -- CSV export ---------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


# What starts a formula in a spreadsheet, after any spaces, line breaks or invisible characters, and in any
# width (the full-width `＝` reads as `=` to some spreadsheets): NFKC folds the variants into these.
FORMULA_STARTERS = frozenset("=+-@\u2212")


def _cell(value: object) -> str:
    """Text as a spreadsheet will not run it: a leading tab or CR, or a formula starter after whitespace or
    invisible characters (or in another width), gets a quote in front."""
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r"):
        return "'" + text
    for character in unicodedata.normalize("NFKC", text):
        if character.isspace() or unicodedata.category(character) in ("Cc", "Cf"):
            continue
        return "'" + text if character in FORMULA_STARTERS else text
    return text


def _export_row(session: records.ChatSession, count: records.Count | None) -> list[str]:
    duration = session.duration
    return [
        _cell(session.row_id),
        _cell(session.session_id),
        _cell(session.status),
        session.start_time.astimezone(UTC).isoformat() if session.start_time else "",
        session.last_seen.astimezone(UTC).isoformat() if session.last_seen else "",
        str(int(duration.total_seconds())) if duration is not None else "",
        str(count) if count is not None else "",
        _cell(session.meta("browser")),
        _cell(session.meta("device")),
        _cell(session.meta("location")),
        _cell(session.user_meta),
        _cell(session.theme),
    ]


def _export_lines(pages: Iterator[list[records.ChatSession]], first: list[records.ChatSession] | None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    limit = _export_limit()
    written = 0
    # A byte order mark so spreadsheets read the UTF-8 (visitors' cities, names) correctly.
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    page = first
    try:
        while page:
            room = limit - written
            counts = counting.message_counts(session.session_id for session in page[:room])
            for session in page[:room]:
                yield writer.writerow(_export_row(session, counts.get(session.session_id)))
            written += min(room, len(page))
            if written >= limit:
                if len(page) > room or next(pages, None):
                    yield writer.writerow(
                        [
                            f"# TRUNCATED: the export stops at {limit} rows and more sessions match this filter; "
                            "narrow it (for example by start date) to export the rest."
                        ]
                    )
                return
            page = next(pages, None)
    except errors.AppwriteError as error:
        yield writer.writerow(
            [f"# INCOMPLETE: {describe_problem(error)} after {written} rows; this file is not the whole list."]
        )


@require_GET
@agent_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, every page, streamed; a marked last line when it is cut short."""
    filters = parse_filters(request.GET)
    if filters.problem:
        return HttpResponse(f"Export refused. {filters.problem}.", status=400, content_type="text/plain; charset=utf-8")
    pages = bulk.iter_matching_pages(filters.status, filters.q, filters.narrowing)
    try:
        first = next(pages, None)
    except errors.AppwriteError as error:
        message = f"Export failed: {describe_problem(error)}. Try again."
        return HttpResponse(message, status=503, content_type="text/plain")
    response = StreamingHttpResponse(_export_lines(pages, first), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="sessions-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# -- Overview -----------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 720, 220
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 8, 12, 30


def _nice_ceiling(value: int) -> int:
    """A round axis maximum at or above the value, divisible by 4 so the quarter ticks are whole."""
    for step in (4, 8, 12, 16, 20, 24, 40, 60, 80):
        if value <= step:
            return step
    magnitude = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 4, 6, 8, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return value


def _chart(hours: tuple[stats.HourOfStarts, ...]) -> dict:
    """Geometry of the starts-per-hour bar chart, computed here so the template only places it."""
    top = _nice_ceiling(max([hour.count.value for hour in hours] + [1]))
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / len(hours)
    bars = []
    for index, hour in enumerate(hours):
        height = round(plot_height * hour.count.value / top, 1)
        if hour.count.value and height < 2:
            height = 2.0
        bars.append(
            {
                "x": round(CHART_LEFT + index * slot + slot * 0.15, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": round(slot * 0.7, 1),
                "height": height,
                "label_x": round(CHART_LEFT + index * slot + slot / 2, 1),
                "hour": hour,
                "end": hour.start + timedelta(hours=1),
                "show_label": index % 3 == 2 or index == len(hours) - 1,
                "current": index == len(hours) - 1,
            }
        )
    ticks = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        ticks.append({"value": int(top * fraction), "y": round(CHART_TOP + plot_height * (1 - fraction), 1)})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": CHART_TOP + plot_height,
        "label_y": CHART_TOP + plot_height + 18,
        "bars": bars,
        "ticks": ticks,
        "total": sum(hour.count.value for hour in hours),
        "capped": any(hour.count.capped for hour in hours),
        "peak": max(hours, key=lambda hour: hour.count.value) if hours else None,
    }


def _status_tiles(counts: counting.StatusCounts) -> list[dict]:
    tiles = [{"status": "", "label": "All sessions", "count": counts.all}]
    for status, count in counts.by_status.items():
        tiles.append({"status": status, "label": "", "count": count})
    return tiles


def _shared_overview() -> stats.Overview:
    """Every open overview polls; within one refresh interval they all share one load (about 30 requests)."""
    key = page_key("fresh", "overview", settings.DASHBOARD_IDLE_MINUTES)
    data = cache.get(key)
    if data is None:
        data = stats.load_overview()
        cache.set(key, data, max(settings.DASHBOARD_POLL_SECONDS - 1, 1))
    return data


@require_GET
@agent_required
def overview(request: HttpRequest) -> HttpResponse:
    data, problem = load_or_last_good(_shared_overview, "overview")
    context = {
        "data": data,
        "problem": problem,
        "chart": _chart(data.starts_per_hour) if data else None,
        "tiles": _status_tiles(data.counts) if data else [],
        "now": timezone.now(),
        "poll_seconds": settings.DASHBOARD_POLL_SECONDS,
        "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        "duration_sample_size": stats.DURATION_SAMPLE,
    }
    return render_page(request, "dashboard/overview.html", context, partial="overview")
