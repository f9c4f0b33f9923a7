"""The two route families over the same storage, and the words each answers in (row/document, table/collection,
column/attribute), in its paths, params, JSON keys and error types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    db_type: str          # type of databases it creates
    base: str             # path prefix
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

    def scope(self, template: str) -> tuple[str, ...]:
        """The scopes opening a route: TablesDB routes also take the legacy names (Appwrite 1.8 labels them
        `['tables.read', 'collections.read']`, `['rows.write', 'documents.write']`, …); legacy routes only theirs."""
        if self is LEGACY:
            return (template.format(tables="collections", rows="documents"),)
        own = template.format(tables="tables", rows="rows")
        legacy = template.format(tables="collections", rows="documents")
        return (own,) if own == legacy else (own, legacy)


TABLESDB = Family("tablesdb", "/v1/tablesdb", "row", "Row", "rows", "table", "Table", "tables", "column", "Column",
                  "columns", "$tableId", "tableId", "rowId", "rowSecurity", "columns")
LEGACY = Family("legacy", "/v1/databases", "document", "Document", "documents", "collection", "Collection",
                "collections", "attribute", "Attribute", "attributes", "$collectionId", "collectionId",
                "documentId", "documentSecurity", "attributes")
