"""Agents: Appwrite users in the team APPWRITE_AGENTS_TEAM_ID. Signing in makes a short-lived Appwrite
session only to check the password (the dashboard keeps its own signed-cookie session); membership is
checked with the API key, at sign-in and again now and then."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from appwrite.client import Client
from appwrite.query import Query
from appwrite.services.account import Account
from appwrite.services.teams import Teams
from appwrite.services.users import Users
from django.conf import settings

from dashboard.appwrite import errors, transport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Agent:
    """A support agent: an active Appwrite user who is a confirmed member of the agents team."""

    user_id: str
    name: str
    email: str


# Answers of the login call that mean "these credentials do not get in" (a 400 is a malformed
# email or a password under 8 characters: the same to the person typing it).
_REFUSED_TYPES = frozenset({"user_invalid_credentials", "user_blocked", "general_argument_invalid"})

_sign_in_transports_lock = threading.Lock()
_sign_in_transports: dict[tuple[float, str], transport.PooledTransport] = {}


def _sign_in_transport() -> transport.PooledTransport:
    """The sign-in calls' own connections, apart from the key client's (NOTES §2.3)."""
    key = (settings.APPWRITE_TIMEOUT_SECONDS, settings.APPWRITE_ENDPOINT)
    with _sign_in_transports_lock:
        found = _sign_in_transports.get(key)
        if found is None:
            # A breaker of its own: Appwrite rate-limits logins per email, and one person's 429s must not
            # stop every agent's list from loading.
            found = transport.PooledTransport(key[0], transport.breaker("sign-in " + key[1]))
            _sign_in_transports[key] = found
        return found


def _sign_in_client(session_secret: str = "") -> Client:
    """The key client for the login call, or, with a secret, a client acting as that session only."""
    transport.client()  # the same refusal as every other call when no endpoint is configured
    client = transport.pooled_client(_sign_in_transport())
    client.set_endpoint(settings.APPWRITE_ENDPOINT)
    client.set_project(settings.APPWRITE_PROJECT_ID)
    if session_secret:
        client.set_session(session_secret)
    else:
        client.set_key(settings.APPWRITE_API_KEY)
    return client


def sign_in(email: str, password: str) -> Agent:
    """Checks the email and password with Appwrite, then (with the API key) that the user is an
    active member of the agents team. Raises SignInRefused for anyone who may not get in, and
    AppwriteUnavailable & co. when Appwrite itself fails. The Appwrite session made for the check
    is deleted before this returns."""
    login = Account(_sign_in_client()).create_email_password_session
    try:
        session = errors.call(login, email, password)
    except (errors.Unauthorized, errors.BadAnswer) as error:
        if error.type in _REFUSED_TYPES:
            raise errors.SignInRefused("sign-in refused", status=error.status, type=error.type) from error
        raise
    _expect(session, "userid", "secret")
    try:
        agent = current_agent(session.userid)
    finally:
        _end_appwrite_session(session.secret)
    if agent is None:
        raise errors.SignInRefused("not an active member of the agents team", type="not_an_agent")
    return agent


def _expect(answer: Any, *attributes: str) -> None:
    """The SDK hands back raw bytes when an answer is not JSON (a proxy's error page, say)."""
    if not all(hasattr(answer, attribute) for attribute in attributes):
        raise errors.BadAnswer(f"Appwrite answered something unreadable: {type(answer).__name__}")


def _end_appwrite_session(secret: str) -> None:
    if not secret:
        # Appwrite hands out the secret to API-key callers only; without it the session cannot end here.
        logger.warning("Appwrite gave no session secret at sign-in; that Appwrite session ends when it expires")
        return
    try:
        errors.call(Account(_sign_in_client(secret)).delete_session, "current")
    except errors.AppwriteError as error:
        logger.warning(
            "Could not delete the Appwrite session made for a sign-in (%s, status %s); it ends when it expires",
            type(error).__name__,
            error.status,
        )


def current_agent(user_id: str) -> Agent | None:
    """The agent with this Appwrite user ID if the user still exists, is not blocked and is a
    confirmed member of the agents team; None otherwise. Raises when Appwrite cannot tell."""
    client = transport.client()
    try:
        user = errors.call(Users(client).get, user_id)
    except errors.NotFound:
        return None
    _expect(user, "id", "status", "name", "email")
    if not user.status:
        return None
    team_id = settings.APPWRITE_AGENTS_TEAM_ID
    queries = [Query.equal("userId", [user_id]), Query.limit(100)]
    try:
        answer = errors.call(Teams(client).list_memberships, team_id, queries=queries)
    except errors.NotFound:
        logger.error("The agents team %s does not exist: nobody can sign in (run `manage.py appwrite_setup`)", team_id)
        return None
    _expect(answer, "memberships")
    if not any(getattr(membership, "confirm", False) for membership in answer.memberships):
        return None
    return Agent(user_id=user.id, name=user.name or user.email, email=user.email)


# An address no Appwrite user can have, for the sign-in probe (with a random password it can only fail).
PROBE_EMAIL = "appwrite-doctor-probe@example.com"


def probe_sign_in() -> None:
    """The doctor's question whether the key may create sessions: a login with an address no user has."""
    login = Account(_sign_in_client()).create_email_password_session
    session = errors.call(login, PROBE_EMAIL, secrets.token_urlsafe(24))
    _end_appwrite_session(getattr(session, "secret", ""))  # never reached unless that password matched
