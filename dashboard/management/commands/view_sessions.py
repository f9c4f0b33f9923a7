"""`manage.py view_sessions`: the terminal view the team had before the dashboard (the old
`view_sessions.js`), for a server without a browser. Reads through dashboard/appwrite/ only."""

import json
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard.appwrite import chat_sessions, counting, errors, transport

RULE = "─" * 60


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "unknown"


def _age(moment: datetime, now: datetime) -> str:
    """ "3 minutes ago", like the old script; "just now" under a minute or in the future."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            number = seconds // size
            return f"{number} {unit}{'s' if number != 1 else ''} ago"
    return "just now"


def _pretty(text: str) -> str:
    """A JSON object indented for reading; anything else as stored."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return json.dumps(value, indent=2, ensure_ascii=False) if isinstance(value, dict) else text


def _indented(text: str, prefix: str) -> str:
    return text.replace("\n", "\n" + prefix)


def _problem(error: errors.AppwriteError) -> str:
    if isinstance(error, errors.AppwriteUnavailable):
        what = f"Appwrite is unreachable at {settings.APPWRITE_ENDPOINT}"
    elif isinstance(error, errors.Unauthorized):
        what = "Appwrite refused the API key (APPWRITE_API_KEY, APPWRITE_PROJECT_ID)"
    elif isinstance(error, errors.NotFound):
        what = "the database or the sessions collection does not exist (run `manage.py appwrite_setup`)"
    else:
        what = "Appwrite answered something unexpected"
    return f"{what}.\nDetails: {str(error)[:200]}"


class Command(BaseCommand):
    help = "Prints the chat sessions, newest activity first, as the old view_sessions.js did."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--status", default=None, help="only this status (active, agent_assigned, closed, idle, …)")
        parser.add_argument("--limit", type=int, default=25, help="at most this many sessions (default 25)")

    def handle(self, *args, status: str | None, limit: int, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        try:
            total, sessions = transport.run_concurrently(
                lambda: counting.count_sessions_in(status),
                lambda: chat_sessions.recent_sessions(status, limit=limit),
            )
            counts = counting.message_counts(session.session_id for session in sessions)
        except errors.AppwriteError as error:
            raise CommandError(f"Cannot read the sessions: {_problem(error)}") from error

        now = timezone.now()
        where = f" with status {status!r}" if status else ""
        shown = f" (showing the {len(sessions)} seen most recently)" if len(sessions) < total.value else ""
        self.stdout.write(f"📊 Found {total} session{'s' if total.value != 1 else ''}{where}{shown}\n")
        for session in sessions:
            self.stdout.write(RULE)
            self.stdout.write(f"🆔 Session ID: {session.session_id}")
            self.stdout.write(f"   Status: {session.status}")
            self.stdout.write(f"   Start Time: {_when(session.start_time)}")
            seen = f"{_when(session.last_seen)} ({_age(session.last_seen, now)})" if session.last_seen else "never"
            self.stdout.write(f"   Last Seen: {seen}")
            if session.user_meta:
                self.stdout.write(f"   User Meta: {_indented(_pretty(session.user_meta), '   ')}")
            if session.theme and session.theme_object != {}:
                self.stdout.write(f"   Theme: {_indented(_pretty(session.theme), '   ')}")
            count = counts.get(session.session_id)
            self.stdout.write(f"   Messages: {count if count is not None else 'unknown'}")
        if sessions:
            self.stdout.write(RULE)
