"""SQLite storage behind the databases routes: metadata of databases, tables, columns and indexes, and one
real SQLite table per Appwrite table (`t_<internal id>`), with SQLite indexes for Appwrite indexes.

Both route families (TablesDB and the legacy Databases API) share this storage; `Family` carries the words
(row/document, table/collection, column/attribute) in which each family answers.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .server import AppwriteError, Database, argument_invalid

# -- datetimes -------------------------------------------------------------------------------------------
# Stored as UTC text "YYYY-MM-DD HH:MM:SS.mmm" (fixed width, so text order is time order, as DATETIME(3)
# in Appwrite's MariaDB), answered as "YYYY-MM-DDTHH:MM:SS.mmm+00:00".


def now_stored() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}"


def stored_to_output(value: str | None) -> str | None:
    if value is None:
        return None
    return f"{value[:10]}T{value[11:23]}+00:00"


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: Any) -> str:
    """Any ISO-8601 date or datetime (an offset is converted to UTC, none means UTC) → stored form.

    Raises ValueError when the value is not such a date or lies outside 1000-01-01 … 9999-12-31.
    """
    if not isinstance(value, str) or not value or len(value) > 64:
        raise ValueError("not a datetime")
    text = value.strip()
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    dt = datetime.fromisoformat(text.replace("z", "Z"))
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    if not 1000 <= dt.year <= 9999:
        raise ValueError("out of range")
    return dt.strftime("%Y-%m-%d %H:%M:%S") + f".{dt.microsecond // 1000:03d}"


# -- ids -------------------------------------------------------------------------------------------------

_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$")
ID_RULE = ("Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, "
           "and underscore. Can't start with a special char")
KEY_RULE = ("Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, "
            "and underscore. Can't start with a special char")


def unique_id() -> str:
    """Like Appwrite's ID::unique(): PHP uniqid() (13 hex digits of time) plus 7 random hex digits."""
    t = time.time()
    return f"{int(t):08x}{int(t * 1_000_000) % 1_000_000:05x}" + secrets.token_hex(4)[:7]


def custom_id(value: Any, param: str, *, allow_unique: bool = True) -> str:
    """Validates a `…Id` parameter like Appwrite's CustomId validator; `unique()` makes a fresh one."""
    if allow_unique and value == "unique()":
        return unique_id()
    if not isinstance(value, str) or not _ID.match(value):
        raise argument_invalid(f"Invalid `{param}` param: {ID_RULE}")
    return value


def valid_key(value: Any, param: str = "key") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise argument_invalid(f"Invalid `{param}` param: {KEY_RULE}")
    return value


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- families --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """How one route family names things, in its paths, params, JSON keys and error types."""

    db_type: str          # type of databases it creates
    row: str              # "row" / "document"
    row_title: str        # "Row" / "Document"
    rows: str             # "rows" / "documents"
    table: str            # "table" / "collection"
    table_title: str
    tables: str
    column: str           # "column" / "attribute"
    column_title: str
    columns: str
    table_id_key: str     # "$tableId" / "$collectionId"
    table_param: str      # "tableId" / "collectionId"
    row_param: str        # "rowId" / "documentId"
    security_key: str     # "rowSecurity" / "documentSecurity"
    index_columns_key: str  # "columns" / "attributes"

    def row_not_found(self, row_id: str | None = None) -> AppwriteError:
        return AppwriteError(404, f"{self.row}_not_found",
                             f"{self.row_title} with the requested ID could not be found.")

    def table_not_found(self) -> AppwriteError:
        return AppwriteError(404, f"{self.table}_not_found",
                             f"{self.table_title} with the requested ID could not be found.")

    def column_not_found(self) -> AppwriteError:
        return AppwriteError(404, f"{self.column}_not_found",
                             f"{self.column_title} with the requested ID could not be found.")

    def row_exists(self) -> AppwriteError:
        return AppwriteError(409, f"{self.row}_already_exists",
                             f"{self.row_title} with the requested ID already exists. Try again with a "
                             "different ID or use ID.unique() to generate a unique ID.")

    def invalid_structure(self, detail: str) -> AppwriteError:
        # The message is utopia-php/database's, which says "document" and "attribute" for both families.
        return AppwriteError(400, f"{self.row}_invalid_structure", f"Invalid document structure: {detail}")

    def invalid_column_value(self, detail: str) -> AppwriteError:
        return AppwriteError(400, f"{self.column}_value_invalid", detail)


TABLESDB = Family("tablesdb", "row", "Row", "rows", "table", "Table", "tables", "column", "Column", "columns",
                  "$tableId", "tableId", "rowId", "rowSecurity", "columns")
LEGACY = Family("legacy", "document", "Document", "documents", "collection", "Collection", "collections",
                "attribute", "Attribute", "attributes", "$collectionId", "collectionId", "documentId",
                "documentSecurity", "attributes")


def database_not_found() -> AppwriteError:
    return AppwriteError(404, "database_not_found", "Database not found.")


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


def _regexp(pattern: str, value: Any) -> bool:
    if value is None or not isinstance(value, str):
        return False
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


class Store:
    """Schema metadata with a cache in front; every method runs under the database lock."""

    def __init__(self, db: Database):
        self.db = db
        self._tables: dict[tuple[str, str], Table] = {}
        self._databases: dict[str, DatabaseMeta] = {}
        self._writes: dict[int, int] = {}
        self._analyzed_rows: dict[int, int] = {}
        db.conn.create_function("regexp", 2, _regexp, deterministic=True)
        with db.write() as conn:
            for stmt in META_DDL.split(";"):
                if stmt.strip():
                    conn.execute(stmt)

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
                raise database_not_found()
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
            raise fam.table_not_found()
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


def store_of(app: Any) -> Store:
    return app.databases_store  # set by databases.init


# -- value validation (UDB Structure validator) ----------------------------------------------------------


def _range_text(lo: float, hi: float) -> str:
    def fmt(v: float) -> str:
        return f"{v:,}" if isinstance(v, int) else f"{v:,.0f}" if abs(v) < 1e21 else repr(v)
    return f"Value must be a valid range between {fmt(lo)} and {fmt(hi)}"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#]+[^\s]*$")


def _valid_ip(value: str) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def check_value(col: Column, value: Any) -> str | None:
    """None when `value` (one element, not null) fits the column, else the validator's description."""
    kind = col.kind
    if kind == "string":
        size = col.size or TEXT_SIZES.get(col.type, 0)
        if not isinstance(value, str) or len(value) > size:
            return f"Value must be a valid string and no longer than {size} chars"
        if col.format == "enum" and value not in col.elements:
            return "Value must be one of (" + ", ".join(col.elements) + ")"
        if col.format == "email" and not _EMAIL.match(value):
            return "Value must be a valid email address"
        if col.format == "url" and not _URL.match(value):
            return "Value must be a valid URL"
        if col.format == "ip" and not _valid_ip(value):
            return "Value must be a valid IP address"
        return None
    if kind == "integer":
        lo = INT64_MIN if col.min is None else int(col.min)
        hi = INT64_MAX if col.max is None else int(col.max)
        if isinstance(value, bool) or not isinstance(value, int):
            return "Value must be a valid integer"
        if not lo <= value <= hi:
            return _range_text(lo, hi)
        return None
    if kind == "double":
        lo = -FLOAT_MAX if col.min is None else float(col.min)
        hi = FLOAT_MAX if col.max is None else float(col.max)
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not math.isfinite(value)):
            return "Value must be a valid float"
        if isinstance(value, int) and abs(value) > 2 ** 63:
            return "Value must be a valid float"
        if not lo <= value <= hi:
            return _range_text(lo, hi)
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "Value must be a valid boolean"
    if kind == "datetime":
        try:
            parse_datetime(value)
        except (ValueError, TypeError, OverflowError):
            return "Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59."
        return None
    return "Unsupported type"


def to_sql(col: Column, value: Any) -> Any:
    """A validated value → what is stored."""
    if value is None:
        return None
    if col.array:
        return json.dumps([_scalar_to_sql(col, v) for v in value], ensure_ascii=False)
    return _scalar_to_sql(col, value)


def _scalar_to_sql(col: Column, value: Any) -> Any:
    if col.kind == "datetime":
        return parse_datetime(value)
    if col.kind == "boolean":
        return int(value)
    if col.kind == "double":
        return float(value)
    return value


def from_sql(col: Column, value: Any) -> Any:
    if value is None:
        return [] if col.array else None
    if col.array:
        items = json.loads(value)
        return [_scalar_from_sql(col, v) for v in items]
    return _scalar_from_sql(col, value)


def _scalar_from_sql(col: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = col.kind
    if kind == "datetime":
        return stored_to_output(value)
    if kind == "boolean":
        return bool(value)
    if kind == "double":
        return float(value)
    return value


def validate_data(table: Table, data: dict[str, Any], fam: Family, *, partial: bool) -> dict[str, Any]:
    """Checks row data like Appwrite's structure validator; answers {column key: stored value}.

    `partial` (update): only the given keys are checked, but a required column may not be set to null.
    System keys ($id, $createdAt, …) must have been taken out by the caller.
    """
    columns = table.columns
    for col in columns.values():
        if col.required and data.get(col.key, None if not partial else 0) is None:
            raise fam.invalid_structure(f'Missing required attribute "{col.key}"')
    for key in data:
        if key not in columns:
            raise fam.invalid_structure(f'Unknown attribute: "{key}"')
    out: dict[str, Any] = {}
    for key, value in data.items():
        col = columns[key]
        if value is None:
            out[key] = None
            continue
        if col.array:
            if not isinstance(value, list):
                raise fam.invalid_structure(f'Attribute "{key}" must be an array')
            for i, item in enumerate(value):
                problem = check_value(col, item)
                if problem:
                    raise fam.invalid_structure(f'Attribute "{key}[{i}]" has invalid type. {problem}')
        else:
            problem = check_value(col, value)
            if problem:
                raise fam.invalid_structure(f'Attribute "{key}" has invalid type. {problem}')
        out[key] = to_sql(col, value)
    return out


def format_row(table: Table, r: sqlite3.Row, fam: Family, select: set[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "$id": r["_id"],
        "$sequence": str(r["_seq"]),
        fam.table_id_key: table.id,
        "$databaseId": table.database_id,
        "$createdAt": stored_to_output(r["_createdAt"]),
        "$updatedAt": stored_to_output(r["_updatedAt"]),
        "$permissions": json.loads(r["_permissions"]),
    }
    for key, col in table.columns.items():
        if select is None or key in select:
            out[key] = from_sql(col, r["c_" + key])
    return out
