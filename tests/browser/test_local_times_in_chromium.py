"""The agent's own time in real Chromium: with the browser in New York, every time shows in New York time with
the zone named and UTC on hover, the date filter's days are New York days; without JavaScript the page says
UTC and never promises a live refresh; and the session page's header, panel and timeline stay live in place."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.appwrite import status_changes
from tests.dashboard_fixtures import iso, minutes_ago

pytestmark = pytest.mark.browser

NEW_YORK = ZoneInfo("America/New_York")
STARTED = datetime(2024, 1, 15, 3, 30, 5, tzinfo=UTC)  # 22:30:05 EST on 14 January in New York


@pytest.fixture
def new_york_page(signed_in_page):
    return signed_in_page(viewport={"width": 1400, "height": 900}, timezone_id="America/New_York", locale="en-US")


@pytest.fixture
def session(rows):
    rows.session("s_ny", row_id="s_ny", status="active", startTime=STARTED, lastSeen=minutes_ago(3))
    rows.say("s_ny", "user", "Hello from Manhattan")
    return rows


def test_the_session_page_shows_its_times_in_the_browsers_zone_with_utc_on_hover(new_york_page, dashboard_url, session):
    page = new_york_page
    page.goto(dashboard_url + "/sessions/s_ny/")
    started = page.locator(".timeline li", has_text="Started").locator("time")

    assert started.inner_text() == "14 Jan 2024, 22:30:05 EST"
    assert started.get_attribute("title") == "14 Jan 2024, 22:30:05 EST (America/New_York) · 2024-01-15 03:30:05 UTC"
    last_seen = page.locator('#session-summary time[data-field="last-seen"]')
    assert last_seen.inner_text() == "3 min ago"
    assert "(America/New_York) · " in last_seen.get_attribute("title")
    assert last_seen.get_attribute("title").endswith(" UTC")


def test_the_list_says_on_hover_when_a_session_started_in_the_browsers_zone(new_york_page, dashboard_url, session):
    page = new_york_page
    page.goto(dashboard_url + "/")
    started = page.locator('tr[data-row-id="s_ny"] time:not([data-field])')  # not last seen, not the wait

    assert started.get_attribute("title") == "14 Jan 2024, 22:30:05 EST (America/New_York) · 2024-01-15 03:30:05 UTC"


def test_the_date_filter_picks_days_in_the_browsers_zone(new_york_page, dashboard_url, rows):
    rows.session("s_evening", startTime=datetime(2024, 1, 15, 3, 0, tzinfo=UTC))  # the 14th in New York
    rows.session("s_morning", startTime=datetime(2024, 1, 15, 14, 0, tzinfo=UTC))  # the 15th in both
    page = new_york_page
    page.goto(dashboard_url + "/")

    assert page.locator(".date-range legend").inner_text() == "Started between (America/New_York)"
    page.locator('input[name="started_from"]').fill("2024-01-14")
    page.wait_for_url(re.compile(r"started_from=2024-01-14"))
    page.locator('input[name="started_to"]').fill("2024-01-14")
    page.wait_for_url(re.compile(r"started_to=2024-01-14"))

    assert "tz=America%2FNew_York" in page.url
    assert page.locator("tr[data-row-id]").evaluate_all("rows => rows.map(r => r.dataset.rowId)") == ["s_evening"]
    assert page.locator(".date-range legend").inner_text() == "Started between (America/New_York)"


def test_the_overview_names_the_browsers_zone(new_york_page, dashboard_url, session):
    page = new_york_page
    page.goto(dashboard_url + "/overview/")
    updated = page.locator(".updated time")

    assert re.fullmatch(r"\d\d:\d\d:\d\d E[SD]T", updated.inner_text())
    assert updated.get_attribute("title").endswith(" UTC")
    assert "Times in America/New_York." in page.locator(".page-head").inner_text()


def test_without_javascript_times_are_utc_and_labelled_and_nothing_promises_a_refresh(
    signed_in_page, dashboard_url, session
):
    page = signed_in_page(java_script_enabled=False, timezone_id="America/New_York")
    page.goto(dashboard_url + "/sessions/s_ny/")
    started = page.locator(".timeline li", has_text="Started").locator("time")

    assert started.inner_text() == "2024-01-15 03:30:05 UTC"
    assert not page.locator(".live-badge").is_visible()
    page.goto(dashboard_url + "/")
    head = page.locator(".page-head p").inner_text()
    assert "Reload the page to see newer sessions." in head and "Live" not in head
    assert page.locator(".date-range legend").inner_text() == "Started between (UTC)"
    page.goto(dashboard_url + "/overview/")
    assert "Reload the page for newer numbers." in page.locator(".page-head").inner_text()


def test_the_session_pages_header_panel_and_timeline_stay_live_without_moving_the_focus(page, dashboard_url, session):
    page.goto(dashboard_url + "/sessions/s_ny/")
    page.locator('#session-status [data-action="close"]').focus()
    page.evaluate("window.stillTheSamePage = true")

    new_id = session.say("s_ny", "user", "Anyone?")
    session.tables.update_row(session.database_id, "sessions", "s_ny", {"lastSeen": iso(datetime.now(UTC))})
    page.wait_for_selector(f'[data-message-id="{new_id}"]')
    page.wait_for_selector('#session-summary:has-text("2 messages")')

    assert page.locator("#transcript-total").inner_text() == "2 messages"
    assert page.locator('#session-summary time[data-field="last-seen"]').inner_text() == "just now"
    assert re.fullmatch(r"\d+ s", page.locator('#session-timeline [data-field="quiet-for"]').inner_text())
    assert page.evaluate("document.activeElement.dataset.action") == "close"  # the panel was left alone

    status_changes.set_status("s_ny", "agent_assigned")  # another agent takes it
    page.wait_for_selector('#session-status [data-field="status"]:text("Agent assigned")')

    assert page.evaluate("document.activeElement.dataset.action") == "close"  # its new self has the focus
    assert page.evaluate("window.stillTheSamePage") is True
