"""The handlers of the schema routes of both families (databases, tables, columns, indexes; the rows' are in
row_responses.py): read the params as the route's validators do, call the models (`schema`), shape the answer
(`shapes`). Each handler is written once and takes the family."""

from __future__ import annotations

import sqlite3
from typing import Any

from .. import datetimes
from .. import queries as Q
from ..errors import (
    column_default_unsupported,
    column_type_invalid,
    column_value_invalid,
    general_route_not_found,
    param_invalid,
    param_missing,
)
from ..params import ID_RULE, INT64_MAX, INT64_MIN, Params, is_id, text_rule
from ..routing import Request
from ..storage import Database
from . import schema
from .catalog import Catalog, Column, DatabaseMeta, Table
from .family import TABLESDB, Family
from .shapes import column_json, database_json, index_json, table_json
from .values import check_value, to_sql

Answer = tuple[int, Any]
COLUMN_KINDS = {"string", "varchar", "text", "mediumtext", "longtext", "integer", "float", "boolean", "datetime",
                "enum", "email", "url", "ip"}
INDEX_TYPES = ("key", "unique", "fulltext", "spatial", "trigram")
MAX_STRING_SIZE = 1_073_741_824


def _key(p: Params, name: str = "key") -> str:
    value = p.raw(name)
    if not is_id(value):
        raise param_invalid(name, ID_RULE)
    return value


def _queries(req: Request) -> list[Q.Q]:
    return Q.parse(req.params.queries())


def column_from_params(fam: Family, kind: str, p: Params, key: str, now: str) -> Column:
    """A column from the create/update-column params of `kind` (the path segment), validated like Appwrite."""
    required = p.boolean("required")
    array = p.boolean("array", False)
    col = Column(key=key, type=kind, required=required, array=array, created=now, updated=now,
                 description=p.text("description", 1024, ""))
    if kind in ("string", "varchar"):
        col.size = p.integer("size", 1, MAX_STRING_SIZE if kind == "string" else 16381)
        col.encrypt = p.boolean("encrypt", False)
    elif kind in ("text", "mediumtext", "longtext"):
        col.encrypt = p.boolean("encrypt", False)
    elif kind in ("email", "url", "ip", "enum"):
        col.type, col.format = "string", kind
        col.size = {"url": 2000, "ip": 39, "email": 254}.get(kind, 255)
        if kind == "enum":
            col.elements = list(dict.fromkeys(p.strings("elements", 100, 255, min_len=1)))
            if not col.elements:
                raise param_invalid("elements", "Value must a valid array no longer than 100 items and "
                                    + text_rule(255, 1))
            col.size = max(len(e) for e in col.elements)
    elif kind == "integer":
        col.min = p.integer("min", INT64_MIN, INT64_MAX, INT64_MIN)
        col.max = p.integer("max", INT64_MIN, INT64_MAX, INT64_MAX)
        if col.min > col.max:
            raise column_value_invalid(fam, "Minimum value must be lesser than maximum value")
    elif kind == "float":
        col.type = "double"
        for bound in ("min", "max"):
            v = p.get(bound)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise param_invalid(bound, "Value must be a valid float")
        col.min = float(p.get("min")) if p.get("min") is not None else -1.7976931348623157e308
        col.max = float(p.get("max")) if p.get("max") is not None else 1.7976931348623157e308
        if col.min > col.max:
            raise column_value_invalid(fam, "Minimum value must be lesser than maximum value")
    default = p.get("default")
    if default is not None:
        if required:
            raise column_default_unsupported(fam, f"Cannot set default value for required {fam.column}")
        if array:
            raise column_default_unsupported(fam, f"Cannot set default value for array {fam.column}s")
        problem = check_value(col, default)
        if problem:
            raise param_invalid("default", problem)
        col.default = to_sql(col, default) if col.kind in ("datetime", "double") else default
    return col


def index_params(p: Params, fam: Family) -> tuple[str, str, list[str], list[str | None], list[int | None]]:
    key = _key(p)
    type_ = p.raw("type")
    if type_ not in INDEX_TYPES:
        raise param_invalid("type", f"Value must be one of ({', '.join(INDEX_TYPES)})")
    columns = p.strings(fam.index_columns_key, 100, 255, min_len=1)
    if not columns:
        raise param_invalid(fam.index_columns_key, "Value must a valid array no longer than 100 items and "
                            + text_rule(255, 1))
    orders = p.get("orders") or []
    lengths = p.get("lengths") or []
    if not isinstance(orders, list) or not all(o in ("ASC", "DESC", "asc", "desc", None) for o in orders):
        raise param_invalid("orders", "Value must one of (ASC, DESC)")
    if not isinstance(lengths, list) or not all(n is None or (isinstance(n, int) and not isinstance(n, bool))
                                                for n in lengths):
        raise param_invalid("lengths", "Value must a valid array of integers")
    return key, type_, columns, orders, lengths


class DatabasesResponses:
    """The handlers, over one database and its catalog."""

    def __init__(self, db: Database):
        self.db = db
        self.catalog = Catalog(db)

    # -- helpers --
    def _database(self, req: Request, conn: sqlite3.Connection) -> DatabaseMeta:
        return self.catalog.database(conn, req.path_params["db"])

    def _table(self, req: Request, conn: sqlite3.Connection, fam: Family) -> Table:
        return self.catalog.table(conn, req.path_params["db"], req.path_params["table"], fam)

    def _list_meta(self, req: Request, conn: sqlite3.Connection, source: Q.Source,
                   search_cols: tuple[str, ...] = ()) -> tuple[list[sqlite3.Row], int]:
        p = req.params
        plan = Q.plan(source, _queries(req))
        search = p.text("search", 256, "")
        if search and search_cols:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            plan.where.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in search_cols) + ")")
            plan.params.extend(["%" + escaped + "%"] * len(search_cols))
        return Q.execute(conn, source, plan, with_total=p.boolean("total", True))

    @staticmethod
    def _meta_source(table: str, attrs: dict[str, Q.Attr], seq: str, id_: str, where: str,
                     params: tuple[Any, ...], word: str) -> Q.Source:
        base = {"$id": Q.Attr(id_, "string"), "$createdAt": Q.Attr("created", "datetime"),
                "$updatedAt": Q.Attr("updated", "datetime"), "$sequence": Q.Attr(seq, "sequence")}
        return Q.Source({**base, **attrs}, table, seq=seq, id=id_, base_where=where, base_params=params,
                        cursor_word=word)

    # -- databases --
    def create_database(self, req: Request, fam: Family) -> Answer:
        p = req.params
        database_id = p.custom_id("databaseId")
        name, enabled = p.text("name", 128), p.boolean("enabled", True)
        description = p.text("description", 1024, "") if fam is TABLESDB else ""
        try:
            with self.db.write() as conn:
                schema.create_database(conn, database_id, name, fam.db_type, enabled, description)
        finally:
            self.catalog.forget()
        with self.db.read() as conn:
            return 201, database_json(self.catalog.database(conn, database_id))

    def list_databases(self, req: Request, fam: Family) -> Answer:
        source = self._meta_source("aw_databases", {"name": Q.Attr("name", "string"),
                                                    "enabled": Q.Attr("enabled", "boolean"),
                                                    "type": Q.Attr("type", "string")}, "rowid", "id", "", (),
                                   "Database")
        with self.db.read() as conn:
            found, total = self._list_meta(req, conn, source, ("id", "name"))
        dbs = [DatabaseMeta(r["id"], r["name"], r["type"], bool(r["enabled"]), r["description"], r["created"],
                            r["updated"]) for r in found]
        return 200, {"total": total, "databases": [database_json(d) for d in dbs]}

    def get_database(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            return 200, database_json(self._database(req, conn))

    def update_database(self, req: Request, fam: Family) -> Answer:
        p = req.params
        try:
            with self.db.write() as conn:
                d = self._database(req, conn)
                schema.update_database(conn, d, p.text("name", 128, d.name), p.boolean("enabled", d.enabled),
                                       p.text("description", 1024, d.description))
        finally:
            self.catalog.forget()
        return self.get_database(req, fam)

    def delete_database(self, req: Request, fam: Family) -> Answer:
        try:
            with self.db.write() as conn:
                schema.delete_database(conn, self.catalog, self._database(req, conn), fam)
        finally:
            self.catalog.forget()
        return 204, None

    # -- tables --
    def create_table(self, req: Request, fam: Family) -> Answer:
        p = req.params
        table_id = p.custom_id(fam.table_param)
        name = p.text("name", 128)
        permissions = p.permissions() or []
        security, enabled = p.boolean(fam.security_key, False), p.boolean("enabled", True)
        description = p.text("description", 1024, "")
        inline_columns, inline_indexes = p.get(fam.columns) or [], p.get("indexes") or []
        if not isinstance(inline_columns, list) or not isinstance(inline_indexes, list):
            raise param_invalid(fam.columns, "Value must a valid array")
        try:
            with self.db.write() as conn:
                d = self._database(req, conn)
                schema.create_table(conn, fam, d, table_id, name, permissions, security, enabled, description)
                for spec in inline_columns:
                    if not isinstance(spec, dict):
                        raise param_invalid(fam.columns, f"each {fam.column} must be an object")
                    self.catalog.forget()
                    kind = str(spec.get("format") if spec.get("format") in ("enum", "email", "url", "ip")
                               else spec.get("type", ""))
                    self._add_column(conn, self.catalog.table(conn, d.id, table_id, fam), fam, kind, Params(spec))
                for spec in inline_indexes:
                    if not isinstance(spec, dict):
                        raise param_invalid("indexes", "each index must be an object")
                    self.catalog.forget()
                    schema.add_index(conn, self.catalog.table(conn, d.id, table_id, fam), fam,
                                     *index_params(Params(spec), fam))
        finally:
            self.catalog.forget()
        with self.db.read() as conn:
            return 201, table_json(self.catalog.table(conn, req.path_params["db"], table_id, fam), fam)

    def list_tables(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            d = self._database(req, conn)
            source = self._meta_source("aw_tables", {"name": Q.Attr("name", "string"),
                                                     "enabled": Q.Attr("enabled", "boolean"),
                                                     fam.security_key: Q.Attr("row_security", "boolean")},
                                       "internal", "id", "database_id = ?", (d.id,), fam.table_title)
            found, total = self._list_meta(req, conn, source, ("id", "name"))
            tables = [table_json(self.catalog.table(conn, d.id, r["id"], fam), fam) for r in found]
        return 200, {"total": total, fam.tables: tables}

    def get_table(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            return 200, table_json(self._table(req, conn, fam), fam)

    def update_table(self, req: Request, fam: Family) -> Answer:
        p = req.params
        try:
            with self.db.write() as conn:
                table = self._table(req, conn, fam)
                schema.update_table(conn, table, p.text("name", 128, table.name), p.permissions(),
                                    p.boolean(fam.security_key, table.row_security),
                                    p.boolean("enabled", table.enabled),
                                    p.text("description", 1024, table.description))
        finally:
            self.catalog.forget()
        return self.get_table(req, fam)

    def delete_table(self, req: Request, fam: Family) -> Answer:
        try:
            with self.db.write() as conn:
                schema.drop_table(conn, self._table(req, conn, fam))
        finally:
            self.catalog.forget()
        return 204, None

    # -- columns --
    def _add_column(self, conn: sqlite3.Connection, table: Table, fam: Family, kind: str, p: Params) -> Column:
        if kind not in COLUMN_KINDS:
            raise param_invalid("type", f'{fam.column_title} type "{kind}" is not supported')
        col = column_from_params(fam, kind, p, _key(p), datetimes.now_stored())
        return schema.add_column(conn, table, fam, col)

    def create_column(self, req: Request, fam: Family) -> Answer:
        kind = req.path_params["kind"]
        if kind not in COLUMN_KINDS:
            raise general_route_not_found()
        try:
            with self.db.write() as conn:
                col = self._add_column(conn, self._table(req, conn, fam), fam, kind, req.params)
        finally:
            self.catalog.forget()
        # Appwrite answers 202 and builds the column in a worker; here it is ready at once.
        return 202, column_json(col)

    def list_columns(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            table = self._table(req, conn, fam)
            source = self._meta_source("aw_columns", {"key": Q.Attr("key", "string"),
                                                      "type": Q.Attr("type", "string")},
                                       "rowid", "key", "table_internal = ?", (table.internal,), fam.column_title)
            found, total = self._list_meta(req, conn, source)
            return 200, {"total": total, fam.columns: [column_json(table.columns[r["key"]]) for r in found]}

    def get_column(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            return 200, column_json(schema.column(self._table(req, conn, fam), fam, req.path_params["key"]))

    def update_column(self, req: Request, fam: Family) -> Answer:
        p = req.params
        kind = req.path_params["kind"]
        if kind not in COLUMN_KINDS:
            raise general_route_not_found()
        try:
            with self.db.write() as conn:
                table = self._table(req, conn, fam)
                old = schema.column(table, fam, req.path_params["key"])
                expected = {"float": "double"}.get(kind, kind)
                if (old.format or old.type) != expected and not (old.type == expected and not old.format):
                    raise column_type_invalid(fam, f"The {fam.column} type is invalid: {old.format or old.type}")
                if "default" not in p:
                    raise param_missing("default")
                merged = {**old.spec(), "default": None, **p.values, "required": p.boolean("required")}
                if kind == "enum":
                    merged.setdefault("elements", old.elements)
                new = column_from_params(fam, kind, Params(merged), old.key, old.created)
                new.updated = datetimes.now_stored()
                new_key = p.get("newKey")
                if new_key is not None and new_key != old.key:
                    new.key = _key(p, "newKey")
                schema.replace_column(conn, table, fam, old, new)
        finally:
            self.catalog.forget()
        return 200, column_json(new)

    def delete_column(self, req: Request, fam: Family) -> Answer:
        try:
            with self.db.write() as conn:
                table = self._table(req, conn, fam)
                schema.drop_column(conn, table, schema.column(table, fam, req.path_params["key"]))
        finally:
            self.catalog.forget()
        return 204, None

    # -- indexes --
    def create_index(self, req: Request, fam: Family) -> Answer:
        try:
            with self.db.write() as conn:
                table = self._table(req, conn, fam)
                index = schema.add_index(conn, table, fam, *index_params(req.params, fam))
                self.catalog.analyze(conn, table)
            body = index_json(table, index, fam)
        finally:
            self.catalog.forget()
        return 202, body

    def list_indexes(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            table = self._table(req, conn, fam)
            source = self._meta_source("aw_indexes", {"key": Q.Attr("key", "string"),
                                                      "type": Q.Attr("type", "string"),
                                                      "status": Q.Attr("status", "string")},
                                       "rowid", "key", "table_internal = ?", (table.internal,), "Index")
            found, total = self._list_meta(req, conn, source)
            return 200, {"total": total, "indexes": [index_json(table, table.indexes[r["key"]], fam) for r in found]}

    def get_index(self, req: Request, fam: Family) -> Answer:
        with self.db.read() as conn:
            table = self._table(req, conn, fam)
            return 200, index_json(table, schema.index(table, req.path_params["key"]), fam)

    def delete_index(self, req: Request, fam: Family) -> Answer:
        try:
            with self.db.write() as conn:
                table = self._table(req, conn, fam)
                schema.drop_index(conn, table, schema.index(table, req.path_params["key"]))
        finally:
            self.catalog.forget()
        return 204, None
