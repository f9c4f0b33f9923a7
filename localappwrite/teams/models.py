"""The teams model: teams and memberships in `aw_teams` / `aw_memberships`, with the indexes Appwrite's `teams`
and `memberships` collections have and their fulltext `search`. No HTTP.

Triggers keep what Appwrite's workers keep: a user's or a team's memberships go with it, and a team's `total`
counts its confirmed memberships.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from .. import datetimes
from .. import queries as Q
from ..errors import (
    membership_already_confirmed,
    membership_not_found,
    team_already_exists,
    team_not_found,
    user_already_exists,
    user_not_found,
)
from ..params import unique_id
from ..storage import Database, create_fulltext
from ..users import models as users

TEAMS_FULLTEXT, MEMBERSHIPS_FULLTEXT = "aw_teams_search", "aw_memberships_search"

DDL = """
CREATE TABLE IF NOT EXISTS aw_teams (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    total INTEGER NOT NULL DEFAULT 0,
    prefs TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aw_teams_name ON aw_teams (name);
CREATE INDEX IF NOT EXISTS aw_teams_total ON aw_teams (total);
CREATE TABLE IF NOT EXISTS aw_memberships (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE COLLATE NOCASE,
    team_id TEXT NOT NULL COLLATE NOCASE,
    user_id TEXT NOT NULL COLLATE NOCASE,
    roles TEXT NOT NULL DEFAULT '[]',
    invited TEXT,
    joined TEXT,
    confirm INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (team_id, user_id)
);
CREATE INDEX IF NOT EXISTS aw_memberships_user ON aw_memberships (user_id);
CREATE INDEX IF NOT EXISTS aw_memberships_invited ON aw_memberships (invited);
CREATE INDEX IF NOT EXISTS aw_memberships_joined ON aw_memberships (joined);
CREATE INDEX IF NOT EXISTS aw_memberships_confirm ON aw_memberships (confirm);
CREATE INDEX IF NOT EXISTS aw_memberships_team_confirm ON aw_memberships (team_id, confirm);
CREATE TRIGGER IF NOT EXISTS aw_memberships_of_deleted_user AFTER DELETE ON aw_users BEGIN
    DELETE FROM aw_memberships WHERE user_id = old.id; END;
CREATE TRIGGER IF NOT EXISTS aw_memberships_of_deleted_team AFTER DELETE ON aw_teams BEGIN
    DELETE FROM aw_memberships WHERE team_id = old.id; END;
CREATE TRIGGER IF NOT EXISTS aw_team_total_down AFTER DELETE ON aw_memberships WHEN old.confirm BEGIN
    UPDATE aw_teams SET total = MAX(total - 1, 0) WHERE id = old.team_id; END
"""

_BASE = {"$id": Q.Attr("id", "string"), "$createdAt": Q.Attr("created_at", "datetime"),
         "$updatedAt": Q.Attr("updated_at", "datetime"), "$sequence": Q.Attr("seq", "integer")}
# AW Validator/Queries/Teams.php and Memberships.php
TEAMS = Q.Source({**_BASE, "name": Q.Attr("name", "string"), "total": Q.Attr("total", "integer"),
                  "billingPlan": Q.Attr("NULL", "string")},
                 "aw_teams", seq="seq", id="id", cursor_word="Team", min_year=datetimes.SYSTEM_MIN_YEAR)
MEMBERSHIPS = Q.Source({**_BASE, "userId": Q.Attr("user_id", "string"), "teamId": Q.Attr("team_id", "string"),
                        "invited": Q.Attr("invited", "datetime"), "joined": Q.Attr("joined", "datetime"),
                        "confirm": Q.Attr("confirm", "boolean"), "roles": Q.Attr("roles", "string", True)},
                       "aw_memberships", seq="seq", id="id", cursor_word="Membership",
                       min_year=datetimes.SYSTEM_MIN_YEAR)


def install(db: Database) -> None:
    db.run_script(DDL)
    with db.write() as conn:
        create_fulltext(conn, TEAMS_FULLTEXT, "aw_teams", "seq", "{row}.id || ' ' || {row}.name", ["id", "name"])
        create_fulltext(conn, MEMBERSHIPS_FULLTEXT, "aw_memberships", "seq", "{row}.id || ' ' || {row}.user_id",
                        ["id", "user_id"])


# -- teams ------------------------------------------------------------------------------------------------


def find(conn: sqlite3.Connection, team_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM aw_teams WHERE id = ?", (team_id,)).fetchone()


def is_member(conn: sqlite3.Connection, team_id: str, user_id: str | None) -> bool:
    return user_id is not None and conn.execute(
        "SELECT 1 FROM aw_memberships WHERE team_id = ? AND user_id = ? AND confirm = 1",
        (team_id, user_id)).fetchone() is not None


def get(conn: sqlite3.Connection, team_id: str, reader: str | None = None) -> sqlite3.Row:
    """The team; with `reader` (a user id), only if that user is a confirmed member: Appwrite hides the others
    (404, as if absent)."""
    row = find(conn, team_id)
    if row is None or (reader is not None and not is_member(conn, team_id, reader)):
        raise team_not_found()
    return row


def create(conn: sqlite3.Connection, team_id: str, name: str, owner: str | None, roles: list[str]) -> sqlite3.Row:
    """A new team; `owner` (a user creating it with a session) becomes a confirmed member with `roles`."""
    if find(conn, team_id) is not None:
        raise team_already_exists()
    now = datetimes.now_stored()
    conn.execute("INSERT INTO aw_teams (id, name, total, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                 (team_id, name, 0 if owner is None else 1, now, now))
    if owner is not None:
        conn.execute("INSERT INTO aw_memberships (id, team_id, user_id, roles, invited, joined, confirm, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                     (unique_id(), team_id, owner, json.dumps(roles), now, now, now, now))
    return get(conn, team_id)


def delete(conn: sqlite3.Connection, team_id: str) -> None:
    if conn.execute("DELETE FROM aw_teams WHERE id = ?", (team_id,)).rowcount == 0:
        raise team_not_found()


def listing(conn: sqlite3.Connection, queries: list[str], search: str, with_total: bool,
            member: str | None = None) -> tuple[list[sqlite3.Row], int]:
    """Teams; with `member`, only those the user is a confirmed member of."""
    source = TEAMS if member is None else dataclasses.replace(
        TEAMS, base_where="id IN (SELECT team_id FROM aw_memberships WHERE user_id = ? AND confirm = 1)",
        base_params=(member,))
    return Q.system_list(conn, source, queries, search=search, fulltext=TEAMS_FULLTEXT, with_total=with_total)


# -- memberships ------------------------------------------------------------------------------------------


def membership(conn: sqlite3.Connection, team_id: str, membership_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM aw_memberships WHERE team_id = ? AND id = ?",
                       (team_id, membership_id)).fetchone()
    if row is None:
        raise membership_not_found()
    return row


def add_member(conn: sqlite3.Connection, team_id: str, user_id: str | None, email: str | None, phone: str | None,
               name: str, roles: list[str]) -> sqlite3.Row:
    """A confirmed membership (an API key's invitation is confirmed at once); an unknown e-mail or phone
    creates the user, as Appwrite does."""
    get(conn, team_id)
    if user_id:
        user = users.find(conn, user_id)
        if user is None:
            raise user_not_found("User with given userId doesn't exist.")
        if (email and (user["email"] or "") != email) or (phone and (user["phone"] or "") != phone):
            raise user_already_exists(f"Given userId and {'email' if email else 'phone'} doesn't match")
    else:
        user = users.by_email(conn, email) if email else users.by_phone(conn, phone or "")
        if user is not None and email and phone and (user["phone"] or "") != phone:
            raise user_already_exists("Given email and phone doesn't match")
        if user is None:
            user = users.create(conn, unique_id(), email, phone, None, name or email or "")
    now = datetimes.now_stored()
    existing = conn.execute("SELECT confirm, id FROM aw_memberships WHERE team_id = ? AND user_id = ?",
                            (team_id, user["id"])).fetchone()
    if existing is not None:
        if existing["confirm"]:
            raise membership_already_confirmed()
        conn.execute("UPDATE aw_memberships SET roles = ?, joined = ?, confirm = 1, updated_at = ? WHERE id = ?",
                     (json.dumps(roles), now, now, existing["id"]))
        membership_id = existing["id"]
    else:
        membership_id = unique_id()
        conn.execute("INSERT INTO aw_memberships (id, team_id, user_id, roles, invited, joined, confirm, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                     (membership_id, team_id, user["id"], json.dumps(roles), now, now, now, now))
    conn.execute("UPDATE aw_teams SET total = total + 1, updated_at = ? WHERE id = ?", (now, team_id))
    return membership(conn, team_id, membership_id)


def set_roles(conn: sqlite3.Connection, team_id: str, membership_id: str, roles: list[str]) -> sqlite3.Row:
    get(conn, team_id)
    membership(conn, team_id, membership_id)
    conn.execute("UPDATE aw_memberships SET roles = ?, updated_at = ? WHERE id = ?",
                 (json.dumps(roles), datetimes.now_stored(), membership_id))
    return membership(conn, team_id, membership_id)


def remove_member(conn: sqlite3.Connection, team_id: str, membership_id: str) -> None:
    """The team's `total` follows (trigger)."""
    get(conn, team_id)
    conn.execute("DELETE FROM aw_memberships WHERE id = ?", (membership(conn, team_id, membership_id)["id"],))


def memberships(conn: sqlite3.Connection, queries: list[str], search: str, with_total: bool, *,
                team_id: str | None = None, user_id: str | None = None) -> tuple[list[sqlite3.Row], int]:
    """A team's memberships, or a user's."""
    column, value = ("team_id", team_id) if team_id is not None else ("user_id", user_id)
    source = dataclasses.replace(MEMBERSHIPS, base_where=f"{column} = ?", base_params=(value,))
    return Q.system_list(conn, source, queries, search=search, fulltext=MEMBERSHIPS_FULLTEXT, with_total=with_total)


def people(conn: sqlite3.Connection, rows: list[sqlite3.Row],
           ) -> list[tuple[sqlite3.Row, sqlite3.Row | None, sqlite3.Row | None]]:
    """Each membership with its user and its team (Appwrite's XList looks both up per membership)."""
    out = []
    for row in rows:
        out.append((row, users.find(conn, row["user_id"]), find(conn, row["team_id"])))
    return out
