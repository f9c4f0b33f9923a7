"""Signing agents in and out: the email and password are checked by Appwrite (dashboard/appwrite/agents.py),
attempts are throttled per email and per client address before Appwrite is asked
(dashboard/sign_in_throttle.py), and the sign-in is an Appwrite session that the dashboard's cookie names
(dashboard/access.py)."""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from dashboard import sign_in_throttle as throttle
from dashboard.access import end_agent_session, signed_in_agent, start_agent_session
from dashboard.appwrite import agents, errors
from dashboard.pages import safe_next

logger = logging.getLogger(__name__)

REFUSED = "That email and password do not give access to this dashboard."
THROTTLED = "Too many failed sign-ins. Wait 15 minutes, then try again."
APPWRITE_PROBLEMS = {
    errors.Unauthorized: "Sign-in cannot be checked: Appwrite refused the dashboard's API key. "
    "Tell whoever runs the dashboard.",
    errors.RateLimited: "Appwrite is rate limiting sign-ins. Try again in a minute.",
    errors.BadAnswer: "Appwrite answered something the dashboard cannot read. Try again in a moment.",
}
UNREACHABLE = "Appwrite is unreachable, so sign-in cannot be checked. Try again in a moment."
NOT_COUNTED = (
    "Sign-in attempts cannot be counted right now (the dashboard's Redis is unreachable). Try again in a moment."
)
SIGNED_OUT = "You are signed out."
SIGNED_OUT_HERE_ONLY = (
    "You are signed out of this browser, but Appwrite could not be reached to end the sign-in itself: "
    "a copy of this browser's cookie could still be used on another dashboard process until it is ended. "
    "This process keeps trying."
)


class SignInForm(forms.Form):
    # Not an EmailField: Appwrite decides what a valid address is, and a malformed one gets the
    # same answer as a wrong password.
    email = forms.CharField(max_length=320, widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


@sensitive_variables("password")
def _attempt(request: HttpRequest, email: str, password: str) -> tuple[agents.SignIn | None, str, int]:
    """Tries one sign-in: the sign-in, or the problem to show and the status to answer with."""
    keys = throttle.attempt_keys(request, email)
    address = throttle.client_address(request)
    try:
        allowed = throttle.take_attempt(keys)
    except throttle.ThrottleUnavailable as error:
        logger.error("Sign-in refused: the throttle cannot count (%s)", error)
        return None, NOT_COUNTED, 503
    if not allowed:
        logger.warning("Sign-in throttled for address %s", address)
        return None, THROTTLED, 429
    try:
        sign_in = agents.sign_in(email.strip(), password)
    except errors.SignInRefused as error:
        logger.info("Sign-in refused (%s) from address %s", error.type, address)
        return None, REFUSED, 200
    except errors.AppwriteUnavailable:
        throttle.give_back(keys)
        return None, UNREACHABLE, 503
    except errors.AppwriteError as error:
        throttle.give_back(keys)
        logger.warning("Sign-in could not be checked: %s (status %s)", type(error).__name__, error.status)
        return None, APPWRITE_PROBLEMS.get(type(error), UNREACHABLE), 503
    throttle.give_back(keys)
    return sign_in, "", 200


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method != "POST":
        if signed_in_agent(request) is not None:
            return HttpResponseRedirect(next_url)
        form = SignInForm()
        return render(request, "dashboard/login.html", {"form": form, "next": next_url})

    form = SignInForm(request.POST)
    problem, status = "", 200
    if form.is_valid():
        sign_in, problem, status = _attempt(request, form.cleaned_data["email"], form.cleaned_data["password"])
        if sign_in is not None:
            start_agent_session(request, sign_in)
            logger.info("Agent %s signed in", sign_in.agent.user_id)
            return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url, "problem": problem}
    return render(request, "dashboard/login.html", context, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if end_agent_session(request):
        messages.info(request, SIGNED_OUT)
    else:
        messages.warning(request, SIGNED_OUT_HERE_ONLY)
    return HttpResponseRedirect(settings.LOGIN_URL)
