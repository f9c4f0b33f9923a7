"""Agents: Appwrite users in the team APPWRITE_AGENTS_TEAM_ID. Signing in makes an Appwrite session of the
agent's, which the dashboard's cookie names and which lasts until signing out deletes it: Appwrite, the one
database of record, says whether a sign-in still holds. Membership is checked with the API key, at sign-in
and again now and then."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
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


@dataclass(frozen=True)
class SignIn:
    """An agent signed in: who, and the Appwrite session (its id only; its secret is never kept) that
    stands for this sign-in until signing out deletes it."""

    agent: Agent
    session_id: str


def sign_in(email: str, password: str) -> SignIn:
    """Checks the email and password with Appwrite, then (with the API key) that the user is an
    active member of the agents team. Raises SignInRefused for anyone who may not get in, and
    AppwriteUnavailable & co. when Appwrite itself fails. The Appwrite session made for the check
    stays for an agent (end_sign_in deletes it) and is deleted before this returns for anyone else."""
    login = Account(_sign_in_client()).create_email_password_session
    try:
        session = errors.call(login, email, password)
    except (errors.Unauthorized, errors.BadAnswer) as error:
        if error.type in _REFUSED_TYPES:
            raise errors.SignInRefused("sign-in refused", status=error.status, type=error.type) from error
        raise
    _expect(session, "id", "userid", "secret")
    try:
        agent = current_agent(session.userid)
    except errors.AppwriteError:
        _end_appwrite_session(session.secret)
        raise
    if agent is None:
        _end_appwrite_session(session.secret)
        raise errors.SignInRefused("not an active member of the agents team", type="not_an_agent")
    return SignIn(agent=agent, session_id=session.id)


def sign_in_holds(user_id: str, session_id: str) -> bool:
    """Whether Appwrite still holds this sign-in's session: not deleted (signed out, or by an admin, or by
    Appwrite's sessions limit), the user not deleted, the session not expired. Raises when Appwrite
    cannot tell."""
    try:
        answer = errors.call(Users(transport.client()).list_sessions, user_id, total=False)
    except errors.NotFound:
        return False
    _expect(answer, "sessions")
    now = datetime.now(UTC)
    for session in answer.sessions:
        if getattr(session, "id", None) == session_id:
            return not _expired(getattr(session, "expire", ""), now)
    return False


def _expired(expire: object, now: datetime) -> bool:
    """Appwrite refuses an expired session itself and deletes it later: this only spares that wait. A
    value that is not a time says nothing (the session is listed, so it exists)."""
    try:
        moment = datetime.fromisoformat(str(expire))
    except ValueError:
        return False
    return moment.tzinfo is not None and moment <= now


def end_sign_in(user_id: str, session_id: str) -> None:
    """Deletes the Appwrite session of a sign-in (with the API key: scope users.write), so that no copy of
    its cookie gets in any more. Raises when Appwrite could not confirm the session is gone."""
    try:
        errors.call(Users(transport.client()).delete_session, user_id, session_id)
    except errors.NotFound:
        return  # gone already (deleted elsewhere, or the user is)
    except errors.AppwriteUnavailable:
        # A write is sent once; its answer may be lost after Appwrite carried it out: look.
        if sign_in_holds(user_id, session_id):
            raise


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
