"""Health (`/v1/health/version`, public): the one area small enough to be its router and its handler at once."""

from __future__ import annotations

from typing import Any

from . import APPWRITE_VERSION
from .routing import Request, Router


def version(req: Request) -> tuple[int, Any]:
    return 200, {"version": APPWRITE_VERSION}


def router() -> Router:
    routes = Router()
    routes.add("GET", "/v1/health/version", version, scopes="public")
    return routes
