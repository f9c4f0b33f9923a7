""""Waiting longest" on the Active and Idle tabs: the visitor whose last message is oldest comes first (the
widget moves `lastSeen` with every visitor message), and each row's newest message says whether they still wait."""

from __future__ import annotations

import re

from dashboard import pages
from dashboard.appwrite import live, records
from tests.dashboard_fixtures import minutes_ago


def test_waiting_longest_puts_the_oldest_last_seen_first_on_the_active_tab(client, rows):
    for session_id, seen in (("s_recent", 2), ("s_longest", 15), ("s_middle", 6)):
        rows.session(session_id, lastSeen=minutes_ago(seen))
        rows.messages(session_id, 1, role="user")
    rows.session("s_closed_older", status="closed", lastSeen=minutes_ago(90))

    html = client.get("/?status=active&sort=waiting_longest").content.decode()

    assert re.findall(r'data-session-id="([^"]+)"', html) == ["s_longest", "s_middle", "s_recent"]


def test_a_row_whose_agent_answered_last_is_not_waiting_whatever_the_sort(rows):
    rows.session("s_answered", lastSeen=minutes_ago(20))
    rows.messages("s_answered", 1, role="user")
    rows.messages("s_answered", 1, role="agent")
    rows.session("s_waiting", lastSeen=minutes_ago(3))
    rows.messages("s_waiting", 2, role="user")

    data = live.load_session_list("active", "", "waiting_longest", None, 25)

    assert [s.session_id for s in data.page.sessions] == ["s_answered", "s_waiting"]
    assert data.last_messages["s_answered"].sender == records.AGENT
    assert data.last_messages["s_answered"].waiting_since is None
    assert data.last_messages["s_waiting"].waiting_since is not None


def test_waiting_longest_is_offered_on_the_active_and_idle_tabs_only():
    def offered(status: str) -> bool:
        return "waiting_longest" in dict(pages.sort_choices(status))

    assert offered("active") and offered("idle")
    assert not offered("") and not offered("closed") and not offered("agent_assigned")
