"""The status tabs count what the list shows under the current search and filters, as "Select all N" does,
and each filter has counts of its own (no agent's filter changes another's tabs)."""

from __future__ import annotations

import re

from django.utils import timezone

from dashboard.appwrite import counting, live, queries
from dashboard.appwrite.queries import SessionFilters
from tests.dashboard_fixtures import minutes_ago

FIREFOX = '{"browser":"Firefox","device":"Desktop"}'
CHROME = '{"browser":"Chrome","device":"Mobile"}'


def tab_counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="tab-([^"]*)".*?<span class="tab-count">([^<]*)</span>', html, re.S))


def seed(rows) -> None:
    today = minutes_ago(0)
    for number, (status, meta, seen) in enumerate(
        [
            ("active", FIREFOX, 1),
            ("active", FIREFOX, 30),  # idle
            ("active", CHROME, 2),
            ("agent_assigned", FIREFOX, 3),
            ("closed", FIREFOX, 50),
            ("closed", CHROME, 60),
            ("waiting_for_customer", FIREFOX, 4),
            ("waiting_for_customer", CHROME, 5),
        ]
    ):
        prefix = "vip_" if number % 2 else "s_"
        rows.session(f"{prefix}{number}", status=status, userMeta=meta, lastSeen=minutes_ago(seen), startTime=today)


def test_tab_counts_follow_the_search_and_filters_as_select_all_does(rows):
    seed(rows)
    filters = SessionFilters(browser="Firefox", started_from=timezone.now().date())  # the filter's days are UTC

    data = live.load_session_list("active", "s_", queries.DEFAULT_SORT, None, 25, filters)

    counts = data.counts
    assert counts.all == counting.count_matching("", "s_", filters)
    assert counts.all.value == 3  # s_0 (active), s_4 (closed), s_6 (waiting_for_customer)
    assert counts.by_status["active"] == counting.count_matching("active", "s_", filters)
    assert counts.by_status["active"].value == 1
    assert counts.by_status["closed"].value == 1 and counts.by_status["agent_assigned"].value == 0
    assert counts.idle == counting.count_matching("idle", "s_", filters)
    assert counts.by_status["waiting_for_customer"].value == 1


def test_the_page_shows_the_filtered_counts_and_an_unfiltered_page_its_own(client, rows):
    seed(rows)

    filtered = tab_counts(client.get("/?browser=Firefox").content.decode())
    everything = tab_counts(client.get("/").content.decode())

    assert filtered[""] == "5" and everything[""] == "8"
    assert (filtered["active"], everything["active"]) == ("2", "3")
    assert (filtered["idle"], everything["idle"]) == ("1", "1")
    assert (filtered["closed"], everything["closed"]) == ("1", "2")
    assert (filtered["waiting_for_customer"], everything["waiting_for_customer"]) == ("1", "2")
