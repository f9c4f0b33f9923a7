"""What the dashboard's pages share: the list filter as it travels in URLs, how a page answers htmx (the
whole page or one partial of it, with Vary: HX-Request), the words for an Appwrite failure, the last good
data shown while Appwrite is down, and where a plain form post returns."""

from __future__ import annotations

import functools
import hashlib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.validators import ProhibitNullCharactersValidator
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


class StoredStatusField(forms.CharField):
    """A status as Appwrite may hold it, a null character included: each stored status has a tab leading here."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class SessionFilterForm(forms.Form):
    status = StoredStatusField(required=False, max_length=64, strip=False)  # "closed " is a status of its own
    q = forms.CharField(required=False, max_length=255, label="Session ID")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    cursor = forms.CharField(required=False, max_length=64)
    # Metadata and start-date filters (see appwrite/queries.py and the README for their semantics).
    browser = forms.CharField(required=False, max_length=200)
    device = forms.CharField(required=False, max_length=200)
    location = forms.CharField(required=False, max_length=200)
    started_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"], label="Started on or after")
    started_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"], label="Started on or before")
    # The IANA time zone the dates are days of (the browser sends its own, see static/dashboard/times.js).
    tz = forms.CharField(required=False, max_length=64)


# The values that decide which sessions a filter matches: one that is not valid is refused, never dropped
# (dropped, the export and "select all matching" would act on the whole list). A bad sort or cursor only
# falls back to the default order or the first page; an unknown zone to UTC, which the page says.
NARROWING_FIELDS = ("status", "q", "browser", "device", "location", "started_from", "started_to")


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
    tz: str = ""  # the known IANA zone of the dates, kept only with a date ("" = UTC)
    tz_refused: str = ""  # a zone asked for that is not known: the dates are then in UTC, and the page says so
    # Values that are not valid, as sent: (name, value). They stay in the filter's URLs, so that every link
    # and action made from it is refused in turn.
    invalid: tuple[tuple[str, str], ...] = ()
    problem: str = ""  # why, in words: '' when every value is valid

    @property
    def time_zone_name(self) -> str:
        """The zone the start dates are days of, by name."""
        return self.tz or "UTC"

    @property
    def narrowing(self) -> queries.SessionFilters:
        """The metadata and date part, as dashboard/appwrite/ takes it."""
        return queries.SessionFilters(
            self.browser, self.device, self.location, self.started_from, self.started_to, time_zone=self.tz
        )

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
            "tz": self.tz,
            **dict(self.invalid),
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

    @property
    def valid_url(self) -> str:
        """The list with only the valid values of this filter."""
        return replace(self, invalid=(), problem="").list_url()


def parse_filters(query: Mapping[str, Any]) -> Filters:
    """The list filter in query values (a request's GET, a kept run's values). A value that is not valid
    is kept apart, with the problem in words (`Filters.problem`): the callers refuse to act on such a
    filter. A bad sort or cursor falls back to its default."""
    form = SessionFilterForm(query)
    form.is_valid()
    data = form.cleaned_data
    refused = [name for name in NARROWING_FIELDS if name in form.errors]
    why = "; ".join(f"{form.fields[name].label or name.title()} ({' '.join(form.errors[name])})" for name in refused)
    cursor = data.get("cursor") or None
    dated = bool(data.get("started_from") or data.get("started_to"))
    zone = (query.get("tz") or "").strip()[:64] if dated else ""
    known = _known_time_zone(zone)
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
        tz=zone if known else "",
        tz_refused="" if known or not zone else zone,
        invalid=tuple((name, str(query.get(name, ""))) for name in refused),
        problem=f"This filter is not valid: {why}. Nothing is shown or done with it" if refused else "",
    )


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _known_time_zone(name: str) -> bool:
    """An IANA zone this machine knows (its tz database, or the tzdata package)."""
    return name in _time_zones()


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
    return f"{use}-{page}:" + version_of(shared.KEY_VERSION, source, parts, length=64)


def version_of(*shown: object, length: int = 16) -> str:
    """A short digest of what a page or one of its parts shows: the live refreshes compare it with the one the
    browser holds (the list's rows region and rows, the session page's parts, the last-good cache keys)."""
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:length]


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
