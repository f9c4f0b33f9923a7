"""`manage.py view_sessions`: the old terminal view, against a real localappwrite."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.dashboard_fixtures import minutes_ago


def run(*args) -> str:
    out = StringIO()
    call_command("view_sessions", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sessions(rows):
    rows.session(
        "s_1763614351136",
        status="active",
        startTime=minutes_ago(20),
        lastSeen=minutes_ago(3),
        userMeta='{"browser":"Chrome","device":"Desktop"}',
        theme='{"primaryColor":"#007bff"}',
    )
    rows.messages("s_1763614351136", 4)
    rows.session("s_closed", status="closed", startTime=minutes_ago(300), lastSeen=minutes_ago(125), theme="{}")
    return rows


def test_it_prints_each_session_like_the_old_script(sessions):
    out = run()

    assert out.startswith("📊 Found 2 sessions")
    assert "🆔 Session ID: s_1763614351136" in out
    assert "   Status: active" in out
    assert "   Start Time: " in out
    assert "(3 minutes ago)" in out and "(2 hours ago)" in out
    assert '   User Meta: {\n     "browser": "Chrome",\n     "device": "Desktop"\n   }' in out
    assert '"primaryColor": "#007bff"' in out
    assert "   Messages: 4" in out
    assert out.index("s_1763614351136") < out.index("s_closed")  # newest activity first


def test_an_empty_theme_is_not_printed(sessions):
    closed = run("--status", "closed")

    assert "Theme" not in closed and "User Meta" not in closed
    assert "   Messages: 0" in closed


def test_it_filters_by_status_and_limits_the_count(sessions):
    closed = run("--status", "closed")
    limited = run("--limit", "1")

    assert "Found 1 session with status 'closed'" in closed and "s_1763614351136" not in closed
    assert "Found 2 sessions (showing the 1 seen most recently)" in limited
    assert limited.count("🆔") == 1


def test_it_fails_with_a_clear_message_when_appwrite_is_unreachable(unreachable_appwrite):
    with pytest.raises(CommandError, match="Cannot read the sessions: Appwrite is unreachable"):
        run()


def test_it_exits_non_zero_from_the_shell_when_appwrite_is_unreachable(fresh_database):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "APPWRITE_ENDPOINT": "http://127.0.0.1:9/v1", "APPWRITE_TIMEOUT_SECONDS": "1"}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "view_sessions"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "Appwrite is unreachable" in result.stderr
