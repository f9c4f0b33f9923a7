"""The account handlers: sign in with e-mail and password (cookies, `X-Fallback-Cookies`, the token as
`secret` only for API keys), the account, its sessions."""

from __future__ import annotations

import sqlite3
from typing import Any

from .. import datetimes
from ..errors import general_unauthorized_scope, user_session_already_exists
from ..params import path_id
from ..routing import Request
from ..storage import Database
from ..users import models as users
from ..users.responses import user_json
from . import cookies
from .models import Sessions

Answer = tuple[int, Any]


def session_json(row: sqlite3.Row, current_id: str | None, secret: str = "") -> dict[str, Any]:
    return {
        "$id": row["id"], "$createdAt": datetimes.output(row["created_at"]),
        "$updatedAt": datetimes.output(row["updated_at"]), "userId": row["user_id"],
        "expire": datetimes.output(row["expire"]), "provider": row["provider"], "providerUid": row["provider_uid"],
        "providerAccessToken": "", "providerAccessTokenExpiry": "", "providerRefreshToken": "", "ip": row["ip"],
        "osCode": "", "osName": "", "osVersion": "", "clientType": "", "clientCode": "", "clientName": "",
        "clientVersion": "", "clientEngine": "", "clientEngineVersion": "", "deviceName": "", "deviceBrand": "",
        "deviceModel": "", "countryCode": "--", "countryName": "Unknown", "current": row["id"] == current_id,
        "factors": ["password"], "secret": secret, "mfaUpdatedAt": "",
    }


class AccountResponses:
    def __init__(self, db: Database, sessions: Sessions, project_id: str):
        self.db, self.sessions, self.project_id = db, sessions, project_id

    def _user_id(self, req: Request) -> str:
        """The signed-in user; a key or a guest lacks the `account` scope (AW roles.php)."""
        if req.role != "user" or req.user_id is None:
            who = "app" if req.is_key else "User"
            raise general_unauthorized_scope(f"{who} (role: {'applications' if req.is_key else 'guests'})",
                                             ["account"])
        return req.user_id

    def _session_id(self, req: Request, session_id: str) -> str:
        return (req.caller.session_id or "") if session_id == "current" else session_id

    def create_email_password_session(self, req: Request) -> Answer:
        if req.role == "user":
            raise user_session_already_exists()
        p = req.params
        email_raw = p.get("email")
        email, password = p.email(), p.password()
        limit_key = None if req.is_key else (req.path, str(email_raw))
        row, token = self.sessions.login(email, password, req.client_ip, limit_key)
        cookies.set_session(req, self.project_id, token, datetimes.to_timestamp(row["expire"]))
        # The secret is a sensitive field: only API keys (and privileged users) see it (AW Response::output).
        return 201, session_json(row, row["id"], token if req.is_key else "")

    def get(self, req: Request) -> Answer:
        user_id = self._user_id(req)
        with self.db.read() as conn:
            return 200, user_json(users.get(conn, user_id), for_account=True)

    def list_sessions(self, req: Request) -> Answer:
        found = self.sessions.of_user(self._user_id(req))
        return 200, {"total": len(found), "sessions": [session_json(r, req.caller.session_id) for r in found]}

    def get_session(self, req: Request) -> Answer:
        user_id = self._user_id(req)
        row = self.sessions.get(user_id, self._session_id(req, req.path_params["sessionId"]))
        return 200, session_json(row, req.caller.session_id)

    def delete_session(self, req: Request) -> Answer:
        user_id = self._user_id(req)
        row = self.sessions.delete(user_id, self._session_id(req, req.path_params["sessionId"]))
        if row["id"] == req.caller.session_id:  # the current session: its cookies go too
            cookies.clear_session(req, self.project_id)
        return 204, None

    def delete_sessions(self, req: Request) -> Answer:
        self.sessions.delete_all(self._user_id(req))
        cookies.clear_session(req, self.project_id)
        return 204, None

    # The server side (API key, AW users.php): any user's sessions, by user id.

    def _existing_user(self, req: Request) -> str:
        user_id = path_id(req.path_params["userId"], "userId")
        with self.db.read() as conn:
            users.get(conn, user_id)  # user_not_found first, as Appwrite answers
        return user_id

    def user_sessions(self, req: Request) -> Answer:
        with_total = req.params.boolean("total", True)
        found = self.sessions.of_user(self._existing_user(req))
        # Appwrite marks none of them current here, and never shows a secret.
        return 200, {"total": len(found) if with_total else 0, "sessions": [session_json(r, None) for r in found]}

    def delete_user_session(self, req: Request) -> Answer:
        user_id = self._existing_user(req)
        self.sessions.delete(user_id, path_id(req.path_params["sessionId"], "sessionId"))
        return 204, None

    def delete_user_sessions(self, req: Request) -> Answer:
        self.sessions.delete_all(self._existing_user(req))
        return 204, None
