"""Who may see the dashboard: a signed-in agent, whose team membership is checked again every few
minutes. `AgentMiddleware` (dashboard/middleware.py) refuses every view but the public ones by
default; `agent_required` says the same on each view, so a view moved elsewhere stays protected."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect

from dashboard.appwrite import agents, errors
from dashboard.pages import vary_on_htmx

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]

# URL names anyone may request. /readyz stays open for load-balancer probes: it shows no data.
PUBLIC_URL_NAMES = frozenset({"login", "logout", "healthz", "readyz"})

SESSION_KEY = "agent"
# While Appwrite cannot answer a membership re-check the agent stays signed in (the pages say
# Appwrite is down anyway), retrying this often, but not longer than the grace period.
RECHECK_RETRY_SECONDS = 30
RECHECK_GRACE_SECONDS = 60 * 60


def start_agent_session(request: HttpRequest, agent: agents.Agent) -> None:
    """Signs the agent in: a new session key (and so a new cookie) and a fresh CSRF token."""
    from django.middleware.csrf import rotate_token

    request.session.cycle_key()
    now = time.time()
    request.session[SESSION_KEY] = {
        "id": agent.user_id,
        "name": agent.name,
        "email": agent.email,
        # Names this sign-in, so signing out can revoke copies of the cookie (see end_agent_session).
        "sid": secrets.token_urlsafe(18),
        "checked_at": now,
        "check_due": now + settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS,
    }
    rotate_token(request)
    request.agent = agent


def end_agent_session(request: HttpRequest) -> None:
    """Signs out. A signed cookie cannot be recalled, so its sign-in is also marked as ended in
    the cache (shared between processes with REDIS_URL) until the cookie would expire anyway."""
    stored = request.session.get(SESSION_KEY)
    if isinstance(stored, dict) and isinstance(stored.get("sid"), str):
        cache.set(_signed_out_key(stored["sid"]), True, settings.SESSION_COOKIE_AGE)
    request.session.flush()
    request.agent = None


def _signed_out_key(sid: str) -> str:
    return f"signed-out:{sid}"


def _agent_of(stored: dict) -> agents.Agent:
    return agents.Agent(user_id=stored["id"], name=stored["name"], email=stored["email"])


def signed_in_agent(request: HttpRequest) -> agents.Agent | None:
    """The agent signed in on this request, with the membership re-checked when it is due; None
    when nobody is (then the session is cleared). Works once per request."""
    if hasattr(request, "_signed_in_agent"):
        return request._signed_in_agent
    stored = request.session.get(SESSION_KEY)
    agent = None
    if _well_formed(stored) and not cache.get(_signed_out_key(stored["sid"])):
        agent = _rechecked(request, stored)
    elif stored is not None:
        request.session.flush()
    request._signed_in_agent = agent
    request.agent = agent
    return agent


def _well_formed(stored: object) -> bool:
    return (
        isinstance(stored, dict)
        and all(isinstance(stored.get(key), str) for key in ("id", "name", "email", "sid"))
        and all(isinstance(stored.get(key), int | float) for key in ("checked_at", "check_due"))
    )


def _rechecked(request: HttpRequest, stored: dict) -> agents.Agent | None:
    now = time.time()
    if now < stored["check_due"]:
        return _agent_of(stored)
    try:
        current = agents.current_agent(stored["id"])
    except errors.AppwriteError as error:
        if now - stored["checked_at"] > RECHECK_GRACE_SECONDS:
            logger.warning("Signed out agent %s: Appwrite could not confirm the membership for an hour", stored["id"])
            messages.error(request, "Appwrite could not confirm your access for too long. Sign in again.")
            request.session.flush()
            return None
        logger.warning("Could not re-check the membership of agent %s (%s)", stored["id"], type(error).__name__)
        request.session[SESSION_KEY] = {**stored, "check_due": now + RECHECK_RETRY_SECONDS}
        return _agent_of(stored)
    if current is None:
        logger.info("Signed out agent %s: no longer an active member of the agents team", stored["id"])
        messages.error(request, "Your access to the dashboard has ended.")
        request.session.flush()
        return None
    request.session[SESSION_KEY] = {
        **stored,
        "name": current.name,
        "email": current.email,
        "checked_at": now,
        "check_due": now + settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS,
    }
    return current


def redirect_to_sign_in(request: HttpRequest) -> HttpResponse:
    """To the sign-in page, coming back here afterwards. htmx requests get `HX-Redirect` on a 401,
    which htmx follows as a full page load and never swaps into the page."""
    if request.htmx:
        back = request.htmx.current_url_abs_path
    else:
        back = request.get_full_path() if request.method in ("GET", "HEAD") else None
    if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts=None) or back == "/":
        target = settings.LOGIN_URL
    else:
        target = f"{settings.LOGIN_URL}?{urlencode({'next': back})}"
    if request.htmx:
        return vary_on_htmx(HttpResponseClientRedirect(target, status=401))
    return vary_on_htmx(HttpResponseRedirect(target))


def agent_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if signed_in_agent(request) is None:
            return redirect_to_sign_in(request)
        return view(request, *args, **kwargs)

    return wrapper


def current_agent_id(request: HttpRequest) -> str:
    """The Appwrite user id of the agent signed in on this request ('' when nobody is): what tokens
    offered to an agent are bound to."""
    agent = signed_in_agent(request)
    return agent.user_id if agent is not None else ""
