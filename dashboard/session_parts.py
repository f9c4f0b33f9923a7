"""The live parts of a session's page (the summary under its title, the status panel, the timeline, the
transcript's message total): a version of what each one shows, so that the page's poll sends back only the
parts whose version differs from the one the page shows (they travel as htmx out-of-band swaps)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest

from dashboard import labels, undo
from dashboard.appwrite.records import ChatSession, Count
from dashboard.pages import version_of

# DOM id of each part → its name in the templates (`part_versions.<name>`, `oob_parts`).
PARTS = {
    "session-summary": "summary",
    "session-status": "status",
    "session-timeline": "timeline",
    "transcript-total": "total",
}
# The poll says which versions the page shows: "session-summary=3f2a…,session-status=…" (session-live.js).
SHOWN_HEADER = "X-Shown-Parts"


def _moment(moment: datetime | None, now: datetime) -> tuple[str, str]:
    return labels.absolute(moment), labels.ago(moment, now)


def part_versions(
    request: HttpRequest, session: ChatSession, message_total: Count | None, now: datetime, idle_minutes: int
) -> dict[str, str]:
    """Each part's version: a digest of exactly what it shows, relative times ("3 min ago") included."""
    offer = undo.pending_undo(request, session)
    total = str(message_total) if message_total is not None else None
    moments = (session.start_time, session.created_at, session.last_seen, session.updated_at)
    return {
        "summary": version_of(_moment(session.start_time, now), _moment(session.last_seen, now), total),
        "status": version_of(session.status, session.is_idle(idle_minutes, now), offer["token"] if offer else None),
        "timeline": version_of(
            [_moment(moment, now) for moment in moments],
            labels.span(session.duration),
            labels.span(session.idle_for(now)),
        ),
        "total": version_of(total),
    }


def shown_versions(request: HttpRequest) -> dict[str, str]:
    """The versions the polling page says it shows, by part name (a part it does not name counts as changed)."""
    shown = {}
    for item in request.headers.get(SHOWN_HEADER, "").split(",")[: len(PARTS)]:
        part_id, _, version = item.strip().partition("=")
        if part_id in PARTS:
            shown[PARTS[part_id]] = version
    return shown


def changed_parts(request: HttpRequest, versions: dict[str, str]) -> list[str]:
    """The parts whose version differs from what the page shows; none for a poll that does not say what it
    shows (a page from before the parts were live asks for new messages only)."""
    if SHOWN_HEADER not in request.headers:
        return []
    shown = shown_versions(request)
    return [name for name, version in versions.items() if shown.get(name) != version]
