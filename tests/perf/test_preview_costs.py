"""The rows' previews (each session's newest message) cost the list nothing more: they come in the same listing
as the message counts, so a cold page stays within two round trips and ten requests whatever its size
(test_list_round_trips.py), an unchanged refresh reads none, and a session that wrote thousands of messages
hides nobody else's. Counted at localappwrite's request log."""

from __future__ import annotations

from bench import appwrite_log
from dashboard.appwrite import live, queries, records
from tests.perf.test_list_round_trips import asked_session_ids


def load(page_size: int = 25, sort: str = queries.DEFAULT_SORT) -> live.SessionList:
    return live.load_session_list(None, "", sort, None, page_size)


def expected_previews(data: live.SessionList, messages_each: int) -> dict[str, str]:
    return {session.session_id: f"hello {messages_each - 1}" for session in data.page.sessions}


def test_an_unchanged_refresh_keeps_the_previews_and_asks_appwrite_once_at_most(slow_rows, appwrite_requests, later):
    slow_rows.sessions(30)
    first = load()
    later(live.probe_seconds())

    with appwrite_requests() as made:
        again = load()

    assert len(made.requests) <= 1  # the probe
    assert again.last_messages == first.last_messages and len(again.last_messages) == 25


def test_after_one_session_changed_only_its_newest_message_is_read_again(slow_rows, appwrite_requests, later):
    ids = slow_rows.sessions(40)
    load()
    slow_rows.visitor_writes(ids[12])
    later(live.probe_seconds())

    with appwrite_requests() as made:
        data = load()

    reads = made.to("messages")
    assert len(reads) == 1 and asked_session_ids(reads[0]) == {ids[12]}
    assert data.last_messages[ids[12]].text == "one more"
    assert data.last_messages[ids[12]].waiting_since is not None
    assert len(data.last_messages) == 25


def test_a_session_with_thousands_of_messages_crowds_out_no_other_rows_preview(slow_rows, appwrite_requests):
    ids = slow_rows.sessions(25, messages_each=2)
    # One chat (a bot loop, say) writes more messages than one listing reads, all newer than anyone else's.
    loop = [{"sessionId": ids[3], "role": "assistant", "content": f"loop {n}"} for n in range(6000)]
    slow_rows._bulk("messages", loop)
    live.invalidate_lists()

    with appwrite_requests() as made:
        data = load()

    previews = {sid: message.text for sid, message in data.last_messages.items()}
    assert previews == {**expected_previews(data, 2), ids[3]: "loop 5999"}
    assert data.last_messages[ids[3]].sender == records.BOT
    assert data.message_counts[ids[3]].value == 5000 and data.message_counts[ids[3]].capped
    assert data.message_counts[ids[4]].value == 2
    # The flood costs two follow-ups side by side, in a third round: the count of the flooding session, and
    # the listing of the sessions the first one did not reach.
    assert len(made.to("messages")) == 3
    assert appwrite_log.in_series(made.to("messages")) == 2
    assert len(made.requests) <= 10
    assert made.in_series <= 3


def test_a_preview_is_the_sessions_own_even_when_another_id_differs_only_in_case(slow_rows):
    slow_rows.sessions(3, messages_each=1)
    slow_rows._bulk("sessions", [{"$id": "dup_lower", "sessionId": "s_dup", "status": "active"}])
    slow_rows._bulk("messages", [{"sessionId": "s_dup", "role": "user", "content": "mine"}])
    # Newer, of a session that is not on the page: Appwrite's MariaDB would return it for `equal("s_dup")`.
    slow_rows._bulk("messages", [{"sessionId": "S_DUP", "role": "agent", "content": "not yours"}] * 3)
    live.invalidate_lists()

    data = live.load_session_list(None, "s_dup", queries.DEFAULT_SORT, None, 25)

    assert [s.session_id for s in data.page.sessions] == ["s_dup"]
    newest = data.last_messages["s_dup"]
    assert (newest.text, newest.sender) == ("mine", records.VISITOR)
    assert data.message_counts["s_dup"].value == 1
    assert "S_DUP" not in data.last_messages
