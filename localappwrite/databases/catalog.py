"""The catalog: metadata of databases, tables (one real SQLite table `t_<internal id>` each), columns and
indexes, with a cache in front (dropped after every schema change). Shared by both route families."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ..errors import database_not_found, table_not_found
from ..storage import Database, quote
from .family import Family

# -- schema objects --------------------------------------------------------------------------------------

STRING_TYPES = {"string", "varchar", "text", "mediumtext", "longtext"}
TEXT_SIZES = {"text": 65535, "mediumtext": 16777215, "longtext": 4294967295}
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
FLOAT_MAX = 1.7976931348623157e308


@dataclass
class Column:
    key: str
    type: str            # string, varchar, text, mediumtext, longtext, integer, double, boolean, datetime
    required: bool
    array: bool = False
    size: int = 0
    default: Any = None
    min: Any = None
    max: Any = None
    format: str = ""     # "", enum, email, url, ip, datetime
    elements: list[str] = field(default_factory=list)
    encrypt: bool = False
    description: str = ""
    created: str = ""
    updated: str = ""

    @property
    def sql(self) -> str:
        return quote("c_" + self.key)

    @property
    def kind(self) -> str:
        """What values look like: string, integer, double, boolean or datetime."""
        return "string" if self.type in STRING_TYPES else self.type

    @property
    def sql_type(self) -> str:
        if self.array:
            return "TEXT"
        return {"string": "TEXT COLLATE NOCASE", "integer": "INTEGER", "double": "REAL",
                "boolean": "INTEGER", "datetime": "TEXT"}[self.kind]

    def spec(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("type", "required", "array", "size", "default", "min", "max",
                                              "format", "elements", "encrypt", "description")}


@dataclass
class Index:
    key: str
    type: str                    # key, unique, fulltext
    columns: list[str]
    orders: list[str | None]
    lengths: list[int | None]
    status: str = "available"
    error: str = ""
    created: str = ""
    updated: str = ""


@dataclass
class Table:
    internal: int
    database_id: str
    id: str
    name: str
    enabled: bool
    row_security: bool
    permissions: list[str]
    description: str
    created: str
    updated: str
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)

    @property
    def sql(self) -> str:
        return quote(f"t_{self.internal}")

    def fts_table(self, index: Index) -> str:
        return f"f_{self.internal}_{index.key}"

    def fulltext_for(self, key: str) -> str | None:
        """The FTS5 table of an available fulltext index on exactly [key], if there is one."""
        for index in self.indexes.values():
            if index.type == "fulltext" and index.columns == [key] and index.status == "available":
                return quote(self.fts_table(index))
        return None


@dataclass
class DatabaseMeta:
    id: str
    name: str
    type: str
    enabled: bool
    description: str
    created: str
    updated: str


META_DDL = """
CREATE TABLE IF NOT EXISTS aw_databases (
    id TEXT PRIMARY KEY COLLATE NOCASE, name TEXT NOT NULL, type TEXT NOT NULL, enabled INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS aw_tables (
    internal INTEGER PRIMARY KEY AUTOINCREMENT, database_id TEXT NOT NULL COLLATE NOCASE,
    id TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL, enabled INTEGER NOT NULL, row_security INTEGER NOT NULL,
    permissions TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, updated TEXT NOT NULL,
    UNIQUE (database_id, id));
CREATE TABLE IF NOT EXISTS aw_columns (
    table_internal INTEGER NOT NULL, key TEXT NOT NULL COLLATE NOCASE, type TEXT NOT NULL, spec TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (table_internal, key));
CREATE TABLE IF NOT EXISTS aw_indexes (
    table_internal INTEGER NOT NULL, key TEXT NOT NULL COLLATE NOCASE, type TEXT NOT NULL, spec TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (table_internal, key));
"""


class Catalog:
    """Schema metadata with a cache in front; every method runs under the database lock."""

    def __init__(self, db: Database):
        self.db = db
        self._tables: dict[tuple[str, str], Table] = {}
        self._databases: dict[str, DatabaseMeta] = {}
        self._writes: dict[int, int] = {}
        self._analyzed_rows: dict[int, int] = {}
        db.run_script(META_DDL)

    def note_writes(self, conn: sqlite3.Connection, table: Table, count: int = 1) -> None:
        """Keeps SQLite's planner statistics fresh: ANALYZE a table once ~20% of it has changed.

        Without statistics SQLite prefers an index matching the filters over one matching the order, which
        turns "status IN (…) ORDER BY lastSeen LIMIT 25" into a sort of every match.
        """
        done = self._writes.get(table.internal, 0) + count
        if done < max(500, self._analyzed_rows.get(table.internal, 0) // 5):
            self._writes[table.internal] = done
            return
        self.analyze(conn, table)

    def analyze(self, conn: sqlite3.Connection, table: Table) -> None:
        conn.execute(f"ANALYZE {table.sql}")
        self._writes[table.internal] = 0
        self._analyzed_rows[table.internal] = conn.execute(f"SELECT COUNT(*) FROM {table.sql}").fetchone()[0]

    def forget(self) -> None:
        """Drops the cached schema; called after every schema change (also when it rolled back)."""
        self._tables.clear()
        self._databases.clear()

    # -- databases --
    def database(self, conn: sqlite3.Connection, database_id: str) -> DatabaseMeta:
        key = database_id.lower()
        found = self._databases.get(key)
        if found is None:
            r = conn.execute("SELECT * FROM aw_databases WHERE id = ?", (database_id,)).fetchone()
            if r is None:
                raise database_not_found(database_id)
            found = DatabaseMeta(r["id"], r["name"], r["type"], bool(r["enabled"]), r["description"],
                                 r["created"], r["updated"])
            self._databases[key] = found
        return found

    # -- tables --
    def table(self, conn: sqlite3.Connection, database_id: str, table_id: str, fam: Family) -> Table:
        key = (database_id.lower(), table_id.lower())
        found = self._tables.get(key)
        if found is not None:
            return found
        self.database(conn, database_id)
        r = conn.execute("SELECT * FROM aw_tables WHERE database_id = ? AND id = ?",
                         (database_id, table_id)).fetchone()
        if r is None:
            raise table_not_found(fam, table_id)
        table = Table(r["internal"], r["database_id"], r["id"], r["name"], bool(r["enabled"]),
                      bool(r["row_security"]), json.loads(r["permissions"]), r["description"], r["created"],
                      r["updated"])
        for c in conn.execute("SELECT * FROM aw_columns WHERE table_internal = ? ORDER BY rowid",
                              (table.internal,)):
            spec = json.loads(c["spec"])
            table.columns[c["key"]] = Column(key=c["key"], created=c["created"], updated=c["updated"], **spec)
        for i in conn.execute("SELECT * FROM aw_indexes WHERE table_internal = ? ORDER BY rowid",
                              (table.internal,)):
            spec = json.loads(i["spec"])
            table.indexes[i["key"]] = Index(key=i["key"], type=i["type"], status=i["status"], error=i["error"],
                                            created=i["created"], updated=i["updated"], **spec)
        self._tables[key] = table
        return table
