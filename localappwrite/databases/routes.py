"""The databases router: every handler under both families, TablesDB's paths and the legacy Databases API's."""

from __future__ import annotations

from ..routing import Router
from ..storage import Database
from .family import LEGACY, TABLESDB
from .responses import DatabasesResponses
from .row_responses import RowResponses

# (method, path under the family's base, handler name, scope template, rows/documents route)
ROUTES = [
    ("POST", "", "create_database", "databases.write", False),
    ("GET", "", "list_databases", "databases.read", False),
    ("GET", "/{db}", "get_database", "databases.read", False),
    ("PUT", "/{db}", "update_database", "databases.write", False),
    ("DELETE", "/{db}", "delete_database", "databases.write", False),
    ("POST", "/{db}/{tables}", "create_table", "{tables}.write", False),
    ("GET", "/{db}/{tables}", "list_tables", "{tables}.read", False),
    ("GET", "/{db}/{tables}/{table}", "get_table", "{tables}.read", False),
    ("PUT", "/{db}/{tables}/{table}", "update_table", "{tables}.write", False),
    ("DELETE", "/{db}/{tables}/{table}", "delete_table", "{tables}.write", False),
    ("POST", "/{db}/{tables}/{table}/{columns}/{kind}", "create_column", "{tables}.write", False),
    ("GET", "/{db}/{tables}/{table}/{columns}", "list_columns", "{tables}.read", False),
    ("GET", "/{db}/{tables}/{table}/{columns}/{key}", "get_column", "{tables}.read", False),
    ("PATCH", "/{db}/{tables}/{table}/{columns}/{kind}/{key}", "update_column", "{tables}.write", False),
    ("DELETE", "/{db}/{tables}/{table}/{columns}/{key}", "delete_column", "{tables}.write", False),
    ("POST", "/{db}/{tables}/{table}/indexes", "create_index", "{tables}.write", False),
    ("GET", "/{db}/{tables}/{table}/indexes", "list_indexes", "{tables}.read", False),
    ("GET", "/{db}/{tables}/{table}/indexes/{key}", "get_index", "{tables}.read", False),
    ("DELETE", "/{db}/{tables}/{table}/indexes/{key}", "delete_index", "{tables}.write", False),
    ("POST", "/{db}/{tables}/{table}/{rows}", "create_row", "{rows}.write", True),
    ("GET", "/{db}/{tables}/{table}/{rows}", "list_rows", "{rows}.read", True),
    ("PATCH", "/{db}/{tables}/{table}/{rows}", "update_rows", "{rows}.write", True),
    ("DELETE", "/{db}/{tables}/{table}/{rows}", "delete_rows", "{rows}.write", True),
    ("GET", "/{db}/{tables}/{table}/{rows}/{row}", "get_row", "{rows}.read", True),
    ("PATCH", "/{db}/{tables}/{table}/{rows}/{row}", "update_row", "{rows}.write", True),
    ("PUT", "/{db}/{tables}/{table}/{rows}/{row}", "upsert_row", "{rows}.write", True),
    ("DELETE", "/{db}/{tables}/{table}/{rows}/{row}", "delete_row", "{rows}.write", True),
    ("PATCH", "/{db}/{tables}/{table}/{rows}/{row}/{column}/increment", "increment", "{rows}.write", True),
    ("PATCH", "/{db}/{tables}/{table}/{rows}/{row}/{column}/decrement", "decrement", "{rows}.write", True),
]


def router(db: Database) -> Router:
    schema_handlers = DatabasesResponses(db)
    row_handlers = RowResponses(db, schema_handlers.catalog)
    routes = Router()
    for fam in (TABLESDB, LEGACY):
        for method, suffix, name, scope, data_route in ROUTES:
            path = fam.base + suffix.replace("{tables}", fam.tables).replace("{rows}", fam.rows).replace(
                "{columns}", fam.columns)
            handler = getattr(row_handlers if data_route else schema_handlers, name)
            routes.add(method, path, lambda req, handler=handler, fam=fam: handler(req, fam),
                       scopes=fam.scope(scope), data_route=data_route)
    return routes
