"""The teams router, and a user's memberships (`GET /v1/users/{userId}/memberships`)."""

from __future__ import annotations

from ..routing import Router
from ..storage import Database
from .responses import TeamsResponses


def router(db: Database) -> Router:
    teams = TeamsResponses(db)
    routes = Router()
    routes.add("POST", "/v1/teams", teams.create, scopes="teams.write")
    routes.add("GET", "/v1/teams", teams.list, scopes="teams.read")
    routes.add("GET", "/v1/teams/{teamId}", teams.get, scopes="teams.read")
    routes.add("DELETE", "/v1/teams/{teamId}", teams.delete, scopes="teams.write")
    routes.add("POST", "/v1/teams/{teamId}/memberships", teams.create_membership, scopes="teams.write")
    routes.add("GET", "/v1/teams/{teamId}/memberships", teams.list_memberships, scopes="teams.read")
    routes.add("GET", "/v1/teams/{teamId}/memberships/{membershipId}", teams.get_membership, scopes="teams.read")
    routes.add("PATCH", "/v1/teams/{teamId}/memberships/{membershipId}", teams.update_membership,
               scopes="teams.write")
    routes.add("DELETE", "/v1/teams/{teamId}/memberships/{membershipId}", teams.delete_membership,
               scopes="teams.write")
    routes.add("GET", "/v1/users/{userId}/memberships", teams.user_memberships, scopes="users.read")
    return routes
