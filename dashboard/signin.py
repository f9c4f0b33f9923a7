"""Signing agents in and out: the email and password are checked by Appwrite (dashboard/appwrite/agents.py),
failures are throttled per email and per client address in the cache, and the session is the
dashboard's own signed cookie (dashboard/access.py)."""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import end_agent_session, signed_in_agent, start_agent_session
from dashboard.appwrite import agents, errors

logger = logging.getLogger(__name__)

# Failures allowed per email and per client address within the window, before answering 429.
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60

REFUSED = "That email and password do not give access to this dashboard."
THROTTLED = "Too many failed sign-ins. Wait 15 minutes, then try again."
APPWRITE_PROBLEMS = {
    errors.Unauthorized: "Sign-in cannot be checked: Appwrite refused the dashboard's API key. "
    "Tell whoever runs the dashboard.",
    errors.RateLimited: "Appwrite is rate limiting sign-ins. Try again in a minute.",
    errors.BadAnswer: "Appwrite answered something the dashboard cannot read. Try again in a moment.",
}
UNREACHABLE = "Appwrite is unreachable, so sign-in cannot be checked. Try again in a moment."


class SignInForm(forms.Form):
    # Not an EmailField: Appwrite decides what a valid address is, and a malformed one gets the
    # same answer as a wrong password.
    email = forms.CharField(max_length=320, widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def _client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind the HTTPS proxy (DJANGO_HTTPS=1) the address that proxy appended
    last to X-Forwarded-For; what a client writes there itself comes earlier and is ignored."""
    if settings.HTTPS:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last[:64]
    return request.META.get("REMOTE_ADDR", "")


def _failure_keys(request: HttpRequest, email: str) -> list[str]:
    email_hash = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return [f"sign-in-failures:email:{email_hash}", f"sign-in-failures:address:{_client_address(request)}"]


def _throttled(keys: list[str]) -> bool:
    return any(count >= MAX_FAILURES for count in cache.get_many(keys).values())


def _count_failure(keys: list[str]) -> None:
    for key in keys:
        # A fixed window from the first failure: `add` starts it, `incr` keeps its expiry.
        cache.add(key, 0, FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, FAILURE_WINDOW_SECONDS)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@sensitive_variables("password")
def _attempt(request: HttpRequest, email: str, password: str) -> tuple[agents.Agent | None, str, int]:
    """Tries one sign-in: the agent, or the problem to show and the status to answer with."""
    keys = _failure_keys(request, email)
    if _throttled(keys):
        logger.warning("Sign-in throttled for address %s", _client_address(request))
        return None, THROTTLED, 429
    try:
        agent = agents.sign_in(email.strip(), password)
    except errors.SignInRefused as error:
        _count_failure(keys)
        logger.info("Sign-in refused (%s) from address %s", error.type, _client_address(request))
        return None, REFUSED, 200
    except errors.AppwriteUnavailable:
        return None, UNREACHABLE, 503
    except errors.AppwriteError as error:
        logger.warning("Sign-in could not be checked: %s (status %s)", type(error).__name__, error.status)
        return None, APPWRITE_PROBLEMS.get(type(error), UNREACHABLE), 503
    cache.delete(keys[0])
    return agent, "", 200


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.method != "POST":
        if signed_in_agent(request) is not None:
            return HttpResponseRedirect(next_url)
        form = SignInForm()
        return render(request, "dashboard/login.html", {"form": form, "next": next_url})

    form = SignInForm(request.POST)
    problem, status = "", 200
    if form.is_valid():
        agent, problem, status = _attempt(request, form.cleaned_data["email"], form.cleaned_data["password"])
        if agent is not None:
            start_agent_session(request, agent)
            logger.info("Agent %s signed in", agent.user_id)
            return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url, "problem": problem}
    return render(request, "dashboard/login.html", context, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    end_agent_session(request)
    messages.info(request, "You are signed out.")
    return HttpResponseRedirect(settings.LOGIN_URL)
