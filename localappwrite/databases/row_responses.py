"""The handlers of the row (document) routes of both families: read the params as the route's validators do,
call the model (`rows`), shape the answer (`shapes.row_json`). Each handler is written once and takes the family."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import general_argument_invalid, param_invalid, row_missing_data, row_missing_payload
from ..params import ID_RULE, Params, is_id, unique_id
from ..routing import Request
from ..storage import Database
from . import rows
from .catalog import Catalog, Table
from .family import Family
from .responses import Answer, _queries
from .shapes import row_json


class RowResponses:
    """The row handlers, over one database and the catalog the schema handlers keep."""

    def __init__(self, db: Database, catalog: Catalog):
        self.db = db
        self.catalog = catalog

    def _table(self, req: Request, conn: sqlite3.Connection, fam: Family) -> Table:
        return self.catalog.table(conn, req.path_params["db"], req.path_params["table"], fam)

    def create_row(self, req: Request, fam: Family) -> Answer:
        p = req.params
        if fam.row_param not in p and fam.rows in p:
            return self._create_rows(req, fam)
        row_id = p.custom_id(fam.row_param)
        data, permissions = p.json_object("data"), p.permissions()
        if not data:
            raise row_missing_data(fam)
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            row = rows.insert(conn, table, fam, row_id, data, permissions, self._permission_check)
            self.catalog.note_writes(conn, table)
            return 201, row_json(table, row, fam)

    @staticmethod
    def _permission_check(value: list[Any]) -> list[str] | None:
        return Params({"permissions": value}).permissions()

    def _create_rows(self, req: Request, fam: Family) -> Answer:
        items = req.params.get(fam.rows)
        if not isinstance(items, list) or len(items) > 1000 or not all(isinstance(i, dict) for i in items):
            raise param_invalid(fam.rows, "Value must a valid array no longer than 1000 items")
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            out = []
            for item in items:
                item = dict(item)
                row_id = item.pop("$id", "unique()")
                row_id = unique_id() if row_id == "unique()" else row_id
                if not is_id(row_id):
                    raise param_invalid("$id", ID_RULE)
                if not item:
                    raise row_missing_data(fam)
                row = rows.insert(conn, table, fam, row_id, item, None, self._permission_check)
                out.append(row_json(table, row, fam))
            self.catalog.note_writes(conn, table, len(out))
        return 201, {"total": len(out), fam.rows: out}

    def list_rows(self, req: Request, fam: Family) -> Answer:
        queries = _queries(req)
        with_total = req.params.boolean("total", True)
        with self.db.read() as conn:
            table = self._table(req, conn, fam)
            found, total, select = rows.listing(conn, table, fam, queries, with_total=with_total)
            return 200, {"total": total, fam.rows: [row_json(table, r, fam, select) for r in found]}

    def get_row(self, req: Request, fam: Family) -> Answer:
        queries = _queries(req)
        with self.db.read() as conn:
            table = self._table(req, conn, fam)
            select = rows.selection(table, fam, queries)
            return 200, row_json(table, rows.get(conn, table, fam, req.path_params["row"]), fam, select)

    def update_row(self, req: Request, fam: Family) -> Answer:
        p = req.params
        data, permissions = p.json_object("data", {}), p.permissions()
        if not data and permissions is None:
            raise row_missing_payload(fam)
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            old = rows.get(conn, table, fam, req.path_params["row"])
            self.catalog.note_writes(conn, table)
            return 200, row_json(table, rows.update(conn, table, fam, old, data, permissions), fam)

    def upsert_row(self, req: Request, fam: Family) -> Answer:
        p = req.params
        data, permissions = p.json_object("data", {}), p.permissions()
        row_id = req.path_params["row"]
        if not is_id(row_id):
            raise param_invalid(fam.row_param, ID_RULE)
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            old = rows.fetch(conn, table, row_id)
            if old is None:
                if not data:
                    raise row_missing_data(fam)
                row = rows.insert(conn, table, fam, row_id, data, permissions, self._permission_check)
                return 201, row_json(table, row, fam)
            if not data and permissions is None:
                raise row_missing_payload(fam)
            return 200, row_json(table, rows.update(conn, table, fam, old, data, permissions), fam)

    def delete_row(self, req: Request, fam: Family) -> Answer:
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            rows.delete(conn, table, fam, req.path_params["row"])
            self.catalog.note_writes(conn, table)
        return 204, None

    def update_rows(self, req: Request, fam: Family) -> Answer:
        data = req.params.json_object("data", {})
        queries = _queries(req)
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            if not data:
                raise row_missing_payload(fam)
            out = [row_json(table, rows.update(conn, table, fam, old, data, None), fam)
                   for old in rows.matching(conn, table, fam, queries)]
            self.catalog.note_writes(conn, table, len(out))
        return 200, {"total": len(out), fam.rows: out}

    def delete_rows(self, req: Request, fam: Family) -> Answer:
        queries = _queries(req)
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            found = rows.matching(conn, table, fam, queries)
            out = [row_json(table, r, fam) for r in found]
            rows.delete_rows(conn, table, found)
            self.catalog.note_writes(conn, table, len(found))
        return 200, {"total": len(out), fam.rows: out}

    def _step(self, req: Request, fam: Family, sign: int) -> Answer:
        p = req.params
        value = p.get("value", 1)
        if isinstance(value, bool) or not isinstance(value, int | float):  # utopia's Numeric validator
            raise param_invalid("value", "Value must be a valid number")
        if value <= 0:  # utopia-php/database increaseDocumentAttribute's InvalidArgumentException
            raise general_argument_invalid("Value must be numeric and greater than 0")
        limit_name = "max" if sign > 0 else "min"
        limit = p.get(limit_name)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
            raise param_invalid(limit_name, "Value must be a valid number")
        with self.db.write() as conn:
            table = self._table(req, conn, fam)
            row = rows.step(conn, table, fam, req.path_params["row"], req.path_params["column"], sign * value, limit)
            return 200, row_json(table, row, fam)

    def increment(self, req: Request, fam: Family) -> Answer:
        return self._step(req, fam, 1)

    def decrement(self, req: Request, fam: Family) -> Answer:
        return self._step(req, fam, -1)
