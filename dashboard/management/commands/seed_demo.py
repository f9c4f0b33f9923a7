"""`manage.py seed_demo`: realistic demo sessions and messages, spread over the last two days."""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard import visitors
from dashboard.appwrite import chat_sessions, counting, errors, transcripts, transport


class Command(BaseCommand):
    help = "Fills the sessions and messages collections with realistic demo data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sessions", type=int, default=60, help="how many sessions (default 60)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when sessions already exist")

    def handle(self, *args, sessions: int, if_empty: bool, **options) -> None:
        try:
            if if_empty and counting.count_sessions() > 0:
                self.stdout.write("Sessions already exist; nothing seeded.")
                return
            calls = [lambda number=number: self._seed_one(number) for number in range(sessions)]
            messages = 0
            # A few at a time: quick, without flooding the server.
            for start in range(0, len(calls), transport.MAX_CONCURRENT_CALLS):
                messages += sum(transport.run_concurrently(*calls[start : start + transport.MAX_CONCURRENT_CALLS]))
        except errors.AppwriteError as error:
            raise CommandError(f"Seeding failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Seeded {sessions} sessions with {messages} messages."))

    def _seed_one(self, number: int) -> int:
        now = timezone.now()
        # The first few are fresh and active so the demo opens on a busy list.
        if number < 8:
            started_ago = timedelta(minutes=random.uniform(1, 20))
            status = "active"
        else:
            started_ago = timedelta(minutes=random.uniform(20, 48 * 60))
            status = random.choices(["active", "agent_assigned", "closed", "waiting_for_customer"], [3, 2, 6, 1])[0]
        start = now - started_ago
        length = min(started_ago, timedelta(minutes=random.uniform(1, 40)))
        session_id = visitors.new_session_id(start) + f"{number:02d}"
        chat_sessions.create_session(
            session_id,
            status=status,
            start_time=start,
            last_seen=start + length,
            user_meta=visitors.user_meta() if random.random() > 0.05 else None,
            theme=visitors.theme(),
        )
        count = random.randint(1, 14)
        for index in range(count):
            if index == 0:
                role, content = "user", random.choice(visitors.QUESTIONS)
            elif index % 2:
                role, content = (
                    random.choice(["assistant", "assistant", "agent"]),
                    random.choice(visitors.ANSWERS),
                )
            else:
                role, content = "user", random.choice(visitors.FOLLOW_UPS)
            # Spread over the session's length, the last one when it was last seen (the widget bumps lastSeen).
            transcripts.create_message(session_id, role, content, sent_at=start + length * (index + 1) / count)
        return count
