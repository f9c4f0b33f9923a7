"""The live parts of the pages (the list's rows, a session's transcript, the overview) in real Chromium: they
ask the server nothing while the tab is hidden (the list only every sixth poll interval, to count what arrives in
the tab's title: test_live_list_in_chromium.py), and refresh as soon as the agent comes back to it."""

from urllib.parse import urlsplit

import pytest

from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser

# Chromium keeps a headless tab visible: the page is told it is hidden the way a browser tells it.
HIDE = """Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
document.dispatchEvent(new Event("visibilitychange"))"""
SHOW = """delete document.visibilityState; document.dispatchEvent(new Event("visibilitychange"))"""

# Each live region: the page, and the path its refreshes ask for.
REGIONS = {
    "list": ("/", "/"),
    "transcript": ("/sessions/s_live/", "/sessions/s_live/messages/"),
    "overview": ("/overview/", "/overview/"),
}


@pytest.fixture
def live_session(rows):
    rows.session("s_live", status="active", startTime=minutes_ago(5), lastSeen=minutes_ago(1))
    rows.messages("s_live", 2)
    return rows


def refreshes_of(page, path: str) -> list[str]:
    """The htmx requests the page sends to `path` from now on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.headers.get("hx-request") == "true"
            and urlsplit(request.url).path == path else None)
    return seen


@pytest.mark.parametrize("region", REGIONS)
def test_a_hidden_tab_asks_nothing_until_the_agent_comes_back(page, dashboard_url, live_session, region):
    address, path = REGIONS[region]
    page.goto(dashboard_url + address)
    refreshes = refreshes_of(page, path)
    page.wait_for_timeout(1_500)  # refreshes every second while visible
    assert refreshes, "the region should refresh itself while the tab is visible"

    page.evaluate(HIDE)
    page.wait_for_timeout(300)  # a refresh already on its way may still land
    refreshes.clear()
    page.wait_for_timeout(2_500)  # the list's slower refresh of a hidden tab comes after 6 s
    assert refreshes == []

    page.evaluate(SHOW)
    page.wait_for_timeout(1_000)
    assert refreshes


@pytest.mark.parametrize("region", REGIONS)
def test_coming_back_to_the_tab_refreshes_at_once(page, dashboard_server, live_session, settings, region):
    settings.DASHBOARD_POLL_SECONDS = 3600  # no refresh of its own during the test
    address, path = REGIONS[region]
    page.goto(dashboard_server + address)
    refreshes = refreshes_of(page, path)
    page.evaluate(HIDE)
    page.wait_for_timeout(300)
    assert refreshes == []

    page.evaluate(SHOW)

    page.wait_for_timeout(1_000)
    assert len(refreshes) == 1
