"""The HTTP side of localappwrite: routing, Appwrite-shaped errors, auth, latency and fault injection.

Route modules (`databases`, `accounts`) register handlers on `ROUTER`; a handler takes a `Request`
and returns `(status, body)` or raises `AppwriteError`.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import APPWRITE_VERSION

log = logging.getLogger("localappwrite")

MAX_BODY_BYTES = 20 * 1024 * 1024

# Scopes the guests role holds in Appwrite (app/config/roles.php); users add `account`.
GUEST_SCOPES = frozenset({
    "public", "global", "home", "sessions.write", "teams.read", "teams.write",
    "documents.read", "documents.write", "rows.read", "rows.write",
})
USER_SCOPES = GUEST_SCOPES | {"account"}


class AppwriteError(Exception):
    """An error answered with Appwrite's body: {message, code, type, version}."""

    def __init__(self, code: int, type: str, message: str):
        super().__init__(message)
        self.code = code
        self.type = type
        self.message = message


def route_not_found() -> AppwriteError:
    return AppwriteError(
        404, "general_route_not_found",
        "The requested route was not found. Please refer to the API docs and try again.",
    )


def argument_invalid(message: str) -> AppwriteError:
    return AppwriteError(400, "general_argument_invalid", message)


def boolean_param(value: Any, name: str) -> bool:
    """A boolean parameter as utopia's Boolean validator reads it (JSON bools, or words in a query string)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1):
        return True
    if value in ("false", "0", 0):
        return False
    raise argument_invalid(f"Invalid `{name}` param: Value must be a valid boolean")


class Database:
    """One SQLite connection shared by every thread, serialised by a lock.

    A single connection is what makes `:memory:` work across threads, and serialising writes means
    concurrent clients never see "database is locked".
    """

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA cache_size=-65536")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            yield self.conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")


@dataclass
class Faults:
    """Failures injected on purpose by tests (off unless the server runs with --enable-faults).

    mode: "off", "500", "503", "429" (with a Retry-After header when `retry_after` is set), "hang" (no
    answer for `hang_seconds`, then the connection is closed), "garbage" (200 with a body that is not JSON),
    "malformed" (200, JSON content type, a cut-off JSON body), "html" (502 with a proxy's HTML error page),
    "reset" (the connection is closed without an answer), or "lost" (the request is carried out, then the
    connection is closed without an answer). `remaining` counts the requests still to fail (-1: until
    switched off); `path_prefix` limits them to API paths starting with it, `methods` (when not empty) to
    those HTTP methods.
    """

    MODES = ("off", "500", "503", "429", "hang", "garbage", "malformed", "html", "reset", "lost")

    mode: str = "off"
    remaining: int = -1
    path_prefix: str = "/v1/"
    hang_seconds: float = 30.0
    retry_after: int | None = None
    methods: tuple[str, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, method: str, path: str) -> str:
        with self.lock:
            if self.mode == "off" or not path.startswith(self.path_prefix):
                return "off"
            if self.methods and method not in self.methods:
                return "off"
            if self.remaining == 0:
                return "off"
            if self.remaining > 0:
                self.remaining -= 1
            return self.mode


@dataclass
class App:
    project_id: str
    api_key: str
    db: Database
    latency_ms: int = 0
    faults_enabled: bool = False
    faults: Faults = field(default_factory=Faults)
    # Set by the accounts module: maps a session secret to the user id it belongs to, or None.
    session_resolver: Callable[[App, str], str | None] = lambda app, secret: None
    request_count: int = 0
    count_lock: threading.Lock = field(default_factory=threading.Lock)
    # Further API keys holding only some scopes (`--scoped-key KEY=SCOPE,…`), like a console key with boxes unticked.
    scoped_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    # With --enable-faults, the last answered API requests as (method, path+query, started, ended) in
    # time.monotonic() seconds: benchmarks read them from GET /__requests__ to find requests in series.
    request_log: deque = field(default_factory=lambda: deque(maxlen=200_000))


class Request:
    """What a handler sees of one HTTP request."""

    def __init__(self, app: App, method: str, path: str, query: dict[str, Any], body: dict[str, Any],
                 headers: dict[str, str], client_ip: str):
        self.app = app
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers  # lower-cased names
        self.client_ip = client_ip
        self.path_params: dict[str, str] = {}
        self.role = "guest"  # "key", "user" or "guest"
        self.user_id: str | None = None
        self.session_secret: str | None = None

    @property
    def params(self) -> dict[str, Any]:
        """GET parameters come from the query string, the others from the JSON body."""
        return self.query if self.method in ("GET", "DELETE") and not self.body else self.body

    @property
    def db(self) -> Database:
        return self.app.db


Handler = Callable[[Request], tuple[int, Any]]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scope: str
    data_route: bool  # rows/documents and schema routes: non-key callers lack table permissions


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, path: str, *, scope: str, data_route: bool = False) -> Callable[[Handler], Handler]:
        """Registers `handler` for `method path`; `{name}` in the path captures one segment."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, re.compile(regex), handler, scope, data_route))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for r in self.routes:
            if r.method == method:
                m = r.pattern.match(path)
                if m:
                    return r, {k: unquote(v) for k, v in m.groupdict().items()}
        return None


ROUTER = Router()


@ROUTER.route("GET", "/v1/health/version", scope="public")
def health_version(req: Request) -> tuple[int, Any]:
    return 200, {"version": APPWRITE_VERSION}


def parse_query_string(raw: str) -> dict[str, Any]:
    """PHP-style: `queries[0]=a&queries[1]=b` and `queries[]=a` become lists; `total=false` stays a string."""
    out: dict[str, Any] = {}
    indexed: dict[str, list[tuple[int, str]]] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        m = re.fullmatch(r"([^\[\]]+)\[(\d*)\]", key)
        if m:
            name, idx = m.group(1), m.group(2)
            lst = indexed.setdefault(name, [])
            lst.append((int(idx) if idx else len(lst), value))
        else:
            out[key] = value
    for name, items in indexed.items():
        out[name] = [v for _, v in sorted(items, key=lambda t: t[0])]
    return out


def authenticate(req: Request, route: Route) -> None:
    """Appwrite's order: project, then key or session, then the route's scope."""
    app = req.app
    project = req.headers.get("x-appwrite-project", "")
    key = req.headers.get("x-appwrite-key")
    secret = req.headers.get("x-appwrite-session")
    if route.scope == "public":
        return
    if not project:
        if key:
            raise AppwriteError(403, "project_id_missing",
                                "The project ID is missing. Please add the project ID to your request.")
        raise AppwriteError(401, "general_unauthorized_scope",
                            f'User (role: guests) missing scopes (["{route.scope}"])')
    if project != app.project_id:
        raise AppwriteError(404, "project_not_found", "Project with the requested ID could not be found.")
    if key is not None:
        if key != app.api_key and key not in app.scoped_keys:
            raise AppwriteError(401, "user_unauthorized",
                                "The current user is not authorized to perform the requested action.")
        req.role = "key"
        if key in app.scoped_keys:
            _check_key_scopes(req, route, app.scoped_keys[key])
        return
    if secret:
        user_id = app.session_resolver(app, secret)
        if user_id is not None:
            req.role, req.user_id, req.session_secret = "user", user_id, secret
    scopes = USER_SCOPES if req.role == "user" else GUEST_SCOPES
    if route.scope not in scopes:
        role = "users" if req.role == "user" else "guests"
        raise AppwriteError(401, "general_unauthorized_scope",
                            f'User (role: {role}) missing scopes (["{route.scope}"])')
    if route.data_route:
        # Permissions are out of scope: only the API key can read or write data.
        raise AppwriteError(401, "user_unauthorized",
                            "The current user is not authorized to perform the requested action.")


def _allowed_scopes(route: Route) -> list[str]:
    """The scopes that open a route: TablesDB routes also take the legacy names (Appwrite 1.8 labels them
    `['tables.read', 'collections.read']`, `['rows.write', 'documents.write']`, …); the legacy routes only theirs."""
    if route.pattern.pattern.startswith("^/v1/tablesdb"):
        family, _, access = route.scope.partition(".")
        legacy = {"tables": "collections", "rows": "documents"}.get(family)
        if legacy:
            return [route.scope, f"{legacy}.{access}"]
    return [route.scope]


def _check_key_scopes(req: Request, route: Route, scopes: frozenset[str]) -> None:
    """Appwrite's answer to a key without the route's scope (app/controllers/shared/api.php, step 9)."""
    allowed = _allowed_scopes(route)
    if not scopes.intersection(allowed):
        host = req.headers.get("host", "localhost").rsplit(":", 1)[0]
        raise AppwriteError(401, "general_unauthorized_scope",
                            f"app.{req.app.project_id}@service.{host} (role: applications) missing scopes "
                            f"({json.dumps(allowed, separators=(',', ':'))})")


class Handler_(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "localappwrite"
    sys_version = ""

    @property
    def app(self) -> App:
        return self.server.app  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        started = time.monotonic()
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send_error(AppwriteError(400, "general_argument_invalid", "Request body too large."))
            return
        raw_body = self.rfile.read(length) if length else b""

        if path == "/__faults__" and self.app.faults_enabled:
            self._set_faults(method, raw_body)
            return
        if path == "/__requests__" and self.app.faults_enabled:
            self._send_json(200, {"now": time.monotonic(), "requests": list(self.app.request_log)})
            return
        with self.app.count_lock:
            self.app.request_count += 1

        fault = self.app.faults.take(method, path)
        if fault == "lost":
            try:
                self._dispatch(method, path, url.query, raw_body, headers)
            except Exception:  # noqa: BLE001 (lost either way)
                pass
            fault = "reset"
        if fault != "off":
            self._inject(fault)
            self.app.request_log.append((method, self.path, started, time.monotonic()))
            return
        try:
            status, body = self._dispatch(method, path, url.query, raw_body, headers)
        except AppwriteError as e:
            self._delay(started)
            self._send_error(e)
        except Exception:  # a bug of ours: answer like Appwrite does, never hang up
            log.exception("unhandled error on %s %s", method, path)
            self._delay(started)
            self._send_error(AppwriteError(500, "general_unknown", "Server Error"))
        else:
            self._delay(started)
            self._send_json(status, body)
        if self.app.faults_enabled:
            self.app.request_log.append((method, self.path, started, time.monotonic()))

    def _delay(self, started: float) -> None:
        if self.app.latency_ms:
            left = self.app.latency_ms / 1000 - (time.monotonic() - started)
            if left > 0:
                time.sleep(left)

    def _dispatch(self, method: str, path: str, raw_query: str, raw_body: bytes,
                  headers: dict[str, str]) -> tuple[int, Any]:
        if not path.startswith("/v1"):
            raise route_not_found()
        body: dict[str, Any] = {}
        if raw_body:
            try:
                parsed = json.loads(raw_body)
            except (ValueError, UnicodeDecodeError, RecursionError) as e:  # RecursionError: [[[[…
                raise argument_invalid("Invalid JSON body.") from e
            if not isinstance(parsed, dict):
                raise argument_invalid("Invalid JSON body: an object is expected.")
            body = parsed
        try:
            query = parse_query_string(raw_query)
        except ValueError as e:
            raise argument_invalid("Invalid query string.") from e
        found = ROUTER.match(method, path)
        if found is None:
            raise route_not_found()
        route, path_params = found
        req = Request(self.app, method, path, query, body, headers, self.client_address[0])
        req.path_params = path_params
        authenticate(req, route)
        return route.handler(req)

    def _send_json(self, status: int, body: Any) -> None:
        if status == 204 or body is None:
            self._send(status, b"", "text/plain; charset=utf-8")
            return
        self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _send_error(self, e: AppwriteError) -> None:
        self._send_json(e.code, {"message": e.message, "code": e.code, "type": e.type,
                                 "version": APPWRITE_VERSION})

    def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Appwrite-Version", APPWRITE_VERSION)
            self.end_headers()
            if status != 204:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _inject(self, fault: str) -> None:
        if fault == "hang":
            time.sleep(self.app.faults.hang_seconds)
            self.close_connection = True
            return
        if fault == "garbage":
            self._send(200, b"<html>not json</html>", "text/html")
            return
        if fault == "malformed":
            self._send(200, b'{"total": 3, "rows": [{"$id": "a"', "application/json")
            return
        if fault == "html":
            page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            self._send(502, page, "text/html")
            return
        if fault == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        code = int(fault)
        headers = {}
        if code == 429 and self.app.faults.retry_after is not None:
            headers["Retry-After"] = str(self.app.faults.retry_after)
        types = {429: ("general_rate_limit_exceeded", "Rate limit for the current endpoint has been exceeded. "
                       "Please try again after some time."),
                 503: ("general_service_disabled", "The requested service is disabled."),
                 500: ("general_server_error", "Server Error")}
        type_, message = types.get(code, ("general_server_error", "Server Error"))
        body = {"message": message, "code": code, "type": type_, "version": APPWRITE_VERSION}
        self._send(code, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

    def _set_faults(self, method: str, raw_body: bytes) -> None:
        try:
            spec = json.loads(raw_body or b"{}")
            faults = self.app.faults
            with faults.lock:
                faults.mode = str(spec.get("mode", "off"))
                faults.remaining = int(spec.get("count", -1))
                faults.path_prefix = str(spec.get("path_prefix", "/v1/"))
                faults.hang_seconds = float(spec.get("hang_seconds", 30))
                retry_after = spec.get("retry_after")
                faults.retry_after = None if retry_after is None else int(retry_after)
                faults.methods = tuple(str(method).upper() for method in spec.get("methods") or ())
            if faults.mode not in Faults.MODES:
                raise ValueError(faults.mode)
        except (ValueError, TypeError, AttributeError):
            self.app.faults.mode = "off"
            self._send_json(400, {"message": "bad fault spec"})
            return
        self._send_json(200, {"mode": self.app.faults.mode, "requests": self.app.request_count})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App):
        self.app = app
        super().__init__(address, Handler_)

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()


def build_app(data: str, project_id: str, api_key: str, latency_ms: int = 0, faults: bool = False,
              scoped_keys: dict[str, frozenset[str]] | None = None) -> App:
    from . import accounts, databases  # noqa: F401  (registers their routes)

    app = App(project_id=project_id, api_key=api_key, db=Database(data), latency_ms=latency_ms,
              faults_enabled=faults, scoped_keys=dict(scoped_keys or {}))
    databases.init(app)
    accounts.init(app)
    return app


def serve(host: str, port: int, app: App) -> Server:
    return Server((host, port), app)
