"""One session's page: every field, metadata and theme, timeline, and the paged, live transcript."""

import re

import pytest

from dashboard.appwrite import transcripts
from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX


def message_ids(html: str) -> list[str]:
    return re.findall(r'data-message-id="([^"]+)"', html)


@pytest.fixture
def chat(rows):
    rows.session(
        "s_2001",
        row_id="row2001",
        status="active",
        startTime=minutes_ago(42),
        lastSeen=minutes_ago(3),
        userMeta='{"browser":"Firefox 133","device":"Desktop","location":"Lisbon, PT","screen":{"w":1440,"h":900}}',
        theme='{"primaryColor":"#0f766e","position":"right"}',
    )
    ids = [
        rows.say("s_2001", "user", "Hi, my order has not arrived."),
        rows.say("s_2001", "assistant", "Sorry to hear that! Could you share the order number?"),
        rows.say("s_2001", "agent", "I'm Sam from support, looking into it now."),
        rows.say("s_2001", "system", "Agent joined the chat"),
    ]
    return ids


def test_the_detail_page_shows_every_stored_field(client, chat):
    response = client.get("/sessions/row2001/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "row2001" in html and "s_2001" in html
    assert 'data-badge="active"' in html
    for label in ("Started", "Created", "Last seen", "Updated", "Duration"):
        assert label in html
    assert "39 min" in html  # from start to last seen
    assert re.search(r"<dt>browser</dt><dd>Firefox 133</dd>", html)
    assert re.search(r"<dt>location</dt><dd>Lisbon, PT</dd>", html)
    assert "{&quot;w&quot;: 1440, &quot;h&quot;: 900}" in html  # a nested value, as JSON
    assert "&quot;browser&quot;: &quot;Firefox 133&quot;," in html  # the raw JSON, pretty-printed
    assert 'fill="#0f766e"' in html and "<dt>position</dt>" in html


def test_the_transcript_is_in_order_with_each_role_labelled(client, chat):
    html = client.get("/sessions/row2001/").content.decode()

    assert message_ids(html) == chat
    for role, label in (("user", "Visitor"), ("assistant", "Assistant"), ("agent", "Agent"), ("system", "System")):
        assert re.search(
            rf'data-role="{role}">\s*<div class="message-meta">\s*<span class="role-label">{label}</span>', html
        )
    assert "I&#x27;m Sam from support" in html


def test_the_transcript_opens_on_the_newest_page_and_pages_back_with_a_cursor(client, rows, monkeypatch):
    monkeypatch.setattr(transcripts, "TRANSCRIPT_PAGE_SIZE", 3)
    rows.session("s_long", row_id="long")
    ids = [rows.say("s_long", "user", f"line {number}") for number in range(7)]

    newest = client.get("/sessions/long/").content.decode()
    older_url = re.search(r'href="([^"]+)"[^>]*data-action="load-older"', newest, re.S).group(1).replace("&amp;", "&")
    middle = client.get(older_url).content.decode()
    oldest_url = re.search(r'href="([^"]+)"[^>]*data-action="load-older"', middle, re.S).group(1).replace("&amp;", "&")
    oldest = client.get(oldest_url).content.decode()
    newer_url = re.search(r'href="([^"]+)"[^>]*data-action="load-newer"', oldest, re.S).group(1).replace("&amp;", "&")

    assert message_ids(newest) == ids[4:]
    assert message_ids(middle) == ids[1:4]
    assert message_ids(oldest) == ids[:1]
    assert 'data-action="load-older"' not in oldest
    assert message_ids(client.get(newer_url).content.decode()) == ids[1:4]
    assert 'id="transcript-live"' in newest and 'id="transcript-live"' not in middle


def test_paging_through_htmx_answers_only_the_transcript(client, rows, monkeypatch):
    monkeypatch.setattr(transcripts, "TRANSCRIPT_PAGE_SIZE", 2)
    rows.session("s_page", row_id="page")
    ids = [rows.say("s_page", "user", f"line {number}") for number in range(3)]

    response = client.get(f"/sessions/page/?messages=before:{ids[1]}", headers=HTMX)
    html = response.content.decode()

    assert "<html" not in html
    assert html.lstrip().startswith('<section id="transcript"')
    assert message_ids(html) == ids[:1]
    assert "HX-Request" in response["Vary"]


def test_long_messages_are_folded_behind_show_all(client, rows):
    rows.session("s_fold", row_id="fold")
    rows.say("s_fold", "user", "short one")
    rows.say("s_fold", "assistant", "word " * 400)

    html = client.get("/sessions/fold/").content.decode()

    assert html.count('<details class="message-fold">') == 1
    assert "Show all (2000 characters)" in html


def test_visitor_text_is_escaped_on_the_detail_page(client, rows):
    rows.session(
        "s_evil",
        row_id="evil",
        userMeta='{"<b>key</b>":"<script>alert(1)</script>"}',
        theme='{"primaryColor":"red\\" onload=\\"alert(1)","x":"<img src=x onerror=alert(2)>"}',
    )
    rows.say("s_evil", "user", "<script>alert(3)</script>")

    html = client.get("/sessions/evil/").content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html and "<b>key</b>" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert 'fill="red' not in html
    assert 'fill="#2557d6"' in html  # the preview falls back to the default colour


def test_the_live_transcript_answers_new_messages_after_the_last_one_or_no_content(client, chat, rows):
    last = chat[-1]

    nothing = client.get(f"/sessions/row2001/messages/?after={last}", headers=HTMX)
    new_id = rows.say("s_2001", "user", "Thanks!")
    something = client.get(f"/sessions/row2001/messages/?after={last}", headers=HTMX)
    html = something.content.decode()

    assert nothing.status_code == 204
    assert something.status_code == 200
    assert message_ids(html) == [new_id]
    assert f"after={new_id}" in html  # the next poll asks after the new one
    assert "HX-Request" in something["Vary"]


def test_the_live_transcript_notices_a_session_deleted_while_its_page_is_open(client, chat, rows, time_passes):
    from dashboard.appwrite import session_watch

    assert client.get(f"/sessions/row2001/messages/?after={chat[-1]}", headers=HTMX).status_code == 204
    rows.tables.delete_row(rows.database_id, "sessions", "row2001")
    time_passes(session_watch.RECHECK_SECONDS + 1)

    html = client.get(f"/sessions/row2001/messages/?after={chat[-1]}", headers=HTMX).content.decode()

    assert "This session no longer exists" in html


def test_the_live_transcript_of_an_empty_session_finds_its_first_message(client, rows):
    rows.session("s_new", row_id="new")
    page = client.get("/sessions/new/").content.decode()
    first = rows.say("s_new", "user", "Hello?")

    html = client.get("/sessions/new/messages/?after=", headers=HTMX).content.decode()

    assert "No messages in this session yet" in page
    assert message_ids(html) == [first]


def test_the_live_transcript_without_htmx_leads_to_the_page(client, chat):
    response = client.get("/sessions/row2001/messages/")

    assert response.status_code == 302 and response["Location"] == "/sessions/row2001/"


def test_a_missing_session_is_a_404_page_that_says_so(client, rows):
    response = client.get("/sessions/nothing_here/")

    assert response.status_code == 404
    assert "Session not found" in response.content.decode()


def test_with_appwrite_down_the_detail_page_says_so_instead_of_showing_nothing(client, unreachable_appwrite):
    response = client.get("/sessions/s_1/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Appwrite is unreachable" in html
    assert "No messages" not in html


def test_with_appwrite_down_paging_through_htmx_says_so_in_the_transcript(client, unreachable_appwrite):
    response = client.get("/sessions/s_1/?messages=before:m_1", headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="transcript"')
    assert "Appwrite is unreachable" in html and "No messages" not in html


def test_with_appwrite_down_the_live_transcript_says_so_and_retries(client, chat, settings):
    settings.APPWRITE_ENDPOINT = "http://127.0.0.1:9/v1"

    response = client.get(f"/sessions/row2001/messages/?after={chat[-1]}", headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Appwrite is unreachable; retrying" in html
    assert "retry=1" in html


def test_the_list_links_each_session_to_its_detail_page(client, chat):
    html = client.get("/").content.decode()

    assert re.search(r'<a href="/sessions/row2001/" [^>]*data-action="open"[^>]*><bdi>s_2001</bdi></a>', html)
