"""`manage.py simulate_visitors`: makes the demo move. Visitors arrive, chat (which bumps `lastSeen`),
get an agent, go quiet and have their sessions closed."""

import logging
import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboard import visitors
from dashboard.appwrite import chat_sessions, errors, status_changes, transcripts

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Simulates chat visitors against the configured Appwrite until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=3.0, help="seconds between ticks (default 3)")
        parser.add_argument("--ticks", type=int, default=0, help="stop after this many ticks (default: never)")

    def handle(self, *args, interval: float, ticks: int, **options) -> None:
        tick = 0
        try:
            while ticks == 0 or tick < ticks:
                tick += 1
                try:
                    self.stdout.write(self.tick())
                except errors.AppwriteError as error:
                    # Keep going: the demo server may be restarting, or a real one may hiccup.
                    self.stderr.write(f"simulator: Appwrite call failed ({error}); trying again")
                time.sleep(interval)
        except KeyboardInterrupt:
            pass  # Ctrl-C on `make run` reaches this process too: stopping is what it was asked

    def tick(self) -> str:
        now = timezone.now()
        events = []
        if random.random() < 0.35:
            session = visitors.start_visit(now)
            events.append(f"new {session.session_id}")
        open_sessions = [s for s in chat_sessions.recent_sessions(limit=60) if s.status != "closed"]
        for session in random.sample(open_sessions, k=min(2, len(open_sessions))):
            roll = random.random()
            if session.is_idle(30, now) and roll < 0.5:
                status_changes.close_session(session.row_id)
                events.append(f"closed {session.session_id} (idle)")
            elif roll < 0.6 and session.idle_for(now) is not None and session.idle_for(now) < timedelta(minutes=5):
                role = "user" if random.random() < 0.6 else "assistant"
                line = random.choice(visitors.FOLLOW_UPS if role == "user" else visitors.ANSWERS)
                transcripts.create_message(session.session_id, role, line)
                chat_sessions.touch_session(session.row_id, now)
                events.append(f"message in {session.session_id}")
            elif roll < 0.7 and session.status == "active":
                status_changes.set_status(session.row_id, "agent_assigned")
                events.append(f"agent took {session.session_id}")
            elif roll < 0.8 and session.idle_for(now) and session.idle_for(now) > timedelta(minutes=2):
                status_changes.close_session(session.row_id)
                events.append(f"closed {session.session_id}")
        return "simulator: " + (", ".join(events) or "quiet")
