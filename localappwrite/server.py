"""The HTTP side: bytes in, a `Request` for the app, Appwrite's JSON out (never Python's HTML pages, never a 5xx
of our own making), CORS as Appwrite answers it, latency, and the test endpoints `/__faults__`, `/__requests__`.

Params are read as utopia-php/http reads them (Swoole Request::generateInput): a body is JSON only with
`Content-Type: application/json`, and a body PHP's json_decode refuses (bad syntax, bad UTF-8, a lone
surrogate, too deep) reads as no params at all, so the route's own validators answer.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import APPWRITE_VERSION
from .app import App
from .errors import (
    AppwriteError,
    general_argument_invalid,
    general_route_not_found,
    general_unknown,
    general_unknown_origin,
)
from .params import has_lone_surrogate
from .routing import Request

log = logging.getLogger("localappwrite")

MAX_BODY_BYTES = 20 * 1024 * 1024
LOOPBACK = ("localhost", "127.0.0.1", "::1")

# AW app/config/cors.php; headers of every answer (Appwrite's Http::init for the api group and Http::options).
CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
    "Access-Control-Allow-Headers": ", ".join((
        "Accept", "Origin", "Cookie", "Set-Cookie", "Content-Type", "Content-Range", "X-Appwrite-Project",
        "X-Appwrite-Key", "X-Appwrite-Dev-Key", "X-Appwrite-Locale", "X-Appwrite-Mode", "X-Appwrite-JWT",
        "X-Appwrite-Organization", "X-Appwrite-Response-Format", "X-Appwrite-Timeout", "X-Appwrite-ID",
        "X-Appwrite-Timestamp", "X-Appwrite-Session", "X-Appwrite-Platform", "X-Appwrite-Impersonate-User-Id",
        "X-Appwrite-Impersonate-User-Email", "X-Appwrite-Impersonate-User-Phone", "X-SDK-Version", "X-SDK-Name",
        "X-SDK-Language", "X-SDK-Platform", "X-SDK-GraphQL", "X-SDK-Profile", "Range", "Cache-Control", "Expires",
        "Pragma", "X-Fallback-Cookies", "X-Requested-With", "X-Forwarded-For", "X-Forwarded-User-Agent")),
    "Access-Control-Expose-Headers": "X-Appwrite-Session, X-Fallback-Cookies",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Max-Age": "86400",
}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_query_string(raw: str) -> dict[str, Any]:
    """PHP-style: `queries[0]=a&queries[1]=b` and `queries[]=a` become lists; `total=false` stays a string."""
    out: dict[str, Any] = {}
    indexed: dict[str, list[tuple[int, str]]] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        m = re.fullmatch(r"([^\[\]]+)\[(\d*)\]", key)
        if m:
            name, idx = m.group(1), m.group(2)
            lst = indexed.setdefault(name, [])
            lst.append((int(idx[:9]) if idx else len(lst), value))
        else:
            out[key] = value
    for name, items in indexed.items():
        out[name] = [v for _, v in sorted(items, key=lambda t: t[0])]
    return out


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            return parse_query_string(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return {}
    if media not in ("application/json", ""):
        return {}  # utopia reads other bodies as form posts; multipart is not served here
    try:
        text = raw.decode("utf-8")
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return {}
    if _SURROGATE_ESCAPE.search(text) and has_lone_surrogate(json.dumps(parsed, ensure_ascii=False)):
        return {}  # PHP's json_decode refuses a lone UTF-16 surrogate (JSON_ERROR_UTF16)
    if isinstance(parsed, list):  # PHP arrays: a JSON list gives params named 0, 1, …
        return {str(i): v for i, v in enumerate(parsed)}
    return parsed if isinstance(parsed, dict) else {}


def parse_cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out.setdefault(name.strip().lower(), value.strip())
    return out


def cors_headers(origin: str, host: str, preflight: bool) -> dict[str, str]:
    """Appwrite echoes an allowed Origin (loopback hosts, the API's own host; any origin on a preflight,
    which Appwrite allows by adding the origin's host for OPTIONS)."""
    headers = dict(CORS_HEADERS)
    if origin and (preflight or origin_allowed(origin, host)):
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def origin_host(origin: str) -> str:
    try:
        return urlsplit(origin).hostname or ""
    except ValueError:
        return ""


def origin_allowed(origin: str, host: str) -> bool:
    found = origin_host(origin)
    return found != "" and (found in LOOPBACK or found == host)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "localappwrite"
    sys_version = ""

    @property
    def app(self) -> App:
        return self.server.app  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the router, which answers what it does not serve with Appwrite's 404.
        if name.startswith("do_"):
            return lambda: self._handle(name[3:])
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request Python's parser refuses (bad request line, header too long, bad version): Appwrite's JSON
        error instead of an HTML page, and never a 5xx."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # a refused request line leaves HTTP/0.9, which has no status line
        status = code if 400 <= code < 500 else 400
        body = {"message": message or "Bad request.", "code": status, "type": "general_bad_request",
                "version": APPWRITE_VERSION}
        try:
            self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")
        except (OSError, ValueError):
            pass

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks, size = [], 0
            while True:
                line = self.rfile.readline(1024)
                length = int(line.split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    self.rfile.readline(1024)
                    return b"".join(chunks)
                size += length
                if size > MAX_BODY_BYTES:
                    raise ValueError("too large")
                chunks.append(self.rfile.read(length))
                self.rfile.readline(1024)
        length = int(headers.get("content-length") or 0)
        if length < 0 or length > MAX_BODY_BYTES:
            raise ValueError("too large")
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str) -> None:
        started = time.monotonic()
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        headers = self._headers()
        try:
            raw_body = self._read_body(headers)
        except ValueError:
            self.close_connection = True
            self._send_error(general_argument_invalid("Request body too large."), headers, method)
            return
        app = self.app
        if app.faults_enabled and path == "/__faults__":
            self._set_faults(raw_body)
            return
        if app.faults_enabled and path == "/__requests__":
            self._send_json(200, {"now": time.monotonic(), "requests": list(app.faults.request_log)})
            return
        app.faults.count()
        fault = app.faults.take(method, path)
        if fault == "lost":
            try:
                self._dispatch(method, path, url.query, raw_body, headers)
            except Exception:  # noqa: BLE001 (lost either way)
                pass
            fault = "reset"
        if fault != "off":
            self._inject(fault)
        else:
            self._answer(method, path, url.query, raw_body, headers, started)
        if app.faults_enabled:
            app.faults.request_log.append((method, self.path, started, time.monotonic()))

    def _answer(self, method: str, path: str, raw_query: str, raw_body: bytes, headers: dict[str, str],
                started: float) -> None:
        extra: list[tuple[str, str]] = []
        try:
            status, body, extra = self._dispatch(method, path, raw_query, raw_body, headers)
        except AppwriteError as e:
            self._delay(started)
            self._send_error(e, headers, method)
            return
        except Exception:  # a bug of ours: answer like Appwrite does, never hang up
            log.exception("unhandled error on %s %s", method, path)
            self._delay(started)
            self._send_error(general_unknown(), headers, method)
            return
        self._delay(started)
        self._send_json(status, body, self._cors(headers, method) + extra, head=method == "HEAD")

    def _cors(self, headers: dict[str, str], method: str) -> list[tuple[str, str]]:
        host = origin_host("//" + headers.get("host", ""))
        return list(cors_headers(headers.get("origin", ""), host, method == "OPTIONS").items())

    def _delay(self, started: float) -> None:
        if self.app.latency_ms:
            left = self.app.latency_ms / 1000 - (time.monotonic() - started)
            if left > 0:
                time.sleep(left)

    def _dispatch(self, method: str, path: str, raw_query: str, raw_body: bytes,
                  headers: dict[str, str]) -> tuple[int, Any, list[tuple[str, str]]]:
        if method == "OPTIONS":  # Appwrite's Http::options(): every path, no auth, no body
            return 204, None, []
        origin = headers.get("origin", "")
        host = origin_host("//" + headers.get("host", ""))
        if origin and not headers.get("x-appwrite-key") and not origin_allowed(origin, host) \
                and path.startswith("/v1/"):
            raise general_unknown_origin(origin_host(origin) or origin)
        if not path.startswith("/v1/"):
            raise general_route_not_found()
        req = Request(method="GET" if method == "HEAD" else method, path=path, query=parse_query_string(raw_query),
                      body=parse_body(raw_body, headers.get("content-type", "")) if raw_body else {},
                      headers=headers, cookies=parse_cookies(headers.get("cookie", "")),
                      client_ip=self.client_address[0])
        status, body = self.app.dispatch(req)
        return status, body, req.answer_headers

    def _send_json(self, status: int, body: Any, headers: list[tuple[str, str]] | None = None, *,
                   head: bool = False) -> None:
        if status == 204 or body is None:
            self._send(status, b"", "text/plain; charset=utf-8", headers)
            return
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8", "replace")
        self._send(status, b"" if head else payload, "application/json; charset=utf-8", headers,
                   length=len(payload))

    def _send_error(self, e: AppwriteError, headers: dict[str, str], method: str) -> None:
        body = {"message": e.message, "code": e.code, "type": e.type, "version": APPWRITE_VERSION}
        self._send_json(e.code, body, self._cors(headers, method), head=method == "HEAD")

    def _send(self, status: int, payload: bytes, content_type: str, headers: list[tuple[str, str]] | None = None,
              length: int | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers or ():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload) if length is None else length))
            self.send_header("X-Appwrite-Version", APPWRITE_VERSION)
            self.end_headers()
            if status != 204 and payload:
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
        headers = []
        if code == 429 and self.app.faults.retry_after is not None:
            headers.append(("Retry-After", str(self.app.faults.retry_after)))
        types = {429: ("general_rate_limit_exceeded", "Rate limit for the current endpoint has been exceeded. "
                       "Please try again after some time."),
                 503: ("general_service_disabled", "The requested service is disabled."),
                 500: ("general_server_error", "Server Error")}
        type_, message = types.get(code, ("general_server_error", "Server Error"))
        body = {"message": message, "code": code, "type": type_, "version": APPWRITE_VERSION}
        self._send(code, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

    def _set_faults(self, raw_body: bytes) -> None:
        try:
            self.app.faults.configure(json.loads(raw_body or b"{}"))
        except (ValueError, TypeError, AttributeError):
            self._send_json(400, {"message": "bad fault spec"})
            return
        self._send_json(200, {"mode": self.app.faults.mode, "requests": self.app.faults.request_count})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App):
        self.app = app
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()


def serve(host: str, port: int, app: App) -> Server:
    return Server((host, port), app)
