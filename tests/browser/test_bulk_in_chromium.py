"""Bulk actions, metadata filters and the overview in real Chromium: what only a browser shows.
With SCREENSHOT_DIR set, the overview is saved there as screenshot-overview.png."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dashboard.appwrite import chat_sessions
from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser


@pytest.fixture
def sessions(rows):
    for number in range(4):
        rows.session(
            f"s_active_{number}",
            status="active",
            startTime=minutes_ago(30 + number),
            lastSeen=minutes_ago(number + 1),
            userMeta='{"browser":"Chrome 131","device":"Desktop","location":"Berlin, DE"}',
        )
    rows.session("s_safari", status="active", lastSeen=minutes_ago(3), userMeta='{"browser":"Safari 18"}')
    return rows


def checked_ids(page) -> set[str]:
    return set(page.eval_on_selector_all('input[data-action="select"]:checked', "boxes => boxes.map(b => b.value)"))


def test_selected_rows_stay_selected_across_a_live_refresh(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.locator('tr[data-row-id="s_active_1"] input[data-action="select"]').check()
    page.locator('tr[data-row-id="s_active_3"] input[data-action="select"]').check()
    assert page.locator('[data-field="selected-count"]').inner_text() == "2 selected"

    sessions.session("s_newcomer", status="active", lastSeen=minutes_ago(0))
    sessions.tables.update_row(sessions.database_id, "sessions", "s_active_3", {"status": "agent_assigned"})
    page.locator("h1").click()  # the agent's hand leaves the list: the new row may come in
    page.wait_for_selector('tr[data-row-id="s_newcomer"]', timeout=5_000)

    assert page.locator('tr[data-row-id="s_active_3"]').get_attribute("data-status") == "agent_assigned"
    assert checked_ids(page) == {"s_active_1", "s_active_3"}
    assert page.locator('[data-field="selected-count"]').inner_text() == "2 selected"


def test_closing_the_selected_rows_asks_then_closes_them_and_refreshes_the_list(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.locator('tr[data-row-id="s_active_0"] input[data-action="select"]').check()
    page.locator('tr[data-row-id="s_safari"] input[data-action="select"]').check()

    page.locator('[data-action="close-selected"]').click()
    page.wait_for_selector('#bulk-panel[data-state="confirm"]')
    assert chat_sessions.get_session("s_active_0").status == "active"
    page.evaluate("window.stillTheSamePage = true")
    page.locator('[data-action="confirm-close"]').click()

    page.wait_for_selector('#bulk-panel [data-run-state="done"]')
    page.wait_for_selector('tr[data-row-id="s_active_0"][data-status="closed"]', timeout=5_000)
    page.wait_for_selector('tr[data-row-id="s_safari"][data-status="closed"]', timeout=5_000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert checked_ids(page) == set()
    assert chat_sessions.get_session("s_active_1").status == "active"


def test_select_all_matching_a_chip_filter_closes_every_page(page, dashboard_url, sessions, settings):
    settings.DASHBOARD_PAGE_SIZE = 5
    for number in range(4, 9):
        sessions.session(f"s_active_{number}", status="active", userMeta='{"browser":"Chrome 131"}')
    page.goto(dashboard_url + "/")

    page.locator('tr[data-row-id="s_active_0"] [data-filter-chip="browser"]').click()
    page.wait_for_url("**/?browser=Chrome+131")
    page.wait_for_selector('#bulk-matching[data-count="9"]')
    page.locator('[data-action="select-all-matching"]').click()
    assert (
        "All 9 sessions matching this filter are selected" in page.locator('[data-field="selected-count"]').inner_text()
    )
    page.locator('[data-action="close-selected"]').click()
    page.wait_for_selector('#bulk-panel[data-state="confirm"]')
    assert "Close all 9 open sessions matching this filter?" in page.locator("#bulk-panel").inner_text()
    page.locator('[data-action="confirm-close"]').click()

    page.wait_for_selector('#bulk-panel [data-run-state="done"]')
    assert page.locator('#bulk-panel [data-field="closed-count"] dd').inner_text() == "9"
    assert chat_sessions.get_session("s_safari").status == "active"
    assert chat_sessions.get_session("s_active_8").status == "closed"


def test_the_idle_close_previews_then_closes(page, dashboard_url, sessions):
    sessions.session("s_gone_quiet", status="active", lastSeen=minutes_ago(90))
    page.goto(dashboard_url + "/")

    page.locator("details.idle-close summary").click()
    page.locator('#idle-panel input[name="idle_minutes"]').fill("60")
    page.locator('[data-action="preview-idle"]').click()
    page.wait_for_selector('#idle-panel [data-field="idle-preview-count"][data-count="1"]')
    page.locator('[data-action="confirm-close-idle"]').click()

    page.wait_for_selector('#idle-panel [data-run-state="done"]')
    page.wait_for_selector('tr[data-row-id="s_gone_quiet"][data-status="closed"]', timeout=5_000)
    assert chat_sessions.get_session("s_active_0").status == "active"


def the_current_hour_with_room(room: timedelta = timedelta(minutes=1)):
    """The start of the current clock hour (UTC, as the overview buckets starts) and now, at least
    `room` before the next hour: closer to it, this waits until the hour has turned, so that the rows
    a test makes and the overview it then loads see the same 24 hours."""
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    if hour + timedelta(hours=1) - now < room:
        time.sleep((hour + timedelta(hours=1) - now).total_seconds() + 1)
        now = timezone.now()
        hour = now.replace(minute=0, second=0, microsecond=0)
    return hour, now


def test_the_overview_shows_a_day_of_starts_as_a_chart(page, dashboard_url, rows, settings):
    # A day of a small shop's chat: quiet at night, busy around midday.
    starts_per_hour_ago = [3, 6, 8, 9, 7, 8, 10, 12, 11, 9, 7, 5, 4, 3, 2, 1, 1, 0, 1, 2, 2, 3, 4, 3]
    # Each start lies well inside its clock hour (the overview's bar), whatever the minute the test runs.
    hour, now = the_current_hour_with_room()
    number = 0
    for hours_ago, count in enumerate(starts_per_hour_ago):
        for index in range(count):
            if hours_ago == 0:  # the current hour, up to now
                started = hour + (now - hour) * (index + 1) / (count + 1)
            else:
                started = hour - timedelta(hours=hours_ago) + timedelta(minutes=(index * 53) % 60, seconds=30)
            status = "closed" if hours_ago > 1 or index % 4 == 0 else ("agent_assigned" if index % 3 == 0 else "active")
            if status == "active":
                last_seen = max(now - timedelta(minutes=(index * 7) % 25), started)
            else:
                last_seen = min(started + timedelta(minutes=3 + (number * 7) % 29), now)
            rows.session(f"s_{number:03d}", status=status, startTime=started, lastSeen=last_seen)
            number += 1
    started = hour - timedelta(hours=2) + timedelta(minutes=30)
    rows.session("s_waiting", status="waiting_for_customer", startTime=started, lastSeen=now)
    expected_counts = starts_per_hour_ago[::-1]  # oldest hour first, as the bars
    expected_counts[-1 - 2] += 1  # s_waiting, two hours ago

    settings.DASHBOARD_POLL_SECONDS = 5  # as an agent would see it
    page.goto(dashboard_url + "/overview/")
    page.wait_for_selector('svg[data-chart="starts-per-hour"] rect.chart-bar >> nth=23')
    bars = page.locator('svg[data-chart="starts-per-hour"] rect.chart-bar')
    assert bars.count() == 24
    assert bars.nth(23).get_attribute("data-hour") == hour.isoformat()  # the current hour, last
    assert [int(count) for count in bars.evaluate_all("bars => bars.map(b => b.dataset.count)")] == expected_counts
    assert page.locator('[data-stat="started-24h"] .stat-value').inner_text() == "122" == str(sum(expected_counts))
    target = os.environ.get("SCREENSHOT_DIR")
    if target:
        page.set_viewport_size({"width": 1280, "height": 720})
        bottom = page.evaluate("document.querySelector('main').getBoundingClientRect().bottom")
        clip = {"x": 0, "y": 0, "width": 1280, "height": bottom}
        page.screenshot(path=str(Path(target) / "screenshot-overview.png"), full_page=True, clip=clip)


def test_the_overview_refreshes_itself(page, dashboard_url, rows):
    rows.session("s_1", status="active", startTime=minutes_ago(5), lastSeen=minutes_ago(1))
    page.goto(dashboard_url + "/overview/")
    assert page.locator('[data-stat="active-now"] .stat-value').inner_text() == "1"

    rows.session("s_fresh", status="active", startTime=minutes_ago(0), lastSeen=minutes_ago(0))

    page.wait_for_function(
        "() => document.querySelector('[data-stat=\"active-now\"] .stat-value').textContent.trim() === '2'",
        timeout=5_000,
    )
