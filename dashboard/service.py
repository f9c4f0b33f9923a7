"""The one module that talks to Appwrite: reads and closes chat sessions, counts messages,
provisions the schema and writes demo data. It returns frozen dataclasses and raises only
its own exceptions; no other module imports the `appwrite` SDK."""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from http.cookiejar import DefaultCookiePolicy
from types import FunctionType, MethodType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from appwrite import client as appwrite_client_module
from appwrite.client import Client
from appwrite.enums.databases_index_type import DatabasesIndexType
from appwrite.enums.order_by import OrderBy
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.query import Query
from appwrite.services.account import Account
from appwrite.services.databases import Databases
from appwrite.services.tables_db import TablesDB
from appwrite.services.teams import Teams
from appwrite.services.users import Users
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from requests.adapters import HTTPAdapter

from dashboard import cache as shared
from dashboard import resilience

logger = logging.getLogger(__name__)
call_logger = logging.getLogger("dashboard.appwrite")

T = TypeVar("T")

KNOWN_STATUSES = ("active", "agent_assigned", "closed")
IDLE = "idle"
SORTS = {
    "last_seen_desc": ("lastSeen", "desc"),
    "last_seen_asc": ("lastSeen", "asc"),
    "started_desc": ("startTime", "desc"),
    "started_asc": ("startTime", "asc"),
}
DEFAULT_SORT = "last_seen_desc"
# Appwrite stops counting at 5000 (APP_LIMIT_COUNT); a count of 5000 means "5000 or more".
COUNT_CAP = 5000
# Appwrite accepts at most 500 values in one `equal` query.
MAX_QUERY_VALUES = 500
# Rows fetched at once when counting messages client-side.
MESSAGE_COUNT_BATCH = 5000
# Rows read to discover statuses other than the known ones.
OTHER_STATUS_SAMPLE = 1000
# Independent Appwrite calls of one page run side by side on this many threads.
MAX_CONCURRENT_CALLS = 8
# The list every agent polls is shared (see "The list, shared by every agent"). One agent polling every
# P seconds looks at Appwrite on every poll as long as a look stays good for less than P; any number of
# agents look at most once per PROBE_SHARE x P. So 50 agents cost at most P / (0.8 P) = 1.25 times what
# one agent costs (the target is 1.5), with 20% of room for the browsers' timer jitter.
PROBE_SHARE = 0.8
# Deleted sessions, sessions turning idle as time passes and messages written without bumping their
# session are invisible to the probe: everything is asked again at least this often.
FULL_REFRESH_SECONDS = 60
# Writes may commit out of `$updatedAt` order, and a cold load reads the newest row beside the page:
# the probe looks back this far and compares what it finds with what it saw the last time.
PROBE_OVERLAP = timedelta(seconds=2)
PROBE_LIMIT = 100
# Shared entries outlive a full reload; whether they are still good is decided by their version.
LIST_ENTRY_SECONDS = 2 * FULL_REFRESH_SECONDS


# -- Exceptions ---------------------------------------------------------------------------


class AppwriteNotConfigured(ImproperlyConfigured):
    """The service was used without an endpoint: a deployment mistake, never silenced."""


class AppwriteError(Exception):
    """Base of every failure the service reports; carries the HTTP status, type and a trimmed body."""

    def __init__(self, message: str, *, status: int = 0, type: str = "", body: str = ""):
        super().__init__(message)
        self.status = status
        self.type = type
        self.body = body[:500]


class AppwriteUnavailable(AppwriteError):
    """Appwrite could not be reached, timed out, or failed on its side (5xx). `type` is CIRCUIT_OPEN or
    BUDGET_SPENT when the dashboard did not ask at all (dashboard/resilience.py)."""


CIRCUIT_OPEN = "dashboard_circuit_open"
BUDGET_SPENT = "dashboard_time_budget_spent"


class NotFound(AppwriteError):
    """The session (or the database/collection) does not exist."""


class StaleCursor(NotFound):
    """The row a page cursor points at is gone: start again from the first page."""


class Unauthorized(AppwriteError):
    """The API key is wrong or lacks a scope."""


class RateLimited(AppwriteError):
    """Appwrite answered 429."""


class BadAnswer(AppwriteError):
    """Appwrite answered something the dashboard cannot use (wrong shape, rejected query)."""


class Unconfirmed(AppwriteUnavailable):
    """A write whose outcome Appwrite could not confirm: it may or may not have happened."""


class AlreadyExists(AppwriteError):
    """A create call hit an existing resource (409)."""


def _translate(error: AppwriteException) -> AppwriteError:
    status = error.code if isinstance(error.code, int) else 0
    type_ = error.type or ""
    message = str(error.message)[:300]
    body = error.response if isinstance(error.response, str) else ""
    kwargs = {"status": status, "type": type_, "body": body}
    if status == 0:
        if message.startswith("Unable to parse response"):
            return BadAnswer(message, **kwargs)
        # The transport's own refusals (the SDK keeps the exception as the message) say which they are.
        if isinstance(error.message, resilience.CircuitOpen):
            kwargs["type"] = CIRCUIT_OPEN
        elif isinstance(error.message, resilience.BudgetSpent):
            kwargs["type"] = BUDGET_SPENT
        return AppwriteUnavailable(f"Appwrite is unreachable: {message}", **kwargs)
    if type_ in ("general_cursor_not_found", "database_query_order_null"):
        return StaleCursor(message, **kwargs)
    if status == 404:
        return NotFound(message, **kwargs)
    if status in (401, 403):
        return Unauthorized(message, **kwargs)
    if status == 409:
        return AlreadyExists(message, **kwargs)
    if status == 429:
        return RateLimited(message, **kwargs)
    if status >= 500 or status == 408:
        return AppwriteUnavailable(message, **kwargs)
    return BadAnswer(message, **kwargs)


def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs one SDK call; every failure leaves as one of this module's exceptions."""
    try:
        return function(*args, **kwargs)
    except AppwriteException as error:
        raise _translate(error) from error
    except Exception as error:  # the SDK trips over non-JSON or header-less answers
        raise BadAnswer(f"Appwrite answered something unreadable: {error!r}"[:300]) from error


# -- Transport ----------------------------------------------------------------------------

_warned: set[str] = set()
_warned_lock = threading.Lock()


class _PooledTransport:
    """Stands in for the `requests` module inside the SDK's `Client.call`.

    The SDK calls the module-level `requests.request()`: a new connection per call and no
    timeout at all. Here every call goes through one `requests.Session` (a connection pool sized
    for our thread pool) and:
    - has the connect and read timeout from settings, cut to what is left of the request's time
      budget (dashboard/resilience.py);
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


def _breaker(endpoint: str) -> resilience.CircuitBreaker:
    """One breaker per Appwrite endpoint (and one for the sign-in calls)."""
    with _breakers_lock:
        return _breakers.setdefault(endpoint, resilience.CircuitBreaker())


def forget_failures() -> None:
    """Closes every circuit breaker and forgets the readiness answer (tests start each case with an
    Appwrite that is known to be fine)."""
    for breaker in list(_breakers.values()):
        breaker.reset()
    _readiness.clear()


def _pooled_client(transport: _PooledTransport) -> Client:
    client = Client()
    # Rebind the SDK's own `call` with `requests` pointing at our transport; nothing else changes,
    # and other users of the SDK in this process keep the stock behaviour.
    call = Client.call
    namespace = {**vars(appwrite_client_module), "requests": transport}
    rebound = FunctionType(call.__code__, namespace, call.__name__, call.__defaults__, call.__closure__)
    client.call = MethodType(rebound, client)
    return client


def _undeprecated(method: Callable[..., T]) -> Callable[..., T]:
    """The SDK's legacy `databases` methods warn on every call (and reset the global warnings
    filters while doing so); call the function underneath instead."""
    return getattr(method, "__wrapped__", method)


_clients: dict[tuple, Client] = {}
_clients_lock = threading.Lock()
_executor = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="appwrite")
# Calls made from a call already on the pool (a page's message counts after the page) go here, so a
# full pool can never wait on itself.
_follow_up_executor = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="appwrite-follow-up")


def _client() -> Client:
    if not settings.APPWRITE_ENDPOINT:
        raise AppwriteNotConfigured(
            "APPWRITE_ENDPOINT is not set: set it (with APPWRITE_PROJECT_ID and APPWRITE_API_KEY) "
            "or start the demo with `make run`."
        )
    key = (
        settings.APPWRITE_ENDPOINT,
        settings.APPWRITE_PROJECT_ID,
        settings.APPWRITE_API_KEY,
        settings.APPWRITE_TIMEOUT_SECONDS,
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            transport = _PooledTransport(settings.APPWRITE_TIMEOUT_SECONDS, _breaker(settings.APPWRITE_ENDPOINT))
            client = _pooled_client(transport)
            client.set_endpoint(settings.APPWRITE_ENDPOINT)
            client.set_project(settings.APPWRITE_PROJECT_ID)
            client.set_key(settings.APPWRITE_API_KEY)
            _clients[key] = client
        return client


def start_concurrently(*calls: Callable[[], Any]) -> list[Future]:
    """Starts independent service calls side by side. A call may start more calls this way (once:
    those must not)."""
    on_pool = threading.current_thread().name.startswith("appwrite_")
    executor = _follow_up_executor if on_pool else _executor
    # Each call runs in a copy of the caller's context: the request's time budget goes with it.
    return [executor.submit(contextvars.copy_context().run, call) for call in calls]


def run_concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Runs independent service calls side by side; re-raises the first failure, in call order."""
    if len(calls) == 1:
        return [calls[0]()]
    return [future.result() for future in start_concurrently(*calls)]


# -- One interface over TablesDB and the legacy Databases API ----------------------------


@dataclass(frozen=True)
class _RowList:
    total: int
    rows: list[dict[str, Any]]


def _row_dict(item: Any) -> dict[str, Any]:
    data = item.data if isinstance(item.data, dict) else {}
    return {
        **data,
        "$id": item.id,
        "$createdAt": item.createdat,
        "$updatedAt": item.updatedat,
    }


def _list_rows(collection_id: str, queries: list[str], *, total: bool = True) -> _RowList:
    """Lists rows through the SDK's client, reading the answer as the JSON it is: the SDK's models
    validate each row with pydantic (about 40 µs a row), and counting a page's messages reads
    thousands of tiny rows. Same request as `TablesDB.list_rows` / `Databases.list_documents`."""
    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        path, key = f"/tablesdb/{database_id}/tables/{collection_id}/rows", "rows"
    else:
        path, key = f"/databases/{database_id}/collections/{collection_id}/documents", "documents"
    headers = {"X-Appwrite-Project": client.get_config("project"), "accept": "application/json"}
    answer = _call(client.call, "get", path, headers, {"queries": list(queries), "total": total})
    rows = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BadAnswer(f"Appwrite answered a list without {key}: {str(answer)[:200]}")
    try:
        count = int(answer.get("total") or 0)
    except (TypeError, ValueError) as error:
        raise BadAnswer(f"Appwrite answered a list with a total of {answer.get('total')!r}") from error
    return _RowList(total=count, rows=rows)


def _get_row(collection_id: str, row_id: str) -> dict[str, Any]:
    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        return _row_dict(_call(TablesDB(client).get_row, database_id, collection_id, row_id))
    get_document = _undeprecated(Databases.get_document)
    return _row_dict(_call(get_document, Databases(client), database_id, collection_id, row_id))


def _update_row(collection_id: str, row_id: str, data: dict[str, Any]) -> dict[str, Any]:
    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        return _row_dict(_call(TablesDB(client).update_row, database_id, collection_id, row_id, data=data))
    update_document = _undeprecated(Databases.update_document)
    return _row_dict(_call(update_document, Databases(client), database_id, collection_id, row_id, data=data))


def _create_row(collection_id: str, row_id: str, data: dict[str, Any]) -> dict[str, Any]:
    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        return _row_dict(_call(TablesDB(client).create_row, database_id, collection_id, row_id, data))
    create_document = _undeprecated(Databases.create_document)
    return _row_dict(_call(create_document, Databases(client), database_id, collection_id, row_id, data))


# -- Values -------------------------------------------------------------------------------

# The colour literals a theme may carry into a page: hex, rgb()/rgba()/hsl()/hsla() with plain
# numbers, or a CSS named colour made of letters only. Anything else is not rendered as colour.
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NUMBER = r"\s*[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:%|deg)?\s*"
_FUNCTION_COLOUR = re.compile(rf"(?:rgba?|hsla?)\(({_NUMBER})(,{_NUMBER}){{2,3}}\)", re.IGNORECASE)
_NAMED_COLOURS = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet
    brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue
    darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange
    darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise
    darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia
    gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo
    ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue
    lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon
    mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue
    mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
    navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen
    paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red
    rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue
    slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
    whitesmoke yellow yellowgreen""".split()
)


def css_colour(value: Any) -> str | None:
    """The value if it is a plain CSS colour literal, else None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    value = value.strip()
    if _HEX_COLOUR.fullmatch(value) or _FUNCTION_COLOUR.fullmatch(value):
        return value
    if value.lower() in _NAMED_COLOURS:
        return value.lower()
    return None


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# Metadata nested deeper than this is shown as stored text: pretty-printing it, or pickling it into the
# shared cache with its session, would run out of stack.
MAX_JSON_DEPTH = 32
# In JSON text: an escaped backslash, a surrogate pair, or half of one (`\ud800` alone is valid JSON, but
# a page cannot encode the lone surrogate it decodes to, so it becomes U+FFFD).
_JSON_ESCAPE = re.compile(
    r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)


def _nested_too_deep(value: Any) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _json_object(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    if "\\u" in text:
        text = _JSON_ESCAPE.sub(lambda found: "\\ufffd" if len(found[0]) == 6 else found[0], text)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and not _nested_too_deep(value) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class ChatSession:
    """One visitor's chat session, exactly the fields stored in the sessions collection."""

    row_id: str
    session_id: str
    status: str
    start_time: datetime | None
    last_seen: datetime | None
    user_meta: str  # JSON object as text, kept as stored
    theme: str  # JSON object as text, kept as stored
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ChatSession:
        return cls(
            row_id=str(row.get("$id", "")),
            session_id=_text(row.get("sessionId")),
            status=_text(row.get("status")),
            start_time=_parse_datetime(row.get("startTime")),
            last_seen=_parse_datetime(row.get("lastSeen")),
            user_meta=_text(row.get("userMeta")),
            theme=_text(row.get("theme")),
            created_at=_parse_datetime(row.get("$createdAt")),
            updated_at=_parse_datetime(row.get("$updatedAt")),
        )

    @cached_property
    def user_meta_object(self) -> dict[str, Any] | None:
        """userMeta as a dict, or None when it is empty, not JSON or not an object."""
        return _json_object(self.user_meta)

    @cached_property
    def theme_object(self) -> dict[str, Any] | None:
        return _json_object(self.theme)

    def meta(self, key: str) -> str:
        """A userMeta value as short text ('' when absent); nested values are not shown here."""
        value = (self.user_meta_object or {}).get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)[:80]
        return ""

    @property
    def theme_colour(self) -> str | None:
        """The theme's primary colour when it is a valid CSS colour literal."""
        theme = self.theme_object or {}
        return css_colour(theme.get("primaryColor"))

    def idle_for(self, now: datetime | None = None) -> timedelta | None:
        """Time since last seen; zero for a last-seen in the future, None when unknown."""
        if self.last_seen is None:
            return None
        return max((now or timezone.now()) - self.last_seen, timedelta(0))

    @property
    def duration(self) -> timedelta | None:
        """From start to last seen; None when either is missing or they are out of order."""
        if self.start_time is None or self.last_seen is None or self.last_seen < self.start_time:
            return None
        return self.last_seen - self.start_time

    def is_idle(self, idle_minutes: int, now: datetime | None = None) -> bool:
        idle_for = self.idle_for(now)
        return self.status == "active" and idle_for is not None and idle_for > timedelta(minutes=idle_minutes)


@dataclass(frozen=True)
class Count:
    """A count from Appwrite; `capped` when Appwrite stopped counting (shown as "5000+")."""

    value: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.value}+" if self.capped else str(self.value)


def _count(total: int) -> Count:
    return Count(min(total, COUNT_CAP), capped=total >= COUNT_CAP)


@dataclass(frozen=True)
class Page:
    sessions: tuple[ChatSession, ...]
    next_cursor: str | None
    previous_cursor: str | None


@dataclass(frozen=True)
class StatusCounts:
    """Counts of the status tabs; None where Appwrite refused to count (see `_optional_total`)."""

    all: Count
    idle: Count | None
    by_status: dict[str, Count | None] = field(default_factory=dict)  # known ones first, then others


@dataclass(frozen=True)
class SessionList:
    """What the list page shows: one page, the tab counts and each row's message count."""

    page: Page
    counts: StatusCounts
    message_counts: dict[str, Count]
    loaded_at: datetime  # when Appwrite last confirmed it
    version: str = ""  # changes whenever Appwrite's answer may have changed


@dataclass(frozen=True)
class _ListState:
    """What every agent shares about the sessions collection: the version of the cached lists, and
    what the last look at Appwrite saw (the newest `$updatedAt`, the rows near it), in Appwrite's clock."""

    generation: int  # bumped by the agents' own changes
    version: str
    newest: datetime | None
    seen: frozenset[tuple[str, datetime | None]]  # ($id, $updatedAt) found by the last probe
    checked: float  # _clock() of the last look
    full: float  # _clock() of the last full reload


# -- Reading sessions ---------------------------------------------------------------------


def _status_queries(status: str | None, idle_minutes: int, now: datetime) -> list[str]:
    if not status:
        return []
    if status == IDLE:
        cutoff = (now - timedelta(minutes=idle_minutes)).isoformat()
        return [Query.equal("status", ["active"]), Query.less_than("lastSeen", cutoff)]
    return [Query.equal("status", [status])]


def parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    """`after:<row id>` or `before:<row id>`, as the page links carry it; None for anything else."""
    if not cursor or ":" not in cursor:
        return None
    direction, row_id = cursor.split(":", 1)
    if direction not in ("after", "before") or not row_id or len(row_id) > 36:
        return None
    return direction, row_id


def list_sessions(
    status: str | None = None,
    search: str = "",
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    page_size: int = 25,
    filters: SessionFilters | None = None,
) -> Page:
    """One page of sessions, newest activity first by default, with cursors to the neighbours."""
    attribute, direction = SORTS.get(sort, SORTS[DEFAULT_SORT])
    queries = _status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    if search:
        queries.append(Query.starts_with("sessionId", search))
    queries += filter_queries(filters)
    queries.append(Query.order_desc(attribute) if direction == "desc" else Query.order_asc(attribute))
    # One extra row tells whether there is a page beyond this one.
    queries.append(Query.limit(page_size + 1))
    parsed = parse_cursor(cursor)
    if parsed and parsed[0] == "after":
        queries.append(Query.cursor_after(parsed[1]))
    elif parsed:
        queries.append(Query.cursor_before(parsed[1]))

    rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    sessions = [ChatSession.from_row(row) for row in rows]
    if parsed and parsed[0] == "before":
        # cursorBefore returns the rows just before the cursor, in page order.
        more_before = len(sessions) > page_size
        sessions = sessions[-page_size:] if more_before else sessions
        previous_cursor = f"before:{sessions[0].row_id}" if more_before and sessions else None
        next_cursor = f"after:{sessions[-1].row_id}" if sessions else None
    else:
        more_after = len(sessions) > page_size
        sessions = sessions[:page_size]
        next_cursor = f"after:{sessions[-1].row_id}" if more_after and sessions else None
        previous_cursor = f"before:{sessions[0].row_id}" if parsed and sessions else None
    return Page(sessions=tuple(sessions), next_cursor=next_cursor, previous_cursor=previous_cursor)


def _total(queries: list[str]) -> Count:
    answer = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, [*queries, Query.limit(1)], total=True)
    return _count(answer.total)


def _other_statuses() -> Counter[str]:
    """Statuses other than the known ones, counted from one select-only query."""
    queries = [Query.not_equal("status", status) for status in KNOWN_STATUSES]
    queries += [Query.select(["status"]), Query.limit(OTHER_STATUS_SAMPLE)]
    try:
        answer = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False)
    except BadAnswer:  # a drifted schema (`status` of another type): no other tabs rather than no list
        return Counter()
    return Counter(_text(row.get("status")) for row in answer.rows)


def _optional_total(queries: list[str]) -> Count | None:
    """A tab's count, or None (shown as "–") when Appwrite refuses the query: a deployment whose `status`
    or `lastSeen` has drifted to another type still gets its list, only without that count."""
    try:
        return _total(queries)
    except BadAnswer:
        return None


def _total_and_newest() -> tuple[Count, dict[str, Any] | None]:
    """All sessions, and in the same request the last changed one (where the next probe starts)."""
    queries = [Query.order_desc("$updatedAt"), Query.select(["$id"]), Query.limit(1)]
    answer = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=True)
    return _count(answer.total), (answer.rows[0] if answer.rows else None)


def _status_count_calls(with_newest: bool = False) -> list[Callable[[], Any]]:
    now = timezone.now()
    idle_minutes = settings.DASHBOARD_IDLE_MINUTES
    calls: list[Callable[[], Any]] = [_total_and_newest if with_newest else lambda: _total([])]
    calls += [
        lambda status=status: _optional_total(_status_queries(status, idle_minutes, now)) for status in KNOWN_STATUSES
    ]
    calls += [lambda: _optional_total(_status_queries(IDLE, idle_minutes, now)), _other_statuses]
    return calls


def _status_counts_from(results: list[Any]) -> StatusCounts:
    all_count, *known, idle, others = results
    by_status = dict(zip(KNOWN_STATUSES, known, strict=True))
    truncated = sum(others.values()) >= OTHER_STATUS_SAMPLE
    for status, number in sorted(others.items()):
        by_status[status] = Count(number, capped=truncated)
    return StatusCounts(all=all_count, idle=idle, by_status=by_status)


def status_counts() -> StatusCounts:
    """Counts for the status tabs: all, each known status, idle, and any other stored status."""
    return _status_counts_from(run_concurrently(*_status_count_calls()))


def message_counts(session_ids: Iterable[str]) -> dict[str, Count]:
    """Messages per session (keyed by `sessionId`, the field messages link with).

    Released Appwrite cannot group, so this lists the messages of the whole page at once,
    selecting only `sessionId`, ordered by it, and counts them here. If a batch comes back full,
    every session before the last one seen is complete; the rest get a `limit(1)` total query
    each, side by side. A page therefore costs one request, or a few, never one per row in series.
    """
    ids = sorted({session_id for session_id in session_ids if session_id})
    counts: dict[str, Count] = {}
    chunks = _equal_chunks("sessionId", ids)
    if _grouped_counts.get(_list_key("grouped")):
        for found in run_concurrently(*[lambda chunk=chunk: _count_messages_grouped(chunk) for chunk in chunks]):
            counts.update(found)
        return counts
    for found, unsure in run_concurrently(*[lambda chunk=chunk: _count_messages(chunk) for chunk in chunks]):
        counts.update(found)
        exact = run_concurrently(*[lambda sid=sid: _count_messages_of(sid) for sid in unsure])
        counts.update(zip(unsure, exact, strict=True))
    return counts


# Appwrite refuses a query longer than this many characters, as the SDK sends it (JSON, non-ASCII \u-escaped).
MAX_QUERY_LENGTH = 4096


def _equal_chunks(attribute: str, values: list[str]) -> list[list[str]]:
    """Values in groups that fit one `equal` query: 500 values, and 4096 characters, which a few long
    non-ASCII IDs (255 characters, each escaped to six) reach long before."""
    chunks: list[list[str]] = []
    chunk: list[str] = []
    empty = len(str(Query.equal(attribute, [""])))
    length = empty
    for value in values:
        size = len(json.dumps(value)) + 1
        if chunk and (len(chunk) >= MAX_QUERY_VALUES or length + size > MAX_QUERY_LENGTH):
            chunks.append(chunk)
            chunk, length = [], empty
        chunk.append(value)
        length += size
    return [*chunks, chunk] if chunk else chunks


def _count_messages(session_ids: list[str]) -> tuple[dict[str, Count], list[str]]:
    queries = [
        Query.equal("sessionId", session_ids),
        Query.select(["sessionId"]),
        Query.order_asc("sessionId"),
        Query.limit(MESSAGE_COUNT_BATCH),
    ]
    rows = _list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    tally = Counter(_text(row.get("sessionId")) for row in rows)
    if len(rows) < MESSAGE_COUNT_BATCH:
        return {sid: Count(tally.get(sid, 0)) for sid in session_ids}, []
    last = _text(rows[-1].get("sessionId"))
    complete = {sid: Count(tally.get(sid, 0)) for sid in session_ids if sid < last}
    return complete, [sid for sid in session_ids if sid >= last]


def _count_messages_of(session_id: str) -> Count:
    queries = [Query.equal("sessionId", [session_id]), Query.select(["sessionId"]), Query.limit(1)]
    return _count(_list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=True).total)


def load_session_list(
    status: str | None,
    search: str,
    sort: str,
    cursor: str | None,
    page_size: int,
    filters: SessionFilters | None = None,
    while_counting: Callable[[Page], None] | None = None,
) -> SessionList:
    """The list page's data, taken from what every agent shares unless Appwrite has something newer.

    Cold (nothing shared yet, a full reload due, or right after an agent's own change): two rounds in
    series, the page beside the tab counts (whose `all` total also brings the newest `$updatedAt`), then
    the message counts of the page's rows. Warm: one probe per probe interval for all agents together,
    and only when it finds changes the page and counts again, message counts only for changed rows.

    When the page is read from Appwrite, `while_counting(page)` is called on the caller's thread as soon
    as it is there, while its message counts are still on their way (the list view renders the rows then)."""
    generation = shared.counter(_list_key("generation"))
    state, state_join = _list_state(generation)
    cold = state_join is not None
    version = secrets.token_hex(8) if cold else state.version
    started = _clock()

    def current(entry: Any) -> bool:
        return isinstance(entry, tuple) and entry[0] == version

    joins = [state_join] if state_join is not None else []
    try:
        # Always in this order, so that two leaders never wait for each other.
        counts_join = shared.join(_list_key("counts"), current)
        joins.append(counts_join)
        page_join = shared.join(_list_key("page", status, search, sort, cursor, page_size, filters), current)
        joins.append(page_join)
        counting, paging = cold or counts_join.leading, page_join.leading
        # The page goes first, and its rows' message counts follow it as soon as it is there, beside
        # the tab counts: two round trips in series, whatever a count may cost.
        page_known: Future = Future()

        def page_and_message_counts() -> tuple[Page, dict[str, Count]]:
            try:
                page = list_sessions(status, search, sort, cursor, page_size, filters)
            except BaseException as error:
                page_known.set_exception(error)
                raise
            page_known.set_result(page)
            return page, _cached_message_counts(page.sessions, started if cold else state.full)

        calls = [page_and_message_counts] if paging else []
        calls += _status_count_calls(with_newest=True) if counting else []
        if cold and _grouped_counts.get(_list_key("grouped")) is None:
            calls.append(_detect_grouped_counts)  # once per process, beside the first round
        if paging and while_counting is not None:
            futures = start_concurrently(*calls)
            while_counting(page_known.result())
            results = [future.result() for future in futures]
        else:
            results = run_concurrently(*calls) if calls else []
        page, counts_by_session = results.pop(0) if paging else (None, None)

        if counting:
            (all_count, newest), *rest = results[:6]
            counts = _status_counts_from([all_count, *rest])
            counts_join.finish((version, counts), LIST_ENTRY_SECONDS)
            if cold:
                state = _cold_state(generation, version, newest, page, started)
                state_join.finish(state, LIST_ENTRY_SECONDS)
        else:
            counts = counts_join.value[1]

        if paging:
            page_join.finish((version, page, counts_by_session), LIST_ENTRY_SECONDS)
        else:
            _, page, counts_by_session = page_join.value
    except BaseException as error:
        for join in joins:
            join.fail(error)
        raise
    return SessionList(
        page=page,
        counts=counts,
        message_counts=counts_by_session,
        loaded_at=datetime.fromtimestamp(state.checked, UTC),
        version=version,
    )


def _cold_state(
    generation: int, version: str, newest: dict[str, Any] | None, page: Page | None, started: float
) -> _ListState:
    """Where the next probe starts after a full reload. What the previous look saw still holds (it was
    seen before this reload began); without one, the newest row counts as seen only when the page read
    shows it as it is, since it may have changed between the two reads."""
    previous = cache.get(_list_key("state"))
    if isinstance(previous, _ListState):
        return replace(previous, generation=generation, version=version, checked=started, full=started)
    newest_at = _parse_datetime(newest.get("$updatedAt")) if newest else None
    seen: frozenset[tuple[str, datetime | None]] = frozenset()
    if newest and page and any(s.row_id == newest.get("$id") and s.updated_at == newest_at for s in page.sessions):
        seen = frozenset({(_text(newest.get("$id")), newest_at)})
    return _ListState(generation, version, newest_at, seen, checked=started, full=started)


def _list_key(kind: str, *parts: Any) -> str:
    """Cache keys of one Appwrite source (endpoint, project, database, collections, idle rule)."""
    source = (
        settings.APPWRITE_ENDPOINT,
        settings.APPWRITE_PROJECT_ID,
        settings.APPWRITE_API,
        settings.APPWRITE_DATABASE_ID,
        settings.APPWRITE_SESSIONS_COLLECTION_ID,
        settings.APPWRITE_MESSAGES_COLLECTION_ID,
        settings.DASHBOARD_IDLE_MINUTES,
    )
    return f"sessions-list:{kind}:" + hashlib.sha256(repr((source, parts)).encode()).hexdigest()[:32]


def _clock() -> float:
    """Wall-clock seconds, shared by dashboard processes on one Redis (tests move it forward)."""
    return time.time()


def probe_seconds() -> float:
    """How long a look at Appwrite stays good for every agent."""
    return settings.DASHBOARD_POLL_SECONDS * PROBE_SHARE


def _list_state(generation: int) -> tuple[_ListState | None, shared.Join | None]:
    """The shared state, probed when it is due; (None, join) when the caller must load cold and publish it."""
    key = _list_key("state")

    def fresh(state: Any) -> bool:
        now = _clock()
        return (
            isinstance(state, _ListState)
            and state.generation == generation
            and now - state.full < FULL_REFRESH_SECONDS
            and now - state.checked < probe_seconds()
        )

    state = cache.get(key)
    if fresh(state):
        return state, None
    joined = shared.join(key, fresh)
    if not joined.leading:
        return joined.value, None
    state = cache.get(key)
    # After an agent's own change (a new generation) a probe is enough: it finds that change.
    probe_able = isinstance(state, _ListState) and _clock() - state.full < FULL_REFRESH_SECONDS
    if not probe_able:
        return None, joined
    try:
        state = _probe(state, generation)
    except BaseException as error:
        joined.fail(error)
        raise
    joined.finish(state, LIST_ENTRY_SECONDS)
    return state, None


def _probe(state: _ListState, generation: int) -> _ListState:
    """One request: the sessions whose `$updatedAt` is at or near the newest known one or later.
    Anything not seen by the last look means the shared lists are out of date."""
    started = _clock()
    queries = [Query.order_desc("$updatedAt"), Query.select(["$id"]), Query.limit(PROBE_LIMIT)]
    if state.newest is not None:
        queries.insert(0, Query.greater_than("$updatedAt", _iso(state.newest - PROBE_OVERLAP)))
    rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    seen = frozenset((_text(row.get("$id")), _parse_datetime(row.get("$updatedAt"))) for row in rows)
    newest = max([moment for moment in (state.newest, *(at for _, at in seen)) if moment is not None], default=None)
    changed = not seen <= state.seen or state.generation != generation
    return replace(
        state,
        generation=generation,
        version=secrets.token_hex(8) if changed else state.version,
        newest=newest,
        seen=seen,
        checked=started,
    )


def _cached_message_counts(sessions: Sequence[ChatSession], since: float) -> dict[str, Count]:
    """Message counts of a page, asking Appwrite only for sessions whose `$updatedAt` moved (the widget
    bumps `lastSeen` with every message) or whose count is older than the last full reload."""
    updated = {session.session_id: session.updated_at for session in sessions if session.session_id}
    keys = {session_id: _list_key("messages", session_id) for session_id in updated}
    found = cache.get_many(list(keys.values())) if keys else {}
    counts: dict[str, Count] = {}
    missing = []
    for session_id, key in keys.items():
        entry = found.get(key)
        if isinstance(entry, tuple) and entry[0] == updated[session_id] and entry[2] >= since:
            counts[session_id] = entry[1]
        else:
            missing.append(session_id)
    if missing:
        asked = _clock()
        fresh = message_counts(missing)
        counts.update(fresh)
        entries = {keys[sid]: (updated[sid], fresh[sid], asked) for sid in missing if sid in fresh}
        cache.set_many(entries, LIST_ENTRY_SECONDS)
    return counts


def invalidate_lists() -> None:
    """After an agent's own change: every agent's next load starts afresh, so the change shows at once."""
    shared.bump(_list_key("generation"))


# Whether the server groups counts (`count` + `groupBy`), per source; asked once per process.
_grouped_counts: dict[str, bool] = {}


def _detect_grouped_counts() -> None:
    queries = [Query.count("*", "n"), Query.group_by(["sessionId"]), Query.limit(1)]
    try:
        answer = _list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False)
    except BadAnswer:  # released Appwrite (and localappwrite): general_query_invalid
        supported = False
    except AppwriteError:
        return  # no answer: ask again with the next cold load
    else:
        supported = all("n" in row and "sessionId" in row for row in answer.rows)
    _grouped_counts[_list_key("grouped")] = supported


def _count_messages_grouped(session_ids: list[str]) -> dict[str, Count]:
    queries = [
        Query.equal("sessionId", session_ids),
        Query.count("*", "n"),
        Query.group_by(["sessionId"]),
        Query.limit(len(session_ids)),
    ]
    rows = _list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    tally = {_text(row.get("sessionId")): int(row.get("n") or 0) for row in rows}
    return {sid: _count(tally.get(sid, 0)) for sid in session_ids}


def get_session(row_id: str) -> ChatSession:
    return ChatSession.from_row(_get_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id))


def close_session(row_id: str) -> ChatSession:
    """Sets the status to `closed` (a second close changes nothing) and returns the stored session."""
    return set_status(row_id, "closed")


def set_status(row_id: str, status: str) -> ChatSession:
    """Writes the status once (a write is never retried). When the answer is lost (no answer, 5xx, an
    unreadable body) the write may still have happened: the row is read back to tell. Raises the write's
    error when it did not happen, `Unconfirmed` when Appwrite cannot say."""
    try:
        row = _update_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id, {"status": status})
    except (AppwriteUnavailable, BadAnswer) as error:
        try:
            stored = get_session(row_id)
        except NotFound:
            raise
        except AppwriteError as unknown:
            raise Unconfirmed(f"the write's answer was lost ({error}) and reading it back failed ({unknown})",
                              status=error.status, type=error.type) from error
        if stored.status != status:
            raise
        logger.info("Status of %s became %s although the write's answer was lost", row_id, status)
        return stored
    finally:
        invalidate_lists()  # even a failed write may have reached Appwrite
    return ChatSession.from_row(row)


def ping() -> None:
    """Raises unless Appwrite answers a cheap authenticated read."""
    _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, [Query.limit(1)], total=False)


# Readiness asks Appwrite with a short timeout, and load balancers may ask often: the answer is kept briefly.
READY_TIMEOUT_SECONDS = 2.0
READY_CACHE_SECONDS = 2.0
_readiness: dict[str, tuple[float, AppwriteError | None]] = {}


def check_ready() -> None:
    """Raises unless Appwrite answered `ping` within READY_TIMEOUT_SECONDS, at most READY_CACHE_SECONDS ago."""
    key = _list_key("ready")
    found = _readiness.get(key)
    if found is None or time.monotonic() - found[0] > READY_CACHE_SECONDS:
        error = None
        try:
            with resilience.budget(min(READY_TIMEOUT_SECONDS, settings.APPWRITE_TIMEOUT_SECONDS)):
                ping()
        except AppwriteError as failure:
            error = failure
        found = _readiness[key] = (time.monotonic(), error)
    if found[1] is not None:
        raise found[1]


# -- Writing demo data (seed_demo, the visitor simulator, tests) --------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def create_session(
    session_id: str,
    *,
    status: str = "active",
    start_time: datetime | None = None,
    last_seen: datetime | None = None,
    user_meta: str | None = None,
    theme: str | None = None,
    row_id: str | None = None,
) -> ChatSession:
    data: dict[str, Any] = {"sessionId": session_id, "status": status}
    if start_time is not None:
        data["startTime"] = _iso(start_time)
    if last_seen is not None:
        data["lastSeen"] = _iso(last_seen)
    if user_meta is not None:
        data["userMeta"] = user_meta
    if theme is not None:
        data["theme"] = theme
    row = _create_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id or session_id, data)
    return ChatSession.from_row(row)


def touch_session(row_id: str, last_seen: datetime) -> ChatSession:
    row = _update_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id, {"lastSeen": _iso(last_seen)})
    return ChatSession.from_row(row)


def create_message(session_id: str, role: str, content: str) -> str:
    """Adds one message to a session's transcript; returns the message's row id."""
    data = {"sessionId": session_id, "role": role, "content": content}
    return _create_row(settings.APPWRITE_MESSAGES_COLLECTION_ID, ID.unique(), data)["$id"]


def recent_sessions(status: str | None = None, limit: int = 100) -> list[ChatSession]:
    queries = [*_status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())]
    queries += [Query.order_desc("lastSeen"), Query.limit(limit)]
    return [
        ChatSession.from_row(row)
        for row in _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    ]


def count_sessions() -> int:
    return _total([]).value


# -- Filters, bulk and idle close, export, overview ---------------------------------------

# Filters a shared list URL may carry besides status and search; see README "Filtering by visitor metadata".
META_FILTER_KEYS = ("browser", "device", "location")
# Rows read per Appwrite call when a bulk action or an export walks every page.
WALK_PAGE_SIZE = 100
# Explicitly selected sessions closed in one request (also Appwrite's limit of values in one `equal`).
MAX_SELECTED = MAX_QUERY_VALUES
# Closed sessions whose durations make the overview's median.
DURATION_SAMPLE = 500


@dataclass(frozen=True)
class SessionFilters:
    """Narrowing beyond status and search: userMeta values, and a start date range (UTC days, inclusive)."""

    browser: str = ""
    device: str = ""
    location: str = ""
    started_from: date | None = None
    started_to: date | None = None

    def __bool__(self) -> bool:
        return any((self.browser, self.device, self.location, self.started_from, self.started_to))


def _meta_fragments(key: str, value: str) -> list[str]:
    """The texts `"key":"value"` can take inside userMeta: compact (JSON.stringify, the widget) or with
    a space (Python's json.dumps), with non-ASCII raw or \\u-escaped. The closing quote keeps
    "Chrome 13" from matching "Chrome 131"."""
    fragments = []
    for ensure_ascii in (False, True):
        for separator in (":", ": "):
            text = json.dumps(key, ensure_ascii=ensure_ascii) + separator + json.dumps(value, ensure_ascii=ensure_ascii)
            if text not in fragments:
                fragments.append(text)
    return fragments


def filter_queries(filters: SessionFilters | None) -> list[str]:
    """Appwrite queries for the metadata and date filters. Appwrite cannot look inside a JSON string,
    so metadata is matched as a substring of the stored text (`contains` with several values = any)."""
    if not filters:
        return []
    queries = []
    for key in META_FILTER_KEYS:
        value = getattr(filters, key)
        if value:
            queries.append(Query.contains("userMeta", _meta_fragments(key, value)))
    if filters.started_from:
        start = datetime(*filters.started_from.timetuple()[:3], tzinfo=UTC)
        queries.append(Query.greater_than_equal("startTime", start.isoformat()))
    if filters.started_to:
        end = datetime(*filters.started_to.timetuple()[:3], tzinfo=UTC) + timedelta(days=1)
        queries.append(Query.less_than("startTime", end.isoformat()))
    return queries


@dataclass(frozen=True)
class Selection:
    """The open sessions a bulk close acts on: a list filter, optionally only those not seen for
    `idle_minutes`, and only sessions that already existed at `created_before` (the confirmation)."""

    status: str = ""
    search: str = ""
    filters: SessionFilters = field(default_factory=SessionFilters)
    idle_minutes: int | None = None
    created_before: datetime | None = None


def _selection_queries(selection: Selection, now: datetime) -> list[str]:
    status = selection.status
    if selection.idle_minutes is not None:
        # Idle close: the filter's status (active when it is "all" or "idle") not seen for N minutes,
        # the cutoff taken afresh for every page, so a visitor who came back is left alone.
        status = "active" if status in ("", IDLE) else status
        cutoff = now - timedelta(minutes=selection.idle_minutes)
        queries = [Query.equal("status", [status]), Query.less_than("lastSeen", cutoff.isoformat())]
    else:
        queries = _status_queries(status, settings.DASHBOARD_IDLE_MINUTES, now)
    queries.append(Query.not_equal("status", "closed"))
    if selection.search:
        queries.append(Query.starts_with("sessionId", selection.search))
    queries += filter_queries(selection.filters)
    if selection.created_before is not None:
        queries.append(Query.less_than_equal("$createdAt", selection.created_before.isoformat()))
    return queries


def count_selection(selection: Selection) -> Count:
    """How many open sessions the selection would close now (capped at 5000 like every total)."""
    if selection.status == "closed":
        return Count(0)
    return _total(_selection_queries(selection, timezone.now()))


def count_matching(status: str, search: str, filters: SessionFilters | None) -> Count:
    """Sessions the list shows for this filter, all pages together (capped at 5000)."""
    queries = _status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    if search:
        queries.append(Query.starts_with("sessionId", search))
    return _total(queries + filter_queries(filters))


@dataclass(frozen=True)
class CloseOutcome:
    row_id: str
    session_id: str
    result: str  # "closed", "already_closed" or "failed"
    reason: str = ""


@dataclass(frozen=True)
class CloseBatch:
    outcomes: tuple[CloseOutcome, ...]
    last_row_id: str | None  # where the next batch starts (cursorAfter)
    done: bool


def _close_one(session: ChatSession) -> CloseOutcome:
    if session.status == "closed":
        return CloseOutcome(session.row_id, session.session_id, "already_closed")
    try:
        set_status(session.row_id, "closed")
    except NotFound:
        return CloseOutcome(session.row_id, session.session_id, "failed", "no longer exists")
    except AppwriteError as error:
        return CloseOutcome(session.row_id, session.session_id, "failed", str(error)[:120])
    return CloseOutcome(session.row_id, session.session_id, "closed")


def _close_all(sessions: Sequence[ChatSession]) -> list[CloseOutcome]:
    outcomes: list[CloseOutcome] = []
    for start in range(0, len(sessions), MAX_CONCURRENT_CALLS):
        chunk = sessions[start : start + MAX_CONCURRENT_CALLS]
        outcomes += run_concurrently(*[lambda s=s: _close_one(s) for s in chunk])
    return outcomes


def close_selection_batch(selection: Selection, after: str | None = None, limit: int = WALK_PAGE_SIZE) -> CloseBatch:
    """Closes one page of the selection, walking by `$id` from `after`.

    Closed rows drop out of the query, but a cursor is found by id whatever its status, so walking
    on from the last row handled never revisits a failure and never skips an open row. A vanished
    cursor row starts the walk again from the first page (already closed rows no longer match)."""
    if selection.status == "closed":
        return CloseBatch((), after, True)
    queries = [*_selection_queries(selection, timezone.now()), Query.order_asc("$id"), Query.limit(limit)]
    try:
        cursor = [Query.cursor_after(after)] if after else []
        rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries + cursor, total=False).rows
    except StaleCursor:
        rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    sessions = [ChatSession.from_row(row) for row in rows]
    outcomes = _close_all(sessions)
    last = sessions[-1].row_id if sessions else after
    return CloseBatch(tuple(outcomes), last, done=len(sessions) < limit)


def iter_selection(selection: Selection, limit: int = WALK_PAGE_SIZE) -> Iterator[list[ChatSession]]:
    """The open sessions a selection would close, page by page (by `$id`), changing nothing."""
    if selection.status == "closed":
        return
    queries = [*_selection_queries(selection, timezone.now()), Query.order_asc("$id"), Query.limit(limit)]
    after: str | None = None
    while True:
        cursor = [Query.cursor_after(after)] if after else []
        rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries + cursor, total=False).rows
        if rows:
            yield [ChatSession.from_row(row) for row in rows]
        if len(rows) < limit:
            return
        after = str(rows[-1]["$id"])


def close_sessions_by_id(row_ids: Sequence[str]) -> list[CloseOutcome]:
    """Closes explicitly selected sessions (at most MAX_SELECTED); unknown ids are reported as failed."""
    ids = list(dict.fromkeys(row_ids))[:MAX_SELECTED]
    if not ids:
        return []
    reads = [
        lambda chunk=chunk: _list_rows(
            settings.APPWRITE_SESSIONS_COLLECTION_ID, [Query.equal("$id", chunk), Query.limit(len(chunk))], total=False
        ).rows
        for chunk in _equal_chunks("$id", ids)
    ]
    found = {row["$id"]: ChatSession.from_row(row) for rows in run_concurrently(*reads) for row in rows}
    closed = {outcome.row_id: outcome for outcome in _close_all([found[i] for i in ids if i in found])}
    return [closed.get(i) or CloseOutcome(i, "", "failed", "no longer exists") for i in ids]


def iter_matching_pages(
    status: str, search: str, filters: SessionFilters | None, page_size: int = WALK_PAGE_SIZE
) -> Iterator[list[ChatSession]]:
    """Every session the list shows for this filter, one page at a time, newest created first.

    Ordered by `$createdAt` (never empty, never changes) so sessions moving while the walk runs
    are neither repeated nor skipped, as they could be when walking by last seen."""
    queries = _status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    if search:
        queries.append(Query.starts_with("sessionId", search))
    queries += [*filter_queries(filters), Query.order_desc("$createdAt"), Query.limit(page_size)]
    after: str | None = None
    while True:
        page = queries + ([Query.cursor_after(after)] if after else [])
        rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, page, total=False).rows
        if rows:
            yield [ChatSession.from_row(row) for row in rows]
        if len(rows) < page_size:
            return
        after = str(rows[-1]["$id"])


@dataclass(frozen=True)
class HourOfStarts:
    start: datetime
    count: Count


@dataclass(frozen=True)
class Overview:
    counts: StatusCounts
    active_now: Count  # active and seen within DASHBOARD_IDLE_MINUTES
    starts_per_hour: tuple[HourOfStarts, ...]  # the last 24 hours, oldest first, the current hour last
    median_duration: timedelta | None
    duration_sample: int  # closed sessions the median was taken over
    loaded_at: datetime


def _closed_durations() -> list[timedelta]:
    queries = [
        Query.equal("status", ["closed"]),
        Query.select(["startTime", "lastSeen"]),
        Query.order_desc("lastSeen"),
        Query.limit(DURATION_SAMPLE),
    ]
    rows = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    return [d for d in (ChatSession.from_row(row).duration for row in rows) if d is not None]


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def load_overview() -> Overview:
    """Counts by status, active now, sessions started in each of the last 24 hours (one `limit(1)`
    total per hour, side by side on the pool) and the median duration of recently closed sessions."""
    now = timezone.now()
    cutoff = (now - timedelta(minutes=settings.DASHBOARD_IDLE_MINUTES)).isoformat()
    first_hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    hours = [first_hour + timedelta(hours=h) for h in range(24)]
    calls: list[Callable[[], Any]] = [
        lambda: _total([Query.equal("status", ["active"]), Query.greater_than_equal("lastSeen", cutoff)]),
        _closed_durations,
    ]
    calls += [
        lambda h=h: _total(
            [
                Query.greater_than_equal("startTime", h.isoformat()),
                Query.less_than("startTime", (h + timedelta(hours=1)).isoformat()),
            ]
        )
        for h in hours
    ]
    # Queued on the pool first; status_counts() below waits on the same pool from this thread.
    futures = start_concurrently(*calls)
    counts = status_counts()
    active_now, durations, *per_hour = [future.result() for future in futures]
    return Overview(
        counts=counts,
        active_now=active_now,
        starts_per_hour=tuple(HourOfStarts(h, c) for h, c in zip(hours, per_hour, strict=True)),
        median_duration=_median(durations),
        duration_sample=len(durations),
        loaded_at=now,
    )


# -- End of: Filters, bulk and idle close, export, overview --------------------------------


# -- Provisioning (appwrite_setup, create_agent) ------------------------------------------

SESSION_ATTRIBUTES = [
    ("string", "sessionId", 255, True, None),
    ("string", "status", 64, False, "active"),
    ("datetime", "startTime", None, False, None),
    ("datetime", "lastSeen", None, False, None),
    ("string", "userMeta", 8192, False, None),
    ("string", "theme", 2048, False, None),
]
MESSAGE_ATTRIBUTES = [
    ("string", "sessionId", 255, True, None),
    ("string", "role", 32, True, None),
    ("string", "content", 16384, True, None),
]
SESSION_INDEXES = [
    ("status_lastSeen", ["status", "lastSeen"]),
    ("lastSeen", ["lastSeen"]),
    ("sessionId", ["sessionId"]),
]
MESSAGE_INDEXES = [("sessionId", ["sessionId"])]


@dataclass(frozen=True)
class SetupStep:
    what: str
    created: bool


def _ensure(what: str, create: Callable[[], Any]) -> SetupStep:
    try:
        _call(create)
    except AlreadyExists:
        return SetupStep(what, created=False)
    return SetupStep(what, created=True)


def _wait_for_attributes(collection_id: str, keys: Sequence[str], timeout: float = 60) -> None:
    """Real Appwrite builds attributes in the background; indexes need them `available`."""
    import time

    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    deadline = time.monotonic() + timeout
    while True:
        if settings.APPWRITE_API == "tablesdb":
            items = _call(TablesDB(client).list_columns, database_id, collection_id).columns
        else:
            list_attributes = _undeprecated(Databases.list_attributes)
            items = _call(list_attributes, Databases(client), database_id, collection_id).attributes
        states = {}
        for item in items:
            item = item if isinstance(item, dict) else item.to_dict()
            states[item.get("key")] = item.get("status", "available")
        failed = [key for key in keys if states.get(key) in ("failed", "stuck")]
        if failed:
            raise BadAnswer(f"Appwrite could not build the attributes {failed} of {collection_id}")
        if all(states.get(key) == "available" for key in keys):
            return
        if time.monotonic() > deadline:
            raise AppwriteUnavailable(f"attributes of {collection_id} are still not available after {timeout}s")
        time.sleep(0.5)


def provision_schema() -> list[SetupStep]:
    """Creates what is missing of the database, both collections, their attributes and indexes,
    and the agents team; reports each step as created or already there."""
    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    tables = settings.APPWRITE_API == "tablesdb"
    steps = []
    api = TablesDB(client) if tables else Databases(client)

    def method(name: str) -> Callable[..., Any]:
        return MethodType(_undeprecated(getattr(type(api), name)), api)

    create_database = method("create")
    if tables:
        create_collection = method("create_table")
        create_string = method("create_string_column")
        create_datetime = method("create_datetime_column")
        key_index = TablesDBIndexType.KEY
    else:
        create_collection = method("create_collection")
        create_string = method("create_string_attribute")
        create_datetime = method("create_datetime_attribute")
        key_index = DatabasesIndexType.KEY
    create_index = method("create_index")

    steps.append(_ensure(f"database {database_id}", lambda: create_database(database_id, "Support")))
    for collection_id, name, attributes, indexes in (
        (settings.APPWRITE_SESSIONS_COLLECTION_ID, "Chat sessions", SESSION_ATTRIBUTES, SESSION_INDEXES),
        (settings.APPWRITE_MESSAGES_COLLECTION_ID, "Chat messages", MESSAGE_ATTRIBUTES, MESSAGE_INDEXES),
    ):
        steps.append(
            _ensure(
                f"collection {collection_id}",
                lambda c=collection_id, n=name: create_collection(database_id, c, n),
            )
        )
        for kind, key, size, required, default in attributes:
            if kind == "string":

                def create(c=collection_id, k=key, s=size, r=required, d=default):
                    return create_string(database_id, c, k, s, r, default=d)
            else:

                def create(c=collection_id, k=key, r=required):
                    return create_datetime(database_id, c, k, r)

            steps.append(_ensure(f"attribute {collection_id}.{key}", create))
        _wait_for_attributes(collection_id, [attribute[1] for attribute in attributes])
        for key, columns in indexes:
            orders = [OrderBy.ASC] * len(columns)
            steps.append(
                _ensure(
                    f"index {collection_id}.{key}",
                    lambda c=collection_id, k=key, cols=columns, o=orders: create_index(
                        database_id, c, k, key_index, cols, o
                    ),
                )
            )
    team_id = settings.APPWRITE_AGENTS_TEAM_ID
    steps.append(_ensure(f"team {team_id}", lambda: Teams(client).create(team_id, "Support agents")))
    return steps


def ensure_agent(email: str, password: str, name: str) -> list[SetupStep]:
    """Creates the Appwrite user if missing and makes it a member of the agents team."""
    client = _client()
    users = Users(client)
    steps = [_ensure(f"user {email}", lambda: users.create(ID.unique(), email=email, password=password, name=name))]
    found = _call(users.list, queries=[Query.equal("email", [email.lower()])])
    if not found.users:
        raise NotFound(f"user {email} was not found after creating it")
    user_id = found.users[0].id
    team_id = settings.APPWRITE_AGENTS_TEAM_ID
    teams = Teams(client)
    steps.append(
        _ensure(
            f"membership of {email} in {team_id}",
            lambda: teams.create_membership(team_id, [], user_id=user_id),
        )
    )
    return steps


# -- Checking the schema (appwrite_doctor) ------------------------------------------------
# Read-only questions for dashboard/doctor.py, which decides what is right or wrong with the answers.
# Schema answers are read as plain JSON: the SDK's models refuse attribute types they do not know,
# and a drifted collection may hold any.

# An address no Appwrite user can have, for the sign-in probe (with a random password it can only fail).
PROBE_EMAIL = "appwrite-doctor-probe@example.com"


@dataclass(frozen=True)
class Attribute:
    """One attribute (column) as Appwrite describes it; `size` is None for types without one."""

    key: str
    type: str
    size: int | None
    required: bool
    array: bool
    status: str


@dataclass(frozen=True)
class SchemaIndex:
    key: str
    attributes: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class ScopeProbe:
    """Whether the API key holds `scope` (its name under the configured APPWRITE_API)."""

    scope: str
    used_for: str
    granted: bool


def _schema_path(collection_id: str | None = None, tail: str = "") -> str:
    database_id = settings.APPWRITE_DATABASE_ID
    tables = settings.APPWRITE_API == "tablesdb"
    path = f"/tablesdb/{database_id}" if tables else f"/databases/{database_id}"
    if collection_id is not None:
        path += f"/tables/{collection_id}" if tables else f"/collections/{collection_id}"
    return path + tail


def _get_json(path: str, queries: Sequence[str] = ()) -> dict[str, Any]:
    client = _client()
    headers = {"X-Appwrite-Project": client.get_config("project"), "accept": "application/json"}
    answer = _call(client.call, "get", path, headers, {"queries": list(queries)} if queries else {})
    if not isinstance(answer, dict):
        raise BadAnswer(f"Appwrite answered {path} with something that is not a JSON object")
    return answer


def appwrite_version() -> str:
    """The version the endpoint reports. `GET /health/version` is public, so it is asked without the key:
    it tells whether APPWRITE_ENDPOINT is an Appwrite at all, apart from whether the key is good."""
    _client()  # the same refusal as every other call when no endpoint is configured
    client = _pooled_client(_sign_in_transport())
    client.set_endpoint(settings.APPWRITE_ENDPOINT)
    answer = _call(client.call, "get", "/health/version", {"accept": "application/json"}, {})
    version = answer.get("version") if isinstance(answer, dict) else None
    if not isinstance(version, str):
        raise BadAnswer("the endpoint answered /health/version without a version: it is not Appwrite's API")
    return version[:40]


def get_database() -> str:
    """The configured database's name; NotFound when it does not exist."""
    return _text(_get_json(_schema_path()).get("name"))


def get_collection(collection_id: str) -> str:
    """The collection's (table's) name; NotFound when it or its database does not exist."""
    return _text(_get_json(_schema_path(collection_id)).get("name"))


def list_attributes(collection_id: str, keys: Sequence[str]) -> list[Attribute]:
    """The collection's attributes among `keys` (others may exist and do not matter here)."""
    name = "columns" if settings.APPWRITE_API == "tablesdb" else "attributes"
    answer = _get_json(_schema_path(collection_id, f"/{name}"), [Query.equal("key", list(keys)), Query.limit(100)])
    found = []
    for item in answer.get(name) or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        size = item.get("size")
        found.append(
            Attribute(
                key=item["key"],
                type=_text(item.get("type")),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                required=item.get("required") is True,
                array=item.get("array") is True,
                status=_text(item.get("status")) or "available",
            )
        )
    return found


def list_indexes(collection_id: str) -> list[SchemaIndex]:
    answer = _get_json(_schema_path(collection_id, "/indexes"), [Query.limit(100)])
    found = []
    for item in answer.get("indexes") or []:
        if not isinstance(item, dict):
            continue
        attributes = item.get("columns", item.get("attributes")) or []
        if isinstance(attributes, list):
            columns = tuple(str(attribute) for attribute in attributes)
            found.append(SchemaIndex(_text(item.get("key")), columns, _text(item.get("status")) or "available"))
    return found


def get_team(team_id: str) -> str:
    """The team's name; NotFound when it does not exist."""
    return _text(_get_json(f"/teams/{team_id}").get("name"))


def _granted(probe: Callable[[], Any]) -> bool:
    """Appwrite checks a key's scopes before it looks at the request: any answer about the request itself
    (found, not found, bad input, wrong password) means the scope is there."""
    try:
        probe()
    except AppwriteError as error:
        if error.type == "general_unauthorized_scope":
            return False
        if error.status in (400, 401, 404, 409) and error.type and error.type != "user_unauthorized":
            return True
        raise
    return True


def _probe_sign_in() -> None:
    session = _call(Account(_sign_in_client()).create_email_password_session, PROBE_EMAIL, secrets.token_urlsafe(24))
    _end_appwrite_session(getattr(session, "secret", ""))  # never reached unless that password matched


def probe_scopes() -> list[ScopeProbe]:
    """Asks, for each scope the dashboard itself uses (not appwrite_setup or create_agent), one harmless
    question: reads list one item; the write updates a row id that cannot exist with no data (400 or 404
    with the scope, 401 without); the sign-in probe logs in with an address no user has."""
    rows = "rows" if settings.APPWRITE_API == "tablesdb" else "documents"
    sessions_id = settings.APPWRITE_SESSIONS_COLLECTION_ID
    client = _client()
    probes = [
        (f"{rows}.read", "lists, counts and opens sessions and messages",
         lambda: _list_rows(sessions_id, [Query.limit(1)], total=False)),
        (f"{rows}.write", "closes, reopens and takes sessions",
         lambda: _update_row(sessions_id, f"doctor{secrets.token_hex(12)}", {})),
        ("users.read", "reads the agent's user at sign-in and at every membership check",
         lambda: _call(Users(client).list, [Query.limit(1)], total=False)),
        ("teams.read", "checks that the agent is a member of the agents team",
         lambda: _call(Teams(client).list, [Query.limit(1)], total=False)),
        ("sessions.write", "checks the agent's password at sign-in", _probe_sign_in),
    ]
    return [ScopeProbe(scope, used_for, _granted(probe)) for scope, used_for, probe in probes]


# -- Session detail, transcript and status changes ---------------------------------------

TRANSCRIPT_PAGE_SIZE = 50


class StatusChanged(Exception):
    """An undo found the session in another status than the one it set; `session` is how it is now."""

    def __init__(self, session: ChatSession):
        super().__init__(f"the status is now {session.status!r}")
        self.session = session


@dataclass(frozen=True)
class Message:
    """One message of a session's transcript, as stored in the messages collection."""

    row_id: str
    session_id: str
    role: str
    content: str
    created_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Message:
        return cls(
            row_id=str(row.get("$id", "")),
            session_id=_text(row.get("sessionId")),
            role=_text(row.get("role")),
            content=_text(row.get("content")),
            created_at=_parse_datetime(row.get("$createdAt")),
        )


@dataclass(frozen=True)
class Transcript:
    """One page of a transcript, oldest first, with cursors to the older and newer pages."""

    messages: tuple[Message, ...]
    older_cursor: str | None
    newer_cursor: str | None

    @property
    def at_newest(self) -> bool:
        """Nothing newer exists (yet): the page may grow live."""
        return self.newer_cursor is None


def _message_queries(session_id: str) -> list[str]:
    return [Query.equal("sessionId", [session_id])]


def transcript(session_id: str, cursor: str | None = None, page_size: int | None = None) -> Transcript:
    """A page of messages in `$createdAt` order: the newest page without a cursor, else the page
    just before (`before:<id>`) or after (`after:<id>`) the given message."""
    page_size = page_size or TRANSCRIPT_PAGE_SIZE
    parsed = parse_cursor(cursor)
    queries = _message_queries(session_id)
    # One extra row tells whether there is more beyond the page.
    if parsed is None:
        queries += [Query.order_desc("$createdAt"), Query.limit(page_size + 1)]
    else:
        queries += [Query.order_asc("$createdAt"), Query.limit(page_size + 1)]
        queries.append(Query.cursor_after(parsed[1]) if parsed[0] == "after" else Query.cursor_before(parsed[1]))
    rows = _list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    messages = [Message.from_row(row) for row in rows]
    more = len(messages) > page_size
    if parsed is None:
        messages = list(reversed(messages[:page_size]))
        older, newer = more, False
    elif parsed[0] == "before":
        messages = messages[-page_size:]
        older, newer = more, True
    else:
        messages = messages[:page_size]
        older, newer = True, more
    return Transcript(
        messages=tuple(messages),
        older_cursor=f"before:{messages[0].row_id}" if older and messages else None,
        newer_cursor=f"after:{messages[-1].row_id}" if newer and messages else None,
    )


def messages_after(session_id: str, message_id: str | None, limit: int | None = None) -> tuple[Message, ...]:
    """Messages newer than `message_id` (from the start without one), oldest first, a page at most."""
    queries = [*_message_queries(session_id), Query.order_asc("$createdAt"), Query.limit(limit or TRANSCRIPT_PAGE_SIZE)]
    if message_id:
        queries.append(Query.cursor_after(message_id))
    rows = _list_rows(settings.APPWRITE_MESSAGES_COLLECTION_ID, queries, total=False).rows
    return tuple(Message.from_row(row) for row in rows)


def message_total(session_id: str) -> Count:
    return _count_messages_of(session_id)


def count_sessions_in(status: str | None) -> Count:
    """Sessions with this status (`idle` included), or all of them."""
    return _total(_status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now()))


def change_status(row_id: str, status: str) -> tuple[ChatSession, str]:
    """Sets the status; returns the stored session and the status it had before."""
    previous = get_session(row_id).status
    return set_status(row_id, status), previous


def restore_status(row_id: str, expected: str, previous: str) -> ChatSession:
    """Undo: puts `previous` back, but only while the status is still `expected` (what we set)."""
    current = get_session(row_id)
    if current.status != expected:
        raise StatusChanged(current)
    return set_status(row_id, previous)


# -- Agents: sign-in and team membership ---------------------------------------------------
# Agents are Appwrite users in the team APPWRITE_AGENTS_TEAM_ID. Signing in makes a short-lived
# Appwrite session only to check the password; the dashboard keeps its own signed-cookie session.


@dataclass(frozen=True)
class Agent:
    """A support agent: an active Appwrite user who is a confirmed member of the agents team."""

    user_id: str
    name: str
    email: str


class SignInRefused(AppwriteError):
    """Wrong email or password, a blocked user, or a user outside the agents team. `type` says
    which, for the log only: agents are shown one message for all of them."""


# Answers of the login call that mean "these credentials do not get in" (a 400 is a malformed
# email or a password under 8 characters: the same to the person typing it).
_REFUSED_TYPES = frozenset({"user_invalid_credentials", "user_blocked", "general_argument_invalid"})

_sign_in_transports: dict[tuple[float, str], _PooledTransport] = {}


def _sign_in_transport() -> _PooledTransport:
    """The sign-in calls' own connections, apart from the key client's (NOTES §2.3)."""
    key = (settings.APPWRITE_TIMEOUT_SECONDS, settings.APPWRITE_ENDPOINT)
    with _clients_lock:
        transport = _sign_in_transports.get(key)
        if transport is None:
            # A breaker of its own: Appwrite rate-limits logins per email, and one person's 429s must not
            # stop every agent's list from loading.
            transport = _PooledTransport(key[0], _breaker("sign-in " + key[1]))
            _sign_in_transports[key] = transport
        return transport


def _sign_in_client(session_secret: str = "") -> Client:
    """The key client for the login call, or, with a secret, a client acting as that session only."""
    _client()  # the same refusal as every other call when no endpoint is configured
    client = _pooled_client(_sign_in_transport())
    client.set_endpoint(settings.APPWRITE_ENDPOINT)
    client.set_project(settings.APPWRITE_PROJECT_ID)
    if session_secret:
        client.set_session(session_secret)
    else:
        client.set_key(settings.APPWRITE_API_KEY)
    return client


def sign_in(email: str, password: str) -> Agent:
    """Checks the email and password with Appwrite, then (with the API key) that the user is an
    active member of the agents team. Raises SignInRefused for anyone who may not get in, and
    AppwriteUnavailable & co. when Appwrite itself fails. The Appwrite session made for the check
    is deleted before this returns."""
    login = Account(_sign_in_client()).create_email_password_session
    try:
        session = _call(login, email, password)
    except (Unauthorized, BadAnswer) as error:
        if error.type in _REFUSED_TYPES:
            raise SignInRefused("sign-in refused", status=error.status, type=error.type) from error
        raise
    _expect(session, "userid", "secret")
    try:
        agent = current_agent(session.userid)
    finally:
        _end_appwrite_session(session.secret)
    if agent is None:
        raise SignInRefused("not an active member of the agents team", type="not_an_agent")
    return agent


def _expect(answer: Any, *attributes: str) -> None:
    """The SDK hands back raw bytes when an answer is not JSON (a proxy's error page, say)."""
    if not all(hasattr(answer, attribute) for attribute in attributes):
        raise BadAnswer(f"Appwrite answered something unreadable: {type(answer).__name__}")


def _end_appwrite_session(secret: str) -> None:
    if not secret:
        # Appwrite hands out the secret to API-key callers only; without it the session cannot end here.
        logger.warning("Appwrite gave no session secret at sign-in; that Appwrite session ends when it expires")
        return
    try:
        _call(Account(_sign_in_client(secret)).delete_session, "current")
    except AppwriteError as error:
        logger.warning(
            "Could not delete the Appwrite session made for a sign-in (%s, status %s); it ends when it expires",
            type(error).__name__,
            error.status,
        )


def current_agent(user_id: str) -> Agent | None:
    """The agent with this Appwrite user ID if the user still exists, is not blocked and is a
    confirmed member of the agents team; None otherwise. Raises when Appwrite cannot tell."""
    client = _client()
    try:
        user = _call(Users(client).get, user_id)
    except NotFound:
        return None
    _expect(user, "id", "status", "name", "email")
    if not user.status:
        return None
    team_id = settings.APPWRITE_AGENTS_TEAM_ID
    queries = [Query.equal("userId", [user_id]), Query.limit(100)]
    try:
        answer = _call(Teams(client).list_memberships, team_id, queries=queries)
    except NotFound:
        logger.error("The agents team %s does not exist: nobody can sign in (run `manage.py appwrite_setup`)", team_id)
        return None
    _expect(answer, "memberships")
    if not any(getattr(membership, "confirm", False) for membership in answer.memberships):
        return None
    return Agent(user_id=user.id, name=user.name or user.email, email=user.email)
