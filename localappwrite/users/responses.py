"""The users handlers: params read as Appwrite's Users routes declare them, the users model, the User model's JSON."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .. import datetimes
from ..params import path_id
from ..routing import Request
from ..storage import Database
from . import models

Answer = tuple[int, Any]


def user_json(row: sqlite3.Row, *, for_account: bool = False) -> dict[str, Any]:
    """Appwrite's User model; the Account model (for_account) has no password rules."""
    out = {
        "$id": row["id"],
        "$createdAt": datetimes.output(row["created_at"]),
        "$updatedAt": datetimes.output(row["updated_at"]),
        "name": row["name"],
        "password": row["password"],
        "hash": "scrypt",
        "hashOptions": dict(models.HASH_OPTIONS),
        "registration": datetimes.output(row["registration"]),
        "status": bool(row["status"]),
        "labels": json.loads(row["labels"]),
        "passwordUpdate": datetimes.output_or_empty(row["password_update"]),
        "email": row["email"] or "",
        "phone": row["phone"] or "",
        "emailVerification": bool(row["email_verification"]),
        "phoneVerification": bool(row["phone_verification"]),
        "mfa": bool(row["mfa"]),
        "prefs": json.loads(row["prefs"]) or {},
        "targets": [],
        "accessedAt": datetimes.output_or_empty(row["accessed_at"]),
    }
    if for_account:
        for key in ("password", "hash", "hashOptions"):
            del out[key]
    return out


class UsersResponses:
    def __init__(self, db: Database):
        self.db = db

    def create(self, req: Request) -> Answer:
        p = req.params
        user_id = p.custom_id("userId")
        email = p.email() if p.present("email") else None  # Nullable(Email): "" is refused, null is none
        phone = p.phone() if p.present("phone") else None
        password = p.password("password", None)
        name = p.text("name", 128, "")
        with self.db.write() as conn:
            return 201, user_json(models.create(conn, user_id, email, phone, password, name))

    def list(self, req: Request) -> Answer:
        p = req.params
        queries, search, with_total = p.queries(), p.text("search", 256, ""), p.boolean("total", True)
        with self.db.read() as conn:
            rows, total = models.listing(conn, queries, search, with_total)
        return 200, {"total": total, "users": [user_json(r) for r in rows]}

    def get(self, req: Request) -> Answer:
        user_id = path_id(req.path_params["userId"], "userId")
        with self.db.read() as conn:
            return 200, user_json(models.get(conn, user_id))

    def delete(self, req: Request) -> Answer:
        user_id = path_id(req.path_params["userId"], "userId")
        with self.db.write() as conn:
            models.delete(conn, user_id)
        return 204, None

    def update_status(self, req: Request) -> Answer:
        user_id = path_id(req.path_params["userId"], "userId")
        status = req.params.boolean("status")
        with self.db.write() as conn:
            return 200, user_json(models.set_status(conn, user_id, status))
