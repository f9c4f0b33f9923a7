"""Appwrite goes down while an agent watches the list in real Chromium: the live refresh keeps the rows
and says since when they are stale; when Appwrite is back, the notice goes away by itself. With
SCREENSHOT_DIR set, the stale list is saved there as screenshot-stale.png."""

import os
from pathlib import Path

import pytest

from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser


def test_the_live_list_keeps_its_rows_while_appwrite_is_down_and_recovers_by_itself(
    page, dashboard_url, rows, appwrite_server, settings
):
    rows.session("s_1763620011042", status="active", startTime=minutes_ago(12), lastSeen=minutes_ago(1),
                 userMeta='{"browser":"Chrome 131","device":"Desktop","location":"Berlin, DE"}',
                 theme='{"primaryColor":"#0f766e"}')
    rows.messages("s_1763620011042", 5)
    rows.session("s_1763619874310", status="agent_assigned", startTime=minutes_ago(31), lastSeen=minutes_ago(4),
                 userMeta='{"browser":"Safari 18","device":"Mobile","location":"Lisbon, PT"}')
    rows.messages("s_1763619874310", 12)
    settings.APPWRITE_TIMEOUT_SECONDS = 1
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_1763620011042"]')

    appwrite_server.set_faults("503")
    notice = page.locator('#session-rows [data-notice="stale"]')
    notice.wait_for(timeout=15_000)

    assert notice.inner_text().startswith("Stale since")
    assert "Appwrite is unreachable" in notice.inner_text()
    assert page.locator("#session-rows tr[data-row-id]").count() == 2
    assert page.locator('tr[data-row-id="s_1763619874310"] [data-field="message-count"]').inner_text() == "12"
    if target := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(target) / "screenshot-stale.png"), full_page=True)

    appwrite_server.set_faults("off")
    notice.wait_for(state="detached", timeout=15_000)  # after the breaker's pause, the next refresh is fresh
    assert page.locator("#session-rows tr[data-row-id]").count() == 2
