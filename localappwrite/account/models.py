"""The account model: e-mail/password sessions in `aw_sessions`, their tokens, and the login rate limit. No HTTP.

A session's token is what Appwrite hands out and reads back (cookie, `X-Appwrite-Session`, `X-Fallback-Cookies`):
utopia-php/auth's Store encoding, base64 of `{"id": <user id>, "secret": <secret>}`. Only the secret's SHA-256
is stored (Appwrite stores a hash too).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import sqlite3
import threading
import time

from .. import datetimes
from ..errors import (
    general_rate_limit_exceeded,
    user_blocked,
    user_invalid_credentials,
    user_session_not_found,
)
from ..params import unique_id
from ..storage import Database
from ..users import models as users

SESSION_SECONDS = 365 * 24 * 3600  # TOKEN_EXPIRATION_LOGIN_LONG, the project's default session length
LOGIN_LIMIT, LOGIN_WINDOW = 10, 3600  # abuse-limit / abuse-time of the login route, keyed url + email

DDL = """
CREATE TABLE IF NOT EXISTS aw_sessions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL COLLATE NOCASE,
    secret_hash TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL DEFAULT 'email',
    provider_uid TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    expire TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aw_sessions_user ON aw_sessions (user_id);
CREATE TRIGGER IF NOT EXISTS aw_sessions_of_deleted_user AFTER DELETE ON aw_users BEGIN
    DELETE FROM aw_sessions WHERE user_id = old.id; END
"""


def install(db: Database) -> None:
    db.run_script(DDL)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def encode_token(user_id: str, secret: str) -> str:
    return base64.b64encode(json.dumps({"id": user_id, "secret": secret}).encode()).decode()


def decode_token(token: str) -> tuple[str, str] | None:
    """(user id, secret) of a token, None when it is not one (as utopia's Store::decode, which yields nothing)."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        data = json.loads(base64.b64decode(token, validate=False))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, secret = data.get("id"), data.get("secret")
    if not isinstance(user_id, str) or not isinstance(secret, str) or not user_id or not secret:
        return None
    return user_id, secret


class LoginLimiter:
    """Fixed one-hour windows per (url, email), like Appwrite's abuse TimeLimit; reset by a successful login."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[tuple[str, str], tuple[int, int]] = {}

    def hit(self, key: tuple[str, str]) -> None:
        window = int(time.time()) // LOGIN_WINDOW
        with self.lock:
            w, n = self.hits.get(key, (window, 0))
            if w != window:
                w, n = window, 0
            self.hits[key] = (w, n + 1)
            if len(self.hits) > 100_000:  # never grow without bound
                self.hits = {k: v for k, v in self.hits.items() if v[0] == window}
        if n + 1 > LOGIN_LIMIT:
            raise general_rate_limit_exceeded()

    def reset(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.hits.pop(key, None)


class Sessions:
    def __init__(self, db: Database):
        self.db = db
        self.limiter = LoginLimiter()

    def login(self, email: str, password: str, ip: str, limit_key: tuple[str, str] | None,
              ) -> tuple[sqlite3.Row, str]:
        """A new session for the user with this e-mail and password: (session row, token).

        `limit_key`: counts the attempt against the route's rate limit (None: an API key, never limited)."""
        if limit_key is not None:
            self.limiter.hit(limit_key)
        with self.db.read() as conn:
            user = users.by_email(conn, email)
        if user is None or not user["password"] or not users.check_password(password, user["password"]):
            raise user_invalid_credentials()
        if not user["status"]:
            raise user_blocked()
        secret = secrets.token_hex(64)
        session_id, now = unique_id(), datetimes.now_stored()
        with self.db.write() as conn:
            if users.find(conn, user["id"]) is None:  # deleted meanwhile
                raise user_invalid_credentials()
            conn.execute("INSERT INTO aw_sessions (id, user_id, secret_hash, provider, provider_uid, ip, expire, "
                         "created_at, updated_at) VALUES (?, ?, ?, 'email', ?, ?, ?, ?, ?)",
                         (session_id, user["id"], _hash(secret), email, ip, datetimes.stored_in(SESSION_SECONDS),
                          now, now))
            users.touch(conn, user["id"])
            row = conn.execute("SELECT * FROM aw_sessions WHERE id = ?", (session_id,)).fetchone()
        if limit_key is not None:
            self.limiter.reset(limit_key)
        return row, encode_token(user["id"], secret)

    def resolve(self, token: str) -> tuple[sqlite3.Row, sqlite3.Row] | None:
        """(user, session) of a live session token, else None."""
        decoded = decode_token(token)
        if decoded is None:
            return None
        user_id, secret = decoded
        with self.db.read() as conn:
            session = conn.execute("SELECT * FROM aw_sessions WHERE secret_hash = ? AND user_id = ? AND expire > ?",
                                   (_hash(secret), user_id, datetimes.now_stored())).fetchone()
            user = users.find(conn, user_id) if session is not None else None
        return None if user is None else (user, session)

    def of_user(self, user_id: str) -> list[sqlite3.Row]:
        with self.db.read() as conn:
            return conn.execute("SELECT * FROM aw_sessions WHERE user_id = ? AND expire > ? ORDER BY seq",
                                (user_id, datetimes.now_stored())).fetchall()

    def get(self, user_id: str, session_id: str) -> sqlite3.Row:
        with self.db.read() as conn:
            row = conn.execute("SELECT * FROM aw_sessions WHERE id = ? AND user_id = ?",
                               (session_id, user_id)).fetchone()
        if row is None:
            raise user_session_not_found()
        return row

    def delete(self, user_id: str, session_id: str) -> sqlite3.Row:
        row = self.get(user_id, session_id)
        with self.db.write() as conn:
            conn.execute("DELETE FROM aw_sessions WHERE id = ?", (row["id"],))
        return row

    def delete_all(self, user_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM aw_sessions WHERE user_id = ?", (user_id,))
