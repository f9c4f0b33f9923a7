"""The one query engine: Appwrite's JSON queries (the SDK's `Query` strings) → validated SQL with bound
parameters, for rows and documents and for Appwrite's own lists (users, teams, memberships) alike.

Semantics follow utopia-php/database 7.2.6 as Appwrite 1.9 uses it: `equal` with several values is IN,
results are tie-broken on `$sequence`, cursors are keyset conditions over the order columns, `total` counts
the filtered rows up to 5000. String columns use SQLite's NOCASE collation, the stand-in for MariaDB's
case-insensitive utf8mb4_unicode_ci (NOCASE folds ASCII letters only). A `Source` says where the rows are and
what may be queried; refusals are `general_query_invalid` (the lists of Appwrite's own collections turn them
into param errors, as their validators run on the `queries` param).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from . import datetimes
from .errors import AppwriteError, database_query_order_null, general_argument_invalid, general_cursor_not_found
from .errors import general_query_invalid as query_invalid
from .params import has_lone_surrogate

MAX_VALUES = 500
MAX_DEPTH = 3
COUNT_LIMIT = 5000
DEFAULT_LIMIT = 25
INT64_MAX = 2 ** 63 - 1

FILTERS = {
    "equal", "notEqual", "lessThan", "lessThanEqual", "greaterThan", "greaterThanEqual", "between",
    "notBetween", "isNull", "isNotNull", "startsWith", "notStartsWith", "endsWith", "notEndsWith", "contains",
    "notContains", "containsAny", "containsAll", "search", "notSearch", "regex",
}
LOGICAL = {"and", "or"}
ORDERS = {"orderAsc", "orderDesc", "orderRandom"}
CURSORS = {"cursorAfter", "cursorBefore"}
# Methods utopia-php/database 7.2.6 knows but this server has no columns for (spatial, vector, nested).
KNOWN_UNSUPPORTED = {
    "elemMatch", "exists", "notExists", "crosses", "notCrosses", "distanceEqual", "distanceNotEqual",
    "distanceGreaterThan", "distanceLessThan", "intersects", "notIntersects", "overlaps", "notOverlaps",
    "touches", "notTouches", "vectorDot", "vectorCosine", "vectorEuclidean",
}
KNOWN = FILTERS | LOGICAL | ORDERS | CURSORS | KNOWN_UNSUPPORTED | {"limit", "offset", "select"}

ONE_VALUE = {"notEqual", "lessThan", "lessThanEqual", "greaterThan", "greaterThanEqual", "search", "notSearch",
             "startsWith", "notStartsWith", "endsWith", "notEndsWith", "regex"}
SOME_VALUES = {"equal", "contains", "notContains", "containsAny", "containsAll"}
ARRAY_OK = {"contains", "notContains", "containsAny", "containsAll", "isNull", "isNotNull"}
STRING_ONLY = {"startsWith", "notStartsWith", "endsWith", "notEndsWith", "search", "notSearch", "regex"}


@dataclass
class Q:
    method: str
    attribute: str
    values: list[Any]


@dataclass
class Attr:
    sql: str
    kind: str  # string, integer, double, boolean, datetime, sequence ($sequence of rows: digits strings too)
    array: bool = False
    fulltext: str | None = None  # quoted FTS5 table of a fulltext index on exactly this attribute


@dataclass
class Source:
    """Where rows come from and what may be queried."""

    attrs: dict[str, Attr]
    table: str           # FROM
    seq: str = "_seq"    # the $sequence column, last tie-break
    id: str = "_id"      # what cursors look up
    base_where: str = ""
    base_params: tuple[Any, ...] = ()
    cursor_word: str = "Row"
    min_year: int = datetimes.ROW_MIN_YEAR  # datetime values' floor (rows: MariaDB's; Appwrite's lists: 0000)


@dataclass
class Plan:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    orders: list[tuple[str, str, str]] = field(default_factory=list)  # (attribute, sql, ASC|DESC)
    random: bool = False
    limit: int | None = None
    offset: int | None = None
    cursor: str | None = None
    cursor_before: bool = False
    select: set[str] | None = None


# -- parsing ----------------------------------------------------------------------------------------------


def parse(raw: list[str]) -> list[Q]:
    out = []
    for text in raw:
        try:
            obj = json.loads(text)
        except RecursionError as e:
            raise query_invalid("Invalid query: Maximum stack depth exceeded") from e
        except ValueError as e:
            raise query_invalid("Invalid query: Syntax error") from e
        if "\\u" in text and has_lone_surrogate(json.dumps(obj, ensure_ascii=False)):
            # PHP's json_decode refuses it (UDB Query::parse passes on the JsonException's message)
            raise query_invalid("Invalid query: Single unpaired UTF-16 surrogate in unicode escape")
        out.append(_parse_obj(obj, 0))
    return out


def _php_type(v: Any) -> str:
    return {bool: "boolean", int: "integer", float: "double", str: "string", type(None): "NULL"}.get(
        type(v), "array")


def _parse_obj(obj: Any, depth: int) -> Q:
    if not isinstance(obj, dict):
        raise query_invalid(f"Invalid query. Must be an array, got {_php_type(obj)}")
    method = obj.get("method", "")
    attribute = obj.get("attribute", "")
    values = obj.get("values", [])
    if not isinstance(method, str):
        raise query_invalid(f"Invalid query method. Must be a string, got {_php_type(method)}")
    if method not in KNOWN:
        raise query_invalid(f"Invalid query method: {method}")
    if not isinstance(attribute, str):
        raise query_invalid(f"Invalid query attribute. Must be a string, got {_php_type(attribute)}")
    if isinstance(values, dict):
        values = list(values.values())
    if not isinstance(values, list):
        raise query_invalid(f"Invalid query values. Must be an array, got {_php_type(values)}")
    if method in LOGICAL:
        if depth >= MAX_DEPTH:
            raise query_invalid(f"Invalid query: Maximum nesting depth of {MAX_DEPTH} exceeded")
        values = [_parse_obj(v, depth + 1) for v in values]
    return Q(method, attribute, values)


# -- validation and compilation ---------------------------------------------------------------------------


def _convert(attr_name: str, attr: Attr, value: Any, method: str, min_year: int) -> Any:
    """A query value → the SQL parameter, or the validator's complaint."""
    bad = query_invalid(f'Invalid query: Query value is invalid for attribute "{attr_name}"')
    kind = attr.kind
    if method in STRING_ONLY or kind == "string":
        if not isinstance(value, str):
            raise bad
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise bad
        return value
    if kind == "sequence":
        if isinstance(value, str) and value.isdigit() and int(value) <= INT64_MAX:
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64_MAX:
            return value
        raise bad
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, int) and abs(value) > 2 ** 63):
            raise bad
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise bad
        return int(value)
    if kind == "datetime":
        try:
            return datetimes.stored(value, min_year=min_year)
        except datetimes.InvalidDatetime as e:
            raise bad from e
    raise bad


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fulltext_query(term: str) -> str | None:
    """MySQL boolean-mode search as utopia builds it: operators stripped, prefix match on the last word,
    words OR-ed; a term wrapped in double quotes is a phrase."""
    phrase = len(term) > 1 and term.startswith('"') and term.endswith('"')
    cleaned = term
    for ch in '@+-*()<>~"':
        cleaned = cleaned.replace(ch, " ")
    words = cleaned.split()
    if not words:
        return None
    if phrase:
        return '"' + " ".join(words) + '"'
    quoted = ['"' + w + '"' for w in words]
    quoted[-1] += "*"
    return " OR ".join(quoted)


class Compiler:
    def __init__(self, source: Source):
        self.source = source

    def attr(self, name: str) -> Attr:
        found = self.source.attrs.get(name)
        if found is None:
            raise query_invalid(f"Invalid query: Attribute not found in schema: {name}")
        return found

    def filter(self, q: Q) -> tuple[str, list[Any]]:
        m = q.method
        if m in KNOWN_UNSUPPORTED:
            raise query_invalid(f"Invalid query: Cannot query {m} on attribute \"{q.attribute}\": "
                                "no column of this kind exists here")
        if m in LOGICAL:
            if not all(sub.method in FILTERS | LOGICAL | KNOWN_UNSUPPORTED for sub in q.values):
                raise query_invalid(f"Invalid query: {m.capitalize()} queries can only contain filter queries")
            if len(q.values) < 2:
                raise query_invalid(f"Invalid query: {m.capitalize()} queries require at least two queries")
            parts = [self.filter(sub) for sub in q.values]
            joiner = " AND " if m == "and" else " OR "
            return "(" + joiner.join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]

        attr = self.attr(q.attribute)
        values = q.values
        if len(values) > MAX_VALUES:
            raise query_invalid(
                f"Invalid query: Query on attribute has greater than {MAX_VALUES} values: {q.attribute}")
        if m in SOME_VALUES and not values:
            raise query_invalid(f"Invalid query: {m[0].upper() + m[1:]} queries require at least one value.")
        if m in ONE_VALUE and len(values) != 1:
            raise query_invalid(f"Invalid query: {m[0].upper() + m[1:]} queries require exactly one value.")
        if m in ("between", "notBetween") and len(values) != 2:
            raise query_invalid(f"Invalid query: {m[0].upper() + m[1:]} queries require exactly two values.")
        if attr.array and m not in ARRAY_OK:
            raise query_invalid(
                f'Invalid query: Cannot query {m} on attribute "{q.attribute}" because it is an array.')
        if m in ("contains", "notContains", "containsAny", "containsAll") and not attr.array \
                and attr.kind != "string":
            raise query_invalid(f'Invalid query: Cannot query contains on attribute "{q.attribute}" because '
                                "it is not an array or string.")
        if m in STRING_ONLY and attr.kind != "string":
            raise query_invalid(f'Invalid query: Query value is invalid for attribute "{q.attribute}"')
        col = attr.sql

        if m in ("isNull", "isNotNull"):
            return f"{col} IS {'NOT ' if m == 'isNotNull' else ''}NULL", []
        if m in ("search", "notSearch"):
            if attr.fulltext is None:
                raise query_invalid(f'Searching by attribute "{q.attribute}" requires a fulltext index.')
            match = _fulltext_query(_convert(q.attribute, attr, values[0], m, self.source.min_year))
            if match is None:
                return ("0" if m == "search" else "1"), []
            neg = "NOT " if m == "notSearch" else ""
            return f"{self.source.seq} {neg}IN (SELECT rowid FROM {attr.fulltext} WHERE {attr.fulltext} MATCH ?)", [
                match]

        if attr.array:  # contains* on an array column: element membership
            conv = [_convert(q.attribute, attr, v, "equal", self.source.min_year) for v in values]
            one = f"EXISTS (SELECT 1 FROM json_each({col}) WHERE json_each.value = ?)"
            if m in ("contains", "containsAny"):
                return "(" + " OR ".join([one] * len(conv)) + ")", conv
            if m == "containsAll":
                return "(" + " AND ".join([one] * len(conv)) + ")", conv
            return "NOT (" + " OR ".join([one] * len(conv)) + ")", conv

        conv = [_convert(q.attribute, attr, v, m, self.source.min_year) for v in values]
        if m == "equal":
            return f"{col} IN ({', '.join('?' * len(conv))})", conv
        if m == "notEqual":
            return f"{col} != ?", conv
        ops = {"lessThan": "<", "lessThanEqual": "<=", "greaterThan": ">", "greaterThanEqual": ">="}
        if m in ops:
            return f"{col} {ops[m]} ?", conv
        if m == "between":
            return f"{col} BETWEEN ? AND ?", conv
        if m == "notBetween":
            return f"{col} NOT BETWEEN ? AND ?", conv
        if m == "regex":
            return f"{col} REGEXP ?", conv
        if m in ("startsWith", "notStartsWith", "endsWith", "notEndsWith"):
            neg = "NOT " if m.startswith("not") else ""
            v = conv[0]
            starts = m in ("startsWith", "notStartsWith")
            if starts and not any(ch in v for ch in "%_\\"):
                # Without an ESCAPE clause SQLite can turn a prefix LIKE into an index range.
                return f"{col} {neg}LIKE ?", [v + "%"]
            pattern = _like_escape(v) + "%" if starts else "%" + _like_escape(v)
            return f"{col} {neg}LIKE ? ESCAPE '\\'", [pattern]
        # contains family on a string: substring
        patterns = ["%" + _like_escape(v) + "%" for v in conv]
        like = [f"{col} LIKE ? ESCAPE '\\'"] * len(patterns)
        if m in ("contains", "containsAny"):
            return "(" + " OR ".join(like) + ")", patterns
        if m == "containsAll":
            return "(" + " AND ".join(like) + ")", patterns
        return "(" + " AND ".join(f"{col} NOT LIKE ? ESCAPE '\\'" for _ in patterns) + ")", patterns


def plan(source: Source, queries: list[Q], *, allow: set[str] | None = None) -> Plan:
    """Validates every query and compiles filters, orders, limit, offset, cursor and select.

    Only the first limit, offset and cursor count, as in utopia's Query::groupByType.
    `allow` restricts the accepted methods (e.g. only select on get-row).
    """
    compiler = Compiler(source)
    p = Plan()
    seen_limit = seen_offset = seen_cursor = False
    for q in queries:
        m = q.method
        if allow is not None and m not in allow:
            raise query_invalid(f"Invalid query: Query method not allowed: {m}")
        if m in FILTERS or m in LOGICAL or m in KNOWN_UNSUPPORTED:
            sql, params = compiler.filter(q)
            p.where.append(sql)
            p.params.extend(params)
        elif m in ("orderAsc", "orderDesc"):
            name = q.attribute or "$sequence"
            attr = compiler.attr(name)
            if attr.array:
                raise query_invalid(f'Invalid query: Cannot order by attribute "{name}" because it is an array.')
            p.orders.append((name, attr.sql, "ASC" if m == "orderAsc" else "DESC"))
        elif m == "orderRandom":
            p.random = True
        elif m == "limit":
            if len(q.values) != 1 or isinstance(q.values[0], bool) or not isinstance(q.values[0], int) \
                    or not 1 <= q.values[0] <= INT64_MAX:
                raise query_invalid("Invalid query: Invalid limit: Value must be a valid range between 1 and "
                                    "9,223,372,036,854,775,807")
            if not seen_limit:
                p.limit, seen_limit = q.values[0], True
        elif m == "offset":
            if len(q.values) != 1 or isinstance(q.values[0], bool) or not isinstance(q.values[0], int) \
                    or not 0 <= q.values[0] <= INT64_MAX:
                raise query_invalid("Invalid query: Invalid offset: Value must be a valid range between 0 and "
                                    "9,223,372,036,854,775,807")
            if not seen_offset:
                p.offset, seen_offset = q.values[0], True
        elif m in CURSORS:
            if len(q.values) != 1 or not isinstance(q.values[0], str) or not q.values[0] \
                    or len(q.values[0]) > 36:
                raise query_invalid("Invalid query: Invalid cursor: Cursor must contain at most 36 chars. "
                                    "Valid chars are a-z, A-Z, 0-9, and underscore. Can't start with a "
                                    "leading underscore")
            if not seen_cursor:
                p.cursor, p.cursor_before, seen_cursor = q.values[0], m == "cursorBefore", True
        elif m == "select":
            if not q.values:
                raise query_invalid("Invalid query: Select queries require at least one value.")
            wanted = set()
            for v in q.values:
                if not isinstance(v, str):
                    raise query_invalid("Invalid query: Select queries require string values.")
                if v != "*" and v not in source.attrs:
                    raise query_invalid(f"Invalid query: Cannot select attributes: {v}")
                wanted.add(v)
            p.select = wanted if p.select is None else p.select | wanted
    if p.select is not None and "*" in p.select:
        p.select = None
    if p.random and p.cursor is not None:
        raise query_invalid("Invalid query: Cursor pagination is not supported with random order")
    return p


def add_search(p: Plan, source: Source, fulltext: str, term: str) -> None:
    """The `search` param of Appwrite's own lists: `Query::search('search', term)` over the collection's
    fulltext index (AW Users/Teams/Memberships XList)."""
    match = _fulltext_query(term)
    if match is None:  # only operators: MATCH … AGAINST('') finds nothing
        p.where.append("0")
        return
    p.where.append(f"{source.seq} IN (SELECT rowid FROM {fulltext} WHERE {fulltext} MATCH ?)")
    p.params.append(match)


def _order_sql(orders: list[tuple[str, str, str]]) -> str:
    return ", ".join(f"{sql} {direction}" for _, sql, direction in orders)


def execute(conn: sqlite3.Connection, source: Source, p: Plan, *,
            with_total: bool) -> tuple[list[sqlite3.Row], int]:
    """Runs the plan: the page of rows and the (capped) count of rows matching the filters."""
    where = ([source.base_where] if source.base_where else []) + p.where
    params = list(source.base_params) + p.params

    total = 0
    if with_total:
        where_sql = (" WHERE " + " AND ".join(where)) if where else ""
        total = conn.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {source.table}{where_sql} LIMIT {COUNT_LIMIT})",
                             params).fetchone()[0]

    orders = list(p.orders)
    if p.random:
        order_sql = "RANDOM()"
    else:
        if not any(name in ("$id", "$sequence") for name, _, _ in orders):
            direction = orders[0][2] if orders and orders[0][0] in ("$createdAt", "$updatedAt") else "ASC"
            orders.append(("$sequence", source.seq, direction))
        if p.cursor_before:
            orders = [(n, s, "DESC" if d == "ASC" else "ASC") for n, s, d in orders]
        order_sql = _order_sql(orders)

    page_where = list(where)
    page_params = list(params)
    if p.cursor is not None:
        cols = ", ".join(sql for _, sql, _ in orders)
        base = (" AND " + source.base_where) if source.base_where else ""
        cur = conn.execute(f"SELECT {cols} FROM {source.table} WHERE {source.id} = ?{base}",
                           [p.cursor, *source.base_params]).fetchone()
        if cur is None:
            raise general_cursor_not_found(source.cursor_word, p.cursor)
        values = list(cur)
        for (name, _, _), v in zip(orders, values, strict=True):
            if v is None:
                raise database_query_order_null(name)
        # (a > v0) OR (a = v0 AND b > v1) OR …, plus a range on the leading column so an index can seek.
        branches, branch_params = [], []
        for i, (_, sql, direction) in enumerate(orders):
            eqs = [f"{orders[j][1]} = ?" for j in range(i)]
            op = ">" if direction == "ASC" else "<"
            branches.append("(" + " AND ".join([*eqs, f"{sql} {op} ?"]) + ")")
            branch_params.extend(values[:i] + [values[i]])
        lead_op = ">=" if orders[0][2] == "ASC" else "<="
        page_where.append(f"{orders[0][1]} {lead_op} ?")
        page_params.append(values[0])
        page_where.append("(" + " OR ".join(branches) + ")")
        page_params.extend(branch_params)

    where_sql = (" WHERE " + " AND ".join(page_where)) if page_where else ""
    limit = p.limit if p.limit is not None else DEFAULT_LIMIT
    offset = p.offset or 0
    rows = conn.execute(f"SELECT * FROM {source.table}{where_sql} ORDER BY {order_sql} LIMIT ? OFFSET ?",
                        [*page_params, min(limit, INT64_MAX), offset]).fetchall()
    if p.cursor_before:
        rows.reverse()
    return rows, total


def system_list(conn: sqlite3.Connection, source: Source, raw: list[str], *, search: str = "",
                fulltext: str | None = None, with_total: bool = True) -> tuple[list[sqlite3.Row], int]:
    """A page of one of Appwrite's own collections (users, teams, memberships). Their queries are checked by the
    `queries` param's validator (AW Validator/Queries/Base.php), so a refusal is 400 general_argument_invalid
    ``Invalid `queries` param: …``; `select` is not among the methods it takes."""
    try:
        queries = parse(raw)
        for q in queries:
            if q.method in ("select", "orderRandom"):
                raise query_invalid(f"Invalid query method: {q.method}")
        p = plan(source, queries)
    except AppwriteError as e:
        if e.type != "general_query_invalid":
            raise
        message = e.message if e.message.startswith("Invalid query") else "Invalid query: " + e.message
        raise general_argument_invalid("Invalid `queries` param: " + message) from e
    if search and fulltext is not None:
        add_search(p, source, fulltext, search)
    return execute(conn, source, p, with_total=with_total)
