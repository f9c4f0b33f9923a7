"""The request's Appwrite time budget, and sign-in by default: every view needs a signed-in agent unless
its URL name is public (dashboard/access.py), so a new page is protected even if its author forgets
`agent_required`; what a signed-in agent is answered is never stored by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from dashboard.access import PUBLIC_URL_NAMES, redirect_to_sign_in, signed_in_agent
from dashboard.appwrite import resilience


class AppwriteBudgetMiddleware:
    """Gives each request's Appwrite calls, retries and waits included, 2 × APPWRITE_TIMEOUT_SECONDS in
    all, so that a page answers within that plus its own work, whatever Appwrite does. A streamed answer
    (the CSV export) reads on after the view returned, outside the budget, with the per-call timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with resilience.budget(resilience.BUDGET_TIMEOUTS * settings.APPWRITE_TIMEOUT_SECONDS):
            return self.get_response(request)


class AgentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.agent = None
        response = self.get_response(request)
        if getattr(request, "_signed_in_agent", None) is not None:
            # Sessions, transcripts, visitors' metadata: nothing for a shared computer's disk cache or the
            # back button after signing out (Cache-Control: no-store, and its older companions).
            add_never_cache_headers(response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.url_name in PUBLIC_URL_NAMES:
            return None
        if signed_in_agent(request) is None:
            return redirect_to_sign_in(request)
        return None
