"""How every Appwrite call travels: one pooled HTTP session per endpoint with the configured timeouts, the
request's time budget, retries of reads, a circuit breaker per endpoint and one log line per call; the
SDK clients built on it, and the thread pools that run a page's independent calls side by side."""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from http.cookiejar import DefaultCookiePolicy
from types import FunctionType, MethodType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from appwrite import client as appwrite_client_module
from appwrite.client import Client
from django.conf import settings
from requests.adapters import HTTPAdapter

from dashboard.appwrite import errors, resilience

logger = logging.getLogger(__name__)
# The per-call line's logger, named in the README and set by APPWRITE_CALL_LOG_LEVEL.
call_logger = logging.getLogger("dashboard.appwrite")

T = TypeVar("T")

# Independent Appwrite calls of one page run side by side on this many threads.
MAX_CONCURRENT_CALLS = 8

_warned: set[str] = set()
_warned_lock = threading.Lock()


class PooledTransport:
    """Stands in for the `requests` module inside the SDK's `Client.call`.

    The SDK calls the module-level `requests.request()`: a new connection per call and no
    timeout at all. Here every call goes through one `requests.Session` (a connection pool sized
    for our thread pool) and:
    - has the connect and read timeout from settings, cut to what is left of the request's time
      budget (resilience.py);
    - is a read (GET) retried with backoff and jitter after a failure that may pass (no answer, 5xx,
      429), while the budget allows; a write is never retried: it may have happened;
    - goes through the endpoint's circuit breaker, which refuses calls at once while Appwrite is down;
    - is logged as one structured line (operation, status, duration; never the key or the query);
    - has the `X-Appwrite-Warning` header, which the SDK would print to stderr every time, logged once.
    """

    def __init__(self, timeout: float, breaker: resilience.CircuitBreaker):
        self.timeout = timeout
        self.breaker = breaker
        self.session = requests.Session()
        # Never keep cookies: Appwrite answers a login with session cookies, and in a shared jar they
        # would ride along on every later API-key call (NOTES §2.3; 1.8 refuses key + session together).
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=MAX_CONCURRENT_CALLS * 2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        attempts = resilience.READ_ATTEMPTS if method.lower() == "get" else 1
        operation = f"{method.upper()} {urlsplit(url).path}"
        for attempt in range(1, attempts + 1):
            timeout = resilience.call_timeout(self.timeout)
            self.breaker.before_call()
            started = time.monotonic()
            try:
                response = self.session.request(method, url, timeout=(timeout, timeout), **kwargs)
            except BaseException as error:
                self.breaker.failed()
                _log_call(operation, type(error).__name__, started, attempt)
                wait = resilience.backoff(attempt)
                retry = isinstance(error, requests.RequestException) and attempt < attempts
                if not retry or not resilience.can_wait(wait):
                    raise
                time.sleep(wait)
                continue
            _log_call(operation, response.status_code, started, attempt)
            if response.status_code < 500 and response.status_code != 429:
                self.breaker.succeeded()
                self._log_warning(response)
                return response
            retry_after = resilience.parse_retry_after(response.headers.get("Retry-After"))
            self.breaker.failed(retry_after)
            wait = resilience.backoff(attempt, retry_after)
            if attempt == attempts or not resilience.can_wait(wait):
                return response
            response.close()
            time.sleep(wait)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    @staticmethod
    def _log_warning(response: requests.Response) -> None:
        warning = response.headers.pop("x-appwrite-warning", None)
        if warning:
            with _warned_lock:
                first_time = warning not in _warned
                _warned.add(warning)
            if first_time:
                logger.warning("Appwrite: %s", warning)


def _log_call(operation: str, status: int | str, started: float, attempt: int) -> None:
    """One line per Appwrite call, as key=value pairs (the same fields as `extra`, for JSON formatters)."""
    milliseconds = round((time.monotonic() - started) * 1000, 1)
    fields = {"operation": operation, "status": status, "duration_ms": milliseconds, "attempt": attempt}
    failed = not isinstance(status, int) or status >= 500 or status == 429
    call_logger.log(
        logging.WARNING if failed else logging.INFO,
        "appwrite_call operation=%s status=%s duration_ms=%s attempt=%s",
        json.dumps(operation),
        status,
        milliseconds,
        attempt,
        extra={"appwrite": fields},
    )


_breakers: dict[str, resilience.CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker(endpoint: str) -> resilience.CircuitBreaker:
    """One breaker per Appwrite endpoint (and one for the sign-in calls)."""
    with _breakers_lock:
        return _breakers.setdefault(endpoint, resilience.CircuitBreaker())


def reset_breakers() -> None:
    """Closes every circuit breaker (see health.forget_failures)."""
    for found in list(_breakers.values()):
        found.reset()


def pooled_client(transport: PooledTransport) -> Client:
    """An SDK client whose calls all go through `transport`."""
    built = Client()
    # Rebind the SDK's own `call` with `requests` pointing at our transport; nothing else changes,
    # and other users of the SDK in this process keep the stock behaviour.
    call = Client.call
    namespace = {**vars(appwrite_client_module), "requests": transport}
    rebound = FunctionType(call.__code__, namespace, call.__name__, call.__defaults__, call.__closure__)
    built.call = MethodType(rebound, built)
    return built


def undeprecated(method: Callable[..., T]) -> Callable[..., T]:
    """The SDK's legacy `databases` methods warn on every call (and reset the global warnings
    filters while doing so); call the function underneath instead."""
    return getattr(method, "__wrapped__", method)


_transports: dict[tuple[str, float], PooledTransport] = {}
_clients: dict[tuple, Client] = {}
_clients_lock = threading.Lock()
_executor = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="appwrite")
# Calls made from a call already on the pool (a page's message counts after the page) go here, so a
# full pool can never wait on itself.
_follow_up_executor = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="appwrite-follow-up")


def _endpoint() -> str:
    if not settings.APPWRITE_ENDPOINT:
        raise errors.AppwriteNotConfigured(
            "APPWRITE_ENDPOINT is not set: set it (with APPWRITE_PROJECT_ID and APPWRITE_API_KEY) "
            "or start the demo with `make run`."
        )
    return settings.APPWRITE_ENDPOINT


def _transport() -> PooledTransport:
    """The configured endpoint's connections and breaker; the caller holds `_clients_lock`."""
    key = (settings.APPWRITE_ENDPOINT, settings.APPWRITE_TIMEOUT_SECONDS)
    transport = _transports.get(key)
    if transport is None:
        transport = _transports[key] = PooledTransport(key[1], breaker(key[0]))
    return transport


def client() -> Client:
    """The SDK client of the configured project, with the API key."""
    endpoint = _endpoint()
    key = (endpoint, settings.APPWRITE_PROJECT_ID, settings.APPWRITE_API_KEY, settings.APPWRITE_TIMEOUT_SECONDS)
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            found = pooled_client(_transport())
            found.set_endpoint(endpoint)
            found.set_project(settings.APPWRITE_PROJECT_ID)
            found.set_key(settings.APPWRITE_API_KEY)
            _clients[key] = found
        return found


def public_client() -> Client:
    """A client of the configured endpoint with neither project nor key, for Appwrite's public routes;
    it shares the key client's connections and breaker."""
    endpoint = _endpoint()
    with _clients_lock:
        transport = _transport()
    public = pooled_client(transport)
    public.set_endpoint(endpoint)
    return public


def start_concurrently(*calls: Callable[[], Any]) -> list[Future]:
    """Starts independent Appwrite calls side by side. A call may start more calls this way (once:
    those must not)."""
    on_pool = threading.current_thread().name.startswith("appwrite_")
    executor = _follow_up_executor if on_pool else _executor
    # Each call runs in a copy of the caller's context: the request's time budget goes with it.
    return [executor.submit(contextvars.copy_context().run, call) for call in calls]


def run_concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Runs independent Appwrite calls side by side; re-raises the first failure, in call order."""
    if len(calls) == 1:
        return [calls[0]()]
    return [future.result() for future in start_concurrently(*calls)]
