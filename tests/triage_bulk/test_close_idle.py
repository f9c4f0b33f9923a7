"""Closing idle sessions: a preview count for the filter plus "idle for more than N minutes", then one
confirmed run; and the same from cron with `manage.py close_idle_sessions`."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dashboard import triage_views
from dashboard.appwrite import bulk, chat_sessions
from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX


def status_of(row_id: str) -> str:
    return chat_sessions.get_session(row_id).status


def progress_token(html: str) -> str:
    return re.search(r'name="progress" value="([^"]+)"', html).group(1)


@pytest.fixture
def idle_and_busy(rows):
    for number in range(5):
        rows.session(
            f"s_idle_{number}", status="active", lastSeen=minutes_ago(45 + number), userMeta='{"device":"iPhone"}'
        )
    rows.session("s_idle_desktop", status="active", lastSeen=minutes_ago(50), userMeta='{"device":"Desktop"}')
    rows.session("s_busy", status="active", lastSeen=minutes_ago(2), userMeta='{"device":"iPhone"}')
    rows.session("s_assigned_quiet", status="agent_assigned", lastSeen=minutes_ago(90))
    rows.session("s_closed_quiet", status="closed", lastSeen=minutes_ago(90))
    return rows


def test_the_preview_counts_what_the_filter_plus_idle_minutes_would_close(client, idle_and_busy):
    html = client.get("/close-idle/?device=iPhone&idle_minutes=30").content.decode()

    assert 'data-field="idle-preview-count" data-count="5"' in html
    assert "Close 5 active sessions idle for more than 30 min?" in html
    assert status_of("s_idle_0") == "active"


def test_the_preview_for_another_status_counts_that_status(client, idle_and_busy):
    html = client.get("/close-idle/?status=agent_assigned&idle_minutes=30").content.decode()

    assert 'data-count="1"' in html


def test_a_preview_without_minutes_asks_again(client, idle_and_busy):
    html = client.get("/close-idle/?idle_minutes=soon", headers=HTMX).content.decode()

    assert html.lstrip().startswith('<section id="idle-panel"')
    assert 'name="idle_minutes"' in html and "Enter a whole number" in html


def test_the_confirmed_run_closes_only_the_idle_sessions_of_the_filter_page_by_page(client, idle_and_busy, monkeypatch):
    monkeypatch.setattr(triage_views, "CLOSE_PAGE_SIZE", 2)
    monkeypatch.setattr(triage_views, "PAGES_PER_REQUEST", 1)

    html = client.post("/close-idle/?device=iPhone", {"idle_minutes": "30", "confirmed": "1"}).content.decode()
    while 'data-run-state="running"' in html:
        html = client.post("/close-idle/", {"progress": progress_token(html)}).content.decode()

    assert re.search(r'data-field="closed-count"><dt>Closed</dt><dd>5</dd>', html)
    assert all(status_of(f"s_idle_{number}") == "closed" for number in range(5))
    assert status_of("s_busy") == "active"
    assert status_of("s_idle_desktop") == "active"  # not in the filter
    assert status_of("s_assigned_quiet") == "agent_assigned"


def test_a_visitor_who_comes_back_during_the_run_is_not_closed(client, idle_and_busy, monkeypatch):
    monkeypatch.setattr(triage_views, "CLOSE_PAGE_SIZE", 2)
    monkeypatch.setattr(triage_views, "PAGES_PER_REQUEST", 1)

    html = client.post("/close-idle/?device=iPhone", {"idle_minutes": "30", "confirmed": "1"}).content.decode()
    chat_sessions.touch_session("s_idle_4", minutes_ago(0))
    while 'data-run-state="running"' in html:
        html = client.post("/close-idle/", {"progress": progress_token(html)}).content.decode()

    assert status_of("s_idle_4") == "active"
    assert re.search(r'data-field="closed-count"><dt>Closed</dt><dd>4</dd>', html)


def run_command(*args) -> str:
    out = StringIO()
    call_command("close_idle_sessions", *args, stdout=out)
    return out.getvalue()


def test_the_command_dry_run_lists_what_it_would_close_and_closes_nothing(idle_and_busy):
    out = run_command("--idle-minutes", "30", "--dry-run")

    assert "would close s_idle_0" in out and "would close s_idle_desktop" in out
    assert "s_busy" not in out and "s_assigned_quiet" not in out
    assert "6 sessions would be closed" in out
    assert status_of("s_idle_0") == "active"


def test_the_command_closes_idle_sessions_of_a_status_and_prints_a_summary(idle_and_busy, monkeypatch):
    monkeypatch.setattr(bulk, "WALK_PAGE_SIZE", 2)

    out = run_command("--idle-minutes", "30")
    assigned = run_command("--idle-minutes", "30", "--status", "agent_assigned")

    assert "closed s_idle_0" in out
    assert "Closed 6, already closed 0, failed 0." in out
    assert all(status_of(f"s_idle_{number}") == "closed" for number in range(5))
    assert status_of("s_busy") == "active"
    assert "closed s_assigned_quiet" in assigned and status_of("s_assigned_quiet") == "closed"


def test_the_command_exits_non_zero_when_a_close_fails(idle_and_busy, appwrite_server, fresh_database):
    appwrite_server.set_faults("503", path_prefix=f"/v1/tablesdb/{fresh_database}/tables/sessions/rows/s_idle_2")
    out = StringIO()

    with pytest.raises(CommandError, match="1 session could not be closed") as raised:
        call_command("close_idle_sessions", "--idle-minutes", "30", stdout=out)

    assert raised.value.returncode == 1
    assert "FAILED s_idle_2" in out.getvalue()
    assert status_of("s_idle_0") == "closed"


def test_the_command_exits_non_zero_when_appwrite_is_unreachable(unreachable_appwrite):
    with pytest.raises(CommandError, match="Appwrite is unreachable"):
        run_command("--idle-minutes", "30")
