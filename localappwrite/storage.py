"""Storage: the one SQLite connection, its transactions (one writer at a time), and the SQL building blocks the
models share (quoting, DDL scripts, fulltext indexes kept by triggers)."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _regexp(pattern: str, value: Any) -> bool:
    if value is None or not isinstance(value, str):
        return False
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


class Database:
    """One SQLite connection used by every thread, serialised by a lock.

    A single connection is what makes `:memory:` work across threads, and serialising writes means
    concurrent clients never see "database is locked".
    """

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.create_function("regexp", 2, _regexp, deterministic=True)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            yield self.conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def run_script(self, ddl: str) -> None:
        """Runs `;`-separated statements in one transaction (schemas are idempotent: IF NOT EXISTS)."""
        with self.write() as conn:
            for statement in ddl.split(";\n"):
                if statement.strip():
                    conn.execute(statement)

    def close(self) -> None:
        """Closing checkpoints the WAL: the file alone then holds every write."""
        with self.lock:
            self.conn.close()


def create_fulltext(conn: sqlite3.Connection, fts: str, table: str, rowid: str, text_sql: str,
                    watched: list[str]) -> None:
    """An FTS5 table `fts` over `text_sql` (an expression of `table`'s columns, written with `{row}.` before
    each), filled now and kept current by triggers, as MariaDB keeps a FULLTEXT index.

    `_` is a word character, as in MariaDB's fulltext parser.
    """
    if table_exists(conn, fts):
        return
    q = quote(fts)
    conn.execute(f"CREATE VIRTUAL TABLE {q} USING fts5(v, tokenize = \"unicode61 tokenchars '_'\")")
    conn.execute(f"INSERT INTO {q} (rowid, v) SELECT {rowid}, {text_sql.format(row=table)} FROM {table}")
    new, old = text_sql.format(row="new"), text_sql.format(row="old")
    conn.execute(f"CREATE TRIGGER {quote(fts + '_ai')} AFTER INSERT ON {table} BEGIN "
                 f"INSERT INTO {q} (rowid, v) VALUES (new.{rowid}, {new}); END")
    conn.execute(f"CREATE TRIGGER {quote(fts + '_ad')} AFTER DELETE ON {table} BEGIN "
                 f"DELETE FROM {q} WHERE rowid = old.{rowid}; END")
    conn.execute(f"CREATE TRIGGER {quote(fts + '_au')} AFTER UPDATE OF {', '.join(watched)} "
                 f"ON {table} WHEN {old} IS NOT {new} BEGIN DELETE FROM {q} WHERE rowid = old.{rowid}; "
                 f"INSERT INTO {q} (rowid, v) VALUES (new.{rowid}, {new}); END")


def drop_fulltext(conn: sqlite3.Connection, fts: str) -> None:
    for suffix in ("_ai", "_ad", "_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {quote(fts + suffix)}")
    conn.execute(f"DROP TABLE IF EXISTS {quote(fts)}")


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
