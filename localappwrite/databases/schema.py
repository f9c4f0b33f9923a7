"""The schema model: databases, tables, columns and indexes created, changed and dropped in SQLite (no HTTP).

Callers hold a write transaction; every change is followed by `catalog.forget()` (also when it rolled back).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .. import datetimes
from ..errors import (
    column_already_exists,
    column_not_found,
    column_unknown,
    database_already_exists,
    index_already_exists,
    index_invalid,
    index_not_found,
    table_already_exists,
)
from ..storage import create_fulltext, drop_fulltext, quote
from .catalog import Catalog, Column, DatabaseMeta, Index, Table
from .family import Family

SYSTEM_SQL = {"$id": "_id", "$sequence": "_seq", "$createdAt": "_createdAt", "$updatedAt": "_updatedAt"}


# -- databases --------------------------------------------------------------------------------------------


def create_database(conn: sqlite3.Connection, database_id: str, name: str, db_type: str, enabled: bool,
                    description: str) -> None:
    now = datetimes.now_stored()
    try:
        conn.execute("INSERT INTO aw_databases (id, name, type, enabled, description, created, updated) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", (database_id, name, db_type, int(enabled), description, now, now))
    except sqlite3.IntegrityError as e:
        raise database_already_exists(database_id) from e


def update_database(conn: sqlite3.Connection, d: DatabaseMeta, name: str, enabled: bool, description: str) -> None:
    conn.execute("UPDATE aw_databases SET name = ?, enabled = ?, description = ?, updated = ? WHERE id = ?",
                 (name, int(enabled), description, datetimes.now_stored(), d.id))


def delete_database(conn: sqlite3.Connection, catalog: Catalog, d: DatabaseMeta, fam: Family) -> None:
    for r in conn.execute("SELECT id FROM aw_tables WHERE database_id = ?", (d.id,)).fetchall():
        drop_table(conn, catalog.table(conn, d.id, r["id"], fam))
    conn.execute("DELETE FROM aw_databases WHERE id = ?", (d.id,))


# -- tables -----------------------------------------------------------------------------------------------


def create_table(conn: sqlite3.Connection, fam: Family, d: DatabaseMeta, table_id: str, name: str,
                 permissions: list[str], security: bool, enabled: bool, description: str) -> None:
    now = datetimes.now_stored()
    try:
        cur = conn.execute(
            "INSERT INTO aw_tables (database_id, id, name, enabled, row_security, permissions, description, "
            "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (d.id, table_id, name, int(enabled), int(security), json.dumps(permissions), description, now, now))
    except sqlite3.IntegrityError as e:
        raise table_already_exists(fam, table_id) from e
    t = f"t_{cur.lastrowid}"
    conn.execute(f"CREATE TABLE {quote(t)} (_seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                 "_id TEXT NOT NULL COLLATE NOCASE UNIQUE, _createdAt TEXT NOT NULL, _updatedAt TEXT NOT NULL, "
                 "_permissions TEXT NOT NULL DEFAULT '[]')")
    conn.execute(f"CREATE INDEX {quote(t + '__createdAt')} ON {quote(t)} (_createdAt)")
    conn.execute(f"CREATE INDEX {quote(t + '__updatedAt')} ON {quote(t)} (_updatedAt)")


def update_table(conn: sqlite3.Connection, table: Table, name: str, permissions: list[str] | None, security: bool,
                 enabled: bool, description: str) -> None:
    conn.execute("UPDATE aw_tables SET name = ?, permissions = ?, row_security = ?, enabled = ?, description = ?, "
                 "updated = ? WHERE internal = ?",
                 (name, json.dumps(table.permissions if permissions is None else permissions), int(security),
                  int(enabled), description, datetimes.now_stored(), table.internal))


def drop_table(conn: sqlite3.Connection, table: Table) -> None:
    for index in table.indexes.values():
        if index.type == "fulltext":
            drop_fulltext(conn, table.fts_table(index))
    conn.execute(f"DROP TABLE IF EXISTS {table.sql}")
    conn.execute("DELETE FROM aw_columns WHERE table_internal = ?", (table.internal,))
    conn.execute("DELETE FROM aw_indexes WHERE table_internal = ?", (table.internal,))
    conn.execute("DELETE FROM aw_tables WHERE internal = ?", (table.internal,))


# -- columns ----------------------------------------------------------------------------------------------


def add_column(conn: sqlite3.Connection, table: Table, fam: Family, col: Column) -> Column:
    if col.key.lower() in (k.lower() for k in table.columns):
        raise column_already_exists(fam, col.key)
    conn.execute(f"ALTER TABLE {table.sql} ADD COLUMN {col.sql} {col.sql_type}")
    conn.execute("INSERT INTO aw_columns (table_internal, key, type, spec, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                 (table.internal, col.key, col.type, json.dumps(col.spec()), col.created, col.updated))
    table.columns[col.key] = col
    return col


def column(table: Table, fam: Family, key: str) -> Column:
    found = table.columns.get(key)
    if found is None:
        raise column_not_found(fam, key)
    return found


def replace_column(conn: sqlite3.Connection, table: Table, fam: Family, old: Column, new: Column) -> None:
    """Writes `new` (same key, or a new one: the column and its indexes are renamed) over `old`."""
    if new.key != old.key:
        if new.key.lower() in (k.lower() for k in table.columns):
            raise column_already_exists(fam, new.key)
        conn.execute(f"ALTER TABLE {table.sql} RENAME COLUMN {old.sql} TO {new.sql}")
        for index in table.indexes.values():
            if old.key in index.columns:
                index.columns = [new.key if c == old.key else c for c in index.columns]
                conn.execute("UPDATE aw_indexes SET spec = ? WHERE table_internal = ? AND key = ?",
                             (json.dumps(_index_spec(index)), table.internal, index.key))
    conn.execute("UPDATE aw_columns SET key = ?, spec = ?, updated = ? WHERE table_internal = ? AND key = ?",
                 (new.key, json.dumps(new.spec()), new.updated, table.internal, old.key))


def drop_column(conn: sqlite3.Connection, table: Table, col: Column) -> None:
    for index in list(table.indexes.values()):
        if col.key in index.columns:
            drop_index(conn, table, index)
    conn.execute(f"ALTER TABLE {table.sql} DROP COLUMN {col.sql}")
    conn.execute("DELETE FROM aw_columns WHERE table_internal = ? AND key = ?", (table.internal, col.key))


# -- indexes ----------------------------------------------------------------------------------------------


def _index_spec(index: Index) -> dict[str, Any]:
    return {"columns": index.columns, "orders": index.orders, "lengths": index.lengths}


def add_index(conn: sqlite3.Connection, table: Table, fam: Family, key: str, type_: str, columns: list[str],
              orders: list[str | None], lengths: list[int | None]) -> Index:
    if key.lower() in (k.lower() for k in table.indexes):
        raise index_already_exists(key)
    for c in columns:
        if c not in table.columns and c not in SYSTEM_SQL:
            raise column_unknown(fam, c)
    if type_ in ("spatial", "trigram"):
        raise index_invalid(f"{type_.capitalize()} indexes are not supported by this adapter.")
    if type_ == "fulltext":
        for c in columns:
            if c not in table.columns or table.columns[c].kind != "string":
                raise index_invalid(f'{fam.column_title} "{c}" cannot be part of a fulltext index, must be of type '
                                    "string")
    now = datetimes.now_stored()
    index = Index(key=key, type=type_, columns=list(columns),
                  orders=[o.upper() if isinstance(o, str) else None for o in orders],
                  lengths=list(lengths), created=now, updated=now)
    if type_ == "fulltext":
        if len(columns) == 1:
            col = table.columns[columns[0]]
            create_fulltext(conn, table.fts_table(index), table.sql, "_seq", "{row}." + col.sql, [col.sql])
    else:
        parts = []
        for i, c in enumerate(columns):
            sql = quote(SYSTEM_SQL[c]) if c in SYSTEM_SQL else table.columns[c].sql
            order = index.orders[i] if i < len(index.orders) and index.orders[i] else ""
            parts.append(f"{sql} {order}".strip())
        unique = "UNIQUE " if type_ == "unique" else ""
        try:
            conn.execute(f"CREATE {unique}INDEX {quote(f'i_{table.internal}_{key}')} ON {table.sql} "
                         f"({', '.join(parts)})")
        except sqlite3.IntegrityError as e:
            # Appwrite builds indexes in a worker; one that cannot be built ends up "failed".
            index.status, index.error = "failed", f"Duplicate entry: {e}"
    conn.execute("INSERT INTO aw_indexes (table_internal, key, type, spec, status, error, created, updated) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (table.internal, key, type_, json.dumps(_index_spec(index)), index.status, index.error, now, now))
    table.indexes[key] = index
    return index


def index(table: Table, key: str) -> Index:
    for k, found in table.indexes.items():
        if k.lower() == key.lower():
            return found
    raise index_not_found(key)


def drop_index(conn: sqlite3.Connection, table: Table, index: Index) -> None:
    if index.type == "fulltext":
        drop_fulltext(conn, table.fts_table(index))
    else:
        conn.execute(f"DROP INDEX IF EXISTS {quote(f'i_{table.internal}_{index.key}')}")
    conn.execute("DELETE FROM aw_indexes WHERE table_internal = ? AND key = ?", (table.internal, index.key))
    table.indexes.pop(index.key, None)
