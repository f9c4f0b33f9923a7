"""The short-lived Undo after a status change, in real Chromium: it restores, it survives a live
refresh of the list, it is announced to screen readers, and it goes away when its time is up."""


import pytest

from dashboard import undo
from dashboard.appwrite import chat_sessions
from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser


@pytest.fixture
def sessions(rows):
    rows.session("s_one", status="active", lastSeen=minutes_ago(1))
    rows.session("s_two", status="active", lastSeen=minutes_ago(2))
    rows.session("s_shut", status="closed", lastSeen=minutes_ago(50))
    return rows


def test_closing_then_undo_puts_the_session_back(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    row = page.locator('tr[data-row-id="s_one"]')

    row.locator('[data-action="close"]').click()
    page.wait_for_selector('tr[data-row-id="s_one"][data-status="closed"] [data-action="undo"]')
    assert "Session s_one is now Closed" in page.locator("#announcer").inner_text()
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"

    row.locator('[data-action="undo"]').click()

    page.wait_for_selector('tr[data-row-id="s_one"][data-status="active"]')
    assert row.locator('[data-action="undo"]').count() == 0
    assert "Undone" in page.locator("#announcer").inner_text()
    assert chat_sessions.get_session("s_one").status == "active"


def test_reopen_and_take_can_be_undone_too(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")

    page.locator('tr[data-row-id="s_shut"] [data-action="reopen"]').click()
    page.wait_for_selector('tr[data-row-id="s_shut"][data-status="active"]')
    page.locator('tr[data-row-id="s_shut"] [data-action="undo"]').click()
    page.wait_for_selector('tr[data-row-id="s_shut"][data-status="closed"]')

    page.locator('tr[data-row-id="s_two"] [data-action="take"]').click()
    page.wait_for_selector('tr[data-row-id="s_two"][data-status="agent_assigned"]')
    page.locator('tr[data-row-id="s_two"] [data-action="undo"]').click()
    page.wait_for_selector('tr[data-row-id="s_two"][data-status="active"]')


def test_the_undo_survives_a_live_refresh_of_the_list(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.locator('tr[data-row-id="s_two"] [data-action="close"]').click()
    page.wait_for_selector('tr[data-row-id="s_two"] [data-action="undo"]')

    sessions.session("s_new", status="active", lastSeen=minutes_ago(0))
    page.locator("h1").click()  # off the list: the new row comes in at the next refresh
    page.wait_for_selector('tr[data-row-id="s_new"]', timeout=5_000)

    assert page.locator('tr[data-row-id="s_two"] [data-action="undo"]').count() == 1


def test_the_undo_goes_away_when_its_time_is_up(page, dashboard_url, sessions, monkeypatch):
    monkeypatch.setattr(undo, "UNDO_SECONDS", 2)
    page.goto(dashboard_url + "/")

    page.locator('tr[data-row-id="s_one"] [data-action="close"]').click()
    page.wait_for_selector('tr[data-row-id="s_one"] [data-action="undo"]')

    page.wait_for_selector('tr[data-row-id="s_one"] [data-action="undo"]', state="detached", timeout=4_000)
    page.wait_for_timeout(1_500)  # a live refresh does not bring it back either
    assert page.locator('[data-action="undo"]').count() == 0
    assert chat_sessions.get_session("s_one").status == "closed"


def test_the_keyboard_lands_on_the_undo_after_a_change_and_back_on_the_row_after_it(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.locator('tr[data-row-id="s_one"] [data-action="close"]').focus()

    page.keyboard.press("Enter")
    page.wait_for_selector('tr[data-row-id="s_one"] [data-action="undo"]:focus')  # (no eval under the CSP)
    page.keyboard.press("Enter")

    page.wait_for_selector('tr[data-row-id="s_one"][data-status="active"]')
    page.wait_for_selector('tr[data-row-id="s_one"] :focus')
