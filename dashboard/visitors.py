"""Made-up visitors for the demo (seed_demo and the visitor simulator): metadata, themes, chat lines."""

import json
import random
from datetime import datetime, timedelta

from django.utils import timezone

from dashboard.appwrite import chat_sessions, records, transcripts

BROWSERS = ["Chrome 131", "Safari 18", "Firefox 133", "Edge 131", "Chrome Mobile 131", "Samsung Internet 26"]
DEVICES = ["Desktop", "Desktop", "iPhone", "Android phone", "iPad", "MacBook"]
LOCATIONS = [
    "Berlin, DE",
    "Austin, US",
    "Lisbon, PT",
    "Toronto, CA",
    "Bengaluru, IN",
    "São Paulo, BR",
    "Lyon, FR",
]
LANGUAGES = ["en-US", "de-DE", "pt-PT", "fr-FR", "en-GB"]
COLOURS = ["#007bff", "#0f766e", "#7c3aed", "#db2777", "#ea580c", "#16a34a", "rebeccapurple", "#111827"]
QUESTIONS = [
    "Hi, I can't log in to my account.",
    "How do I change the email on my invoice?",
    "My order hasn't arrived yet, can you check?",
    "Is there a student discount?",
    "The app crashes when I upload a photo.",
    "Can I move my subscription to another card?",
    "Where can I download last month's receipt?",
]
ANSWERS = [
    "I can help with that. Could you tell me the email you signed up with?",
    "Thanks! Let me look that up for you.",
    "I've found your account. One moment please.",
    "That should be fixed now — could you try again?",
    "I'll hand you over to a colleague who can look into it.",
]
FOLLOW_UPS = ["Thanks!", "Still not working, sorry.", "Ok, trying now.", "It worked, great.", "Any update?"]


def new_session_id(now: datetime) -> str:
    """Like the widget's own IDs: `s_` and the start time in milliseconds (plus noise against clashes)."""
    return f"s_{int(now.timestamp() * 1000) + random.randint(0, 999)}"


def user_meta() -> str:
    meta = {
        "browser": random.choice(BROWSERS),
        "device": random.choice(DEVICES),
        "location": random.choice(LOCATIONS),
        "language": random.choice(LANGUAGES),
        "referrer": random.choice(["/pricing", "/help/billing", "/", "/account/settings"]),
    }
    if random.random() < 0.1:
        return "not-json {" + meta["browser"]  # some widgets store junk; the dashboard must cope
    return json.dumps(meta)


def theme() -> str:
    if random.random() < 0.15:
        return "{}"
    return json.dumps({"primaryColor": random.choice(COLOURS), "position": random.choice(["right", "left"])})


def start_visit(now: datetime | None = None, started_ago: timedelta = timedelta(0)) -> records.ChatSession:
    """A new visitor opens the chat and asks a first question."""
    now = now or timezone.now()
    start = now - started_ago
    session_id = new_session_id(start)
    session = chat_sessions.create_session(
        session_id, status="active", start_time=start, last_seen=start, user_meta=user_meta(), theme=theme()
    )
    transcripts.create_message(session_id, "user", random.choice(QUESTIONS))
    return session
