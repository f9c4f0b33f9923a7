"""The account router, and a user's sessions (`/v1/users/{userId}/sessions`, the server side of the same
sessions)."""

from __future__ import annotations

from ..routing import Router
from ..storage import Database
from .models import Sessions
from .responses import AccountResponses


def router(db: Database, sessions: Sessions, project_id: str) -> Router:
    account = AccountResponses(db, sessions, project_id)
    routes = Router()
    routes.add("POST", "/v1/account/sessions/email", account.create_email_password_session,
               scopes="sessions.write")
    routes.add("POST", "/v1/account/sessions", account.create_email_password_session, scopes="sessions.write")
    routes.add("GET", "/v1/account", account.get, scopes="account")
    routes.add("GET", "/v1/account/sessions", account.list_sessions, scopes="account")
    routes.add("GET", "/v1/account/sessions/{sessionId}", account.get_session, scopes="account")
    routes.add("DELETE", "/v1/account/sessions/{sessionId}", account.delete_session, scopes="account")
    routes.add("DELETE", "/v1/account/sessions", account.delete_sessions, scopes="account")
    routes.add("GET", "/v1/users/{userId}/sessions", account.user_sessions, scopes="users.read")
    routes.add("DELETE", "/v1/users/{userId}/sessions", account.delete_user_sessions, scopes="users.write")
    routes.add("DELETE", "/v1/users/{userId}/sessions/{sessionId}", account.delete_user_session,
               scopes="users.write")
    return routes
