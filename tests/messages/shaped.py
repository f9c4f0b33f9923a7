"""A messages collection shaped the way another deployment may have made it (only `sessionId` in common with
what appwrite_setup creates), for the messages-schema tests here and in Chromium (tests/browser/)."""

from __future__ import annotations

from typing import Any

from appwrite.enums.tables_db_index_type import TablesDBIndexType


class ShapedMessages:
    """The test's database, its messages table remade with the given string columns, and writers for both."""

    def __init__(self, rows, columns: list[str], **column_options: Any):
        from dashboard.appwrite import message_schema

        self.rows, self.tables, self.database_id = rows, rows.tables, rows.database_id
        self.tables.delete_table(self.database_id, "messages")
        self.tables.create_table(self.database_id, "messages", "Messages of another deployment")
        self.tables.create_varchar_column(self.database_id, "messages", "sessionId", 255, True)
        for column in columns:
            options = column_options.get(column, {})
            self.tables.create_varchar_column(self.database_id, "messages", column, 2000, False, **options)
        self.tables.create_index(self.database_id, "messages", "sessionId", TablesDBIndexType.KEY, ["sessionId"])
        message_schema.forget()  # the collection changed under this process

    def say(self, session_id: str, **fields: Any) -> str:
        from appwrite.id import ID

        row = self.tables.create_row(self.database_id, "messages", ID.unique(), {"sessionId": session_id, **fields})
        return row.id
