"""The users router (the user's memberships are the teams router's: they are memberships; the user's sessions
are the account router's: they are sessions)."""

from __future__ import annotations

from ..routing import Router
from ..storage import Database
from .responses import UsersResponses


def router(db: Database) -> Router:
    users = UsersResponses(db)
    routes = Router()
    routes.add("POST", "/v1/users", users.create, scopes="users.write")
    routes.add("GET", "/v1/users", users.list, scopes="users.read")
    routes.add("GET", "/v1/users/{userId}", users.get, scopes="users.read")
    routes.add("DELETE", "/v1/users/{userId}", users.delete, scopes="users.write")
    routes.add("PATCH", "/v1/users/{userId}/status", users.update_status, scopes="users.write")
    return routes
