"""One session's page (record, visitor metadata, theme, timeline and the live transcript) and the
status actions shared by that page and the list: close, reopen, take, each with a short-lived undo."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from dashboard import colours, labels, undo
from dashboard.access import agent_required
from dashboard.appwrite import chat_sessions, counting, errors, queries, records, status_changes, transcripts, transport
from dashboard.pages import (
    describe_problem,
    load_or_last_good,
    parse_filters,
    render_fragment,
    render_page,
    safe_next,
    vary_on_htmx,
    wants_fragment,
)

# The status each action sets.
ACTIONS = {"close": "closed", "reopen": "active", "take": "agent_assigned"}
# The detail page's status panel; an htmx action aimed at it gets the panel back instead of a row.
STATUS_PANEL_ID = "session-status"
# Long messages are folded behind "Show all" beyond this many characters or lines.
FOLD_CHARACTERS = 400
FOLD_LINES = 8
# sessionId never changes, so the live transcript need not read the session on every poll; it reads it again
# this often to notice a session that was deleted while its page is open.
SESSION_ID_SECONDS = 60
DETAIL = "dashboard/session_detail.html"
# What of a session's page is kept to show while Appwrite is down (pages.load_or_last_good).
LAST_GOOD_PARTS = ("session", "transcript", "message_views", "message_total", "live_after", "meta_items", "theme_items")


# -- Answers of the status actions -------------------------------------------------------


def _aims_at_panel(request: HttpRequest) -> bool:
    return bool(request.htmx) and request.htmx.target == STATUS_PANEL_ID


def _answer(
    request: HttpRequest,
    row_id: str,
    session: records.ChatSession | None,
    *,
    done: str = "",
    problem: str = "",
) -> HttpResponse:
    """A plain post is redirected back; htmx gets the row (or the detail page's status panel)
    with the news for screen readers, or, without a session to show, the error in place."""
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        elif done:
            messages.success(request, done)
        return vary_on_htmx(HttpResponseRedirect(safe_next(request)))

    if session is None:
        # Leave the row as it was and show the error inside it (htmx 2 swaps 200 answers only).
        response = render_fragment(request, "dashboard/sessions.html#row-error", {"problem": problem})
        return reswap(retarget(response, f'[id="row-error-{row_id}"]'), "innerHTML")

    panel = _aims_at_panel(request)
    message_count = None
    if not panel:
        try:
            message_count = counting.message_counts([session.session_id]).get(session.session_id)
        except errors.AppwriteError:
            pass
    back = safe_next(request)
    context = {
        "panel": panel,
        "session": session,
        "message_count": message_count,
        "now": timezone.now(),
        "filters": parse_filters(QueryDict(urlsplit(back).query)),  # the list the row came from, for its chips
        "list_url": back,
        "back_url": back,
        "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        "row_problem": problem,
        "announcement": problem or done,
    }
    return render_fragment(request, "dashboard/status_changed.html", context)


def _change_status(request: HttpRequest, row_id: str, action: str) -> HttpResponse:
    status = ACTIONS[action]
    try:
        session, previous = status_changes.change_status(row_id, status)
    except errors.NotFound:
        return _answer(request, row_id, None, problem="This session no longer exists.")
    except errors.Unconfirmed as error:
        problem = f"Appwrite did not confirm the {action}: {describe_problem(error)}. Refresh to see if it happened."
        return _answer(request, row_id, None, problem=problem)
    except errors.AppwriteError as error:
        return _answer(request, row_id, None, problem=f"Could not {action} it: {describe_problem(error)}. Try again.")
    done = f"Session {session.session_id} is now {labels.status_label(session.status)}."
    if previous != session.status:
        undo.offer_undo(request, session, previous)
        done += f" Undo is possible for {undo.UNDO_SECONDS} seconds."
    return _answer(request, row_id, session, done=done)


@require_POST
@agent_required
def close_session(request: HttpRequest, row_id: str) -> HttpResponse:
    return _change_status(request, row_id, "close")


@require_POST
@agent_required
def reopen_session(request: HttpRequest, row_id: str) -> HttpResponse:
    return _change_status(request, row_id, "reopen")


@require_POST
@agent_required
def take_session(request: HttpRequest, row_id: str) -> HttpResponse:
    return _change_status(request, row_id, "take")


@require_POST
@agent_required
def undo_status(request: HttpRequest, row_id: str) -> HttpResponse:
    """Puts back the status an action replaced, as told by the signed token of that action."""
    change, problem = undo.redeem_undo(request, row_id)
    if change is None:
        return _answer(request, row_id, None, problem=problem)
    try:
        session = status_changes.restore_status(row_id, str(change["to"]), str(change["from"]))
    except status_changes.StatusChanged as moved:
        undo.forget_undo(request, row_id)
        problem = f"Not undone: meanwhile the status became {labels.status_label(moved.session.status)}."
        return _answer(request, row_id, moved.session, problem=problem)
    except errors.NotFound:
        return _answer(request, row_id, None, problem="This session no longer exists.")
    except errors.AppwriteError as error:
        return _answer(request, row_id, None, problem=f"Could not undo: {describe_problem(error)}. Try again.")
    undo.forget_undo(request, row_id)
    done = f"Undone: session {session.session_id} is {labels.status_label(session.status)} again."
    return _answer(request, row_id, session, done=done)


# -- The detail page ----------------------------------------------------------------------


def _transcript_cursor(request: HttpRequest) -> str | None:
    cursor = request.GET.get("messages") or None
    return cursor if queries.parse_cursor(cursor) else None


def _message_view(message: records.Message) -> dict[str, Any]:
    text = message.text
    lines = text.splitlines()
    folded = len(text) > FOLD_CHARACTERS or len(lines) > FOLD_LINES
    preview = "\n".join(lines[:FOLD_LINES])[:FOLD_CHARACTERS].rstrip() if folded else ""
    label = labels.sender_label(message.role, message.sender)
    return {"message": message, "folded": folded, "preview": preview, "label": label}


def _meta_items(value: dict[str, Any] | None) -> list[tuple[str, str, bool]]:
    """(key, text, is_json) for a key/value list; nested values are shown as JSON."""
    items = []
    for key, item in (value or {}).items():
        if isinstance(item, str):
            items.append((key, item, False))
        else:
            items.append((key, json.dumps(item, ensure_ascii=False), True))
    return items


def _theme_items(value: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {"key": key, "text": item if isinstance(item, str) else json.dumps(item), "colour": colours.css_colour(item)}
        for key, item in (value or {}).items()
    ]


def _transcript_context(session: records.ChatSession, cursor: str | None) -> dict[str, Any]:
    try:
        try:
            transcript, total = transport.run_concurrently(
                lambda: transcripts.transcript(session.session_id, cursor),
                lambda: transcripts.message_total(session.session_id),
            )
        except errors.StaleCursor:
            transcript, total = transport.run_concurrently(
                lambda: transcripts.transcript(session.session_id, None),
                lambda: transcripts.message_total(session.session_id),
            )
    except errors.AppwriteError as error:
        return {"transcript": None, "transcript_problem": describe_problem(error), "message_total": None}
    last = transcript.messages[-1].row_id if transcript.messages else ""
    return {
        "transcript": transcript,
        "message_views": [_message_view(message) for message in transcript.messages],
        "message_total": total,
        "transcript_problem": "",
        "live_after": last,
    }


def _session_page(row_id: str, cursor: str | None) -> dict[str, Any]:
    """The session and what its page shows of it; a transcript that failed to load is said on the page."""
    session = chat_sessions.get_session(row_id)
    return {
        "session": session,
        "meta_items": _meta_items(session.user_meta_object),
        "theme_items": _theme_items(session.theme_object),
        **_transcript_context(session, cursor),
    }


def _kept_page(page: dict[str, Any]) -> dict[str, Any] | None:
    """What of a session's page is shown while Appwrite is down: only a page whose transcript loaded."""
    if page["transcript_problem"]:
        return None
    return {**{key: page[key] for key in LAST_GOOD_PARTS}, "stale_at": timezone.now()}


@require_GET
@agent_required
def session_detail(request: HttpRequest, row_id: str) -> HttpResponse:
    cursor = _transcript_cursor(request)
    # The page as it opens is kept and shown while Appwrite is down; "Load older/newer" (through htmx,
    # only the transcript) shows another part of the transcript.
    as_opened = not cursor and not wants_fragment(request)
    now = timezone.now()
    context: dict[str, Any] = {
        "row_id": row_id,
        "now": now,
        "poll_seconds": settings.DASHBOARD_POLL_SECONDS,
        "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        "list_url": reverse("session_list"),
        "back_url": request.get_full_path(),
    }
    try:
        page, problem = load_or_last_good(
            lambda: _session_page(row_id, cursor),
            "detail",
            row_id,
            keep=_kept_page if as_opened else None,
            gone=errors.NotFound,
        )
    except errors.NotFound:
        return render_page(request, DETAIL, {**context, "missing": True}, status=404)
    if page is None:  # neither the session nor, so, its transcript could be loaded
        context.update(problem=problem, transcript_problem=problem)
        return render_page(request, DETAIL, context, partial="transcript")
    context.update(page, idle_for=page["session"].idle_for(now))
    if problem:  # the page as it was last seen, saying since when (its stale_at)
        context["stale_problem"] = problem
    return render_page(request, DETAIL, context, partial="transcript")


def _session_id_of(row_id: str) -> str:
    key = f"session-id:{settings.APPWRITE_DATABASE_ID}:{settings.APPWRITE_SESSIONS_COLLECTION_ID}:{row_id}"
    session_id = cache.get(key)
    if session_id is None:
        session_id = chat_sessions.get_session(row_id).session_id
        cache.set(key, session_id, SESSION_ID_SECONDS)
    return session_id


@require_GET
@agent_required
def session_messages(request: HttpRequest, row_id: str) -> HttpResponse:
    """The live transcript's poll: messages after the last one shown, or 204 when none came."""
    if not wants_fragment(request):
        return vary_on_htmx(HttpResponseRedirect(reverse("session_detail", args=[row_id])))
    after = request.GET.get("after", "")
    after = after if queries.parse_cursor(f"after:{after}") else ""
    context: dict[str, Any] = {"row_id": row_id, "poll_seconds": settings.DASHBOARD_POLL_SECONDS}
    try:
        new = transcripts.messages_after(_session_id_of(row_id), after or None)
    except errors.NotFound:
        context.update(live_after=after, live_problem="This session no longer exists")
    except errors.AppwriteError as error:
        context.update(live_after=after, live_problem=describe_problem(error))
    else:
        if not new and not request.GET.get("retry"):
            return vary_on_htmx(HttpResponse(status=204))
        context.update(
            message_views=[_message_view(message) for message in new],
            live_after=new[-1].row_id if new else after,
        )
    return render_fragment(request, f"{DETAIL}#new-messages", context)
