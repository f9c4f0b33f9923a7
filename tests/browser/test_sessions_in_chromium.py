"""An agent works the sessions list in real Chromium: filter, close with one click, other tabs follow."""


import pytest

from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser


@pytest.fixture
def sessions(rows):
    rows.session(
        "s_active_1",
        status="active",
        startTime=minutes_ago(20),
        lastSeen=minutes_ago(1),
        userMeta='{"browser":"Chrome 131","device":"Desktop","location":"Berlin, DE"}',
        theme='{"primaryColor":"#7c3aed"}',
    )
    rows.messages("s_active_1", 3)
    rows.session("s_active_2", status="active", startTime=minutes_ago(15), lastSeen=minutes_ago(2))
    rows.session("s_closed_1", status="closed", startTime=minutes_ago(90), lastSeen=minutes_ago(70))
    return rows


def test_an_agent_filters_active_sessions_and_closes_one_with_a_click(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.locator(".tabs").get_by_role("link", name="Active").click()
    page.wait_for_url("**/?status=active")
    assert page.locator("#session-rows tr[data-row-id]").count() == 2
    assert page.locator('tr[data-row-id="s_closed_1"]').count() == 0

    page.evaluate("window.stillTheSamePage = true")
    row = page.locator('tr[data-row-id="s_active_1"]')
    row.locator('[data-action="close"]').click()

    page.wait_for_selector('tr[data-row-id="s_active_1"][data-status="closed"]')
    assert row.locator('[data-action="close"]').count() == 0
    assert row.locator('[data-field="message-count"]').inner_text() == "3"
    assert page.evaluate("window.stillTheSamePage") is True


def test_a_second_tab_picks_up_a_close_within_a_poll(signed_in_page, page, dashboard_url, sessions):
    other = signed_in_page()
    other.goto(dashboard_url + "/")
    page.goto(dashboard_url + "/")
    other.wait_for_selector('tr[data-row-id="s_active_2"][data-status="active"]')

    page.locator('tr[data-row-id="s_active_2"] [data-action="close"]').click()
    page.wait_for_selector('tr[data-row-id="s_active_2"][data-status="closed"]')

    other.wait_for_selector('tr[data-row-id="s_active_2"][data-status="closed"]', timeout=5_000)
    other.context.close()


def test_a_refresh_updates_a_row_in_place_keeping_its_open_metadata_and_the_focus(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    link = page.locator('tr[data-row-id="s_active_1"] [data-action="meta"]')
    link.click()
    page.wait_for_selector('tr[data-row-id="s_active_1"] .meta-pop pre')
    assert "Berlin, DE" in page.locator('tr[data-row-id="s_active_1"] .meta-pop').inner_text()
    link.focus()
    sessions.tables.update_row(sessions.database_id, "sessions", "s_active_1", {"status": "agent_assigned"})

    page.wait_for_selector('tr[data-row-id="s_active_1"][data-status="agent_assigned"]', timeout=5_000)

    assert page.locator('tr[data-row-id="s_active_1"] .meta-pop pre').count() == 1
    focused = page.evaluate(
        "document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.rowId"
    )
    assert focused == "s_active_1"


def test_an_unchanged_list_is_not_swapped(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.evaluate("document.getElementById('session-rows').dataset.marker = 'original'")

    page.wait_for_timeout(2_500)

    assert page.evaluate("document.getElementById('session-rows').dataset.marker") == "original"


def test_choosing_a_sort_or_a_start_date_applies_it_at_once(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")

    page.locator('select[name="sort"]').select_option("started_asc")
    page.wait_for_url("**/?*sort=started_asc*")
    page.locator('input[name="started_from"]').fill("2020-01-01")

    page.wait_for_url("**/?*started_from=2020-01-01*")
    assert "sort=started_asc" in page.url
    assert page.locator('[data-filter="started"]').count() == 1
