"""The teams handlers: params read as Appwrite's Teams routes declare them, the teams model, the Team and
Membership models' JSON (with Appwrite's privacy defaults for callers without a key)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .. import datetimes
from ..errors import general_argument_invalid, user_unauthorized
from ..params import MISSING, Params, path_id
from ..routing import Request
from ..storage import Database
from ..users import models as users
from . import models

Answer = tuple[int, Any]


def team_json(row: sqlite3.Row) -> dict[str, Any]:
    return {"$id": row["id"], "$createdAt": datetimes.output(row["created_at"]),
            "$updatedAt": datetimes.output(row["updated_at"]), "name": row["name"], "total": row["total"],
            "prefs": json.loads(row["prefs"]) or {}}


def membership_json(row: sqlite3.Row, user: sqlite3.Row | None, team: sqlite3.Row | None, *,
                    private: bool) -> dict[str, Any]:
    """`private`: a caller without a key does not see `userAccessedAt` (AW Memberships XList privacy)."""
    return {
        "$id": row["id"], "$createdAt": datetimes.output(row["created_at"]),
        "$updatedAt": datetimes.output(row["updated_at"]), "userId": row["user_id"],
        "userName": user["name"] if user else "", "userEmail": (user["email"] or "") if user else "",
        "userPhone": (user["phone"] or "") if user else "", "teamId": row["team_id"],
        "teamName": team["name"] if team else "", "invited": datetimes.output_or_empty(row["invited"]),
        "joined": datetimes.output_or_empty(row["joined"]), "confirm": bool(row["confirm"]),
        "mfa": bool(user["mfa"]) if user else False,
        "userAccessedAt": "" if private or not user else datetimes.output_or_empty(user["accessed_at"]),
        "roles": json.loads(row["roles"]),
    }


def _roles(p: Params, max_len: int = 81, default: Any = MISSING) -> list[str]:
    """Memberships: ArrayList(Key(81)); a new team's roles: ArrayList(Key()) (AW Teams/Http/…)."""
    return list(dict.fromkeys(p.keys("roles", max_len, default)))


class TeamsResponses:
    def __init__(self, db: Database):
        self.db = db

    def _memberships_answer(self, req: Request, conn: sqlite3.Connection, rows: list[sqlite3.Row],
                            total: int) -> Answer:
        out = [membership_json(m, u, t, private=not req.is_key) for m, u, t in models.people(conn, rows)]
        return 200, {"total": total, "memberships": out}

    def _reader(self, req: Request) -> str | None:
        """Whose membership opens a team: nobody's for a key, the caller's otherwise."""
        return None if req.is_key else (req.user_id or "")

    # -- teams --
    def create(self, req: Request) -> Answer:
        if req.role not in ("key", "user"):
            raise user_unauthorized()
        p = req.params
        team_id = p.custom_id("teamId")
        name = p.text("name", 128, min_len=1)
        roles = _roles(p, 36, ["owner"])
        with self.db.write() as conn:
            return 201, team_json(models.create(conn, team_id, name, None if req.is_key else req.user_id, roles))

    def list(self, req: Request) -> Answer:
        if req.role not in ("key", "user"):
            raise user_unauthorized()
        p = req.params
        queries, search, with_total = p.queries(), p.text("search", 256, ""), p.boolean("total", True)
        with self.db.read() as conn:
            rows, total = models.listing(conn, queries, search, with_total, self._reader(req))
        return 200, {"total": total, "teams": [team_json(r) for r in rows]}

    def get(self, req: Request) -> Answer:
        team_id = path_id(req.path_params["teamId"], "teamId")
        with self.db.read() as conn:
            return 200, team_json(models.get(conn, team_id, self._reader(req)))

    def delete(self, req: Request) -> Answer:
        if not req.is_key:
            raise user_unauthorized()
        team_id = path_id(req.path_params["teamId"], "teamId")
        with self.db.write() as conn:
            models.delete(conn, team_id)
        return 204, None

    # -- memberships --
    def create_membership(self, req: Request) -> Answer:
        p = req.params
        team_id = path_id(req.path_params["teamId"], "teamId")
        roles = _roles(p)
        # Optional params with "" defaults: utopia validates what is sent, and an empty value is "not given"
        # only to the action (AW Memberships/Create.php).
        email = p.email() if p.get("email") not in (None, "") else None
        user_id = path_id(p.get("userId"), "userId") if p.get("userId") not in (None, "") else None
        phone = p.phone() if p.get("phone") not in (None, "") else None
        name = p.text("name", 128, "")
        p.text("url", 2048, "")
        if not (email or user_id or phone):
            raise general_argument_invalid("At least one of userId, email, or phone is required")
        if not req.is_key:
            # Invitations by e-mail (the only way Appwrite lets non-key callers add members) are not served.
            with self.db.read() as conn:
                models.get(conn, team_id, self._reader(req))
            raise user_unauthorized("User is not allowed to send invitations for this team")
        with self.db.write() as conn:
            row = models.add_member(conn, team_id, user_id, email, phone, name, roles)
            user, team = users.find(conn, row["user_id"]), models.find(conn, team_id)
            return 201, membership_json(row, user, team, private=False)

    def list_memberships(self, req: Request) -> Answer:
        p = req.params
        team_id = path_id(req.path_params["teamId"], "teamId")
        queries, search, with_total = p.queries(), p.text("search", 256, ""), p.boolean("total", True)
        with self.db.read() as conn:
            models.get(conn, team_id, self._reader(req))
            rows, total = models.memberships(conn, queries, search, with_total, team_id=team_id)
            return self._memberships_answer(req, conn, rows, total)

    def get_membership(self, req: Request) -> Answer:
        team_id = path_id(req.path_params["teamId"], "teamId")
        membership_id = path_id(req.path_params["membershipId"], "membershipId")
        with self.db.read() as conn:
            models.get(conn, team_id, self._reader(req))
            row = models.membership(conn, team_id, membership_id)
            user, team = users.find(conn, row["user_id"]), models.find(conn, team_id)
            return 200, membership_json(row, user, team, private=not req.is_key)

    def update_membership(self, req: Request) -> Answer:
        if not req.is_key:
            raise user_unauthorized()
        team_id = path_id(req.path_params["teamId"], "teamId")
        membership_id = path_id(req.path_params["membershipId"], "membershipId")
        roles = _roles(req.params)
        with self.db.write() as conn:
            row = models.set_roles(conn, team_id, membership_id, roles)
            user, team = users.find(conn, row["user_id"]), models.find(conn, team_id)
            return 200, membership_json(row, user, team, private=False)

    def delete_membership(self, req: Request) -> Answer:
        if not req.is_key:
            raise user_unauthorized()
        team_id = path_id(req.path_params["teamId"], "teamId")
        membership_id = path_id(req.path_params["membershipId"], "membershipId")
        with self.db.write() as conn:
            models.remove_member(conn, team_id, membership_id)
        return 204, None

    def user_memberships(self, req: Request) -> Answer:
        p = req.params
        user_id = path_id(req.path_params["userId"], "userId")
        queries, search, with_total = p.queries(), p.text("search", 256, ""), p.boolean("total", True)
        with self.db.read() as conn:
            users.get(conn, user_id)
            rows, total = models.memberships(conn, queries, search, with_total, user_id=user_id)
            return self._memberships_answer(req, conn, rows, total)
