"""With `--data` a file, databases, tables, columns, indexes and rows survive a restart."""

from __future__ import annotations

from appwrite.query import Query
from appwrite.services.tables_db import TablesDB

from localappwrite.launcher import start_localappwrite

from .conftest import create_sessions_table, sdk_client


def test_schema_and_rows_survive_a_restart(tmp_path):
    data = str(tmp_path / "appwrite.sqlite3")
    server = start_localappwrite(data=data)
    try:
        tables = TablesDB(sdk_client(server, key=server.api_key))
        tables.create("support", "Support")
        create_sessions_table(tables, "support")
        tables.create_varchar_column("support", "sessions", "note", 100, False)
        tables.create_index("support", "sessions", "note_text", "fulltext", ["note"])
        for i in range(3):
            tables.create_row("support", "sessions", f"r{i}", {
                "sessionId": f"s{i}", "lastSeen": f"2024-01-0{i + 1}T00:00:00Z", "note": f"word{i} persisted"})
        tables.delete_row("support", "sessions", "r2")
    finally:
        server.stop()

    server = start_localappwrite(data=data, api_key=server.api_key)
    try:
        tables = TablesDB(sdk_client(server, key=server.api_key))
        assert tables.get("support").name == "Support"
        table = tables.get_table("support", "sessions")
        assert [c.key for c in table.columns] == ["sessionId", "status", "startTime", "lastSeen", "userMeta",
                                                  "theme", "note"]
        assert [i.key for i in table.indexes] == ["status_lastSeen", "lastSeen", "sessionId", "note_text"]
        rows = tables.list_rows("support", "sessions", [Query.order_desc("lastSeen")])
        assert [r.id for r in rows.rows] == ["r1", "r0"]
        assert rows.rows[0].data["lastSeen"] == "2024-01-02T00:00:00.000+00:00"
        assert [r.id for r in tables.list_rows("support", "sessions", [Query.search("note", "word1")]).rows] == [
            "r1"]
        # $sequence continues after the deleted row, as AUTO_INCREMENT does
        assert tables.create_row("support", "sessions", "r9", {"sessionId": "s9"}).sequence == "4"
    finally:
        server.stop()
