"""The rows model: rows (documents) inserted, changed, listed and deleted in their table's SQLite table, with
Appwrite's rules for system keys, defaults and `$updatedAt` (no HTTP)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .. import datetimes
from .. import queries as Q
from ..errors import (
    attribute_type_invalid,
    column_limit_exceeded,
    column_not_found,
    param_invalid,
    row_already_exists,
    row_invalid_structure,
    row_not_found,
)
from .catalog import Table
from .family import Family
from .values import to_sql, validate_data

IGNORED_SYSTEM_KEYS = {"$id", "$sequence", "$tableId", "$collectionId", "$databaseId", "$permissions"}
SYSTEM_ATTRS = {
    "$id": Q.Attr("_id", "string"),
    "$sequence": Q.Attr("_seq", "sequence"),
    "$createdAt": Q.Attr("_createdAt", "datetime"),
    "$updatedAt": Q.Attr("_updatedAt", "datetime"),
}


def source(table: Table, fam: Family) -> Q.Source:
    """What the query engine may query in `table` (cached on the table, which the catalog renews)."""
    cached = getattr(table, "_source", None)
    if cached is not None and cached[0] is fam:
        return cached[1]
    attrs = dict(SYSTEM_ATTRS)
    for key, col in table.columns.items():
        attrs[key] = Q.Attr(col.sql, col.kind, col.array, table.fulltext_for(key))
    found = Q.Source(attrs, table.sql, cursor_word=fam.row_title)
    table._source = (fam, found)  # type: ignore[attr-defined]
    return found


def _split_system(data: dict[str, Any], fam: Family) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separates `$createdAt`/`$updatedAt`/`$permissions` (honoured for API keys) from column values."""
    system: dict[str, Any] = {}
    columns: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("$createdAt", "$updatedAt"):
            if value is not None:
                try:
                    system[key] = datetimes.stored(value)
                except datetimes.InvalidDatetime as e:
                    raise row_invalid_structure(
                        fam, f'Attribute "{key}" has invalid type. {datetimes.range_text()}') from e
        elif key in IGNORED_SYSTEM_KEYS:
            system[key] = value
        else:
            columns[key] = value
    return system, columns


def fetch(conn: sqlite3.Connection, table: Table, row_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT * FROM {table.sql} WHERE _id = ?", (row_id,)).fetchone()


def get(conn: sqlite3.Connection, table: Table, fam: Family, row_id: str) -> sqlite3.Row:
    row = fetch(conn, table, row_id)
    if row is None:
        raise row_not_found(fam, row_id)
    return row


def insert(conn: sqlite3.Connection, table: Table, fam: Family, row_id: str, data: dict[str, Any],
           permissions: list[str] | None, permission_check: Any = None) -> sqlite3.Row:
    """`permission_check` validates a `$permissions` key of the data like the `permissions` param."""
    system, values = _split_system(data, fam)
    if permissions is None and isinstance(system.get("$permissions"), list) and permission_check is not None:
        permissions = permission_check(system["$permissions"])
    stored = validate_data(table, values, fam, partial=False)
    for key, col in table.columns.items():
        if key not in stored and col.default is not None:
            stored[key] = col.default if col.kind in ("datetime", "double") else to_sql(col, col.default)
    now = datetimes.now_stored()
    names = ["_id", "_createdAt", "_updatedAt", "_permissions"] + [table.columns[k].sql for k in stored]
    args = [row_id, system.get("$createdAt", now), system.get("$updatedAt", now),
            json.dumps(permissions or [])] + list(stored.values())
    try:
        cur = conn.execute(f"INSERT INTO {table.sql} ({', '.join(names)}) VALUES ({', '.join('?' * len(args))})",
                           args)
    except sqlite3.IntegrityError as e:
        raise row_already_exists(fam, row_id) from e
    return conn.execute(f"SELECT * FROM {table.sql} WHERE _seq = ?", (cur.lastrowid,)).fetchone()


def update(conn: sqlite3.Connection, table: Table, fam: Family, old: sqlite3.Row, data: dict[str, Any],
           permissions: list[str] | None) -> sqlite3.Row:
    system, values = _split_system(data, fam)
    stored = validate_data(table, values, fam, partial=True)
    sets = {table.columns[k].sql: v for k, v in stored.items() if old["c_" + k] != v}
    new_permissions = json.dumps(permissions) if permissions is not None else old["_permissions"]
    if new_permissions != old["_permissions"]:
        sets["_permissions"] = new_permissions
    if "$createdAt" in system:
        sets["_createdAt"] = system["$createdAt"]
    if not sets and "$updatedAt" not in system:
        return old  # nothing changed: Appwrite keeps $updatedAt as it was
    sets["_updatedAt"] = system.get("$updatedAt", datetimes.now_stored())
    try:
        conn.execute(f"UPDATE {table.sql} SET {', '.join(f'{k} = ?' for k in sets)} WHERE _seq = ?",
                     [*sets.values(), old["_seq"]])
    except sqlite3.IntegrityError as e:
        raise row_already_exists(fam, old["_id"]) from e
    return conn.execute(f"SELECT * FROM {table.sql} WHERE _seq = ?", (old["_seq"],)).fetchone()


def delete(conn: sqlite3.Connection, table: Table, fam: Family, row_id: str) -> None:
    if conn.execute(f"DELETE FROM {table.sql} WHERE _id = ?", (row_id,)).rowcount == 0:
        raise row_not_found(fam, row_id)


def listing(conn: sqlite3.Connection, table: Table, fam: Family, queries: list[Q.Q], *,
            with_total: bool) -> tuple[list[sqlite3.Row], int, set[str] | None]:
    """A page of rows, the capped count of matches, and the selected columns (None: all)."""
    src = source(table, fam)
    plan = Q.plan(src, queries)
    rows, total = Q.execute(conn, src, plan, with_total=with_total)
    return rows, total, plan.select


def selection(table: Table, fam: Family, queries: list[Q.Q]) -> set[str] | None:
    """Get-row takes only select queries."""
    return Q.plan(source(table, fam), queries, allow={"select"}).select


def matching(conn: sqlite3.Connection, table: Table, fam: Family, queries: list[Q.Q]) -> list[sqlite3.Row]:
    """Rows matched by the queries of a bulk update/delete; without a limit query, all of them."""
    src = source(table, fam)
    plan = Q.plan(src, queries)
    if plan.limit is None:
        plan.limit = Q.INT64_MAX
    rows, _ = Q.execute(conn, src, plan, with_total=False)
    return rows


def delete_rows(conn: sqlite3.Connection, table: Table, rows: list[sqlite3.Row]) -> None:
    for r in rows:
        conn.execute(f"DELETE FROM {table.sql} WHERE _seq = ?", (r["_seq"],))


def _php_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def step(conn: sqlite3.Connection, table: Table, fam: Family, row_id: str, key: str, delta: float,
         limit: float | None) -> sqlite3.Row:
    """Increments (delta > 0) or decrements a numeric column, refusing to pass `limit`, with the errors of
    AW Documents/Attribute/Increment.php over utopia's increaseDocumentAttribute."""
    api = "tablesDB" if fam.row == "row" else "databases"
    col = table.columns.get(key)
    old = fetch(conn, table, row_id)
    if col is None or old is None:  # utopia's NotFoundException, for the attribute or the document alike
        raise column_not_found(fam, "%s")  # Appwrite passes no id to the message
    if col.kind not in ("integer", "double") or col.array:
        raise attribute_type_invalid(f'{api} "{key}" is not a number')
    new = (old["c_" + col.key] or 0) + delta
    if col.kind == "integer" and isinstance(new, float):
        raise param_invalid("value", "Value must be a valid integer")
    if limit is not None and (new > limit if delta > 0 else new < limit):
        edge = "maximum" if delta > 0 else "minimum"
        raise column_limit_exceeded(fam, f'{api} "{key}" has reached the {edge} value of {_php_number(limit)}')
    return update(conn, table, fam, old, {col.key: new}, None)
