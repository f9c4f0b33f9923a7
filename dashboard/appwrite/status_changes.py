"""Changing a session's status (close, reopen, take, and the undo of each): one write, never retried,
read back when its answer is lost; every change makes the shared lists load afresh."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings

from dashboard.appwrite import chat_sessions, database, errors, live
from dashboard.appwrite.records import ChatSession, format_datetime, parse_datetime

logger = logging.getLogger(__name__)


class StatusChanged(Exception):
    """An undo found the session changed since the change it undoes (another status, or another write:
    the undo was used already, or the row changed again); `session` is how it is now."""

    def __init__(self, session: ChatSession):
        super().__init__(f"the status is now {session.status!r}")
        self.session = session


def close_session(row_id: str) -> ChatSession:
    """Sets the status to `closed` (a second close changes nothing) and returns the stored session."""
    return set_status(row_id, "closed")


def set_status(row_id: str, status: str) -> ChatSession:
    """Writes the status once (a write is never retried). When the answer is lost (no answer, 5xx, an
    unreadable body) the write may still have happened: the row is read back to tell. Raises the write's
    error when it did not happen, `Unconfirmed` when Appwrite cannot say."""
    try:
        row = database.update_row(settings.APPWRITE_SESSIONS_COLLECTION_ID, row_id, {"status": status})
    except (errors.AppwriteUnavailable, errors.BadAnswer) as error:
        try:
            stored = chat_sessions.get_session(row_id)
        except errors.NotFound:
            raise
        except errors.AppwriteError as unknown:
            raise errors.Unconfirmed(
                f"the write's answer was lost ({error}) and reading it back failed ({unknown})",
                status=error.status,
                type=error.type,
            ) from error
        if stored.status != status:
            raise
        logger.info("Status of %s became %s although the write's answer was lost", row_id, status)
        return stored
    finally:
        live.invalidate_lists()  # even a failed write may have reached Appwrite
    return ChatSession.from_row(row)


def change_status(row_id: str, status: str) -> tuple[ChatSession, str]:
    """Sets the status; returns the stored session and the status it had before."""
    previous = chat_sessions.get_session(row_id).status
    return set_status(row_id, status), previous


def restore_status(row_id: str, expected: str, previous: str, updated_at: str = "") -> ChatSession:
    """Undo: puts `previous` back, but only while the status is still `expected` (what we set) and, given
    `updated_at` (the row's `$updatedAt` right after our change), while nothing wrote the row since."""
    current = chat_sessions.get_session(row_id)
    now_updated = format_datetime(current.updated_at) if current.updated_at else ""
    if current.status != expected or (
        updated_at and now_updated != updated_at and not _visitor_wrote_last(current, updated_at)
    ):
        raise StatusChanged(current)
    return set_status(row_id, previous)


# A write that moves `lastSeen` to its own moment is the widget's (a visitor's message), not a status change.
VISITOR_WRITE_SLACK = timedelta(seconds=1)


def _visitor_wrote_last(session: ChatSession, changed_at: str) -> bool:
    """Whether every write since our change (at `changed_at`) may be the visitor's: their lastSeen moved past
    it and the newest write is theirs (an agent's status change leaves lastSeen behind `$updatedAt`). A
    visitor writing in the Undo's seconds then does not cost the agent their Undo."""
    changed = parse_datetime(changed_at)
    if session.last_seen is None or session.updated_at is None or changed is None:
        return False
    return session.last_seen > changed and session.last_seen >= session.updated_at - VISITOR_WRITE_SLACK
