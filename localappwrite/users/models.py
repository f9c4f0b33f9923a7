"""The users model: the project's users in `aw_users`, with the indexes Appwrite's `users` collection has
(app/config/collections/common.php) and its fulltext `search` (id, email, phone, name). No HTTP.

Passwords are hashed with scrypt (stdlib) where Appwrite uses argon2: see the README's differences.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import sqlite3

from .. import datetimes
from .. import queries as Q
from ..errors import user_already_exists, user_not_found
from ..storage import Database, create_fulltext

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2 ** 14, 8, 1, 64
HASH_OPTIONS = {"type": "scrypt", "costCpu": SCRYPT_R, "costMemory": int(math.log2(SCRYPT_N)),
                "costParallel": SCRYPT_P, "length": SCRYPT_LEN}
FULLTEXT = "aw_users_search"

DDL = """
CREATE TABLE IF NOT EXISTS aw_users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email TEXT UNIQUE COLLATE NOCASE,
    phone TEXT UNIQUE,
    name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    password TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 1,
    labels TEXT NOT NULL DEFAULT '[]',
    prefs TEXT NOT NULL DEFAULT '{}',
    email_verification INTEGER NOT NULL DEFAULT 0,
    phone_verification INTEGER NOT NULL DEFAULT 0,
    mfa INTEGER NOT NULL DEFAULT 0,
    impersonator INTEGER NOT NULL DEFAULT 0,
    registration TEXT NOT NULL,
    password_update TEXT,
    accessed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aw_users_name ON aw_users (name);
CREATE INDEX IF NOT EXISTS aw_users_status ON aw_users (status);
CREATE INDEX IF NOT EXISTS aw_users_password_update ON aw_users (password_update);
CREATE INDEX IF NOT EXISTS aw_users_registration ON aw_users (registration);
CREATE INDEX IF NOT EXISTS aw_users_email_verification ON aw_users (email_verification);
CREATE INDEX IF NOT EXISTS aw_users_phone_verification ON aw_users (phone_verification);
CREATE INDEX IF NOT EXISTS aw_users_impersonator ON aw_users (impersonator);
CREATE INDEX IF NOT EXISTS aw_users_created ON aw_users (created_at);
CREATE INDEX IF NOT EXISTS aw_users_updated ON aw_users (updated_at)
"""
SEARCH_TEXT = "{row}.id || ' ' || coalesce({row}.email, '') || ' ' || coalesce({row}.phone, '') || ' ' || {row}.name"

# What `queries` may touch (AW Validator/Queries/Users.php plus Base.php's internal attributes).
SOURCE = Q.Source({
    "$id": Q.Attr("id", "string"), "$createdAt": Q.Attr("created_at", "datetime"),
    "$updatedAt": Q.Attr("updated_at", "datetime"), "$sequence": Q.Attr("seq", "integer"),
    "name": Q.Attr("name", "string"), "email": Q.Attr("email", "string"), "phone": Q.Attr("phone", "string"),
    "status": Q.Attr("status", "boolean"), "passwordUpdate": Q.Attr("password_update", "datetime"),
    "registration": Q.Attr("registration", "datetime"), "emailVerification": Q.Attr("email_verification", "boolean"),
    "phoneVerification": Q.Attr("phone_verification", "boolean"), "labels": Q.Attr("labels", "string", True),
    "impersonator": Q.Attr("impersonator", "boolean"), "accessedAt": Q.Attr("accessed_at", "datetime"),
}, "aw_users", seq="seq", id="id", cursor_word="User", min_year=datetimes.SYSTEM_MIN_YEAR)


def install(db: Database) -> None:
    db.run_script(DDL)
    with db.write() as conn:
        create_fulltext(conn, FULLTEXT, "aw_users", "seq", SEARCH_TEXT, ["id", "email", "phone", "name"])


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_LEN,
                            maxmem=64 * 1024 * 1024)
    return f"$scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, algo, params, salt_hex, digest_hex = stored.split("$")
        opts = dict(kv.split("=") for kv in params.split(","))
        if algo != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=int(opts["n"]), r=int(opts["r"]),
                                p=int(opts["p"]), dklen=len(digest_hex) // 2, maxmem=64 * 1024 * 1024)
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def find(conn: sqlite3.Connection, user_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM aw_users WHERE id = ?", (user_id,)).fetchone()


def get(conn: sqlite3.Connection, user_id: str) -> sqlite3.Row:
    row = find(conn, user_id)
    if row is None:
        raise user_not_found()
    return row


def by_email(conn: sqlite3.Connection, email: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM aw_users WHERE email = ?", (email,)).fetchone()


def by_phone(conn: sqlite3.Connection, phone: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM aw_users WHERE phone = ?", (phone,)).fetchone()


def create(conn: sqlite3.Connection, user_id: str, email: str | None, phone: str | None, password: str | None,
           name: str) -> sqlite3.Row:
    """A new user; `password` in clear (hashed here), None for none."""
    now = datetimes.now_stored()
    password_hash = hash_password(password) if password else ""
    try:
        conn.execute("INSERT INTO aw_users (id, email, phone, name, password, registration, password_update, "
                     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (user_id, email, phone, name, password_hash, now, now if password_hash else None, now, now))
    except sqlite3.IntegrityError as e:
        raise user_already_exists() from e
    return get(conn, user_id)


def delete(conn: sqlite3.Connection, user_id: str) -> None:
    """Its sessions and memberships go with it (triggers of the account and teams models)."""
    if conn.execute("DELETE FROM aw_users WHERE id = ?", (user_id,)).rowcount == 0:
        raise user_not_found()


def set_status(conn: sqlite3.Connection, user_id: str, status: bool) -> sqlite3.Row:
    get(conn, user_id)
    conn.execute("UPDATE aw_users SET status = ?, updated_at = ? WHERE id = ?",
                 (int(status), datetimes.now_stored(), user_id))
    return get(conn, user_id)


def touch(conn: sqlite3.Connection, user_id: str) -> None:
    """`accessedAt`, set on sign-in."""
    conn.execute("UPDATE aw_users SET accessed_at = ? WHERE id = ?", (datetimes.now_stored(), user_id))


def listing(conn: sqlite3.Connection, queries: list[str], search: str, with_total: bool,
            ) -> tuple[list[sqlite3.Row], int]:
    return Q.system_list(conn, SOURCE, queries, search=search, fulltext=FULLTEXT, with_total=with_total)
