"""One session's page (record, visitor metadata, theme, timeline and the live transcript) and the
status actions shared by that page and the list: close, reopen, take, each with a short-lived undo."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from dashboard import colours, labels, undo
from dashboard.access import agent_required
from dashboard.appwrite import (
    chat_sessions,
    counting,
    errors,
    queries,
    records,
    session_watch,
    status_changes,
    transcripts,
    transport,
)
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
from dashboard.session_parts import changed_parts, part_versions

# The status each action sets.
ACTIONS = {"close": "closed", "reopen": "active", "take": "agent_assigned"}
# The detail page's status panel; an htmx action aimed at it gets the panel back instead of a row.
STATUS_PANEL_ID = "session-status"
# Long messages are folded behind "Show all" beyond this many characters or lines.
FOLD_CHARACTERS = 400
FOLD_LINES = 8
DETAIL = "dashboard/session_detail.html"
# What of a session's page is kept to show while Appwrite is down (pages.load_or_last_good).
LAST_GOOD_PARTS = (
    "session", "transcript", "message_views", "message_total", "live_after", "live_since", "meta_items", "theme_items"
)


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
    if panel:  # the panel says which version it shows, so that the page's next poll leaves it be
        idle_minutes = settings.DASHBOARD_IDLE_MINUTES
        context["part_versions"] = part_versions(request, session, None, context["now"], idle_minutes)
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
        session = status_changes.restore_status(
            row_id, str(change["to"]), str(change["from"]), str(change.get("updated") or "")
        )
    except status_changes.StatusChanged as moved:
        undo.forget_undo(request, row_id)
        if moved.session.status == change["to"]:
            problem = "Not undone: the session changed since (it was undone already, or changed again)."
        else:
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
    return {
        "transcript": transcript,
        "message_views": [_message_view(message) for message in transcript.messages],
        "message_total": total,
        "transcript_problem": "",
        **_live_from(transcript.read_to, "", ""),
    }


def _live_from(read_to: records.Message | None, after: str, since: str) -> dict[str, str]:
    """Where the live transcript goes on from: after the last row read, and the moment it was written (for
    when that message is deleted before the next poll); else where it was."""
    if read_to is None:
        return {"live_after": after, "live_since": since}
    written = records.format_datetime(read_to.created_at) if read_to.created_at else since
    return {"live_after": read_to.row_id, "live_since": written}


def _session_page(row_id: str, cursor: str | None) -> dict[str, Any]:
    """The session and what its page shows of it; a transcript that failed to load is said on the page."""
    session = chat_sessions.get_session(row_id)
    page = {
        "session": session,
        "meta_items": _meta_items(session.user_meta_object),
        "theme_items": _theme_items(session.theme_object),
        **_transcript_context(session, cursor),
    }
    if page["transcript"] is not None and page["transcript"].at_newest:
        session_watch.remember(session, page["message_total"], page["live_after"])  # what the polls start from
    return page


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
    session = page["session"]
    versions = part_versions(request, session, page.get("message_total"), now, settings.DASHBOARD_IDLE_MINUTES)
    context.update(page, idle_for=session.idle_for(now), part_versions=versions)
    if problem:  # the page as it was last seen, saying since when (its stale_at)
        context["stale_problem"] = problem
    return render_page(request, DETAIL, context, partial="transcript")


def _new_messages(session_id: str, after: str, written: datetime | None) -> tuple[transcripts.NewMessages, str]:
    """The messages after the last one shown and where they were read from: when that message was deleted
    meanwhile, those written after it (from '', the poll's moment alone; a message written in the very
    millisecond of the deleted one may be missed)."""
    if written is None or after:
        try:
            return transcripts.messages_after(session_id, after or None), after
        except errors.StaleCursor:
            if written is None:
                raise
    return transcripts.messages_after(session_id, None, since=written), ""


@require_GET
@agent_required
def session_messages(request: HttpRequest, row_id: str) -> HttpResponse:
    """The live poll of a session's page: the messages after the last one shown (none asked on an older
    page of the transcript, `parts=1`) and, out of band, the page's live parts that changed since the page
    showed them; 204 when nothing did. Appwrite is asked for the messages, and for the session only when
    something says it changed (appwrite/session_watch.py)."""
    if not wants_fragment(request):
        return vary_on_htmx(HttpResponseRedirect(reverse("session_detail", args=[row_id])))
    parts_only = bool(request.GET.get("parts"))
    after = request.GET.get("after", "")
    after = after if queries.parse_cursor(f"after:{after}") else ""
    written = records.parse_datetime(request.GET.get("since", "")[:40])
    since = records.format_datetime(written) if written else ""
    context: dict[str, Any] = {
        "row_id": row_id,
        "poll_seconds": settings.DASHBOARD_POLL_SECONDS,
        "idle_minutes": settings.DASHBOARD_IDLE_MINUTES,
        "back_url": reverse("session_detail", args=[row_id]),
        "oob_parts": (),
    }
    template = f"{DETAIL}#session-parts" if parts_only else f"{DETAIL}#new-messages"
    try:
        new, live = transcripts.NewMessages((), None), {"live_after": after, "live_since": since}
        if not parts_only:
            new, went_from = _new_messages(session_watch.known(row_id).session.session_id, after, written)
            live = _live_from(new.read_to, went_from, since)
        watched = session_watch.watch(row_id, None if parts_only else live["live_after"])
    except errors.StaleCursor:  # a page from before the poll said when its last message was written
        context.update(live_after=after, live_problem="The last message shown was deleted; reload the page")
        return render_fragment(request, template, context)
    except errors.NotFound:
        context.update(live_after=after, live_since=since, live_problem="This session no longer exists")
        return render_fragment(request, template, context)
    except errors.AppwriteError as error:
        context.update(live_after=after, live_since=since, live_problem=describe_problem(error))
        return render_fragment(request, template, context)
    now = timezone.now()
    session = watched.session
    versions = part_versions(request, session, watched.message_total, now, settings.DASHBOARD_IDLE_MINUTES)
    changed = changed_parts(request, versions)
    if not new.messages and live["live_after"] == after and not changed and not request.GET.get("retry"):
        return vary_on_htmx(HttpResponse(status=204))
    context.update(
        message_views=[_message_view(message) for message in new.messages],
        **live,
        session=session,
        message_total=watched.message_total,
        now=now,
        idle_for=session.idle_for(now),
        part_versions=versions,
        oob_parts=changed,
    )
    return render_fragment(request, template, context)
