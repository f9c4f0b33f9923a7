"""What the dashboard's pages share: the list filter as it travels in URLs, how a page answers htmx (the
whole page or one partial of it, with Vary: HX-Request), the words for an Appwrite failure, the last good
data shown while Appwrite is down, and where a plain form post returns."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from dashboard.appwrite import errors, queries, shared

# -- The list filter ----------------------------------------------------------------------

SORT_CHOICES = [
    ("last_seen_desc", "Last seen, newest first"),
    ("last_seen_asc", "Last seen, oldest first"),
    ("started_desc", "Started, newest first"),
    ("started_asc", "Started, oldest first"),
    ("waiting_longest", "Waiting longest"),
]
# The tabs whose sessions may be waiting for a reply, where "Waiting longest" is offered (queries.SORTS says
# what it sorts by); any tab accepts it in a URL.
WAITING_TABS = frozenset({"active", queries.IDLE})


def sort_choices(status: str) -> list[tuple[str, str]]:
    """The sorts the list offers on this status tab."""
    return [(value, label) for value, label in SORT_CHOICES if value != "waiting_longest" or status in WAITING_TABS]


class SessionFilterForm(forms.Form):
    status = forms.CharField(required=False, max_length=64, strip=False)  # "closed " is a status of its own
    q = forms.CharField(required=False, max_length=255, label="Session ID")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    cursor = forms.CharField(required=False, max_length=64)
    # Metadata and start-date filters (see appwrite/queries.py and the README for their semantics).
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
    def narrowing(self) -> queries.SessionFilters:
        """The metadata and date part, as dashboard/appwrite/ takes it."""
        return queries.SessionFilters(self.browser, self.device, self.location, self.started_from, self.started_to)

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

    def query_string(self, **changes: str) -> str:
        """The filter as a query string, '' or '?…', without the cursor. `changes` replace values (an empty
        one removes it, `cursor=…` adds a cursor); empty values and the default sort are left out."""
        values = {**self.query_values(), **changes}
        if values["sort"] == queries.DEFAULT_SORT:
            values["sort"] = ""
        query = urlencode({name: value for name, value in values.items() if value})
        return f"?{query}" if query else ""

    def list_url(self, **changes: str) -> str:
        """The list showing this filter (with `changes`), from its first page."""
        return "/" + self.query_string(**changes)


def parse_filters(query: Mapping[str, Any]) -> Filters:
    """The list filter in query values (a request's GET, a kept run's values); a bad value falls back to
    its default instead of failing."""
    form = SessionFilterForm(query)
    form.is_valid()
    data = form.cleaned_data
    cursor = data.get("cursor") or None
    return Filters(
        status=data.get("status") or "",
        q=data.get("q") or "",
        sort=data.get("sort") or queries.DEFAULT_SORT,
        cursor=cursor if queries.parse_cursor(cursor) else None,
        browser=data.get("browser") or "",
        device=data.get("device") or "",
        location=data.get("location") or "",
        started_from=data.get("started_from"),
        started_to=data.get("started_to"),
    )


# -- Answering htmx -----------------------------------------------------------------------

Answer = TypeVar("Answer", bound=HttpResponseBase)


def wants_fragment(request: HttpRequest) -> bool:
    """Only a partial for htmx's own requests; a boosted link and a history restore need the whole page."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def vary_on_htmx(response: Answer) -> Answer:
    """Marks an answer that depends on whether htmx asked, so that no cache hands one to the other."""
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str = "", status: int = 200
) -> HttpResponse:
    """`template` as the whole page, or only its `partial` when htmx itself asks (wants_fragment); without
    a partial, the whole page whoever asks."""
    name = f"{template}#{partial}" if partial and wants_fragment(request) else template
    return vary_on_htmx(render(request, name, context, status=status))


def render_fragment(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A template (or `page.html#partial`) meant for htmx alone: its view answers plain requests otherwise."""
    return vary_on_htmx(render(request, template, context))


def describe_problem(error: errors.AppwriteError) -> str:
    if isinstance(error, errors.Unauthorized):
        return "Appwrite refused the dashboard's API key"
    if isinstance(error, errors.RateLimited):
        return "Appwrite is rate limiting the dashboard"
    if isinstance(error, errors.BadAnswer):
        return "Appwrite answered something the dashboard cannot read"
    return "Appwrite is unreachable"


# -- The last good data -------------------------------------------------------------------

# The last good data of a page is kept this long, to show while Appwrite is down.
LAST_GOOD_SECONDS = 24 * 60 * 60

Data = TypeVar("Data")


def page_key(use: str, page: str, *parts: object) -> str:
    """Cache key of data a page keeps for `use` ("last-good", "fresh"): per page, per source collection and
    per `parts` (a filter, a row). The entries are pickles, so the key carries shared.KEY_VERSION too."""
    source = (settings.APPWRITE_DATABASE_ID, settings.APPWRITE_SESSIONS_COLLECTION_ID)
    return f"{use}-{page}:" + hashlib.sha256(repr((shared.KEY_VERSION, source, parts)).encode()).hexdigest()


def _itself(data: Data) -> Data:
    return data


def load_or_last_good(
    load: Callable[[], Data],
    page: str,
    *parts: object,
    keep: Callable[[Data], Data | None] | None = _itself,
    gone: type[errors.AppwriteError] | tuple[type[errors.AppwriteError], ...] = (),
) -> tuple[Data | None, str]:
    """What `load()` reads from Appwrite and ''; or, when Appwrite fails, what the page kept from its last
    good load (None when nothing) and the words for the failure.

    `keep(data)` is what of a load the page keeps (None: nothing this time); `keep=None` for an answer that
    is only a part of the page: it keeps nothing and shows nothing kept. An error of `gone` says there is
    nothing to show any more: what was kept goes too, and the error goes on to the view."""
    key = page_key("last-good", page, *parts)
    try:
        data = load()
    except gone:
        cache.delete(key)
        raise
    except errors.AppwriteError as error:
        return (cache.get(key) if keep is not None else None), describe_problem(error)
    kept = keep(data) if keep is not None else None
    if kept is not None:
        cache.set(key, kept, LAST_GOOD_SECONDS)
    return data, ""


# -- Where a plain form post returns ------------------------------------------------------


def safe_next(request: HttpRequest) -> str:
    """Where to go back to: the request's `next` (a form field, else in the URL) when it stays on this
    site; else the list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"
