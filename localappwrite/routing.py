"""Routing: what a handler sees of a request, and the routers each API area builds and the app combines.

A handler takes a `Request` and returns `(status, body)`; it may add response headers (cookies) to
`request.answer_headers`. Routes register on a `Router` instance; nothing registers as a side effect of import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .params import Params


@dataclass
class Caller:
    """Who is calling, once authentication has run."""

    role: str = "guest"  # "key", "user" or "guest"
    user_id: str | None = None
    session_id: str | None = None
    key_scopes: frozenset[str] | None = None  # a scoped key's scopes (None: every scope)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, Any]
    body: dict[str, Any]
    headers: dict[str, str]  # lower-cased names
    cookies: dict[str, str]
    client_ip: str
    path_params: dict[str, str] = field(default_factory=dict)
    caller: Caller = field(default_factory=Caller)
    answer_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def params(self) -> Params:
        """Appwrite reads GET params from the query string and the others' from the body (utopia's Swoole
        Request::generateInput); a DELETE without a body also reads its query string."""
        if self.method in ("GET", "HEAD") or (self.method == "DELETE" and not self.body):
            return Params(self.query)
        return Params(self.body)

    @property
    def role(self) -> str:
        return self.caller.role

    @property
    def user_id(self) -> str | None:
        return self.caller.user_id

    @property
    def is_key(self) -> bool:
        return self.caller.role == "key"


Handler = Callable[[Request], tuple[int, Any]]


@dataclass
class Route:
    method: str
    path: str
    pattern: re.Pattern[str]
    handler: Handler
    scopes: tuple[str, ...]  # any one of them opens the route
    data_route: bool  # rows/documents: non-key callers lack table permissions here


class Router:
    """Routes in the order they were added; literal paths are tried before templated ones."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, path: str, handler: Handler, *, scopes: tuple[str, ...] | str,
            data_route: bool = False) -> None:
        """`{name}` in `path` captures one path segment."""
        regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
        scopes = (scopes,) if isinstance(scopes, str) else scopes
        self.routes.append(Route(method, path, re.compile(regex), handler, scopes, data_route))

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)
        self.routes.sort(key=lambda r: r.path.count("{"))  # stable: literal segments win

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for r in self.routes:
            if r.method == method:
                m = r.pattern.match(path)
                if m:
                    return r, {k: unquote(v) for k, v in m.groupdict().items()}
        return None

    def methods_for(self, path: str) -> set[str]:
        return {r.method for r in self.routes if r.pattern.match(path)}
