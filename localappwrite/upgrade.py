"""Opens data files written before the layered server: their users, teams and memberships (`auth_*` tables,
datetimes in the answer format, `''` for unset) are copied once into the `aw_*` tables. Their sessions are not:
the tokens handed out then are not Appwrite's encoding, so those clients sign in again."""

from __future__ import annotations

import sqlite3

from .storage import Database, table_exists

VERSION = 2  # PRAGMA user_version once the copy is done


def _stored(column: str) -> str:
    """SQL turning an old datetime (`2024-12-15T14:25:10.123+00:00` or '') into the stored form (or NULL)."""
    return (f"CASE WHEN {column} IS NULL OR {column} = '' THEN NULL "
            f"ELSE substr({column}, 1, 10) || ' ' || substr({column}, 12, 12) END")


def _copy(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO aw_users (id, email, phone, name, password, status, labels, prefs, email_verification, "
        "phone_verification, mfa, registration, password_update, accessed_at, created_at, updated_at) "
        f"SELECT id, email, phone, name, password, status, labels, prefs, email_verification, phone_verification, mfa, "
        f"{_stored('registration')}, {_stored('password_update')}, {_stored('accessed_at')}, {_stored('created_at')}, "
        f"{_stored('updated_at')} FROM auth_users ORDER BY seq")
    conn.execute("INSERT OR IGNORE INTO aw_teams (id, name, total, prefs, created_at, updated_at) "
                 f"SELECT id, name, total, prefs, {_stored('created_at')}, {_stored('updated_at')} FROM auth_teams "
                 "ORDER BY seq")
    conn.execute("INSERT OR IGNORE INTO aw_memberships (id, team_id, user_id, roles, invited, joined, confirm, "
                 f"created_at, updated_at) SELECT id, team_id, user_id, roles, {_stored('invited')}, "
                 f"{_stored('joined')}, confirm, {_stored('created_at')}, {_stored('updated_at')} "
                 "FROM auth_memberships ORDER BY seq")


def upgrade(db: Database) -> None:
    """Runs after the models installed their tables."""
    with db.write() as conn:
        if conn.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
            return
        if table_exists(conn, "auth_users"):
            _copy(conn)
        conn.execute(f"PRAGMA user_version = {VERSION}")
