"""Who is calling, in Appwrite's order (AW app/init/resources/request.php `user`, then the API hook every route
runs, controllers/…/api.php):
project, then API key or session (cookie `a_session_<project>`, its `_legacy` twin, `X-Appwrite-Session`,
`X-Fallback-Cookies`), then the route's scope, then a blocked user."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import unquote

from .account.cookies import cookie_name, hostname
from .account.models import Sessions
from .errors import (
    general_unauthorized_scope,
    project_id_missing,
    project_not_found,
    user_blocked,
    user_unauthorized,
)
from .routing import Caller, Request, Route

# Scopes of the guests role (AW app/config/roles.php); users add `account`. API keys never hold `account`.
GUEST_SCOPES = frozenset({
    "public", "global", "home", "sessions.write", "teams.read", "teams.write",
    "documents.read", "documents.write", "rows.read", "rows.write",
})
USER_SCOPES = GUEST_SCOPES | {"account"}


@dataclass
class Keys:
    api_key: str
    scoped: dict[str, frozenset[str]] = field(default_factory=dict)  # `--scoped-key KEY=SCOPE,…`


def session_token(req: Request, project_id: str) -> str:
    """The session token the request carries, where Appwrite looks for it, in its order."""
    name = cookie_name(project_id)
    token = req.cookies.get(name) or req.cookies.get(name + "_legacy") or ""
    if not token:
        token = req.headers.get("x-appwrite-session", "")
    if not token:
        try:
            fallback = json.loads(req.headers.get("x-fallback-cookies", "") or "null")
        except (ValueError, RecursionError):
            fallback = None
        if isinstance(fallback, dict) and isinstance(fallback.get(name), str):
            token = fallback[name]
    return unquote(token)


def authenticate(req: Request, route: Route, project_id: str, keys: Keys, sessions: Sessions) -> None:
    """Sets `req.caller`, or raises Appwrite's refusal."""
    if "public" in route.scopes:
        return
    project = req.headers.get("x-appwrite-project", "")
    key = req.headers.get("x-appwrite-key")
    if not project:
        if key:
            raise project_id_missing()
        raise general_unauthorized_scope("User (role: guests)", list(route.scopes))
    if project != project_id:
        raise project_not_found()
    if key is not None:
        if key != keys.api_key and key not in keys.scoped:
            raise user_unauthorized()
        scopes = keys.scoped.get(key)
        req.caller = Caller(role="key", key_scopes=scopes)
        if "account" in route.scopes or (scopes is not None and not scopes.intersection(route.scopes)):
            raise general_unauthorized_scope(f"app.{project_id}@service.{hostname(req) or 'localhost'} "
                                             "(role: applications)", list(route.scopes))
        return
    resolved = sessions.resolve(session_token(req, project_id))
    if resolved is not None:
        user, session = resolved
        req.caller = Caller(role="user", user_id=user["id"], session_id=session["id"])
        if not USER_SCOPES.intersection(route.scopes):
            raise general_unauthorized_scope(f"{user['email'] or 'User'} (role: users)", list(route.scopes))
        if not user["status"]:
            raise user_blocked()
    elif not GUEST_SCOPES.intersection(route.scopes):
        raise general_unauthorized_scope("User (role: guests)", list(route.scopes))
    if route.data_route:
        # Permissions are out of scope: only an API key reads or writes data.
        raise user_unauthorized()
