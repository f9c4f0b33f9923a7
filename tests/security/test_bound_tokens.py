"""Undo and bulk-run tokens are bound to the agent they were offered to and to their purpose: an undo works
once, for the agent who made the change; a close run goes on only for the agent who confirmed it, only until
"Stop here", and only within minutes of its last step."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from dashboard import close_runs, triage_views
from dashboard.appwrite import chat_sessions
from tests.agent_fixtures import sign_in
from tests.htmx import HTMX


def undo_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def progress_token(html: str) -> str:
    return re.search(r'name="progress" value="([^"]+)"', html).group(1)


def status_of(row_id: str) -> str:
    return chat_sessions.get_session(row_id).status


def closed_count(html: str) -> int:
    return int(re.search(r'data-field="closed-count"[^>]*><dt>[^<]+</dt><dd>(\d+)</dd>', html).group(1))


@pytest.fixture
def other_agent_client(agent_accounts, appwrite_server) -> Client:
    """A second agent of the team, signed in through /login/ on its own."""
    return sign_in(Client(), agent_accounts.user(name="Bea Other"), appwrite_server)


@pytest.fixture
def small_pages(monkeypatch):
    """Two sessions a page and one page a request, so a handful of sessions takes several requests."""
    monkeypatch.setattr(triage_views, "CLOSE_PAGE_SIZE", 2)
    monkeypatch.setattr(triage_views, "PAGES_PER_REQUEST", 1)


# -- Undo ---------------------------------------------------------------------------------


def test_another_agent_cannot_replay_an_agents_undo(client, other_agent_client, rows):
    rows.session("s_open", row_id="open", status="active")
    closed = client.post("/sessions/open/close/", headers=HTMX).content.decode()

    html = other_agent_client.post("/sessions/open/undo/", {"token": undo_token(closed)}, headers=HTMX).content.decode()

    assert "This undo was offered to another agent." in html
    assert status_of("open") == "closed"


def test_an_undo_works_once(client, rows):
    rows.session("s_open", row_id="open", status="active")
    token = undo_token(client.post("/sessions/open/close/", headers=HTMX).content.decode())
    client.post("/sessions/open/undo/", {"token": token}, headers=HTMX)
    client.post("/sessions/open/close/", headers=HTMX)  # closed again: the used token's status once more

    html = client.post("/sessions/open/undo/", {"token": token}, headers=HTMX).content.decode()

    assert "Not undone: the session changed since" in html
    assert status_of("open") == "closed"


def test_an_undo_is_stale_once_anything_wrote_the_row_since(client, rows):
    rows.session("s_open", row_id="open", status="active")
    token = undo_token(client.post("/sessions/open/close/", headers=HTMX).content.decode())
    rows.tables.update_row(rows.database_id, "sessions", "open", {"status": "active"})
    rows.tables.update_row(rows.database_id, "sessions", "open", {"status": "closed"})  # another agent, twice

    html = client.post("/sessions/open/undo/", {"token": token}, headers=HTMX).content.decode()

    assert "Not undone: the session changed since" in html
    assert status_of("open") == "closed"


def test_a_visitor_writing_meanwhile_does_not_cost_the_agent_their_undo(client, rows):
    rows.session("s_open", row_id="open", status="active", lastSeen="2020-01-01T00:00:00.000+00:00")
    token = undo_token(client.post("/sessions/open/close/", headers=HTMX).content.decode())
    moment = chat_sessions.get_session("open").updated_at + timedelta(milliseconds=5)
    rows.tables.update_row(rows.database_id, "sessions", "open", {"lastSeen": moment.isoformat()})  # the widget

    html = client.post("/sessions/open/undo/", {"token": token}, headers=HTMX).content.decode()

    assert "Undone: session s_open is Active again." in html
    assert status_of("open") == "active"


def test_an_undo_without_javascript_is_refused_to_another_agent_too(client, other_agent_client, rows):
    rows.session("s_open", row_id="open", status="active")
    token = undo_token(client.post("/sessions/open/close/", headers=HTMX).content.decode())

    response = other_agent_client.post("/sessions/open/undo/", {"token": token, "next": "/"}, follow=True)

    assert "This undo was offered to another agent." in response.content.decode()
    assert status_of("open") == "closed"


# -- Close runs ----------------------------------------------------------------------------


def test_another_agent_cannot_take_up_an_agents_close_run(client, other_agent_client, rows, small_pages):
    for number in range(5):
        rows.session(f"s_{number}")
    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()

    replayed = other_agent_client.post("/bulk/close/", {"progress": progress_token(html)}).content.decode()

    assert "This close run was started by another agent." in replayed
    assert sum(status_of(f"s_{number}") == "closed" for number in range(5)) == 2


def test_a_token_from_before_stop_does_not_resume_the_run(client, rows, small_pages):
    for number in range(5):
        rows.session(f"s_{number}")
    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()
    token = progress_token(html)
    client.post("/bulk/close/", {"progress": token, "stop": "1"})

    replayed = client.post("/bulk/close/", {"progress": token}).content.decode()

    assert "This close run has ended: it was stopped" in replayed
    assert 'data-run-state="running"' not in replayed
    assert sum(status_of(f"s_{number}") == "closed" for number in range(5)) == 2


def test_an_idle_close_run_is_stopped_for_good_too(client, rows, small_pages):
    from tests.dashboard_fixtures import minutes_ago

    for number in range(5):
        rows.session(f"s_{number}", lastSeen=minutes_ago(60))
    html = client.post("/close-idle/", {"idle_minutes": "30", "confirmed": "1"}).content.decode()
    token = progress_token(html)
    client.post("/close-idle/", {"progress": token, "stop": "1"})

    replayed = client.post("/close-idle/", {"progress": token}).content.decode()

    assert "This close run has ended" in replayed
    assert sum(status_of(f"s_{number}") == "closed" for number in range(5)) == 2


def test_a_close_run_token_unused_for_minutes_has_expired(client, rows, small_pages, time_passes):
    for number in range(5):
        rows.session(f"s_{number}")
    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()
    time_passes(close_runs.RUN_MAX_AGE + 1)

    replayed = client.post("/bulk/close/", {"progress": progress_token(html)}).content.decode()

    assert "This close run has expired." in replayed
    assert sum(status_of(f"s_{number}") == "closed" for number in range(5)) == 2


def test_a_close_run_lives_for_minutes_not_hours():
    assert close_runs.RUN_MAX_AGE <= 15 * 60


def test_a_running_close_run_goes_on_step_by_step_within_its_minutes(client, rows, small_pages, time_passes):
    for number in range(5):
        rows.session(f"s_{number}")
    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()
    while 'data-run-state="running"' in html:
        time_passes(close_runs.RUN_MAX_AGE - 60)  # each step signs its token anew
        html = client.post("/bulk/close/", {"progress": progress_token(html)}).content.decode()

    assert 'data-run-state="done"' in html and closed_count(html) == 5


def test_a_finished_run_cannot_be_taken_up_again(client, rows, small_pages):
    for number in range(3):
        rows.session(f"s_{number}")
    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()
    tokens = []
    while 'data-run-state="running"' in html:
        tokens.append(progress_token(html))
        html = client.post("/bulk/close/", {"progress": tokens[-1]}).content.decode()
    rows.tables.update_row(rows.database_id, "sessions", "s_0", {"status": "active"})  # reopened since

    replayed = client.post("/bulk/close/", {"progress": tokens[0]}).content.decode()

    assert "This close run has ended" in replayed
    assert status_of("s_0") == "active"
