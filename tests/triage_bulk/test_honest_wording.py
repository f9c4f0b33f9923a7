"""What the pages say is true: the idle-close preview's summary names the status it closes, whatever the
view shows, and a page without JavaScript never promises a live refresh it cannot make."""

import re

import pytest

from tests.dashboard_fixtures import minutes_ago


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def idle_panel(client, query: str) -> str:
    html = client.get("/close-idle/?" + query).content.decode()
    return re.search(r'<section id="idle-panel".*?</section>', html, re.S).group(0)


def summary_status(panel: str) -> str:
    return text(re.search(r'<dd data-field="summary-status">(.*?)</dd>', panel, re.S).group(1))


@pytest.fixture
def quiet_sessions(rows):
    rows.session("s_quiet_active", status="active", lastSeen=minutes_ago(45))
    rows.session("s_quiet_assigned", status="agent_assigned", lastSeen=minutes_ago(45))
    rows.session("s_quiet_closed", status="closed", lastSeen=minutes_ago(45))
    return rows


def test_the_idle_preview_of_the_all_view_says_it_closes_active_sessions_only(client, quiet_sessions):
    panel = idle_panel(client, "idle_minutes=30")

    assert "Close 1 active session idle for more than 30 min?" in text(panel)
    assert summary_status(panel) == "Active only: idle close leaves the view’s other statuses alone"
    assert "Any open status" not in panel
    assert "1 active session not seen for more than 30 min." in text(panel)


def test_the_idle_preview_of_the_idle_tab_says_its_minutes_are_not_the_tabs(client, quiet_sessions, settings):
    settings.DASHBOARD_IDLE_MINUTES = 10
    panel = idle_panel(client, "status=idle&idle_minutes=30")

    assert summary_status(panel) == "Active, not seen for more than 30 min (the Idle tab shows those quiet for 10 min)"


def test_the_idle_preview_of_another_status_names_that_status_in_heading_and_summary(client, quiet_sessions):
    panel = idle_panel(client, "status=agent_assigned&idle_minutes=30")

    assert "Close 1 agent assigned session idle for more than 30 min?" in text(panel)
    assert summary_status(panel) == "Agent assigned"


def test_the_idle_preview_of_the_closed_tab_says_there_is_nothing_to_close(client, quiet_sessions):
    panel = idle_panel(client, "status=closed&idle_minutes=30")

    assert "Closed sessions are closed already: nothing to close." in text(panel)
    assert "has been idle" not in panel


def test_the_idle_form_says_which_status_it_closes(client, quiet_sessions):
    html = client.get("/").content.decode()

    assert "Close active sessions of this view idle for more than" in text(html)


@pytest.mark.parametrize("url", ["/", "/overview/", "/sessions/s_live/"])
def test_the_live_wording_is_for_javascript_only_and_a_page_without_it_says_what_is_true(client, rows, url):
    rows.session("s_live", status="active", lastSeen=minutes_ago(1))

    html = client.get(url).content.decode()
    css = client.get("/static/dashboard/session.css")
    stylesheet = b"".join(css.streaming_content).decode() if css.streaming else css.content.decode()

    assert not re.search(r"<(?!span class=\"(?:live-badge )?js-only)[^>]*>\s*Live\b", html)  # only inside .js-only
    live = re.findall(r'class="(?:live-badge )?js-only"[^>]*>([^<]*)', html)
    assert any("Live" in words for words in live)
    if url != "/sessions/s_live/":
        assert re.search(r'<span class="no-js">Reload the page', html)
    assert "html:not(.js) .js-only { display: none !important; }" in stylesheet
    assert "html.js .no-js { display: none !important; }" in stylesheet


def test_the_stale_notice_without_javascript_offers_to_try_again_instead_of_promising_retries(
    client, unreachable_appwrite
):
    html = client.get("/").content.decode()

    assert '<span class="js-only">Retrying every' in html
    assert re.search(r'<a class="no-js" href="/">Try again</a>', html)
