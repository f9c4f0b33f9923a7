"""The account router."""

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
    return routes
