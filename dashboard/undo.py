"""The short-lived Undo after a status change: offered in the agent's (signed-cookie) session, shown on
the row or status panel that the change left, and trusted only through its signed token. A token works for
the agent it was offered to, and once: it names the row's `$updatedAt` after the change, so an undo (or any
other agent's write to the row) since then leaves it stale; only the visitor's own lastSeen bump is let
through (status_changes.restore_status). Appwrite holds that state; no cache can lose it."""

from __future__ import annotations

import time
from typing import Any

from django.core import signing
from django.http import HttpRequest

from dashboard.access import current_agent_id
from dashboard.appwrite.records import ChatSession, format_datetime

UNDO_SECONDS = 15
UNDO_SALT = "dashboard.undo-status"
# Undos still on offer, by row id, so that a re-rendered row (a live refresh, a page without
# JavaScript after its redirect) shows its Undo again. Only the signed token is ever trusted.
PENDING_UNDOS = "pending-undos"


def offer_undo(request: HttpRequest, session: ChatSession, previous: str) -> None:
    """Offers to put `previous` back, for UNDO_SECONDS."""
    change = {
        "row": session.row_id,
        "from": previous,
        "to": session.status,
        "agent": current_agent_id(request),
        "updated": format_datetime(session.updated_at) if session.updated_at else "",
    }
    token = signing.dumps(change, salt=UNDO_SALT)
    now = time.time()
    pending = {
        row_id: offer for row_id, offer in request.session.get(PENDING_UNDOS, {}).items() if offer.get("until", 0) > now
    }
    pending[session.row_id] = {"token": token, "from": previous, "to": session.status, "until": now + UNDO_SECONDS}
    request.session[PENDING_UNDOS] = pending


def redeem_undo(request: HttpRequest, row_id: str) -> tuple[dict[str, Any] | None, str]:
    """The change the posted Undo token stands for (its "from" and "to" statuses, and the row's "updated"
    after it), or None and why it cannot be undone."""
    try:
        change = signing.loads(request.POST.get("token", ""), salt=UNDO_SALT, max_age=UNDO_SECONDS)
    except signing.SignatureExpired:
        forget_undo(request, row_id)
        return None, f"Too late to undo: it lasts {UNDO_SECONDS} seconds."
    except signing.BadSignature:
        return None, "This undo is not valid."
    if not isinstance(change, dict) or change.get("row") != row_id:
        return None, "This undo belongs to another session."
    agent_id = current_agent_id(request)
    if not agent_id or change.get("agent") != agent_id:
        return None, "This undo was offered to another agent."
    return change, ""


def forget_undo(request: HttpRequest, row_id: str) -> None:
    pending = request.session.get(PENDING_UNDOS, {})
    if row_id in pending:
        del pending[row_id]
        request.session[PENDING_UNDOS] = pending


def pending_undo(request: HttpRequest | None, session: ChatSession) -> dict[str, Any] | None:
    """The undo on offer for this session: while it lasts and while the session still has the
    status it set. Used by the row and status-panel templates."""
    if request is None or not hasattr(request, "session"):
        return None
    offer = request.session.get(PENDING_UNDOS, {}).get(session.row_id)
    if not offer or offer.get("to") != session.status:
        return None
    seconds_left = round(offer.get("until", 0) - time.time())
    if seconds_left < 1:
        return None
    return {"token": offer["token"], "previous": offer.get("from", ""), "seconds_left": seconds_left}
