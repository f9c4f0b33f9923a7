"""Who may see the dashboard: a signed-in agent. A sign-in is an Appwrite session of the agent's
(dashboard/appwrite/agents.py), which the dashboard's cookie names: each process asks Appwrite at most every
DASHBOARD_SESSION_CHECK_SECONDS whether it still holds it, and the team membership every
DASHBOARD_MEMBERSHIP_RECHECK_SECONDS; signing out deletes it. `AgentMiddleware` (dashboard/middleware.py)
refuses every view but the public ones by default; `agent_required` says the same on each view, so a view
moved elsewhere stays protected."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
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
# While Appwrite cannot answer, an agent it confirmed within this long stays signed in (the pages show the
# last good data and say Appwrite is down); the check is tried again on every request meanwhile.
RECHECK_GRACE_SECONDS = 60 * 60

SignInKey = tuple[str, str]  # (Appwrite user id, Appwrite session id)


@dataclass(frozen=True)
class _Confirmed:
    agent: agents.Agent
    session_until: float  # time.monotonic() until which Appwrite's answer on the session stands
    membership_until: float


class _Confirmations:
    """What this process last heard from Appwrite about each sign-in. Losing an entry (beyond MAX_ENTRIES the
    least recently used go) only means asking Appwrite sooner: no entry can outlive the check interval, so
    nothing here can let in a sign-in that Appwrite no longer holds for longer than that."""

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[SignInKey, _Confirmed] = OrderedDict()

    def get(self, key: SignInKey) -> _Confirmed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: SignInKey, confirmed: _Confirmed) -> None:
        with self._lock:
            self._entries[key] = confirmed
            self._entries.move_to_end(key)
            while len(self._entries) > self.MAX_ENTRIES:
                self._entries.popitem(last=False)

    def forget(self, key: SignInKey) -> None:
        with self._lock:
            self._entries.pop(key, None)


class _SignOutsHere:
    """Sign-ins this process ended, refused here at once: until Appwrite confirmed the deletion and one check
    interval more (an answer fetched just before the deletion may stand that long), or, while Appwrite has
    not confirmed it, for good (the deletion is tried again). Nothing is ever evicted from here early."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[SignInKey, float] = {}

    def add(self, key: SignInKey, confirmed: bool) -> None:
        now = time.monotonic()
        with self._lock:
            self._until = {k: until for k, until in self._until.items() if until > now}
            self._until[key] = now + _check_seconds() + 1 if confirmed else math.inf

    def __contains__(self, key: SignInKey) -> bool:
        with self._lock:
            return self._until.get(key, 0) > time.monotonic()

    def unconfirmed(self) -> list[SignInKey]:
        with self._lock:
            return [key for key, until in self._until.items() if until == math.inf]


_confirmations = _Confirmations()
_sign_outs_here = _SignOutsHere()


def _check_seconds() -> float:
    return settings.DASHBOARD_SESSION_CHECK_SECONDS


def start_agent_session(request: HttpRequest, sign_in: agents.SignIn) -> None:
    """Signs the agent in: a new session (and so a new cookie) naming the Appwrite session, and a fresh CSRF
    token."""
    from django.middleware.csrf import rotate_token

    agent = sign_in.agent
    previous = request.session.get(SESSION_KEY)
    if _well_formed(previous):  # signing in over a sign-in ends that one, as signing out would
        _end_sign_in((previous["id"], previous["sid"]))
    request.session.flush()
    request.session[SESSION_KEY] = {
        "id": agent.user_id,
        "name": agent.name,
        "email": agent.email,
        "sid": sign_in.session_id,
        "confirmed_at": time.time(),
    }
    now = time.monotonic()
    confirmed = _Confirmed(agent, now + _check_seconds(), now + settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS)
    _confirmations.put((agent.user_id, sign_in.session_id), confirmed)
    rotate_token(request)
    request.agent = request._signed_in_agent = agent


def end_agent_session(request: HttpRequest) -> bool:
    """Signs out: this process refuses the sign-in from now on, and Appwrite's session goes, so every other
    process refuses it within DASHBOARD_SESSION_CHECK_SECONDS. False when Appwrite could not confirm the
    deletion (this process still refuses it, and tries again)."""
    stored = request.session.get(SESSION_KEY)
    ended = _end_sign_in((stored["id"], stored["sid"])) if _well_formed(stored) else True
    request.session.flush()
    request.agent = request._signed_in_agent = None
    return ended


def _end_sign_in(key: SignInKey) -> bool:
    _sign_outs_here.add(key, confirmed=False)  # first: no request of this process may confirm it meanwhile
    _confirmations.forget(key)
    return _delete_at_appwrite(key)


def _delete_at_appwrite(key: SignInKey) -> bool:
    try:
        agents.end_sign_in(*key)
    except errors.AppwriteError as error:
        logger.warning("Could not end the Appwrite session of agent %s at sign-out (%s)", key[0], type(error).__name__)
        return False
    _sign_outs_here.add(key, confirmed=True)
    return True


def signed_in_agent(request: HttpRequest) -> agents.Agent | None:
    """The agent signed in on this request, the sign-in checked with Appwrite when that is due; None when
    nobody is (then the session is cleared). Works once per request."""
    if hasattr(request, "_signed_in_agent"):
        return request._signed_in_agent
    stored = request.session.get(SESSION_KEY)
    agent = None
    if _well_formed(stored):
        agent = _confirmed(request, stored)
    elif stored is not None:
        request.session.flush()
    request._signed_in_agent = agent
    request.agent = agent
    return agent


def current_agent_id(request: HttpRequest) -> str | None:
    """The Appwrite user id of the agent signed in on this request, or None."""
    agent = signed_in_agent(request)
    return agent.user_id if agent is not None else None


def current_sign_in_id(request: HttpRequest) -> str | None:
    """The Appwrite session id that stands for this request's sign-in (it changes at every sign-in and ends
    at sign-out), or None."""
    if signed_in_agent(request) is None:
        return None
    return request.session[SESSION_KEY]["sid"]


def _well_formed(stored: object) -> bool:
    return (
        isinstance(stored, dict)
        and all(isinstance(stored.get(key), str) and stored[key] for key in ("id", "sid"))
        and all(isinstance(stored.get(key), str) for key in ("name", "email"))
        and isinstance(stored.get("confirmed_at"), int | float)
    )


def _agent_of(stored: dict) -> agents.Agent:
    return agents.Agent(user_id=stored["id"], name=stored["name"], email=stored["email"])


def _confirmed(request: HttpRequest, stored: dict) -> agents.Agent | None:
    key = (stored["id"], stored["sid"])
    if key in _sign_outs_here:
        if key in _sign_outs_here.unconfirmed():
            _delete_at_appwrite(key)
        request.session.flush()
        return None
    now = time.monotonic()
    known = _confirmations.get(key)
    if known is not None and now < known.session_until and now < known.membership_until:
        return known.agent
    membership_due = known is None or now >= known.membership_until
    try:
        holds = agents.sign_in_holds(*key)
        if holds and membership_due:
            current = agents.current_agent(stored["id"])
        else:
            current = known.agent if known is not None else None
    except errors.AppwriteError as error:
        return _unconfirmed(request, stored, known, error)
    if not holds:
        logger.info("Signed out agent %s: Appwrite no longer holds the sign-in", stored["id"])
        return _refused(request, key, "Your sign-in has ended. Sign in again.")
    if current is None:
        logger.info("Signed out agent %s: no longer an active member of the agents team", stored["id"])
        return _refused(request, key, "Your access to the dashboard has ended.")
    membership_until = now + settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS if membership_due else known.membership_until
    _confirmations.put(key, _Confirmed(current, now + _check_seconds(), membership_until))
    request.session[SESSION_KEY] = {**stored, "name": current.name, "email": current.email, "confirmed_at": time.time()}
    for unconfirmed in _sign_outs_here.unconfirmed()[:3]:  # Appwrite answers again: finish what it missed
        _delete_at_appwrite(unconfirmed)
    return current


def _refused(request: HttpRequest, key: SignInKey, why: str) -> None:
    _confirmations.forget(key)
    messages.error(request, why)
    request.session.flush()
    return None


def _unconfirmed(request: HttpRequest, stored: dict, known: _Confirmed | None, error: Exception) -> agents.Agent | None:
    if time.time() - stored["confirmed_at"] > RECHECK_GRACE_SECONDS:
        logger.warning("Signed out agent %s: Appwrite could not confirm the sign-in for an hour", stored["id"])
        return _refused(request, (stored["id"], stored["sid"]), "Appwrite could not confirm your access for too long. "
                        "Sign in again.")  # fmt: skip
    logger.info("Could not check the sign-in of agent %s (%s)", stored["id"], type(error).__name__)
    return known.agent if known is not None else _agent_of(stored)


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
