"""The sessions list asks Appwrite little, whatever the page size and however many agents watch it:
counted against a localappwrite that answers every request after a delay."""

from __future__ import annotations

import json
import random
import re
import threading
import time

import pytest

from dashboard.appwrite import live, queries, records, status_changes
from tests.htmx import HTMX


def load(page_size: int = 25) -> live.SessionList:
    return live.load_session_list(None, "", queries.DEFAULT_SORT, None, page_size)


def asked_session_ids(request) -> set[str]:
    """The sessionIds a message-count request asked about."""
    ids: set[str] = set()
    for raw in re.findall(r"queries\[\d+\]=(\{.*?\})(?=&queries|&total|$)", request.query):
        query = json.loads(raw)
        if query.get("method") == "equal" and query.get("attribute") == "sessionId":
            ids.update(query["values"])
    return ids


@pytest.mark.parametrize("page_size", [25, 100])
def test_a_cold_page_with_its_previews_takes_two_round_trips_in_series_whatever_its_size(
    slow_rows, appwrite_requests, page_size
):
    slow_rows.sessions(120)
    live.invalidate_lists()

    with appwrite_requests() as made:
        data = load(page_size)

    assert len(data.page.sessions) == page_size
    assert made.in_series <= 2
    # The page, four totals, idle, other statuses, then one listing of the rows' messages (their counts and
    # newest messages): not one per row.
    assert len(made.requests) <= 8
    assert len(made.to("messages")) == 1
    # Each row's preview came in that one listing: its newest message, the visitor's.
    assert {sid: message.text for sid, message in data.last_messages.items()} == {
        session.session_id: "hello 2" for session in data.page.sessions
    }
    assert {message.sender for message in data.last_messages.values()} == {records.VISITOR}


def test_an_unchanged_refresh_asks_appwrite_once_and_sends_no_rows(
    client, slow_rows, appwrite_requests, later
):
    slow_rows.sessions(30)
    first = client.get("/", headers=HTMX)
    version = re.search(r'data-rows-version="([^"]+)"', first.content.decode()).group(1)

    with appwrite_requests() as within_the_interval:
        again = client.get("/", headers={**HTMX, "X-Rows-Version": version})
    later(live.probe_seconds())
    with appwrite_requests() as after_the_interval:
        probed = client.get("/", headers={**HTMX, "X-Rows-Version": version})

    assert again.status_code == 204 and probed.status_code == 204
    assert again.content == b"" and probed.content == b""
    assert within_the_interval.requests == []
    assert len(after_the_interval.requests) == 1  # the probe: did any $updatedAt move?


def test_when_one_session_changes_only_its_messages_are_counted_and_read_again(slow_rows, appwrite_requests, later):
    ids = slow_rows.sessions(40)
    load()
    slow_rows.visitor_writes(ids[7])
    later(live.probe_seconds())

    with appwrite_requests() as made:
        data = load()

    message_requests = made.to("messages")
    assert len(message_requests) == 1  # its count and its newest message
    assert asked_session_ids(message_requests[0]) == {ids[7]}
    assert data.page.sessions[0].session_id == ids[7]  # newest activity first
    assert data.message_counts[ids[7]].value == 4
    assert data.last_messages[ids[7]].text == "one more"
    assert made.in_series <= 3  # the probe, the page beside the counts, the one message count


def test_a_change_nobody_announced_shows_at_the_next_full_reload(slow_rows, later):
    ids = slow_rows.sessions(5)
    load()
    # A message written without bumping its session: invisible to the probe, not to the full reload.
    slow_rows.http.post(
        f"{slow_rows.tables}/messages/rows",
        json={"rowId": "unique()", "data": {"sessionId": ids[0], "role": "user", "content": "quiet"}},
    ).raise_for_status()

    later(live.probe_seconds())
    assert load().message_counts[ids[0]].value == 3
    later(live.FULL_REFRESH_SECONDS)
    assert load().message_counts[ids[0]].value == 4


def test_an_agents_own_close_shows_at_once(slow_rows):
    ids = slow_rows.sessions(10)
    load()

    status_changes.close_session(ids[3])
    data = load()

    assert {s.session_id: s.status for s in data.page.sessions}[ids[3]] == "closed"
    assert data.counts.by_status["closed"].value == 1


def _poll(agents: int, seconds: float, poll_seconds: float) -> None:
    """`agents` threads polling the list like htmx does, for `seconds`."""
    deadline = time.monotonic() + seconds
    errors: list[BaseException] = []

    def agent() -> None:
        time.sleep(random.random() * poll_seconds)
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                load()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
                return
            time.sleep(max(0.0, started + poll_seconds - time.monotonic()))

    threads = [threading.Thread(target=agent) for _ in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]


def test_fifty_agents_cost_appwrite_about_what_one_agent_does(slow_rows, appwrite_requests, settings):
    settings.DASHBOARD_POLL_SECONDS = 1
    ids = slow_rows.sessions(60)
    stop = threading.Event()

    def widget() -> None:  # visitors keep chatting: the list really changes
        while not stop.is_set():
            slow_rows.visitor_writes(random.choice(ids[:10]))
            stop.wait(0.7)

    writer = threading.Thread(target=widget)
    writer.start()
    try:
        with appwrite_requests() as one:
            _poll(1, 5, settings.DASHBOARD_POLL_SECONDS)
        with appwrite_requests() as fifty:
            _poll(50, 5, settings.DASHBOARD_POLL_SECONDS)
    finally:
        stop.set()
        writer.join()

    def reads(log) -> int:
        return len([r for r in log.requests if r.method == "GET"])

    assert reads(one) > 0
    assert reads(fifty) <= 1.5 * reads(one), (reads(one), reads(fifty))
