"""The management commands against a real localappwrite."""

import uuid
from io import StringIO

from django.core.management import call_command

from dashboard.appwrite import chat_sessions, counting, transcripts


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_appwrite_setup_creates_the_schema_once_and_then_reports_it_exists(settings):
    settings.APPWRITE_DATABASE_ID = "c" + uuid.uuid4().hex[:12]

    first = run("appwrite_setup")
    second = run("appwrite_setup")

    assert f"created  database {settings.APPWRITE_DATABASE_ID}" in first
    assert "created  index sessions.status_lastSeen" in first
    assert f"exists   database {settings.APPWRITE_DATABASE_ID}" in second
    assert " 0 created" in " " + second.splitlines()[-1]


def test_create_agent_creates_the_user_and_its_membership(fresh_database):
    email = f"agent-{uuid.uuid4().hex[:8]}@example.com"

    first = run("create_agent", email=email, password="a-long-password", name="Agent")
    second = run("create_agent", email=email, password="a-long-password", name="Agent")

    assert f"created  user {email}" in first and "created  membership" in first
    assert f"exists   user {email}" in second and "exists   membership" in second


def test_seed_demo_fills_sessions_with_messages_and_skips_when_asked_if_empty(fresh_database):
    run("seed_demo", sessions=6)
    again = run("seed_demo", sessions=6, if_empty=True)

    assert counting.count_sessions() == 6
    first_page = chat_sessions.list_sessions(page_size=6).sessions
    assert sum(c.value for c in counting.message_counts(s.session_id for s in first_page).values()) >= 6
    assert "nothing seeded" in again


def test_seeded_messages_were_written_while_their_session_lasted(fresh_database):
    run("seed_demo", sessions=4)

    for session in chat_sessions.list_sessions(page_size=4).sessions:
        moments = [m.created_at for m in transcripts.transcript(session.session_id).messages]
        assert moments and all(session.start_time < moment <= session.last_seen for moment in moments)
        assert max(moments) == session.last_seen  # the widget bumps lastSeen with every message


def test_the_visitor_simulator_moves_the_demo(fresh_database):
    run("seed_demo", sessions=5)

    out = run("simulate_visitors", ticks=3, interval=0)

    assert out.count("simulator:") == 3
