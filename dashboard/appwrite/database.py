"""One interface over Appwrite's TablesDB and its legacy Databases API (APPWRITE_API): list, get, update
and create the rows (documents) of the configured database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appwrite.services.databases import Databases
from appwrite.services.tables_db import TablesDB
from django.conf import settings

from dashboard.appwrite import errors, transport


@dataclass(frozen=True)
class RowList:
    """Rows as Appwrite stores them (plain JSON), and the total when it was asked for."""

    total: int
    rows: list[dict[str, Any]]


def _row_dict(item: Any) -> dict[str, Any]:
    data = item.data if isinstance(item.data, dict) else {}
    return {
        **data,
        "$id": item.id,
        "$createdAt": item.createdat,
        "$updatedAt": item.updatedat,
    }


def list_rows(collection_id: str, queries: list[str], *, total: bool = True) -> RowList:
    """Lists rows through the SDK's client, reading the answer as the JSON it is: the SDK's models
    validate each row with pydantic (about 40 µs a row), and counting a page's messages reads
    thousands of tiny rows. Same request as `TablesDB.list_rows` / `Databases.list_documents`."""
    client = transport.client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        path, key = f"/tablesdb/{database_id}/tables/{collection_id}/rows", "rows"
    else:
        path, key = f"/databases/{database_id}/collections/{collection_id}/documents", "documents"
    headers = {"X-Appwrite-Project": client.get_config("project"), "accept": "application/json"}
    answer = errors.call(client.call, "get", path, headers, {"queries": list(queries), "total": total})
    rows = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise errors.BadAnswer(f"Appwrite answered a list without {key}: {str(answer)[:200]}")
    try:
        count = int(answer.get("total") or 0)
    except (TypeError, ValueError) as error:
        raise errors.BadAnswer(f"Appwrite answered a list with a total of {answer.get('total')!r}") from error
    return RowList(total=count, rows=rows)


def get_row(collection_id: str, row_id: str) -> dict[str, Any]:
    client = transport.client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        return _row_dict(errors.call(TablesDB(client).get_row, database_id, collection_id, row_id))
    get_document = transport.undeprecated(Databases.get_document)
    return _row_dict(errors.call(get_document, Databases(client), database_id, collection_id, row_id))


def update_row(collection_id: str, row_id: str, data: dict[str, Any]) -> dict[str, Any]:
    client = transport.client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        return _row_dict(errors.call(TablesDB(client).update_row, database_id, collection_id, row_id, data=data))
    update_document = transport.undeprecated(Databases.update_document)
    return _row_dict(errors.call(update_document, Databases(client), database_id, collection_id, row_id, data=data))


def create_row(collection_id: str, row_id: str, data: dict[str, Any]) -> dict[str, Any]:
    client = transport.client()
    database_id = settings.APPWRITE_DATABASE_ID
    if settings.APPWRITE_API == "tablesdb":
        return _row_dict(errors.call(TablesDB(client).create_row, database_id, collection_id, row_id, data))
    create_document = transport.undeprecated(Databases.create_document)
    return _row_dict(errors.call(create_document, Databases(client), database_id, collection_id, row_id, data))
