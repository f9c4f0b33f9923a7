"""What the dashboard's pages share: the list filter as it travels in URLs, the page-or-fragment
decision for htmx, the words for an Appwrite failure, where the last good data waits while Appwrite is
down, and where a plain form post returns."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from dashboard.appwrite import errors, queries, shared

SORT_CHOICES = [
    ("last_seen_desc", "Last seen, newest first"),
    ("last_seen_asc", "Last seen, oldest first"),
    ("started_desc", "Started, newest first"),
    ("started_asc", "Started, oldest first"),
]


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


def parse_filters(request: HttpRequest) -> Filters:
    """Query parameters of the list; a bad value falls back to its default instead of failing."""
    form = SessionFilterForm(request.GET)
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


def wants_fragment(request: HttpRequest) -> bool:
    """Only the rows region for htmx's own requests; boosts and history restores need the page."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def describe_problem(error: errors.AppwriteError) -> str:
    if isinstance(error, errors.Unauthorized):
        return "Appwrite refused the dashboard's API key"
    if isinstance(error, errors.RateLimited):
        return "Appwrite is rate limiting the dashboard"
    if isinstance(error, errors.BadAnswer):
        return "Appwrite answered something the dashboard cannot read"
    return "Appwrite is unreachable"


# The last good data of a page is kept this long, to show while Appwrite is down.
LAST_GOOD_SECONDS = 24 * 60 * 60


def last_good_key(page: str, *parts: object) -> str:
    """Cache key of a page's last good data: per page, per source collection and per `parts` (a filter, a row)."""
    source = (settings.APPWRITE_DATABASE_ID, settings.APPWRITE_SESSIONS_COLLECTION_ID)
    return f"last-good-{page}:" + hashlib.sha256(repr((shared.KEY_VERSION, source, parts)).encode()).hexdigest()


def safe_next(request: HttpRequest) -> str:
    """Where a plain form post goes back to: its `next` field, when that stays on this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"
