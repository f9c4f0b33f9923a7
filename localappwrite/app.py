"""The app: one database, the routers of every API area combined, and the dispatch of a parsed request
(route, authentication, handler). The HTTP layer (`server`) feeds it requests and writes its answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import health
from .account import models as account_models
from .account.routes import router as account_router
from .auth import Keys, authenticate
from .databases.routes import router as databases_router
from .errors import general_route_not_found
from .faults import Faults
from .routing import Request, Router
from .storage import Database
from .teams import models as teams_models
from .teams.routes import router as teams_router
from .upgrade import upgrade
from .users import models as users_models
from .users.routes import router as users_router


@dataclass
class App:
    project_id: str
    keys: Keys
    db: Database
    sessions: account_models.Sessions
    router: Router
    latency_ms: int = 0
    faults_enabled: bool = False
    faults: Faults = field(default_factory=Faults)

    def dispatch(self, req: Request) -> tuple[int, Any]:
        found = self.router.match(req.method, req.path)
        if found is None:
            raise general_route_not_found()
        route, req.path_params = found
        authenticate(req, route, self.project_id, self.keys, self.sessions)
        return route.handler(req)


def build_app(data: str, project_id: str, api_key: str, latency_ms: int = 0, faults: bool = False,
              scoped_keys: dict[str, frozenset[str]] | None = None) -> App:
    db = Database(data)
    users_models.install(db)  # first: the teams' and sessions' triggers watch its table
    teams_models.install(db)
    account_models.install(db)
    upgrade(db)  # a file of an older localappwrite: its accounts move into the tables above
    sessions = account_models.Sessions(db)
    router = Router()
    for area in (health.router(), databases_router(db), users_router(db), teams_router(db),
                 account_router(db, sessions, project_id)):
        router.include(area)
    return App(project_id=project_id, keys=Keys(api_key, dict(scoped_keys or {})), db=db, sessions=sessions,
               router=router, latency_ms=latency_ms, faults_enabled=faults)
