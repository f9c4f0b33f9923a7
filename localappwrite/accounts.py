"""Users, teams, memberships and account sessions of localappwrite (Appwrite 1.9 shapes).

Tables (all prefixed `auth_`) live in the shared SQLite database. Session secrets are random opaque tokens;
only their SHA-256 is stored. Passwords are hashed with scrypt (stdlib), see `_hash_password`.

Routes (server side, API key): users create/get/list/delete/status, user memberships; teams create/get/list;
memberships create (confirmed at once)/list/get/update roles/delete.
Account routes (session secret in `X-Appwrite-Session`): login with email+password, get the account,
list/get/delete sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import cmp_to_key
from typing import Any

from .server import ROUTER, App, AppwriteError, Request, argument_invalid, boolean_param

# --------------------------------------------------------------------------------------------- constants

SESSION_LENGTH = timedelta(days=365)  # Appwrite's default project setting (1 year)
LIMIT_COUNT = 5000  # APP_LIMIT_COUNT: `total` never exceeds it
LIMIT_LIST_DEFAULT = 25
MAX_QUERIES = 100
MAX_QUERY_LENGTH = 4096
MAX_QUERY_VALUES = 500
LOGIN_LIMIT = 10  # per hour and (url, email), reset by a successful login; skipped for API keys
LOGIN_WINDOW = 3600

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2 ** 14, 8, 1, 64
HASH_OPTIONS = {"type": "scrypt", "costCpu": SCRYPT_R, "costMemory": int(math.log2(SCRYPT_N)),
                "costParallel": SCRYPT_P, "length": SCRYPT_LEN}

UID_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
PHONE_RE = re.compile(r"^\+[1-9]\d{5,14}$")

UNAUTHORIZED = "The current user is not authorized to perform the requested action."
INVALID_CREDENTIALS = "Invalid credentials. Please check the email and password."


# ------------------------------------------------------------------------------------------------ errors

def _err(code: int, type_: str, message: str) -> AppwriteError:
    return AppwriteError(code, type_, message)


def user_not_found() -> AppwriteError:
    return _err(404, "user_not_found", "User with the requested ID could not be found.")


def team_not_found() -> AppwriteError:
    return _err(404, "team_not_found", "Team with the requested ID could not be found.")


def membership_not_found() -> AppwriteError:
    return _err(404, "membership_not_found", "Membership with the requested ID could not be found.")


def session_not_found() -> AppwriteError:
    return _err(404, "user_session_not_found", "The current user session could not be found.")


def unauthorized() -> AppwriteError:
    return _err(401, "user_unauthorized", UNAUTHORIZED)


# --------------------------------------------------------------------------------------------- utilities

def now_dt() -> datetime:
    return datetime.now(UTC)


def fmt(dt: datetime) -> str:
    """Appwrite's datetime format: `2024-12-15T14:25:10.123+00:00`."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+00:00"


def now() -> str:
    return fmt(now_dt())


def parse_dt(value: str) -> datetime | None:
    try:
        v = value.strip()
        if v.endswith(("Z", "z")):
            v = v[:-1] + "+00:00"
        dt = datetime.fromisoformat(v)
    except (ValueError, AttributeError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if not 1000 <= dt.year <= 9999:
        return None
    return dt


def unique_id() -> str:
    """Like Appwrite's `ID::unique()`: PHP uniqid() (13 hex chars) plus 7 random hex chars."""
    t = time.time()
    sec = int(t)
    usec = int((t - sec) * 1_000_000)
    return f"{sec:08x}{usec:05x}" + secrets.token_hex(4)[:7]


def _hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=SCRYPT_LEN, maxmem=64 * 1024 * 1024)
    return f"$scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${salt.hex()}${digest.hex()}"


def _check_password(password: str, stored: str) -> bool:
    try:
        _, algo, params, salt_hex, digest_hex = stored.split("$")
        opts = dict(kv.split("=") for kv in params.split(","))
        if algo != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=int(opts["n"]),
                                r=int(opts["r"]), p=int(opts["p"]), dklen=len(digest_hex) // 2,
                                maxmem=64 * 1024 * 1024)
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ------------------------------------------------------------------------------------------ param checks

def _missing(name: str) -> AppwriteError:
    return argument_invalid(f'Param "{name}" is not optional.')


def _get(req: Request, name: str, required: bool = False) -> Any:
    params = req.params
    if name not in params or params[name] is None:
        if required:
            raise _missing(name)
        return None
    return params[name]


def _uid(value: Any, name: str, allow_unique: bool = False) -> str:
    if allow_unique and value == "unique()":
        return unique_id()
    if not isinstance(value, str) or not UID_RE.match(value):
        raise argument_invalid(
            f"Invalid `{name}` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, "
            "0-9, period, hyphen, and underscore. Can't start with a special char")
    return value


def _path_uid(req: Request, name: str) -> str:
    return _uid(req.path_params.get(name, ""), name)


def _text(value: Any, name: str, max_len: int, allow_empty: bool = True) -> str:
    if not isinstance(value, str) or len(value) > max_len or (not allow_empty and not value):
        raise argument_invalid(
            f"Invalid `{name}` param: Value must be a valid string and at most {max_len} chars")
    return value


def _email(value: Any, name: str = "email") -> str:
    if not isinstance(value, str) or len(value) > 254 or not EMAIL_RE.match(value):
        raise argument_invalid(f"Invalid `{name}` param: Value must be a valid email address")
    return value.lower()


def _phone(value: Any) -> str:
    if not isinstance(value, str) or not PHONE_RE.match(value):
        raise argument_invalid("Invalid `phone` param: Phone number must start with a '+' can have a maximum "
                               "of fifteen digits.")
    return value


def _password(value: Any) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 256:
        raise argument_invalid(
            "Invalid `password` param: Password must be between 8 and 256 characters long.")
    return value


def _roles(value: Any) -> list[str]:
    ok = isinstance(value, list) and len(value) <= 100 and all(
        isinstance(r, str) and 0 < len(r) <= 81 for r in value)
    if not ok:
        raise argument_invalid("Invalid `roles` param: Value must a valid array no longer than 100 items and "
                               "Value must be a valid string and at most 81 chars")
    return list(dict.fromkeys(value))


def _total_param(req: Request) -> bool:
    value = _get(req, "total")
    return True if value is None else boolean_param(value, "total")


def _search_param(req: Request) -> str:
    value = _get(req, "search")
    if value is None:
        return ""
    return _text(value, "search", 256)


def _require_key(req: Request) -> None:
    if req.role != "key":
        raise unauthorized()


# --------------------------------------------------------------------------------------------- queries

STRING, BOOL, DATETIME, ARRAY, NUMBER, SEQUENCE = "string", "bool", "datetime", "array", "number", "sequence"
BASE_ATTRS = {"$id": STRING, "$createdAt": DATETIME, "$updatedAt": DATETIME, "$sequence": SEQUENCE}
USER_ATTRS = {**BASE_ATTRS, "name": STRING, "email": STRING, "phone": STRING, "status": BOOL,
              "passwordUpdate": DATETIME, "registration": DATETIME, "emailVerification": BOOL,
              "phoneVerification": BOOL, "labels": ARRAY, "impersonator": BOOL, "accessedAt": DATETIME}
MEMBERSHIP_ATTRS = {**BASE_ATTRS, "userId": STRING, "teamId": STRING, "invited": DATETIME, "joined": DATETIME,
                    "confirm": BOOL, "roles": ARRAY}
TEAM_ATTRS = {**BASE_ATTRS, "name": STRING, "total": NUMBER, "billingPlan": STRING}

FILTERS = {"equal", "notEqual", "lessThan", "lessThanEqual", "greaterThan", "greaterThanEqual", "between",
           "isNull", "isNotNull", "startsWith", "endsWith", "contains", "notContains", "notStartsWith",
           "notEndsWith", "notBetween", "search", "notSearch", "and", "or"}
ALL_METHODS = FILTERS | {"orderAsc", "orderDesc", "orderRandom", "limit", "offset", "cursorAfter",
                         "cursorBefore", "select", "containsAny", "containsAll", "regex", "exists",
                         "notExists", "elemMatch",
                         "distanceEqual", "distanceNotEqual", "distanceGreaterThan", "distanceLessThan",
                         "intersects", "notIntersects", "crosses", "notCrosses", "overlaps", "notOverlaps",
                         "touches", "notTouches"}


class QueryError(Exception):
    pass


class ParsedQueries:
    def __init__(self) -> None:
        self.filters: list[dict[str, Any]] = []
        self.orders: list[tuple[str, bool]] = []  # (attribute, descending)
        self.limit: int | None = None
        self.offset: int | None = None
        self.cursor: tuple[str, str] | None = None  # ("after"|"before", id)


def _check_value(attr: str, kind: str, value: Any) -> Any:
    """Validates and normalises one query value for an attribute of `kind`."""
    bad = QueryError(f'Query value is invalid for attribute "{attr}"')
    if kind in (STRING, ARRAY):
        if not isinstance(value, str):
            raise bad
        return value
    if kind == BOOL:
        if not isinstance(value, bool):
            raise bad
        return value
    if kind == DATETIME:
        dt = parse_dt(value) if isinstance(value, str) else None
        if dt is None:
            raise bad
        return fmt(dt)
    if kind == SEQUENCE:
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
        raise bad
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        return value
    raise bad


def _parse_filter(q: dict[str, Any], attrs: dict[str, str]) -> dict[str, Any]:
    method, attr, values = q["method"], q["attribute"], q["values"]
    if method in ("and", "or"):
        if len(values) < 2 and method == "or" or not values:
            raise QueryError(f"{method.capitalize()} queries require at least two queries"
                             if method == "or" else "And queries require at least one query")
        nested = []
        for v in values:
            if not isinstance(v, dict):
                raise QueryError("Invalid query: nested queries must be objects")
            nq = _normalise_query(v)
            if nq["method"] not in FILTERS:
                raise QueryError(f"Invalid query method: {nq['method']}")
            nested.append(_parse_filter(nq, attrs))
        return {"method": method, "attribute": "", "values": nested}
    if attr not in attrs:
        raise QueryError(f"Attribute not found in schema: {attr}")
    kind = attrs[attr]
    if method in ("search", "notSearch"):
        raise QueryError(f'Searching by attribute "{attr}" requires a fulltext index.')
    if len(values) > MAX_QUERY_VALUES:
        raise QueryError(f"Query on attribute has greater than {MAX_QUERY_VALUES} values: {attr}")
    if kind == ARRAY and method not in ("contains", "notContains", "isNull", "isNotNull"):
        raise QueryError(f'Cannot query {method} on attribute "{attr}" because it is an array.')
    if method in ("isNull", "isNotNull"):
        if values:
            raise QueryError(f"{method} queries require exactly zero values.")
        return {"method": method, "attribute": attr, "values": []}
    if method in ("between", "notBetween"):
        if len(values) != 2:
            raise QueryError(f"{method} queries require exactly two values.")
    elif method in ("equal", "contains", "notContains"):
        if not values:
            raise QueryError(f"{method} queries require at least one value.")
    elif len(values) != 1:
        raise QueryError(f"{method} queries require exactly one value.")
    if method in ("startsWith", "endsWith", "notStartsWith", "notEndsWith", "contains", "notContains") \
            and kind not in (STRING, ARRAY):
        raise QueryError(f'Cannot query {method} on attribute "{attr}" of this type.')
    return {"method": method, "attribute": attr, "values": [_check_value(attr, kind, v) for v in values]}


def _normalise_query(q: Any) -> dict[str, Any]:
    if not isinstance(q, dict):
        raise QueryError("Invalid query: Syntax error")
    method = q.get("method", "")
    attr = q.get("attribute", "")
    values = q.get("values", [])
    if not isinstance(method, str) or not isinstance(attr, str) or not isinstance(values, list):
        raise QueryError("Invalid query: Syntax error")
    if method not in ALL_METHODS:
        raise QueryError(f"Invalid query method: {method}")
    return {"method": method, "attribute": attr, "values": values}


def parse_queries(raw: Any, attrs: dict[str, str]) -> ParsedQueries:
    """Validates `queries[]` like Appwrite's users/teams/memberships validators (param errors: 400
    general_argument_invalid "Invalid `queries` param: Invalid query: …")."""
    prefix = "Invalid `queries` param: "
    if raw is None:
        raw = []
    if isinstance(raw, dict):  # queries[5]=… parsed by a client as a map
        raw = list(raw.values())
    if not isinstance(raw, list) or len(raw) > MAX_QUERIES or not all(
            isinstance(q, str) and len(q) <= MAX_QUERY_LENGTH for q in raw):
        raise argument_invalid(prefix + f"Value must a valid array no longer than {MAX_QUERIES} items and "
                               f"Value must be a valid string and at most {MAX_QUERY_LENGTH} chars")
    out = ParsedQueries()
    try:
        for text in raw:
            try:
                q = json.loads(text)
            except ValueError as e:
                raise QueryError("Invalid query: Syntax error") from e
            q = _normalise_query(q)
            method, attr, values = q["method"], q["attribute"], q["values"]
            if method in ("orderAsc", "orderDesc"):
                attr = attr or "$sequence"
                if attr not in attrs:
                    raise QueryError(f"Attribute not found in schema: {attr}")
                if attrs[attr] == ARRAY:
                    raise QueryError(f'Cannot order by attribute "{attr}" because it is an array.')
                out.orders.append((attr, method == "orderDesc"))
            elif method == "limit":
                if len(values) != 1 or isinstance(values[0], bool) or not isinstance(values[0], int) \
                        or values[0] < 1:
                    raise QueryError("Invalid limit: Value must be a valid range between 1 and "
                                     "9,223,372,036,854,775,807")
                if out.limit is None:
                    out.limit = values[0]
            elif method == "offset":
                if len(values) != 1 or isinstance(values[0], bool) or not isinstance(values[0], int) \
                        or values[0] < 0:
                    raise QueryError("Invalid offset: Value must be a valid range between 0 and "
                                     "9,223,372,036,854,775,807")
                if out.offset is None:
                    out.offset = values[0]
            elif method in ("cursorAfter", "cursorBefore"):
                if len(values) != 1 or not isinstance(values[0], str) or not values[0]:
                    raise QueryError("Invalid cursor: Cursor must contain at most 36 chars. Valid chars are "
                                     "a-z, A-Z, 0-9, and underscore. Can't start with a leading underscore")
                if out.cursor is None:
                    out.cursor = ("after" if method == "cursorAfter" else "before", values[0])
            elif method in FILTERS:
                out.filters.append(_parse_filter(q, attrs))
            else:  # a real method no validator of this list accepts (select, orderRandom, …)
                raise QueryError(f"Invalid query method: {method}", True)
    except QueryError as e:
        msg = str(e.args[0])
        if not msg.startswith("Invalid query: ") and len(e.args) < 2:
            msg = "Invalid query: " + msg
        raise argument_invalid(prefix + msg) from e
    return out


def _match(doc: dict[str, Any], f: dict[str, Any]) -> bool:
    method, attr, values = f["method"], f["attribute"], f["values"]
    if method == "and":
        return all(_match(doc, n) for n in values)
    if method == "or":
        return any(_match(doc, n) for n in values)
    v = doc["_seq"] if attr == "$sequence" else doc.get(attr)
    if method == "isNull":
        return v is None or v == ""
    if method == "isNotNull":
        return not (v is None or v == "")
    if isinstance(v, list):
        hit = any(x in v for x in values)
        return hit if method == "contains" else not hit
    if v is None or v == "":  # unset values (NULL in Appwrite) match no comparison
        return method == "equal" and "" in values
    try:
        if method == "equal":
            return v in values
        if method == "notEqual":
            return v != values[0]
        if method == "lessThan":
            return v < values[0]
        if method == "lessThanEqual":
            return v <= values[0]
        if method == "greaterThan":
            return v > values[0]
        if method == "greaterThanEqual":
            return v >= values[0]
        if method == "between":
            return values[0] <= v <= values[1]
        if method == "notBetween":
            return not values[0] <= v <= values[1]
        if method == "startsWith":
            return str(v).startswith(values[0])
        if method == "notStartsWith":
            return not str(v).startswith(values[0])
        if method == "endsWith":
            return str(v).endswith(values[0])
        if method == "notEndsWith":
            return not str(v).endswith(values[0])
        if method == "contains":
            return any(x in str(v) for x in values)
        if method == "notContains":
            return not any(x in str(v) for x in values)
    except TypeError:
        return False
    return False


def _search_match(text: str, term: str) -> bool:
    """MySQL boolean-mode fulltext, roughly: any word matches a whole token, the last one as a prefix."""
    words = [w for w in re.split(r"[^0-9a-z_]+", term.lower()) if w]
    if not words:
        return True
    tokens = [t for t in re.split(r"[^0-9a-z_]+", text.lower()) if t]
    for i, w in enumerate(words):
        if i == len(words) - 1:
            if any(t.startswith(w) for t in tokens):
                return True
        elif w in tokens:
            return True
    return False


def _sort_key_value(v: Any) -> tuple[int, Any]:
    if v is None or v == "":
        return (0, "")
    if isinstance(v, bool):
        return (1, int(v))
    return (1, v)


def run_query(docs: list[dict[str, Any]], pq: ParsedQueries, search: str, search_text: Callable[[dict], str],
              cursor_kind: str, want_total: bool) -> tuple[list[dict[str, Any]], int]:
    """Filters, counts (capped at 5000), orders, pages. Docs carry an integer `$sequence` under `_seq`."""
    matched = [d for d in docs if all(_match(d, f) for f in pq.filters)
               and (not search or _search_match(search_text(d), search))]
    total = min(len(matched), LIMIT_COUNT) if want_total else 0
    orders = list(pq.orders)
    if not any(a in ("$id", "$sequence") for a, _ in orders):
        desc = bool(orders) and orders[0][0] in ("$createdAt", "$updatedAt") and orders[0][1]
        orders.append(("$sequence", desc))

    def value(d: dict[str, Any], attr: str) -> Any:
        return d["_seq"] if attr == "$sequence" else d.get(attr)

    def cmp(a: dict[str, Any], b: dict[str, Any]) -> int:
        for attr, desc in orders:
            va, vb = _sort_key_value(value(a, attr)), _sort_key_value(value(b, attr))
            if va != vb:
                r = -1 if va < vb else 1
                return -r if desc else r
        return 0

    ordered = sorted(matched, key=cmp_to_key(cmp))
    limit = pq.limit if pq.limit is not None else LIMIT_LIST_DEFAULT
    offset = pq.offset or 0
    if pq.cursor is not None:
        direction, cursor_id = pq.cursor
        cursor_doc = next((d for d in docs if d["$id"] == cursor_id), None)
        if cursor_doc is None:
            raise _err(400, "general_cursor_not_found",
                       f"{cursor_kind} '{cursor_id}' for the 'cursor' value not found.")
        if direction == "after":
            ordered = [d for d in ordered if cmp(d, cursor_doc) > 0]
        else:
            before = [d for d in ordered if cmp(d, cursor_doc) < 0]
            before.reverse()
            page = before[offset:offset + limit]
            page.reverse()
            return page, total
    return ordered[offset:offset + limit], total


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


# ------------------------------------------------------------------------------------------------ schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS auth_users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    phone TEXT UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 1,
    labels TEXT NOT NULL DEFAULT '[]',
    prefs TEXT NOT NULL DEFAULT '{}',
    email_verification INTEGER NOT NULL DEFAULT 0,
    phone_verification INTEGER NOT NULL DEFAULT 0,
    mfa INTEGER NOT NULL DEFAULT 0,
    registration TEXT NOT NULL,
    password_update TEXT NOT NULL DEFAULT '',
    accessed_at TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_sessions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL DEFAULT 'email',
    provider_uid TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    expire TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions(user_id);
CREATE TABLE IF NOT EXISTS auth_teams (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    prefs TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_memberships (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    team_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    invited TEXT NOT NULL DEFAULT '',
    joined TEXT NOT NULL DEFAULT '',
    confirm INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (team_id, user_id)
);
CREATE INDEX IF NOT EXISTS auth_memberships_user ON auth_memberships(user_id);
"""


class _LoginLimiter:
    """Fixed one-hour windows per (url, email), like Appwrite's abuse TimeLimit; reset on success."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[tuple[str, str], tuple[int, int]] = {}

    def hit(self, key: tuple[str, str]) -> bool:
        """Counts one attempt; False when over the limit."""
        window = int(time.time()) // LOGIN_WINDOW
        with self.lock:
            w, n = self.hits.get(key, (window, 0))
            if w != window:
                w, n = window, 0
            n += 1
            self.hits[key] = (w, n)
            if len(self.hits) > 100_000:  # never grow without bound
                self.hits = {k: v for k, v in self.hits.items() if v[0] == window}
            return n <= LOGIN_LIMIT

    def reset(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.hits.pop(key, None)


_limiters: dict[int, _LoginLimiter] = {}


def init(app: App) -> None:
    with app.db.write() as conn:
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                conn.execute(stmt)
    _limiters[id(app)] = _LoginLimiter()
    app.session_resolver = resolve_session


def resolve_session(app: App, secret: str) -> str | None:
    """The id of the user a session secret belongs to, if the session is live and the user not blocked."""
    if not isinstance(secret, str) or not secret or len(secret) > 1024:
        return None
    with app.db.read() as conn:
        row = conn.execute(
            "SELECT s.user_id, s.expire, u.status FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id "
            "WHERE s.secret_hash = ?", (_secret_hash(secret),)).fetchone()
    if row is None or not row["status"] or row["expire"] <= now():
        return None
    return row["user_id"]


# -------------------------------------------------------------------------------------------- user model

def _user_doc(row: Any) -> dict[str, Any]:
    return {
        "$id": row["id"],
        "$createdAt": row["created_at"],
        "$updatedAt": row["updated_at"],
        "name": row["name"],
        "password": row["password"],
        "hash": "scrypt",
        "hashOptions": dict(HASH_OPTIONS),
        "registration": row["registration"],
        "status": bool(row["status"]),
        "labels": json.loads(row["labels"]),
        "passwordUpdate": row["password_update"],
        "email": row["email"] or "",
        "phone": row["phone"] or "",
        "emailVerification": bool(row["email_verification"]),
        "phoneVerification": bool(row["phone_verification"]),
        "mfa": bool(row["mfa"]),
        "prefs": json.loads(row["prefs"]) or {},
        "targets": [],
        "accessedAt": row["accessed_at"],
        "_seq": row["seq"],
        "_search": " ".join([row["id"], row["email"] or "", row["phone"] or "", row["name"]]),
    }


def _user_out(doc: dict[str, Any], for_account: bool = False) -> dict[str, Any]:
    out = _strip(doc)
    if for_account:  # Appwrite's Account model drops the password rules
        for k in ("password", "hash", "hashOptions"):
            out.pop(k, None)
    return out


def _load_user(conn: Any, user_id: str) -> Any:
    return conn.execute("SELECT * FROM auth_users WHERE id = ?", (user_id,)).fetchone()


def _insert_user(conn: Any, user_id: str, email: str | None, phone: str | None, password_hash: str,
                 name: str) -> None:
    dup = conn.execute("SELECT 1 FROM auth_users WHERE id = ? OR (email IS NOT NULL AND email = ?) OR "
                       "(phone IS NOT NULL AND phone = ?)", (user_id, email, phone)).fetchone()
    if dup:
        raise _err(409, "user_already_exists",
                   "A user with the same id, email, or phone already exists in this project.")
    t = now()
    conn.execute(
        "INSERT INTO auth_users (id, email, phone, name, password, registration, password_update, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (user_id, email, phone, name, password_hash, t, t if password_hash else "", t, t))


# ------------------------------------------------------------------------------------------------- users

@ROUTER.route("POST", "/v1/users", scope="users.write")
def create_user(req: Request) -> tuple[int, Any]:
    user_id = _uid(_get(req, "userId", required=True), "userId", allow_unique=True)
    email = _get(req, "email")
    email = _email(email) if email not in (None, "") else None
    phone = _get(req, "phone")
    phone = _phone(phone) if phone not in (None, "") else None
    password = _get(req, "password")
    password = _password(password) if password is not None else None
    name = _text(_get(req, "name") or "", "name", 128)
    password_hash = _hash_password(password) if password else ""
    with req.db.write() as conn:
        _insert_user(conn, user_id, email, phone, password_hash, name)
        row = _load_user(conn, user_id)
    return 201, _user_out(_user_doc(row))


@ROUTER.route("GET", "/v1/users", scope="users.read")
def list_users(req: Request) -> tuple[int, Any]:
    pq = parse_queries(_get(req, "queries"), USER_ATTRS)
    search = _search_param(req)
    want_total = _total_param(req)
    with req.db.read() as conn:
        rows = conn.execute("SELECT * FROM auth_users ORDER BY seq").fetchall()
    docs = [_user_doc(r) for r in rows]
    page, total = run_query(docs, pq, search, lambda d: d["_search"], "User", want_total)
    return 200, {"total": total, "users": [_user_out(d) for d in page]}


@ROUTER.route("GET", "/v1/users/{userId}", scope="users.read")
def get_user(req: Request) -> tuple[int, Any]:
    user_id = _path_uid(req, "userId")
    with req.db.read() as conn:
        row = _load_user(conn, user_id)
    if row is None:
        raise user_not_found()
    return 200, _user_out(_user_doc(row))


@ROUTER.route("DELETE", "/v1/users/{userId}", scope="users.write")
def delete_user(req: Request) -> tuple[int, Any]:
    user_id = _path_uid(req, "userId")
    with req.db.write() as conn:
        if _load_user(conn, user_id) is None:
            raise user_not_found()
        for m in conn.execute("SELECT team_id, confirm FROM auth_memberships WHERE user_id = ?",
                              (user_id,)).fetchall():
            if m["confirm"]:
                conn.execute("UPDATE auth_teams SET total = MAX(total - 1, 0) WHERE id = ?", (m["team_id"],))
        conn.execute("DELETE FROM auth_memberships WHERE user_id = ?", (user_id,))
        conn.execute("DELETE FROM auth_sessions WHERE user_id = ?", (user_id,))
        conn.execute("DELETE FROM auth_users WHERE id = ?", (user_id,))
    return 204, None


@ROUTER.route("PATCH", "/v1/users/{userId}/status", scope="users.write")
def update_user_status(req: Request) -> tuple[int, Any]:
    user_id = _path_uid(req, "userId")
    status = boolean_param(_get(req, "status", required=True), "status")
    with req.db.write() as conn:
        if _load_user(conn, user_id) is None:
            raise user_not_found()
        conn.execute("UPDATE auth_users SET status = ?, updated_at = ? WHERE id = ?",
                     (int(status), now(), user_id))
        row = _load_user(conn, user_id)
    return 200, _user_out(_user_doc(row))


@ROUTER.route("GET", "/v1/users/{userId}/memberships", scope="users.read")
def list_user_memberships(req: Request) -> tuple[int, Any]:
    user_id = _path_uid(req, "userId")
    pq = parse_queries(_get(req, "queries"), MEMBERSHIP_ATTRS)
    search = _search_param(req)
    want_total = _total_param(req)
    with req.db.read() as conn:
        if _load_user(conn, user_id) is None:
            raise user_not_found()
        docs = _membership_docs(conn, "m.user_id = ?", (user_id,))
    page, total = run_query(docs, pq, search, lambda d: d["_search"], "Membership", want_total)
    return 200, {"total": total, "memberships": [_strip(d) for d in page]}


# ------------------------------------------------------------------------------------------------- teams

def _team_doc(row: Any) -> dict[str, Any]:
    return {"$id": row["id"], "$createdAt": row["created_at"], "$updatedAt": row["updated_at"],
            "name": row["name"], "total": row["total"], "prefs": json.loads(row["prefs"]) or {},
            "_seq": row["seq"], "_search": f"{row['id']} {row['name']}"}


def _load_team(conn: Any, team_id: str) -> Any:
    return conn.execute("SELECT * FROM auth_teams WHERE id = ?", (team_id,)).fetchone()


def _is_member(conn: Any, team_id: str, user_id: str | None) -> bool:
    return user_id is not None and conn.execute(
        "SELECT 1 FROM auth_memberships WHERE team_id = ? AND user_id = ? AND confirm = 1",
        (team_id, user_id)).fetchone() is not None


def _readable_team(conn: Any, req: Request, team_id: str) -> Any:
    """The team row if the caller may read it (key, or a confirmed member); Appwrite hides others as 404."""
    row = _load_team(conn, team_id)
    if row is None or (req.role != "key" and not _is_member(conn, team_id, req.user_id)):
        raise team_not_found()
    return row


@ROUTER.route("POST", "/v1/teams", scope="teams.write")
def create_team(req: Request) -> tuple[int, Any]:
    if req.role not in ("key", "user"):
        raise unauthorized()
    team_id = _uid(_get(req, "teamId", required=True), "teamId", allow_unique=True)
    name = _text(_get(req, "name", required=True), "name", 128, allow_empty=False)
    roles_param = _get(req, "roles")
    roles = _roles(roles_param) if roles_param is not None else ["owner"]
    t = now()
    with req.db.write() as conn:
        if _load_team(conn, team_id) is not None:
            raise _err(409, "team_already_exists",
                       "Team with requested ID already exists. Please choose a different ID and try again.")
        conn.execute("INSERT INTO auth_teams (id, name, total, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?)", (team_id, name, 0 if req.role == "key" else 1, t, t))
        if req.role == "user":  # the creator becomes a confirmed member
            conn.execute(
                "INSERT INTO auth_memberships (id, team_id, user_id, roles, invited, joined, confirm, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (unique_id(), team_id, req.user_id, json.dumps(roles), t, t, t, t))
        row = _load_team(conn, team_id)
    return 201, _strip(_team_doc(row))


@ROUTER.route("GET", "/v1/teams", scope="teams.read")
def list_teams(req: Request) -> tuple[int, Any]:
    if req.role not in ("key", "user"):
        raise unauthorized()
    pq = parse_queries(_get(req, "queries"), TEAM_ATTRS)
    search = _search_param(req)
    want_total = _total_param(req)
    with req.db.read() as conn:
        if req.role == "key":
            rows = conn.execute("SELECT * FROM auth_teams ORDER BY seq").fetchall()
        else:
            rows = conn.execute(
                "SELECT t.* FROM auth_teams t JOIN auth_memberships m ON m.team_id = t.id "
                "WHERE m.user_id = ? AND m.confirm = 1 ORDER BY t.seq", (req.user_id,)).fetchall()
    docs = [_team_doc(r) for r in rows]
    page, total = run_query(docs, pq, search, lambda d: d["_search"], "Team", want_total)
    return 200, {"total": total, "teams": [_strip(d) for d in page]}


@ROUTER.route("GET", "/v1/teams/{teamId}", scope="teams.read")
def get_team(req: Request) -> tuple[int, Any]:
    team_id = _path_uid(req, "teamId")
    with req.db.read() as conn:
        row = _readable_team(conn, req, team_id)
    return 200, _strip(_team_doc(row))


@ROUTER.route("DELETE", "/v1/teams/{teamId}", scope="teams.write")
def delete_team(req: Request) -> tuple[int, Any]:
    _require_key(req)
    team_id = _path_uid(req, "teamId")
    with req.db.write() as conn:
        if _load_team(conn, team_id) is None:
            raise team_not_found()
        conn.execute("DELETE FROM auth_memberships WHERE team_id = ?", (team_id,))
        conn.execute("DELETE FROM auth_teams WHERE id = ?", (team_id,))
    return 204, None


# ------------------------------------------------------------------------------------------- memberships

MEMBERSHIP_SELECT = (
    "SELECT m.*, u.name AS u_name, u.email AS u_email, u.phone AS u_phone, u.mfa AS u_mfa, "
    "u.accessed_at AS u_accessed_at, t.name AS t_name FROM auth_memberships m "
    "JOIN auth_users u ON u.id = m.user_id JOIN auth_teams t ON t.id = m.team_id ")


def _membership_doc(row: Any) -> dict[str, Any]:
    return {
        "$id": row["id"],
        "$createdAt": row["created_at"],
        "$updatedAt": row["updated_at"],
        "userId": row["user_id"],
        "userName": row["u_name"] or "",
        "userEmail": row["u_email"] or "",
        "userPhone": row["u_phone"] or "",
        "teamId": row["team_id"],
        "teamName": row["t_name"] or "",
        "invited": row["invited"],
        "joined": row["joined"],
        "confirm": bool(row["confirm"]),
        "mfa": bool(row["u_mfa"]),
        "userAccessedAt": row["u_accessed_at"] or "",
        "roles": json.loads(row["roles"]),
        "_seq": row["seq"],
        "_search": f"{row['id']} {row['user_id']}",
    }


def _membership_docs(conn: Any, where: str, args: Iterable[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(MEMBERSHIP_SELECT + "WHERE " + where + " ORDER BY m.seq", tuple(args)).fetchall()
    return [_membership_doc(r) for r in rows]


def _load_membership(conn: Any, team_id: str, membership_id: str) -> dict[str, Any]:
    docs = _membership_docs(conn, "m.team_id = ? AND m.id = ?", (team_id, membership_id))
    if not docs:
        raise membership_not_found()
    return docs[0]


@ROUTER.route("POST", "/v1/teams/{teamId}/memberships", scope="teams.write")
def create_membership(req: Request) -> tuple[int, Any]:
    team_id = _path_uid(req, "teamId")
    roles = _roles(_get(req, "roles", required=True))
    email = _get(req, "email")
    email = _email(email) if email not in (None, "") else None
    user_id = _get(req, "userId")
    user_id = _uid(user_id, "userId") if user_id not in (None, "") else None
    phone = _get(req, "phone")
    phone = _phone(phone) if phone not in (None, "") else None
    name = _get(req, "name")
    name = _text(name, "name", 128) if name is not None else ""
    url = _get(req, "url")
    if url is not None:
        _text(url, "url", 2048)
    if not (email or user_id or phone):
        raise argument_invalid("At least one of userId, email, or phone is required")
    if req.role != "key":
        # Invitations by e-mail (the only way Appwrite lets non-key callers add members) are not implemented.
        with req.db.read() as conn:
            _readable_team(conn, req, team_id)
        raise _err(401, "user_unauthorized", "User is not allowed to send invitations for this team")
    t = now()
    with req.db.write() as conn:
        if _load_team(conn, team_id) is None:
            raise team_not_found()
        if user_id:
            user = _load_user(conn, user_id)
            if user is None:
                raise user_not_found()
        else:
            if email:
                user = conn.execute("SELECT * FROM auth_users WHERE email = ?", (email,)).fetchone()
            else:
                user = conn.execute("SELECT * FROM auth_users WHERE phone = ?", (phone,)).fetchone()
            if user is None:  # Appwrite creates the invitee
                new_id = unique_id()
                _insert_user(conn, new_id, email, phone, "", name)
                user = _load_user(conn, new_id)
        existing = conn.execute("SELECT confirm, id FROM auth_memberships WHERE team_id = ? AND user_id = ?",
                                (team_id, user["id"])).fetchone()
        if existing is not None:
            if existing["confirm"]:
                raise _err(409, "membership_already_confirmed", "Membership is already confirmed.")
            conn.execute("UPDATE auth_memberships SET roles = ?, joined = ?, confirm = 1, updated_at = ? "
                         "WHERE id = ?", (json.dumps(roles), t, t, existing["id"]))
            membership_id = existing["id"]
        else:
            membership_id = unique_id()
            conn.execute(
                "INSERT INTO auth_memberships (id, team_id, user_id, roles, invited, joined, confirm, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (membership_id, team_id, user["id"], json.dumps(roles), t, t, t, t))
        conn.execute("UPDATE auth_teams SET total = total + 1, updated_at = ? WHERE id = ?", (t, team_id))
        doc = _load_membership(conn, team_id, membership_id)
    return 201, _strip(doc)


@ROUTER.route("GET", "/v1/teams/{teamId}/memberships", scope="teams.read")
def list_memberships(req: Request) -> tuple[int, Any]:
    team_id = _path_uid(req, "teamId")
    pq = parse_queries(_get(req, "queries"), MEMBERSHIP_ATTRS)
    search = _search_param(req)
    want_total = _total_param(req)
    with req.db.read() as conn:
        _readable_team(conn, req, team_id)
        docs = _membership_docs(conn, "m.team_id = ?", (team_id,))
    page, total = run_query(docs, pq, search, lambda d: d["_search"], "Membership", want_total)
    out = [_strip(d) for d in page]
    if req.role != "key":  # privacy defaults for non-privileged callers
        for m in out:
            m["userAccessedAt"] = ""
    return 200, {"total": total, "memberships": out}


@ROUTER.route("GET", "/v1/teams/{teamId}/memberships/{membershipId}", scope="teams.read")
def get_membership(req: Request) -> tuple[int, Any]:
    team_id = _path_uid(req, "teamId")
    membership_id = _path_uid(req, "membershipId")
    with req.db.read() as conn:
        _readable_team(conn, req, team_id)
        doc = _strip(_load_membership(conn, team_id, membership_id))
    if req.role != "key":
        doc["userAccessedAt"] = ""
    return 200, doc


@ROUTER.route("PATCH", "/v1/teams/{teamId}/memberships/{membershipId}", scope="teams.write")
def update_membership(req: Request) -> tuple[int, Any]:
    _require_key(req)
    team_id = _path_uid(req, "teamId")
    membership_id = _path_uid(req, "membershipId")
    roles = _roles(_get(req, "roles", required=True))
    with req.db.write() as conn:
        if _load_team(conn, team_id) is None:
            raise team_not_found()
        _load_membership(conn, team_id, membership_id)
        conn.execute("UPDATE auth_memberships SET roles = ?, updated_at = ? WHERE id = ?",
                     (json.dumps(roles), now(), membership_id))
        doc = _load_membership(conn, team_id, membership_id)
    return 200, _strip(doc)


@ROUTER.route("DELETE", "/v1/teams/{teamId}/memberships/{membershipId}", scope="teams.write")
def delete_membership(req: Request) -> tuple[int, Any]:
    _require_key(req)
    team_id = _path_uid(req, "teamId")
    membership_id = _path_uid(req, "membershipId")
    with req.db.write() as conn:
        if _load_team(conn, team_id) is None:
            raise team_not_found()
        doc = _load_membership(conn, team_id, membership_id)
        conn.execute("DELETE FROM auth_memberships WHERE id = ?", (membership_id,))
        if doc["confirm"]:
            conn.execute("UPDATE auth_teams SET total = MAX(total - 1, 0), updated_at = ? WHERE id = ?",
                         (now(), team_id))
    return 204, None


# ----------------------------------------------------------------------------------------------- account

def _session_doc(row: Any, current_hash: str | None, secret: str = "") -> dict[str, Any]:
    return {
        "$id": row["id"],
        "$createdAt": row["created_at"],
        "$updatedAt": row["updated_at"],
        "userId": row["user_id"],
        "expire": row["expire"],
        "provider": row["provider"],
        "providerUid": row["provider_uid"],
        "providerAccessToken": "",
        "providerAccessTokenExpiry": "",
        "providerRefreshToken": "",
        "ip": row["ip"],
        "osCode": "",
        "osName": "",
        "osVersion": "",
        "clientType": "",
        "clientCode": "",
        "clientName": "",
        "clientVersion": "",
        "clientEngine": "",
        "clientEngineVersion": "",
        "deviceName": "",
        "deviceBrand": "",
        "deviceModel": "",
        "countryCode": "--",
        "countryName": "Unknown",
        "current": current_hash is not None and row["secret_hash"] == current_hash,
        "factors": ["password"],
        "secret": secret,
        "mfaUpdatedAt": "",
    }


def _login(req: Request) -> tuple[int, Any]:
    if req.role == "user":
        raise _err(401, "user_session_already_exists",
                   "Creation of a session is prohibited when a session is active.")
    email_raw = _get(req, "email", required=True)
    email = _email(email_raw)
    password = _password(_get(req, "password", required=True))
    limiter = _limiters[id(req.app)]
    limit_key = (req.path, str(email_raw))
    if req.role != "key" and not limiter.hit(limit_key):
        raise _err(429, "general_rate_limit_exceeded",
                   "Rate limit for the current endpoint has been exceeded. Please try again after some time.")
    with req.db.read() as conn:
        user = conn.execute("SELECT * FROM auth_users WHERE email = ?", (email,)).fetchone()
    if user is None or not user["password"] or not _check_password(password, user["password"]):
        raise _err(401, "user_invalid_credentials", INVALID_CREDENTIALS)
    if not user["status"]:
        raise _err(403, "user_blocked", "The current user has been blocked.")
    secret = secrets.token_hex(64)
    t_dt = now_dt()
    t = fmt(t_dt)
    session_id = unique_id()
    with req.db.write() as conn:
        if _load_user(conn, user["id"]) is None:  # deleted meanwhile
            raise _err(401, "user_invalid_credentials", INVALID_CREDENTIALS)
        conn.execute(
            "INSERT INTO auth_sessions (id, user_id, secret_hash, provider, provider_uid, ip, expire, "
            "created_at, updated_at) VALUES (?, ?, ?, 'email', ?, ?, ?, ?, ?)",
            (session_id, user["id"], _secret_hash(secret), email, req.client_ip,
             fmt(t_dt + SESSION_LENGTH), t, t))
        conn.execute("UPDATE auth_users SET accessed_at = ? WHERE id = ?", (t, user["id"]))
        row = conn.execute("SELECT * FROM auth_sessions WHERE id = ?", (session_id,)).fetchone()
    limiter.reset(limit_key)
    # The secret is a sensitive field: only API keys (and privileged users) see it.
    shown = secret if req.role == "key" else ""
    return 201, _session_doc(row, _secret_hash(secret), shown)


@ROUTER.route("POST", "/v1/account/sessions/email", scope="sessions.write")
def create_email_password_session(req: Request) -> tuple[int, Any]:
    return _login(req)


@ROUTER.route("POST", "/v1/account/sessions", scope="sessions.write")
def create_session_alias(req: Request) -> tuple[int, Any]:
    return _login(req)


def _account_user(req: Request) -> Any:
    if req.role != "user" or req.user_id is None:
        who = "Key" if req.role == "key" else "User"
        role = "applications" if req.role == "key" else "guests"
        raise _err(401, "general_unauthorized_scope", f'{who} (role: {role}) missing scopes (["account"])')
    with req.db.read() as conn:
        row = _load_user(conn, req.user_id)
    if row is None:
        raise user_not_found()
    return row


@ROUTER.route("GET", "/v1/account", scope="account")
def get_account(req: Request) -> tuple[int, Any]:
    return 200, _user_out(_user_doc(_account_user(req)), for_account=True)


def _session_row(req: Request, session_id: str) -> Any:
    user = _account_user(req)
    with req.db.read() as conn:
        if session_id == "current":
            row = conn.execute("SELECT * FROM auth_sessions WHERE secret_hash = ? AND user_id = ?",
                               (_secret_hash(req.session_secret or ""), user["id"])).fetchone()
        else:
            row = conn.execute("SELECT * FROM auth_sessions WHERE id = ? AND user_id = ?",
                               (session_id, user["id"])).fetchone()
    if row is None:
        raise session_not_found()
    return row


@ROUTER.route("GET", "/v1/account/sessions", scope="account")
def list_sessions(req: Request) -> tuple[int, Any]:
    user = _account_user(req)
    with req.db.read() as conn:
        rows = conn.execute("SELECT * FROM auth_sessions WHERE user_id = ? AND expire > ? ORDER BY seq",
                            (user["id"], now())).fetchall()
    current = _secret_hash(req.session_secret or "")
    return 200, {"total": len(rows), "sessions": [_session_doc(r, current) for r in rows]}


@ROUTER.route("GET", "/v1/account/sessions/{sessionId}", scope="account")
def get_session(req: Request) -> tuple[int, Any]:
    row = _session_row(req, req.path_params["sessionId"])
    return 200, _session_doc(row, _secret_hash(req.session_secret or ""))


@ROUTER.route("DELETE", "/v1/account/sessions/{sessionId}", scope="account")
def delete_session(req: Request) -> tuple[int, Any]:
    row = _session_row(req, req.path_params["sessionId"])
    with req.db.write() as conn:
        conn.execute("DELETE FROM auth_sessions WHERE id = ?", (row["id"],))
    return 204, None


@ROUTER.route("DELETE", "/v1/account/sessions", scope="account")
def delete_sessions(req: Request) -> tuple[int, Any]:
    user = _account_user(req)
    with req.db.write() as conn:
        conn.execute("DELETE FROM auth_sessions WHERE user_id = ?", (user["id"],))
    return 204, None
