"""The live transcript goes on when the last message it shows is deleted: it asks for what was written after
that message's moment instead, and from then on after the next message it shows."""

import re

import pytest

from tests.htmx import HTMX


def poll_url(html: str) -> str:
    return re.search(r'<li id="transcript-live"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def message_ids(html: str) -> list[str]:
    return re.findall(r'data-message-id="([^"]+)"', html)


@pytest.fixture
def chat(rows) -> list[str]:
    rows.session("s_chat", row_id="chat")
    return [rows.say("s_chat", "user", "Hello"), rows.say("s_chat", "agent", "Hi, how can I help?")]


def test_deleting_the_last_shown_message_does_not_stop_the_live_transcript(client, rows, chat):
    poll = poll_url(client.get("/sessions/chat/").content.decode())
    rows.tables.delete_row(rows.database_id, "messages", chat[-1])

    gap = client.get(poll, headers=HTMX)
    new_id = rows.say("s_chat", "user", "Are you there?")
    html = client.get(poll_url(gap.content.decode()), headers=HTMX).content.decode()

    assert gap.status_code == 200 and "no longer exists" not in gap.content.decode()
    assert "no longer exists" not in html and "deleted" not in html
    assert message_ids(html) == [new_id]
    assert f"after={new_id}" in poll_url(html)


def test_after_the_gap_a_quiet_poll_answers_no_content(client, rows, chat):
    poll = poll_url(client.get("/sessions/chat/").content.decode())
    rows.tables.delete_row(rows.database_id, "messages", chat[-1])
    poll = poll_url(client.get(poll, headers=HTMX).content.decode())

    assert client.get(poll, headers=HTMX).status_code == 204


def test_a_message_written_before_the_deletion_is_not_lost(client, rows, chat):
    poll = poll_url(client.get("/sessions/chat/").content.decode())
    new_id = rows.say("s_chat", "user", "One more thing")
    rows.tables.delete_row(rows.database_id, "messages", chat[-1])

    html = client.get(poll, headers=HTMX).content.decode()

    assert message_ids(html) == [new_id]


def test_a_poll_with_a_deleted_message_and_no_moment_says_to_reload(client, rows, chat):
    rows.tables.delete_row(rows.database_id, "messages", chat[-1])

    html = client.get(f"/sessions/chat/messages/?after={chat[-1]}", headers=HTMX).content.decode()

    assert "The last message shown was deleted; reload the page" in html
    assert "no longer exists" not in html


def test_a_moment_that_is_not_one_is_ignored(client, rows, chat):
    html = client.get(f"/sessions/chat/messages/?after=&since=%00not-a-time{'9' * 500}", headers=HTMX)

    assert html.status_code == 200 and message_ids(html.content.decode()) == chat
