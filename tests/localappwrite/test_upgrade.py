"""A data file of the localappwrite before the layers (accounts in `auth_*` tables, datetimes in the answer
format) opens with its users, teams and memberships."""

from __future__ import annotations

import sqlite3

from appwrite.services.account import Account
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from localappwrite.users.models import hash_password
from tests.localappwrite_process import start_localappwrite

from .conftest import sdk_client

OLD_SCHEMA = """
CREATE TABLE auth_users (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, email TEXT UNIQUE,
    phone TEXT UNIQUE, name TEXT NOT NULL DEFAULT '', password TEXT NOT NULL DEFAULT '', status INTEGER NOT NULL
    DEFAULT 1, labels TEXT NOT NULL DEFAULT '[]', prefs TEXT NOT NULL DEFAULT '{}', email_verification INTEGER NOT
    NULL DEFAULT 0, phone_verification INTEGER NOT NULL DEFAULT 0, mfa INTEGER NOT NULL DEFAULT 0, registration
    TEXT NOT NULL, password_update TEXT NOT NULL DEFAULT '', accessed_at TEXT NOT NULL DEFAULT '', created_at TEXT
    NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE auth_sessions (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE, provider TEXT NOT NULL DEFAULT 'email', provider_uid TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '', expire TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE auth_teams (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0, prefs TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, updated_at TEXT NOT
    NULL);
CREATE TABLE auth_memberships (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, team_id TEXT NOT
    NULL, user_id TEXT NOT NULL, roles TEXT NOT NULL DEFAULT '[]', invited TEXT NOT NULL DEFAULT '', joined TEXT NOT
    NULL DEFAULT '', confirm INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (team_id, user_id));
"""
T1, T2 = "2024-12-15T14:25:10.123+00:00", "2024-12-16T08:00:00.000+00:00"


def test_an_older_data_file_keeps_its_users_teams_and_memberships(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.execute("INSERT INTO auth_users (id, email, name, password, registration, password_update, created_at, "
                 "updated_at) VALUES ('agent1', 'agent1@example.com', 'Agent One', ?, ?, ?, ?, ?)",
                 (hash_password("password123"), T1, T1, T1, T2))
    conn.execute("INSERT INTO auth_teams (id, name, total, created_at, updated_at) VALUES ('crew', 'Crew', 1, ?, ?)",
                 (T1, T1))
    conn.execute("INSERT INTO auth_memberships (id, team_id, user_id, roles, invited, joined, confirm, created_at, "
                 "updated_at) VALUES ('m1', 'crew', 'agent1', '[\"owner\"]', ?, ?, 1, ?, ?)", (T1, T1, T1, T1))
    conn.commit()
    conn.close()
    server = start_localappwrite(data=str(path), faults=False)
    try:
        admin = sdk_client(server, key=server.api_key)
        user = Users(admin).get("agent1")
        assert (user.email, user.name, user.registration, user.updatedat, user.accessedat) == (
            "agent1@example.com", "Agent One", T1, T2, "")
        assert Teams(admin).get("crew").total == 1
        assert [m.roles for m in Teams(admin).list_memberships("crew").memberships] == [["owner"]]
        session = Account(admin).create_email_password_session("agent1@example.com", "password123")
        assert Account(sdk_client(server, session=session.secret)).get().id == "agent1"
    finally:
        server.stop()
