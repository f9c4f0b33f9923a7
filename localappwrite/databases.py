"""Routes of TablesDB (`/v1/tablesdb/…`: tables, columns, indexes, rows) and of the legacy Databases API
(`/v1/databases/…`: collections, attributes, indexes, documents), both over the storage of `store`.

Every handler is written once and registered for both families; `Family` supplies the family's words.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from . import queries as Q
from .server import ROUTER, App, AppwriteError, Request, argument_invalid, boolean_param, route_not_found
from .store import (
    INT64_MAX,
    INT64_MIN,
    LEGACY,
    STRING_TYPES,
    TABLESDB,
    Column,
    DatabaseMeta,
    Family,
    Index,
    Store,
    Table,
    check_value,
    custom_id,
    database_not_found,
    format_row,
    now_stored,
    parse_datetime,
    quote,
    stored_to_output,
    to_sql,
    valid_key,
    validate_data,
)

Handler = Callable[[Request, Family], tuple[int, Any]]
BASES = {TABLESDB: "/v1/tablesdb", LEGACY: "/v1/databases"}


def init(app: App) -> None:
    app.databases_store = Store(app.db)  # type: ignore[attr-defined]


def _store(req: Request) -> Store:
    return req.app.databases_store  # type: ignore[attr-defined]


def both(method: str, suffix: str, *, scope: str, data_route: bool = False) -> Callable[[Handler], Handler]:
    """Registers a handler under both families; `suffix` uses {table}/{tables}/{row}/{rows}/{column}s."""

    def register(fn: Handler) -> Handler:
        for fam in (TABLESDB, LEGACY):
            path = BASES[fam] + suffix.format(tables=fam.tables, rows=fam.rows, columns=fam.columns)
            path = path.replace("<", "{").replace(">", "}")
            fam_scope = scope.format(tables=fam.tables if fam is TABLESDB else "collections",
                                     rows=fam.rows, columns=fam.columns)
            ROUTER.route(method, path, scope=fam_scope, data_route=data_route)(
                lambda req, fam=fam: fn(req, fam))
        return fn

    return register


# -- params -----------------------------------------------------------------------------------------------


def _required(params: dict[str, Any], name: str) -> Any:
    if name not in params or params[name] is None:
        raise argument_invalid(f'Param "{name}" is not optional.')
    return params[name]


def _bool(params: dict[str, Any], name: str, default: bool | None = None) -> bool:
    value = params.get(name, default)
    if value is None:
        raise argument_invalid(f'Param "{name}" is not optional.')
    return boolean_param(value, name)


def _text(params: dict[str, Any], name: str, max_len: int, default: str | None = None) -> str:
    value = params.get(name, default)
    if value is None:
        raise argument_invalid(f'Param "{name}" is not optional.')
    if not isinstance(value, str) or len(value) > max_len:
        raise argument_invalid(f"Invalid `{name}` param: Value must be a valid string and no longer than "
                               f"{max_len} chars")
    return value


def _int(params: dict[str, Any], name: str, lo: int, hi: int, default: int | None = None) -> int | None:
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise argument_invalid(f"Invalid `{name}` param: Value must be a valid range between {lo:,} and {hi:,}")
    return value


PERMISSION_ACTIONS = ("read", "create", "update", "delete", "write")


def _permissions(params: dict[str, Any], name: str = "permissions") -> list[str] | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 100:
        raise argument_invalid(f"Invalid `{name}` param: Value must a valid array no longer than 100 items and "
                               "Permission string")
    out: list[str] = []
    for p in value:
        ok = isinstance(p, str) and "(" in p and p.endswith(")") and p.split("(", 1)[0] in PERMISSION_ACTIONS \
            and p.split("(", 1)[1][:-1].startswith('"') and p.split("(", 1)[1][:-1].endswith('"')
        if not ok:
            raise argument_invalid(f'Invalid `{name}` param: Permission "{p}" is not allowed. Must be one of: '
                                   + ", ".join(PERMISSION_ACTIONS) + ".")
        if p not in out:
            out.append(p)
    return out


def _queries(req: Request) -> list[Q.Q]:
    return Q.parse(Q.queries_param(req.params.get("queries")))


def _data(params: dict[str, Any], name: str = "data", *, required: bool = True) -> dict[str, Any] | None:
    value = params.get(name)
    if value is None:
        if required:
            raise argument_invalid(f'Param "{name}" is not optional.')
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as e:
            raise argument_invalid(f"Invalid `{name}` param: Value must be a valid JSON string") from e
    if isinstance(value, list) and not value:
        value = {}
    if not isinstance(value, dict):
        raise argument_invalid(f"Invalid `{name}` param: Value must be a valid JSON string")
    return value


# -- JSON shapes ------------------------------------------------------------------------------------------


def database_json(d: DatabaseMeta) -> dict[str, Any]:
    return {"$id": d.id, "name": d.name, "$createdAt": stored_to_output(d.created),
            "$updatedAt": stored_to_output(d.updated), "enabled": d.enabled, "type": d.type,
            "description": d.description}


def column_json(col: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": col.key, "type": col.type, "status": "available", "error": "", "required": col.required,
        "array": col.array, "$createdAt": stored_to_output(col.created),
        "$updatedAt": stored_to_output(col.updated), "description": col.description,
    }
    if col.kind == "string":
        if col.type in ("string", "varchar"):
            out["size"] = col.size
        if col.format:
            out["format"] = col.format
        if col.format == "enum":
            out["elements"] = col.elements
        if not col.format:
            out["encrypt"] = col.encrypt
        out["default"] = col.default
    elif col.kind in ("integer", "double"):
        out["min"], out["max"], out["default"] = col.min, col.max, col.default
    elif col.kind == "datetime":
        out["format"] = "datetime"
        out["default"] = stored_to_output(col.default) if col.default is not None else None
    else:
        out["default"] = col.default
    return out


def index_json(table: Table, index: Index, fam: Family) -> dict[str, Any]:
    return {"$id": f"{table.internal}_{index.key}", "$createdAt": stored_to_output(index.created),
            "$updatedAt": stored_to_output(index.updated), "key": index.key, "type": index.type,
            "status": index.status, "error": index.error, fam.index_columns_key: index.columns,
            "lengths": [n for n in index.lengths if n is not None],
            "orders": [o for o in index.orders if o is not None], "description": ""}


def table_json(table: Table, fam: Family) -> dict[str, Any]:
    return {"$id": table.id, "$createdAt": stored_to_output(table.created),
            "$updatedAt": stored_to_output(table.updated), "$permissions": table.permissions,
            "databaseId": table.database_id, "name": table.name, "enabled": table.enabled,
            fam.security_key: table.row_security, fam.columns: [column_json(c) for c in table.columns.values()],
            "indexes": [index_json(table, i, fam) for i in table.indexes.values()], "bytesMax": 65535,
            "bytesUsed": 0, "description": table.description}


# -- sources for list queries -----------------------------------------------------------------------------

SYSTEM_ROW_ATTRS = {
    "$id": Q.Attr("_id", "string"),
    "$sequence": Q.Attr("_seq", "sequence"),
    "$createdAt": Q.Attr("_createdAt", "datetime"),
    "$updatedAt": Q.Attr("_updatedAt", "datetime"),
}
SYSTEM_SQL = {"$id": "_id", "$sequence": "_seq", "$createdAt": "_createdAt", "$updatedAt": "_updatedAt"}


def row_source(table: Table, fam: Family) -> Q.Source:
    cached = getattr(table, "_source", None)
    if cached is not None and cached[0] is fam:
        return cached[1]
    attrs = dict(SYSTEM_ROW_ATTRS)
    for key, col in table.columns.items():
        attrs[key] = Q.Attr(col.sql, col.kind, col.array, table.fulltext_for(key))
    source = Q.Source(attrs, table.sql, cursor_word=fam.row_title)
    table._source = (fam, source)  # type: ignore[attr-defined]
    return source


def _meta_source(table: str, attrs: dict[str, Q.Attr], seq: str, id_: str, where: str, params: tuple[Any, ...],
                 word: str) -> Q.Source:
    base = {"$id": Q.Attr(id_, "string"), "$createdAt": Q.Attr("created", "datetime"),
            "$updatedAt": Q.Attr("updated", "datetime"), "$sequence": Q.Attr(seq, "sequence")}
    return Q.Source({**base, **attrs}, table, seq=seq, id=id_, base_where=where, base_params=params,
                    cursor_word=word)


def _list_meta(req: Request, conn: sqlite3.Connection, source: Q.Source,
               search_cols: tuple[str, ...] = ()) -> tuple[list[sqlite3.Row], int]:
    queries = _queries(req)
    plan = Q.plan(source, queries)
    search = req.params.get("search")
    if search:
        if not isinstance(search, str) or len(search) > 256:
            raise argument_invalid("Invalid `search` param: Value must be a valid string and no longer than 256 "
                                   "chars")
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        plan.where.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in search_cols) + ")")
        plan.params.extend(["%" + escaped + "%"] * len(search_cols))
    with_total = _bool(req.params, "total", True)
    return Q.execute(conn, source, plan, with_total=with_total)


# -- databases --------------------------------------------------------------------------------------------


def _database(req: Request, conn: sqlite3.Connection) -> DatabaseMeta:
    return _store(req).database(conn, req.path_params["db"])


@both("POST", "", scope="databases.write")
def create_database(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    database_id = custom_id(_required(p, "databaseId"), "databaseId")
    name = _text(p, "name", 128)
    enabled = _bool(p, "enabled", True)
    description = _text(p, "description", 1024, "") if fam is TABLESDB else ""
    now = now_stored()
    store = _store(req)
    try:
        with req.db.write() as conn:
            conn.execute("INSERT INTO aw_databases (id, name, type, enabled, description, created, updated) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", (database_id, name, fam.db_type, int(enabled), description,
                                                          now, now))
    except sqlite3.IntegrityError as e:
        raise AppwriteError(409, "database_already_exists", "Database already exists.") from e
    finally:
        store.forget()
    with req.db.read() as conn:
        return 201, database_json(store.database(conn, database_id))


@both("GET", "", scope="databases.read")
def list_databases(req: Request, fam: Family) -> tuple[int, Any]:
    source = _meta_source("aw_databases", {"name": Q.Attr("name", "string"), "enabled": Q.Attr("enabled", "boolean"),
                                           "type": Q.Attr("type", "string")},
                          "rowid", "id", "", (), "Database")
    with req.db.read() as conn:
        rows, total = _list_meta(req, conn, source, ("id", "name"))
    dbs = [DatabaseMeta(r["id"], r["name"], r["type"], bool(r["enabled"]), r["description"], r["created"],
                        r["updated"]) for r in rows]
    return 200, {"total": total, "databases": [database_json(d) for d in dbs]}


@both("GET", "/<db>", scope="databases.read")
def get_database(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.read() as conn:
        return 200, database_json(_database(req, conn))


@both("PUT", "/<db>", scope="databases.write")
def update_database(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    store = _store(req)
    try:
        with req.db.write() as conn:
            d = _database(req, conn)
            name = _text(p, "name", 128, d.name)
            enabled = _bool(p, "enabled", d.enabled)
            description = _text(p, "description", 1024, d.description)
            conn.execute("UPDATE aw_databases SET name = ?, enabled = ?, description = ?, updated = ? WHERE id = ?",
                         (name, int(enabled), description, now_stored(), d.id))
    finally:
        store.forget()
    with req.db.read() as conn:
        return 200, database_json(_database(req, conn))


@both("DELETE", "/<db>", scope="databases.write")
def delete_database(req: Request, fam: Family) -> tuple[int, Any]:
    store = _store(req)
    try:
        with req.db.write() as conn:
            d = _database(req, conn)
            for r in conn.execute("SELECT id FROM aw_tables WHERE database_id = ?", (d.id,)).fetchall():
                _drop_table(conn, store.table(conn, d.id, r["id"], fam))
            conn.execute("DELETE FROM aw_databases WHERE id = ?", (d.id,))
    finally:
        store.forget()
    return 204, None


# -- tables -----------------------------------------------------------------------------------------------


def _table(req: Request, conn: sqlite3.Connection, fam: Family) -> Table:
    return _store(req).table(conn, req.path_params["db"], req.path_params["table"], fam)


@both("POST", "/<db>/{tables}", scope="{tables}.write")
def create_table(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    table_id = custom_id(_required(p, fam.table_param), fam.table_param)
    name = _text(p, "name", 128)
    permissions = _permissions(p) or []
    security = _bool(p, fam.security_key, False)
    enabled = _bool(p, "enabled", True)
    description = _text(p, "description", 1024, "")
    inline_columns = p.get(fam.columns) or []
    inline_indexes = p.get("indexes") or []
    if not isinstance(inline_columns, list) or not isinstance(inline_indexes, list):
        raise argument_invalid(f"Invalid `{fam.columns}` param: Value must a valid array")
    store = _store(req)
    now = now_stored()
    try:
        with req.db.write() as conn:
            d = _database(req, conn)
            try:
                cur = conn.execute(
                    "INSERT INTO aw_tables (database_id, id, name, enabled, row_security, permissions, description, "
                    "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (d.id, table_id, name, int(enabled), int(security), json.dumps(permissions), description, now,
                     now))
            except sqlite3.IntegrityError as e:
                raise AppwriteError(409, f"{fam.table}_already_exists",
                                    f"A {fam.table} with the requested ID already exists. Try again with a different "
                                    "ID or use ID.unique() to generate a unique ID.") from e
            t = f"t_{cur.lastrowid}"
            conn.execute(f"CREATE TABLE {quote(t)} (_seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "_id TEXT NOT NULL COLLATE NOCASE UNIQUE, _createdAt TEXT NOT NULL, _updatedAt TEXT NOT NULL, "
                         "_permissions TEXT NOT NULL DEFAULT '[]')")
            conn.execute(f"CREATE INDEX {quote(t + '__createdAt')} ON {quote(t)} (_createdAt)")
            conn.execute(f"CREATE INDEX {quote(t + '__updatedAt')} ON {quote(t)} (_updatedAt)")
            for spec in inline_columns:
                if not isinstance(spec, dict):
                    raise argument_invalid(f"Invalid `{fam.columns}` param: each {fam.column} must be an object")
                store.forget()
                table = store.table(conn, d.id, table_id, fam)
                kind = spec.get("type", "")
                if spec.get("format") in ("enum", "email", "url", "ip"):
                    kind = spec["format"]
                _add_column(conn, table, fam, str(kind), spec)
            for spec in inline_indexes:
                if not isinstance(spec, dict):
                    raise argument_invalid("Invalid `indexes` param: each index must be an object")
                store.forget()
                _add_index(conn, store.table(conn, d.id, table_id, fam), fam, spec)
    finally:
        store.forget()
    with req.db.read() as conn:
        return 201, table_json(store.table(conn, req.path_params["db"], table_id, fam), fam)


@both("GET", "/<db>/{tables}", scope="{tables}.read")
def list_tables(req: Request, fam: Family) -> tuple[int, Any]:
    store = _store(req)
    with req.db.read() as conn:
        d = _database(req, conn)
        source = _meta_source("aw_tables", {"name": Q.Attr("name", "string"),
                                            "enabled": Q.Attr("enabled", "boolean"),
                                            fam.security_key: Q.Attr("row_security", "boolean")},
                              "internal", "id", "database_id = ?", (d.id,), fam.table_title)
        rows, total = _list_meta(req, conn, source, ("id", "name"))
        tables = [table_json(store.table(conn, d.id, r["id"], fam), fam) for r in rows]
    return 200, {"total": total, fam.tables: tables}


@both("GET", "/<db>/{tables}/<table>", scope="{tables}.read")
def get_table(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.read() as conn:
        return 200, table_json(_table(req, conn, fam), fam)


@both("PUT", "/<db>/{tables}/<table>", scope="{tables}.write")
def update_table(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    store = _store(req)
    try:
        with req.db.write() as conn:
            table = _table(req, conn, fam)
            name = _text(p, "name", 128, table.name)
            permissions = _permissions(p)
            security = _bool(p, fam.security_key, table.row_security)
            enabled = _bool(p, "enabled", table.enabled)
            description = _text(p, "description", 1024, table.description)
            conn.execute("UPDATE aw_tables SET name = ?, permissions = ?, row_security = ?, enabled = ?, "
                         "description = ?, updated = ? WHERE internal = ?",
                         (name, json.dumps(table.permissions if permissions is None else permissions),
                          int(security), int(enabled), description, now_stored(), table.internal))
    finally:
        store.forget()
    with req.db.read() as conn:
        return 200, table_json(_table(req, conn, fam), fam)


def _drop_table(conn: sqlite3.Connection, table: Table) -> None:
    for index in table.indexes.values():
        if index.type == "fulltext":
            conn.execute(f"DROP TABLE IF EXISTS {quote(table.fts_table(index))}")
    conn.execute(f"DROP TABLE IF EXISTS {table.sql}")
    conn.execute("DELETE FROM aw_columns WHERE table_internal = ?", (table.internal,))
    conn.execute("DELETE FROM aw_indexes WHERE table_internal = ?", (table.internal,))
    conn.execute("DELETE FROM aw_tables WHERE internal = ?", (table.internal,))


@both("DELETE", "/<db>/{tables}/<table>", scope="{tables}.write")
def delete_table(req: Request, fam: Family) -> tuple[int, Any]:
    store = _store(req)
    try:
        with req.db.write() as conn:
            _drop_table(conn, _table(req, conn, fam))
    finally:
        store.forget()
    return 204, None


# -- columns ----------------------------------------------------------------------------------------------

COLUMN_KINDS = {"string", "varchar", "text", "mediumtext", "longtext", "integer", "float", "boolean", "datetime",
                "enum", "email", "url", "ip"}
MAX_STRING_SIZE = 1_073_741_824


def _column_from_params(fam: Family, kind: str, p: dict[str, Any], key: str, now: str) -> Column:
    """Builds a column from the create-column params of `kind` (the path segment), validated like Appwrite."""
    required = _bool(p, "required")
    array = _bool(p, "array", False)
    col = Column(key=key, type=kind, required=required, array=array, created=now, updated=now,
                 description=_text(p, "description", 1024, "") if "description" in p else "")
    if kind in ("string", "varchar"):
        col.size = _int(p, "size", 1, MAX_STRING_SIZE if kind == "string" else 16381)  # type: ignore[assignment]
        if col.size is None:
            raise argument_invalid('Param "size" is not optional.')
        col.encrypt = _bool(p, "encrypt", False)
    elif kind in ("text", "mediumtext", "longtext"):
        col.encrypt = _bool(p, "encrypt", False)
    elif kind in ("email", "url", "ip", "enum"):
        col.type, col.format, col.size = "string", kind, 255 if kind != "url" else 2000
        if kind == "ip":
            col.size = 39
        if kind == "email":
            col.size = 254
        if kind == "enum":
            elements = _required(p, "elements")
            if not isinstance(elements, list) or not elements or len(elements) > 100 or not all(
                    isinstance(e, str) and 0 < len(e) <= 255 for e in elements):
                raise argument_invalid("Invalid `elements` param: Value must a valid array no longer than 100 items "
                                       "and Value must be a valid string and at least 1 chars and no longer than "
                                       "255 chars")
            col.elements = list(dict.fromkeys(elements))
            col.size = max(len(e) for e in elements)
    elif kind == "integer":
        col.min = _int(p, "min", INT64_MIN, INT64_MAX, INT64_MIN)
        col.max = _int(p, "max", INT64_MIN, INT64_MAX, INT64_MAX)
        if col.min > col.max:  # type: ignore[operator]
            raise fam.invalid_column_value("Minimum value must be lesser than maximum value")
    elif kind == "float":
        col.type = "double"
        for bound in ("min", "max"):
            v = p.get(bound)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise argument_invalid(f"Invalid `{bound}` param: Value must be a valid float")
        col.min = float(p["min"]) if p.get("min") is not None else -1.7976931348623157e308
        col.max = float(p["max"]) if p.get("max") is not None else 1.7976931348623157e308
        if col.min > col.max:
            raise fam.invalid_column_value("Minimum value must be lesser than maximum value")
    elif kind in ("boolean", "datetime"):
        pass
    default = p.get("default")
    if default is not None:
        if required:
            raise AppwriteError(400, f"{fam.column}_default_unsupported",
                                f"Cannot set default value for required {fam.column}")
        if array:
            raise AppwriteError(400, f"{fam.column}_default_unsupported",
                                f"Cannot set default value for array {fam.column}s")
        problem = check_value(col, default)
        if problem:
            raise argument_invalid(f"Invalid `default` param: {problem}")
        col.default = to_sql(col, default) if col.kind in ("datetime", "double") else default
    return col


def _add_column(conn: sqlite3.Connection, table: Table, fam: Family, kind: str, p: dict[str, Any]) -> Column:
    if kind not in COLUMN_KINDS:
        raise argument_invalid(f"Invalid `type` param: {fam.column_title} type \"{kind}\" is not supported")
    key = valid_key(_required(p, "key"))
    if key.lower() in (k.lower() for k in table.columns):
        raise AppwriteError(409, f"{fam.column}_already_exists",
                            f"{fam.column_title} with the requested key already exists. {fam.column_title} keys must "
                            f"be unique, try again with a different key.")
    col = _column_from_params(fam, kind, p, key, now_stored())
    conn.execute(f"ALTER TABLE {table.sql} ADD COLUMN {col.sql} {col.sql_type}")
    conn.execute("INSERT INTO aw_columns (table_internal, key, type, spec, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                 (table.internal, key, col.type, json.dumps(col.spec()), col.created, col.updated))
    table.columns[key] = col
    return col


@both("POST", "/<db>/{tables}/<table>/{columns}/<kind>", scope="{tables}.write")
def create_column(req: Request, fam: Family) -> tuple[int, Any]:
    kind = req.path_params["kind"]
    if kind not in COLUMN_KINDS:
        raise route_not_found()
    store = _store(req)
    try:
        with req.db.write() as conn:
            col = _add_column(conn, _table(req, conn, fam), fam, kind, req.params)
    finally:
        store.forget()
    # Appwrite answers 202 and builds the column in a worker; here it is ready at once.
    return 202, column_json(col)


@both("GET", "/<db>/{tables}/<table>/{columns}", scope="{tables}.read")
def list_columns(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.read() as conn:
        table = _table(req, conn, fam)
        source = _meta_source("aw_columns", {"key": Q.Attr("key", "string"), "type": Q.Attr("type", "string")},
                              "rowid", "key", "table_internal = ?", (table.internal,), fam.column_title)
        rows, total = _list_meta(req, conn, source)
        return 200, {"total": total, fam.columns: [column_json(table.columns[r["key"]]) for r in rows]}


@both("GET", "/<db>/{tables}/<table>/{columns}/<key>", scope="{tables}.read")
def get_column(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.read() as conn:
        col = _table(req, conn, fam).columns.get(req.path_params["key"])
        if col is None:
            raise fam.column_not_found()
        return 200, column_json(col)


@both("PATCH", "/<db>/{tables}/<table>/{columns}/<kind>/<key>", scope="{tables}.write")
def update_column(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    kind = req.path_params["kind"]
    if kind not in COLUMN_KINDS:
        raise route_not_found()
    store = _store(req)
    try:
        with req.db.write() as conn:
            table = _table(req, conn, fam)
            old = table.columns.get(req.path_params["key"])
            if old is None:
                raise fam.column_not_found()
            expected = {"float": "double"}.get(kind, kind)
            if (old.format or old.type) != expected and not (old.type == expected and not old.format):
                raise AppwriteError(400, f"{fam.column}_type_invalid",
                                    f"The {fam.column} type is invalid: {old.format or old.type}")
            merged = {**old.spec(), "default": None, **p}
            merged["required"] = _bool(p, "required")
            if "default" not in p:
                raise argument_invalid('Param "default" is not optional.')
            if kind == "enum":
                merged.setdefault("elements", old.elements)
            new = _column_from_params(fam, kind, merged, old.key, old.created)
            new.updated = now_stored()
            new_key = p.get("newKey")
            if new_key is not None and new_key != old.key:
                new_key = valid_key(new_key, "newKey")
                if new_key.lower() in (k.lower() for k in table.columns):
                    raise AppwriteError(409, f"{fam.column}_already_exists",
                                        f"{fam.column_title} with the requested key already exists.")
                new.key = new_key
                conn.execute(f"ALTER TABLE {table.sql} RENAME COLUMN {old.sql} TO {new.sql}")
                for index in table.indexes.values():
                    if old.key in index.columns:
                        index.columns = [new_key if c == old.key else c for c in index.columns]
                        conn.execute("UPDATE aw_indexes SET spec = ? WHERE table_internal = ? AND key = ?",
                                     (json.dumps(_index_spec(index)), table.internal, index.key))
            conn.execute("UPDATE aw_columns SET key = ?, spec = ?, updated = ? WHERE table_internal = ? AND key = ?",
                         (new.key, json.dumps(new.spec()), new.updated, table.internal, old.key))
    finally:
        store.forget()
    return 200, column_json(new)


@both("DELETE", "/<db>/{tables}/<table>/{columns}/<key>", scope="{tables}.write")
def delete_column(req: Request, fam: Family) -> tuple[int, Any]:
    store = _store(req)
    try:
        with req.db.write() as conn:
            table = _table(req, conn, fam)
            col = table.columns.get(req.path_params["key"])
            if col is None:
                raise fam.column_not_found()
            for index in list(table.indexes.values()):
                if col.key in index.columns:
                    _drop_index(conn, table, index)
            conn.execute(f"ALTER TABLE {table.sql} DROP COLUMN {col.sql}")
            conn.execute("DELETE FROM aw_columns WHERE table_internal = ? AND key = ?", (table.internal, col.key))
    finally:
        store.forget()
    return 204, None


# -- indexes ----------------------------------------------------------------------------------------------

INDEX_TYPES = ("key", "unique", "fulltext", "spatial", "trigram")


def _index_spec(index: Index) -> dict[str, Any]:
    return {"columns": index.columns, "orders": index.orders, "lengths": index.lengths}


def _add_index(conn: sqlite3.Connection, table: Table, fam: Family, p: dict[str, Any]) -> Index:
    key = valid_key(_required(p, "key"))
    type_ = _required(p, "type")
    if type_ not in INDEX_TYPES:
        raise argument_invalid(f"Invalid `type` param: Value must be one of ({', '.join(INDEX_TYPES)})")
    columns = _required(p, fam.index_columns_key)
    if not isinstance(columns, list) or not columns or len(columns) > 100 or not all(
            isinstance(c, str) for c in columns):
        raise argument_invalid(f"Invalid `{fam.index_columns_key}` param: Value must a valid array no longer than "
                               "100 items and Value must be a valid string and at least 1 chars and no longer than "
                               "255 chars")
    orders = p.get("orders") or []
    lengths = p.get("lengths") or []
    if not isinstance(orders, list) or not all(o in ("ASC", "DESC", "asc", "desc", None) for o in orders):
        raise argument_invalid("Invalid `orders` param: Value must one of (ASC, DESC)")
    if not isinstance(lengths, list) or not all(n is None or (isinstance(n, int) and not isinstance(n, bool))
                                                for n in lengths):
        raise argument_invalid("Invalid `lengths` param: Value must a valid array of integers")
    if key.lower() in (k.lower() for k in table.indexes):
        raise AppwriteError(409, "index_already_exists",
                            "Index with the requested key already exists. Try again with a different key.")
    for c in columns:
        if c not in table.columns and c not in SYSTEM_SQL:
            raise AppwriteError(400, f"{fam.column}_unknown",
                                f"Unknown {fam.column}: {c}. Verify the {fam.column} name or create the {fam.column}.")
    if type_ in ("spatial", "trigram"):
        raise AppwriteError(400, "index_invalid", f"{type_.capitalize()} indexes are not supported by this adapter.")
    if type_ == "fulltext":
        for c in columns:
            if c not in table.columns or table.columns[c].kind != "string":
                raise AppwriteError(400, "index_invalid",
                                    f'{fam.column_title} "{c}" cannot be part of a fulltext index, must be of type '
                                    "string")
    now = now_stored()
    index = Index(key=key, type=type_, columns=list(columns),
                  orders=[o.upper() if isinstance(o, str) else None for o in orders],
                  lengths=list(lengths), created=now, updated=now)
    if type_ == "fulltext":
        if len(columns) == 1:
            fts = quote(table.fts_table(index))
            col = table.columns[columns[0]]
            conn.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(v)")
            conn.execute(f"INSERT INTO {fts} (rowid, v) SELECT _seq, {col.sql} FROM {table.sql}")
            trig = table.fts_table(index)
            conn.execute(f"CREATE TRIGGER {quote(trig + '_ai')} AFTER INSERT ON {table.sql} BEGIN "
                         f"INSERT INTO {fts} (rowid, v) VALUES (new._seq, new.{col.sql}); END")
            conn.execute(f"CREATE TRIGGER {quote(trig + '_ad')} AFTER DELETE ON {table.sql} BEGIN "
                         f"DELETE FROM {fts} WHERE rowid = old._seq; END")
            conn.execute(f"CREATE TRIGGER {quote(trig + '_au')} AFTER UPDATE OF {col.sql} ON {table.sql} BEGIN "
                         f"DELETE FROM {fts} WHERE rowid = old._seq; "
                         f"INSERT INTO {fts} (rowid, v) VALUES (new._seq, new.{col.sql}); END")
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


def _drop_index(conn: sqlite3.Connection, table: Table, index: Index) -> None:
    if index.type == "fulltext":
        trig = table.fts_table(index)
        for suffix in ("_ai", "_ad", "_au"):
            conn.execute(f"DROP TRIGGER IF EXISTS {quote(trig + suffix)}")
        conn.execute(f"DROP TABLE IF EXISTS {quote(trig)}")
    else:
        conn.execute(f"DROP INDEX IF EXISTS {quote(f'i_{table.internal}_{index.key}')}")
    conn.execute("DELETE FROM aw_indexes WHERE table_internal = ? AND key = ?", (table.internal, index.key))
    table.indexes.pop(index.key, None)


@both("POST", "/<db>/{tables}/<table>/indexes", scope="{tables}.write")
def create_index(req: Request, fam: Family) -> tuple[int, Any]:
    store = _store(req)
    try:
        with req.db.write() as conn:
            table = _table(req, conn, fam)
            index = _add_index(conn, table, fam, req.params)
            store.analyze(conn, table)
        body = index_json(table, index, fam)
    finally:
        store.forget()
    return 202, body


@both("GET", "/<db>/{tables}/<table>/indexes", scope="{tables}.read")
def list_indexes(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.read() as conn:
        table = _table(req, conn, fam)
        source = _meta_source("aw_indexes", {"key": Q.Attr("key", "string"), "type": Q.Attr("type", "string"),
                                             "status": Q.Attr("status", "string")},
                              "rowid", "key", "table_internal = ?", (table.internal,), "Index")
        rows, total = _list_meta(req, conn, source)
        return 200, {"total": total, "indexes": [index_json(table, table.indexes[r["key"]], fam) for r in rows]}


def _index(table: Table, key: str) -> Index:
    for k, index in table.indexes.items():
        if k.lower() == key.lower():
            return index
    raise AppwriteError(404, "index_not_found", "Index with the requested ID could not be found.")


@both("GET", "/<db>/{tables}/<table>/indexes/<key>", scope="{tables}.read")
def get_index(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.read() as conn:
        table = _table(req, conn, fam)
        return 200, index_json(table, _index(table, req.path_params["key"]), fam)


@both("DELETE", "/<db>/{tables}/<table>/indexes/<key>", scope="{tables}.write")
def delete_index(req: Request, fam: Family) -> tuple[int, Any]:
    store = _store(req)
    try:
        with req.db.write() as conn:
            table = _table(req, conn, fam)
            _drop_index(conn, table, _index(table, req.path_params["key"]))
    finally:
        store.forget()
    return 204, None


# -- rows -------------------------------------------------------------------------------------------------

IGNORED_SYSTEM_KEYS = {"$id", "$sequence", "$tableId", "$collectionId", "$databaseId", "$permissions"}


def _split_system(data: dict[str, Any], fam: Family) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separates `$createdAt`/`$updatedAt`/`$permissions` (honoured for API keys) from column values."""
    system: dict[str, Any] = {}
    columns: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("$createdAt", "$updatedAt"):
            if value is not None:
                try:
                    system[key] = parse_datetime(value)
                except (ValueError, TypeError, OverflowError) as e:
                    raise fam.invalid_structure(
                        f'Attribute "{key}" has invalid type. Value must be valid date between '
                        "1000-01-01 00:00:00 and 9999-12-31 23:59:59.") from e
        elif key in IGNORED_SYSTEM_KEYS:
            system[key] = value
        else:
            columns[key] = value
    return system, columns


def _fetch(conn: sqlite3.Connection, table: Table, row_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT * FROM {table.sql} WHERE _id = ?", (row_id,)).fetchone()


def _insert(conn: sqlite3.Connection, table: Table, fam: Family, row_id: str, data: dict[str, Any],
            permissions: list[str] | None) -> sqlite3.Row:
    system, values = _split_system(data, fam)
    if permissions is None and isinstance(system.get("$permissions"), list):
        permissions = _permissions({"permissions": system["$permissions"]})
    stored = validate_data(table, values, fam, partial=False)
    for key, col in table.columns.items():
        if key not in stored and col.default is not None:
            stored[key] = col.default if col.kind in ("datetime", "double") else to_sql(col, col.default)
    now = now_stored()
    created = system.get("$createdAt", now)
    updated = system.get("$updatedAt", now)
    names = ["_id", "_createdAt", "_updatedAt", "_permissions"] + [table.columns[k].sql for k in stored]
    args = [row_id, created, updated, json.dumps(permissions or [])] + list(stored.values())
    try:
        cur = conn.execute(f"INSERT INTO {table.sql} ({', '.join(names)}) VALUES ({', '.join('?' * len(args))})",
                           args)
    except sqlite3.IntegrityError as e:
        raise fam.row_exists() from e
    return conn.execute(f"SELECT * FROM {table.sql} WHERE _seq = ?", (cur.lastrowid,)).fetchone()


def _update(conn: sqlite3.Connection, table: Table, fam: Family, old: sqlite3.Row, data: dict[str, Any],
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
    sets["_updatedAt"] = system.get("$updatedAt", now_stored())
    try:
        conn.execute(f"UPDATE {table.sql} SET {', '.join(f'{k} = ?' for k in sets)} WHERE _seq = ?",
                     [*sets.values(), old["_seq"]])
    except sqlite3.IntegrityError as e:
        raise fam.row_exists() from e
    return conn.execute(f"SELECT * FROM {table.sql} WHERE _seq = ?", (old["_seq"],)).fetchone()


def _missing_data(fam: Family) -> AppwriteError:
    return AppwriteError(400, f"{fam.row}_missing_data",
                         f"The {fam.row} data is missing. Try again with {fam.row} data populated")


def _missing_payload(fam: Family) -> AppwriteError:
    return AppwriteError(400, f"{fam.row}_missing_payload",
                         f"The {fam.row} data and permissions are missing. You must provide either {fam.row} data "
                         "or permissions to be updated.")


@both("POST", "/<db>/{tables}/<table>/{rows}", scope="{rows}.write", data_route=True)
def create_row(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    if fam.row_param not in p and fam.rows in p:
        return _create_rows(req, fam)
    row_id = custom_id(_required(p, fam.row_param), fam.row_param)
    data = _data(p)
    permissions = _permissions(p)
    if not data:
        raise _missing_data(fam)
    store = _store(req)
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        row = _insert(conn, table, fam, row_id, data, permissions)
        store.note_writes(conn, table)
        return 201, format_row(table, row, fam)


def _create_rows(req: Request, fam: Family) -> tuple[int, Any]:
    items = req.params.get(fam.rows)
    if not isinstance(items, list) or len(items) > 1000 or not all(isinstance(i, dict) for i in items):
        raise argument_invalid(f"Invalid `{fam.rows}` param: Value must a valid array no longer than 1000 items")
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        out = []
        for item in items:
            item = dict(item)
            row_id = custom_id(item.pop("$id", "unique()"), "$id")
            if not item:
                raise _missing_data(fam)
            out.append(format_row(table, _insert(conn, table, fam, row_id, item, None), fam))
        _store(req).note_writes(conn, table, len(out))
    return 201, {"total": len(out), fam.rows: out}


@both("GET", "/<db>/{tables}/<table>/{rows}", scope="{rows}.read", data_route=True)
def list_rows(req: Request, fam: Family) -> tuple[int, Any]:
    queries = _queries(req)
    with_total = _bool(req.params, "total", True)
    with req.db.read() as conn:
        table = _table(req, conn, fam)
        source = row_source(table, fam)
        plan = Q.plan(source, queries)
        rows, total = Q.execute(conn, source, plan, with_total=with_total)
        return 200, {"total": total, fam.rows: [format_row(table, r, fam, plan.select) for r in rows]}


@both("GET", "/<db>/{tables}/<table>/{rows}/<row>", scope="{rows}.read", data_route=True)
def get_row(req: Request, fam: Family) -> tuple[int, Any]:
    queries = _queries(req)
    with req.db.read() as conn:
        table = _table(req, conn, fam)
        plan = Q.plan(row_source(table, fam), queries, allow={"select"})
        row = _fetch(conn, table, req.path_params["row"])
        if row is None:
            raise fam.row_not_found()
        return 200, format_row(table, row, fam, plan.select)


@both("PATCH", "/<db>/{tables}/<table>/{rows}/<row>", scope="{rows}.write", data_route=True)
def update_row(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    data = _data(p, required=False) or {}
    permissions = _permissions(p)
    if not data and permissions is None:
        raise _missing_payload(fam)
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        old = _fetch(conn, table, req.path_params["row"])
        if old is None:
            raise fam.row_not_found()
        _store(req).note_writes(conn, table)
        return 200, format_row(table, _update(conn, table, fam, old, data, permissions), fam)


@both("PUT", "/<db>/{tables}/<table>/{rows}/<row>", scope="{rows}.write", data_route=True)
def upsert_row(req: Request, fam: Family) -> tuple[int, Any]:
    p = req.params
    data = _data(p, required=False) or {}
    permissions = _permissions(p)
    row_id = custom_id(req.path_params["row"], fam.row_param, allow_unique=False)
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        old = _fetch(conn, table, row_id)
        if old is None:
            if not data:
                raise _missing_data(fam)
            return 201, format_row(table, _insert(conn, table, fam, row_id, data, permissions), fam)
        if not data and permissions is None:
            raise _missing_payload(fam)
        return 200, format_row(table, _update(conn, table, fam, old, data, permissions), fam)


@both("DELETE", "/<db>/{tables}/<table>/{rows}/<row>", scope="{rows}.write", data_route=True)
def delete_row(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        cur = conn.execute(f"DELETE FROM {table.sql} WHERE _id = ?", (req.path_params["row"],))
        if cur.rowcount == 0:
            raise fam.row_not_found()
        _store(req).note_writes(conn, table)
    return 204, None


def _matching(conn: sqlite3.Connection, table: Table, fam: Family, req: Request) -> list[sqlite3.Row]:
    """Rows matched by the `queries` of a bulk update/delete; without a limit query, all of them."""
    queries = _queries(req)
    source = row_source(table, fam)
    plan = Q.plan(source, queries)
    if plan.limit is None:
        plan.limit = Q.INT64_MAX
    rows, _ = Q.execute(conn, source, plan, with_total=False)
    return rows


@both("PATCH", "/<db>/{tables}/<table>/{rows}", scope="{rows}.write", data_route=True)
def update_rows(req: Request, fam: Family) -> tuple[int, Any]:
    data = _data(req.params, required=False) or {}
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        if not data:
            raise _missing_payload(fam)
        out = [format_row(table, _update(conn, table, fam, old, data, None), fam)
               for old in _matching(conn, table, fam, req)]
        _store(req).note_writes(conn, table, len(out))
    return 200, {"total": len(out), fam.rows: out}


@both("DELETE", "/<db>/{tables}/<table>/{rows}", scope="{rows}.write", data_route=True)
def delete_rows(req: Request, fam: Family) -> tuple[int, Any]:
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        rows = _matching(conn, table, fam, req)
        out = [format_row(table, r, fam) for r in rows]
        for r in rows:
            conn.execute(f"DELETE FROM {table.sql} WHERE _seq = ?", (r["_seq"],))
        _store(req).note_writes(conn, table, len(rows))
    return 200, {"total": len(out), fam.rows: out}


def _step(req: Request, fam: Family, sign: int) -> tuple[int, Any]:
    p = req.params
    value = p.get("value", 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise argument_invalid("Invalid `value` param: Value must be a valid number greater than 0")
    limit_name = "max" if sign > 0 else "min"
    limit = p.get(limit_name)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
        raise argument_invalid(f"Invalid `{limit_name}` param: Value must be a valid number")
    with req.db.write() as conn:
        table = _table(req, conn, fam)
        col = table.columns.get(req.path_params["column"])
        if col is None:
            raise fam.column_not_found()
        if col.kind not in ("integer", "double") or col.array:
            raise AppwriteError(400, f"{fam.column}_type_invalid",
                                f"{fam.column_title} must be an integer or float")
        old = _fetch(conn, table, req.path_params["row"])
        if old is None:
            raise fam.row_not_found()
        current = old["c_" + col.key] or 0
        new = current + sign * value
        if col.kind == "integer" and isinstance(new, float):
            raise argument_invalid("Invalid `value` param: Value must be a valid integer")
        if limit is not None and (new > limit if sign > 0 else new < limit):
            raise AppwriteError(400, f"{fam.column}_value_invalid",
                                f"{fam.column_title} value exceeds the {'maximum' if sign > 0 else 'minimum'} limit")
        return 200, format_row(table, _update(conn, table, fam, old, {col.key: new}, None), fam)


@both("PATCH", "/<db>/{tables}/<table>/{rows}/<row>/<column>/increment", scope="{rows}.write", data_route=True)
def increment(req: Request, fam: Family) -> tuple[int, Any]:
    return _step(req, fam, 1)


@both("PATCH", "/<db>/{tables}/<table>/{rows}/<row>/<column>/decrement", scope="{rows}.write", data_route=True)
def decrement(req: Request, fam: Family) -> tuple[int, Any]:
    return _step(req, fam, -1)


__all__ = ["init", "STRING_TYPES", "database_not_found"]
