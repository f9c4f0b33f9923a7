"""The JSON of databases, tables, columns, indexes and rows as Appwrite 1.9's response models shape them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..datetimes import output
from .catalog import Column, DatabaseMeta, Index, Table
from .family import Family
from .values import from_sql


def database_json(d: DatabaseMeta) -> dict[str, Any]:
    return {"$id": d.id, "name": d.name, "$createdAt": output(d.created), "$updatedAt": output(d.updated),
            "enabled": d.enabled, "type": d.type, "description": d.description}


def column_json(col: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": col.key, "type": col.type, "status": "available", "error": "", "required": col.required,
        "array": col.array, "$createdAt": output(col.created), "$updatedAt": output(col.updated),
        "description": col.description,
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
        out["default"] = output(col.default)
    else:
        out["default"] = col.default
    return out


def index_json(table: Table, index: Index, fam: Family) -> dict[str, Any]:
    return {"$id": f"{table.internal}_{index.key}", "$createdAt": output(index.created),
            "$updatedAt": output(index.updated), "key": index.key, "type": index.type,
            "status": index.status, "error": index.error, fam.index_columns_key: index.columns,
            "lengths": [n for n in index.lengths if n is not None],
            "orders": [o for o in index.orders if o is not None], "description": ""}


def table_json(table: Table, fam: Family) -> dict[str, Any]:
    return {"$id": table.id, "$createdAt": output(table.created), "$updatedAt": output(table.updated),
            "$permissions": table.permissions, "databaseId": table.database_id, "name": table.name,
            "enabled": table.enabled, fam.security_key: table.row_security,
            fam.columns: [column_json(c) for c in table.columns.values()],
            "indexes": [index_json(table, i, fam) for i in table.indexes.values()], "bytesMax": 65535,
            "bytesUsed": 0, "description": table.description}


def row_json(table: Table, r: sqlite3.Row, fam: Family, select: set[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "$id": r["_id"],
        "$sequence": str(r["_seq"]),
        fam.table_id_key: table.id,
        "$databaseId": table.database_id,
        "$createdAt": output(r["_createdAt"]),
        "$updatedAt": output(r["_updatedAt"]),
        "$permissions": json.loads(r["_permissions"]),
    }
    for key, col in table.columns.items():
        if select is None or key in select:
            out[key] = from_sql(col, r["c_" + key])
    return out
