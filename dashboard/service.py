"""The one module that talks to Appwrite: reads and closes chat sessions, counts messages,
provisions the schema and writes demo data. It returns frozen dataclasses and raises only
its own exceptions; no other module imports the `appwrite` SDK."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from types import FunctionType, MethodType
from typing import Any, TypeVar

import requests
from appwrite import client as appwrite_client_module
from appwrite.client import Client
from appwrite.enums.databases_index_type import DatabasesIndexType
from appwrite.enums.order_by import OrderBy
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.query import Query
from appwrite.services.databases import Databases
from appwrite.services.tables_db import TablesDB
from appwrite.services.teams import Teams
from appwrite.services.users import Users
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from requests.adapters import HTTPAdapter

logger = logging.getLogger(__name__)

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
    """Appwrite could not be reached, timed out, or failed on its side (5xx)."""


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
    for our thread pool) with the connect and read timeout from settings, and the
    `X-Appwrite-Warning` header, which the SDK would print to stderr on every call, is logged once.
    """

    def __init__(self, timeout: float):
        self.timeout = (timeout, timeout)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=MAX_CONCURRENT_CALLS * 2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        warning = response.headers.pop("x-appwrite-warning", None)
        if warning:
            with _warned_lock:
                first_time = warning not in _warned
                _warned.add(warning)
            if first_time:
                logger.warning("Appwrite: %s", warning)
        return response


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
            client = _pooled_client(_PooledTransport(settings.APPWRITE_TIMEOUT_SECONDS))
            client.set_endpoint(settings.APPWRITE_ENDPOINT)
            client.set_project(settings.APPWRITE_PROJECT_ID)
            client.set_key(settings.APPWRITE_API_KEY)
            _clients[key] = client
        return client


def run_concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Runs independent service calls side by side; re-raises the first failure, in call order.
    The calls must not themselves wait on this pool (that could deadlock it)."""
    if len(calls) == 1:
        return [calls[0]()]
    futures = [_executor.submit(call) for call in calls]
    return [future.result() for future in futures]


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
    client = _client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        answer = _call(TablesDB(client).list_rows, database_id, collection_id, queries=queries, total=total)
        items = answer.rows
    else:
        list_documents = _undeprecated(Databases.list_documents)
        answer = _call(list_documents, Databases(client), database_id, collection_id, queries=queries, total=total)
        items = answer.documents
    return _RowList(total=int(answer.total), rows=[_row_dict(item) for item in items])


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


def _json_object(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


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
    all: Count
    idle: Count
    by_status: dict[str, Count] = field(default_factory=dict)  # known ones first, then others


@dataclass(frozen=True)
class SessionList:
    """What the list page shows: one page, the tab counts and each row's message count."""

    page: Page
    counts: StatusCounts
    message_counts: dict[str, Count]
    loaded_at: datetime


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
) -> Page:
    """One page of sessions, newest activity first by default, with cursors to the neighbours."""
    attribute, direction = SORTS.get(sort, SORTS[DEFAULT_SORT])
    queries = _status_queries(status, settings.DASHBOARD_IDLE_MINUTES, timezone.now())
    if search:
        queries.append(Query.starts_with("sessionId", search))
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
    answer = _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False)
    return Counter(_text(row.get("status")) for row in answer.rows)


def _status_count_calls() -> list[Callable[[], Any]]:
    now = timezone.now()
    idle_minutes = settings.DASHBOARD_IDLE_MINUTES
    calls: list[Callable[[], Any]] = [lambda: _total([])]
    calls += [lambda status=status: _total(_status_queries(status, idle_minutes, now)) for status in KNOWN_STATUSES]
    calls += [lambda: _total(_status_queries(IDLE, idle_minutes, now)), _other_statuses]
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
    chunks = [ids[i : i + MAX_QUERY_VALUES] for i in range(0, len(ids), MAX_QUERY_VALUES)]
    for found, unsure in run_concurrently(*[lambda chunk=chunk: _count_messages(chunk) for chunk in chunks]):
        counts.update(found)
        exact = run_concurrently(*[lambda sid=sid: _count_messages_of(sid) for sid in unsure])
        counts.update(zip(unsure, exact, strict=True))
    return counts


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


def load_session_list(status: str | None, search: str, sort: str, cursor: str | None, page_size: int) -> SessionList:
    """The list page's data in two rounds: the page and the counts side by side, then message counts."""
    page, *count_results = run_concurrently(
        lambda: list_sessions(status, search, sort, cursor, page_size),
        *_status_count_calls(),
    )
    return SessionList(
        page=page,
        counts=_status_counts_from(count_results),
        message_counts=message_counts(session.session_id for session in page.sessions),
        loaded_at=timezone.now(),
    )


def get_session(row_id: str) -> ChatSession:
    return ChatSession.from_row(_get_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id))


def close_session(row_id: str) -> ChatSession:
    """Sets the status to `closed` (a second close changes nothing) and returns the stored session."""
    return set_status(row_id, "closed")


def set_status(row_id: str, status: str) -> ChatSession:
    return ChatSession.from_row(_update_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id, {"status": status}))


def ping() -> None:
    """Raises unless Appwrite answers a cheap authenticated read."""
    _list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, [Query.limit(1)], total=False)


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
