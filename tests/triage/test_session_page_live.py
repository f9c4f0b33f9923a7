"""The session page stays live beyond its transcript: its summary (last seen, message count), status panel,
timeline and message total come back, out of band in the page's poll, when they change in Appwrite, and
only those that changed; an unchanged page costs the poll one Appwrite request and answers 204."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.appwrite import session_watch, transcripts
from tests.agent_fixtures import csrf_token
from tests.dashboard_fixtures import iso, minutes_ago
from tests.htmx import HTMX

PARTS = ("session-summary", "session-status", "session-timeline", "transcript-total")


def shown_parts(html: str) -> str:
    """What the page's script sends with each poll: the version of each live part the page shows."""
    found = re.findall(r'<\w+ id="([\w-]+)"[^>]*data-part-version="(\w+)"', html)
    return ",".join(f"{part}={version}" for part, version in found if part in PARTS)


def swapped(html: str) -> dict[str, str]:
    """The parts an answer swaps in out of band, by id, with their HTML."""
    parts = {}
    for part in PARTS:
        found = re.search(rf'<(\w+) id="{part}"[^>]*hx-swap-oob="true".*?</\1>', html, re.S)
        if found:
            parts[part] = found.group(0)
    return parts


class OpenPage:
    """A session's page as the browser holds it: what it shows, and its polls, as its scripts send them."""

    def __init__(self, client, row_id: str):
        self.client = client
        self.row_id = row_id
        html = client.get(f"/sessions/{row_id}/").content.decode()
        self.shown = shown_parts(html)
        self.after = re.search(r"messages/\?after=([\w-]*)", html).group(1)

    def poll(self, **params: str):
        query = {"after": self.after, **params}
        headers = {**HTMX, "X-Shown-Parts": self.shown}
        response = self.client.get(f"/sessions/{self.row_id}/messages/", query, headers=headers)
        if response.status_code == 200:
            html = response.content.decode()
            versions = dict(item.split("=") for item in self.shown.split(","))
            for part, version in re.findall(r'<\w+ id="([\w-]+)"[^>]*data-part-version="(\w+)"', html):
                if part in versions:
                    versions[part] = version
            self.shown = ",".join(f"{part}={version}" for part, version in versions.items())
            found = re.search(r"messages/\?after=([\w-]*)", html)
            self.after = found.group(1) if found else self.after
        return response


@pytest.fixture
def chat(rows):
    rows.session("s_live", row_id="live", status="active", startTime=minutes_ago(30), lastSeen=minutes_ago(4))
    for number in range(3):
        rows.say("s_live", "user", f"message {number}")
    return rows


def test_the_page_says_which_version_of_each_live_part_it_shows(client, chat):
    html = client.get("/sessions/live/").content.decode()

    assert sorted(item.split("=")[0] for item in shown_parts(html).split(",")) == sorted(PARTS)
    assert re.search(r'id="session-summary"[^>]*>.*3 messages', html, re.S)


def test_a_new_message_brings_the_new_count_and_last_seen_with_it(client, chat):
    page = OpenPage(client, "live")
    new_id = chat.say("s_live", "user", "Are you there?")
    chat.tables.update_row(chat.database_id, "sessions", "live", {"lastSeen": iso(timezone.now())})

    response = page.poll()
    html = response.content.decode()
    parts = swapped(html)

    assert response.status_code == 200
    assert f'data-message-id="{new_id}"' in html
    assert "4 messages" in parts["session-summary"] and "just now" in parts["session-summary"]
    assert "4 messages" in parts["transcript-total"]
    assert re.search(r'data-field="quiet-for">\d+ s<', parts["session-timeline"])
    assert "session-status" not in parts  # its status did not change: the panel under the agent's hand stays


def test_an_unchanged_page_answers_no_content_at_the_cost_of_one_appwrite_request(client, chat, appwrite_server):
    page = OpenPage(client, "live")
    before = len(appwrite_server.logged_requests())

    answers = [page.poll().status_code for _ in range(3)]
    requests = appwrite_server.logged_requests()[before:]

    assert answers == [204, 204, 204]
    assert len(requests) == 3 and all("/tables/messages/rows" in path for _, path in requests)


def test_a_status_changed_through_the_sdk_shows_within_the_recheck_interval(client, chat, time_passes):
    page = OpenPage(client, "live")
    chat.tables.update_row(chat.database_id, "sessions", "live", {"status": "closed"})

    unseen = page.poll()
    time_passes(session_watch.RECHECK_SECONDS + 1)
    parts = swapped(page.poll().content.decode())

    assert unseen.status_code == 204
    assert 'data-field="status"' in parts["session-status"] and ">Closed<" in parts["session-status"]
    assert 'data-action="reopen"' in parts["session-status"] and 'data-action="close"' not in parts["session-status"]
    assert "session-summary" not in parts


def test_an_agents_status_change_elsewhere_shows_at_the_next_poll(client, chat):
    from django.test import Client

    page = OpenPage(client, "live")
    other_agent = Client()
    other_agent.cookies = client.cookies  # another tab of a signed-in agent
    other_agent.post("/sessions/live/take/", {"csrfmiddlewaretoken": csrf_token(client)})

    parts = swapped(page.poll().content.decode())

    assert ">Agent assigned<" in parts["session-status"]


def test_a_session_turning_idle_changes_its_panel_and_timeline(client, rows, settings, time_passes):
    settings.DASHBOARD_IDLE_MINUTES = 10
    rows.session("s_quiet", row_id="quiet", status="active", startTime=minutes_ago(20), lastSeen=minutes_ago(9))
    page = OpenPage(client, "quiet")

    time_passes(2 * 60)
    parts = swapped(page.poll().content.decode())

    assert 'data-badge="idle"' in parts["session-status"]
    assert "11 min" in parts["session-timeline"]


def test_an_older_page_of_the_transcript_keeps_its_parts_live_without_asking_for_messages(
    client, chat, appwrite_server, time_passes, monkeypatch
):
    monkeypatch.setattr(transcripts, "TRANSCRIPT_PAGE_SIZE", 2)
    newest = client.get("/sessions/live/").content.decode()
    older = re.search(r'href="([^"]+)"[^>]*data-action="load-older"', newest, re.S).group(1).replace("&amp;", "&")
    html = client.get(older).content.decode()
    assert 'id="session-live"' in html and 'id="transcript-live"' not in html
    shown = shown_parts(html)
    chat.tables.update_row(chat.database_id, "sessions", "live", {"lastSeen": iso(timezone.now())})
    chat.say("s_live", "user", "one more")
    time_passes(session_watch.RECHECK_SECONDS + 1)
    before = len(appwrite_server.logged_requests())

    response = client.get("/sessions/live/messages/?parts=1", headers={**HTMX, "X-Shown-Parts": shown})
    requests = appwrite_server.logged_requests()[before:]
    parts = swapped(response.content.decode())

    assert response.content.decode().lstrip().startswith('<div id="session-live"')
    assert "data-message-id" not in response.content.decode()
    assert "4 messages" in parts["session-summary"] and "4 messages" in parts["transcript-total"]
    assert [path.split("?")[0].rsplit("/", 2)[-2:] for _, path in requests] == [["rows", "live"], ["messages", "rows"]]


def test_a_poll_that_does_not_say_what_it_shows_gets_only_new_messages(client, chat):
    page = OpenPage(client, "live")
    chat.tables.update_row(chat.database_id, "sessions", "live", {"lastSeen": iso(timezone.now() - timedelta(1))})
    new_id = chat.say("s_live", "user", "hello")

    html = client.get(f"/sessions/live/messages/?after={page.after}", headers=HTMX).content.decode()

    assert f'data-message-id="{new_id}"' in html and swapped(html) == {}


def test_a_poll_that_finds_the_shared_session_gone_from_the_cache_reads_it_once(client, chat, appwrite_server):
    from django.core.cache import cache

    page = OpenPage(client, "live")
    cache.clear()  # another process served the page, or the entry expired
    before = len(appwrite_server.logged_requests())

    response = page.poll()
    requests = [path.split("?")[0].rsplit("/", 2)[-2:] for _, path in appwrite_server.logged_requests()[before:]]

    assert response.status_code == 204
    assert requests == [["rows", "live"], ["messages", "rows"], ["messages", "rows"]]  # session, count, new messages
