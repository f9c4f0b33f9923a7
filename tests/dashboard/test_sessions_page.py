"""The sessions list, its live fragment, and closing a session, through Django's test client."""

import re

import pytest
from django.test import Client

from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX


def row_html(html: str, row_id: str) -> str:
    match = re.search(rf'<tr data-row-id="{re.escape(row_id)}".*?</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(0)


@pytest.fixture
def two_sessions(rows):
    rows.session(
        "s_1001",
        status="active",
        startTime=minutes_ago(40),
        lastSeen=minutes_ago(3),
        userMeta='{"browser":"Firefox 133","device":"Desktop","location":"Lisbon, PT"}',
        theme='{"primaryColor":"#0f766e"}',
    )
    rows.messages("s_1001", 4)
    rows.session("s_1002", status="closed", startTime=minutes_ago(90), lastSeen=minutes_ago(60))
    return rows


def test_the_list_shows_each_session_with_its_page_hooks(client, two_sessions):
    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="session-rows"' in html
    row = row_html(html, "s_1001")
    assert 'data-session-id="s_1001"' in row and 'data-status="active"' in row
    assert re.search(r'<time data-field="last-seen" datetime="[^"]+"[^>]*>3 min ago</time>', row)
    assert '<span data-field="message-count">4</span>' in row
    assert 'data-action="close"' in row
    assert "Firefox 133" in row and "Lisbon, PT" in row
    assert 'fill="#0f766e"' in row
    assert 'data-action="close"' not in row_html(html, "s_1002")


def test_each_row_shows_its_own_message_count_and_text_that_looks_like_a_count_slot_stays_as_written(client, rows):
    # The rows are rendered while the counts are on their way, then each count goes into its row's slot.
    slot_like = "{{count-0123456789abcdef-0}}"
    for number, messages in enumerate([3, 0, 7]):
        rows.session(f"s_20{number}", lastSeen=minutes_ago(number + 1), userMeta=f'{{"browser":"{slot_like}"}}')
        rows.messages(f"s_20{number}", messages)

    html = client.get("/").content.decode()

    for row_id, messages in [("s_200", 3), ("s_201", 0), ("s_202", 7)]:
        row = row_html(html, row_id)
        assert f'<span data-field="message-count">{messages}</span>' in row
        assert slot_like in row
    assert html.index("s_200") < html.index("s_201") < html.index("s_202")


def test_status_tabs_show_counts_and_filter_the_list(client, two_sessions):
    html = client.get("/?status=closed").content.decode()

    assert 'data-row-id="s_1002"' in html
    assert 'data-row-id="s_1001"' not in html
    assert re.search(r'aria-current="page">\s*Closed\s*<span class="tab-count">1</span>', html)
    assert re.search(r"All\s*<span class=\"tab-count\">2</span>", html)


def test_the_idle_view_lists_active_sessions_not_seen_for_a_while(client, rows, settings):
    settings.DASHBOARD_IDLE_MINUTES = 10
    rows.session("s_quiet", status="active", lastSeen=minutes_ago(30))
    rows.session("s_busy", status="active", lastSeen=minutes_ago(1))

    html = client.get("/?status=idle").content.decode()

    assert 'data-row-id="s_quiet"' in html
    assert 'data-row-id="s_busy"' not in html


def test_search_finds_sessions_by_the_start_of_their_id(client, rows):
    rows.session("s_1763614351136")
    rows.session("s_2000000000000")

    html = client.get("/?q=s_17636").content.decode()

    assert 'data-row-id="s_1763614351136"' in html
    assert 'data-row-id="s_2000000000000"' not in html


def test_an_htmx_refresh_gets_only_the_rows_region(client, two_sessions):
    response = client.get("/", headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="session-rows"')
    assert "HX-Request" in response["Vary"]


def test_a_boosted_request_gets_the_whole_page(client, two_sessions):
    html = client.get("/", headers={**HTMX, "HX-Boosted": "true"}).content.decode()

    assert "<html" in html


def test_an_unchanged_list_answers_no_content_to_a_refresh(client, two_sessions, monkeypatch):
    from dashboard.appwrite import live

    first = client.get("/", headers=HTMX).content.decode()
    version = re.search(r'data-rows-version="([^"]+)"', first).group(1)

    unchanged = client.get("/", headers={**HTMX, "X-Rows-Version": version})
    two_sessions.session("s_1003", lastSeen=minutes_ago(1))
    # A change made outside the dashboard shows once the shared look at Appwrite is due again.
    later = live._clock() + live.probe_seconds()
    monkeypatch.setattr(live, "_clock", lambda: later)
    changed = client.get("/", headers={**HTMX, "X-Rows-Version": version})

    assert unchanged.status_code == 204
    assert changed.status_code == 200
    assert 'data-row-id="s_1003"' in changed.content.decode()


def test_closing_with_htmx_answers_the_updated_row(client, two_sessions):
    response = client.post("/sessions/s_1001/close/", {"next": "/?status=active"}, headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<tr data-row-id="s_1001"')
    assert 'data-status="closed"' in html
    assert 'data-action="close"' not in html
    assert '<span data-field="message-count">4</span>' in html


def test_closing_without_javascript_redirects_back_to_the_list(client, two_sessions):
    response = client.post("/sessions/s_1001/close/", {"next": "/?status=active"})

    assert response.status_code == 302
    assert response["Location"] == "/?status=active"
    assert 'data-status="closed"' in row_html(client.get("/").content.decode(), "s_1001")


def test_closing_never_redirects_to_another_site(client, two_sessions):
    response = client.post("/sessions/s_1001/close/", {"next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_closing_needs_a_csrf_token(two_sessions):
    client = Client(enforce_csrf_checks=True)

    assert client.post("/sessions/s_1001/close/").status_code == 403


def test_closing_a_session_that_is_gone_says_so_in_the_row(client, rows):
    response = client.post("/sessions/no_such_row/close/", headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == '[id="row-error-no_such_row"]'
    assert "no longer exists" in response.content.decode()


def test_closing_while_appwrite_is_down_leaves_the_row_and_shows_an_error(client, unreachable_appwrite):
    response = client.post("/sessions/s_1/close/", headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == '[id="row-error-s_1"]'
    assert response["HX-Reswap"] == "innerHTML"
    assert "Appwrite is unreachable" in response.content.decode()


def test_closing_without_javascript_while_appwrite_is_down_explains_after_the_redirect(client, unreachable_appwrite):
    response = client.post("/sessions/s_1/close/", {"next": "/"}, follow=True)

    assert "Could not close it: Appwrite is unreachable" in response.content.decode()


def test_with_appwrite_down_and_nothing_loaded_before_the_page_says_so(client, unreachable_appwrite):
    response = client.get("/?q=never-loaded")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Appwrite is unreachable" in html
    assert "No sessions could be loaded" in html
    assert "No sessions yet" not in html


def test_with_appwrite_down_the_page_shows_the_last_good_data_and_its_time(client, two_sessions, settings):
    client.get("/?q=s_100")
    settings.APPWRITE_ENDPOINT = "http://127.0.0.1:9/v1"

    response = client.get("/?q=s_100", headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Appwrite is unreachable" in html
    assert "Stale since" in html
    assert 'data-row-id="s_1001"' in html


def test_appwrite_answering_nonsense_still_renders_the_page(client, two_sessions, appwrite_server):
    appwrite_server.set_faults("garbage", count=-1)

    response = client.get("/?q=nonsense")

    assert response.status_code == 200
    assert "Appwrite answered something the dashboard cannot read" in response.content.decode()


def test_visitor_controlled_text_is_escaped_and_bad_colours_are_not_rendered(client, rows):
    rows.session(
        "s_evil",
        userMeta='{"browser":"<script>alert(1)</script>","device":"\\"><img src=x onerror=alert(1)>"}',
        theme='{"primaryColor":"red\\" onload=\\"alert(1)"}',
    )

    html = row_html(client.get("/").content.decode(), "s_evil")

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<svg" not in html


def test_pages_link_to_the_next_and_previous_pages(client, rows, settings):
    settings.DASHBOARD_PAGE_SIZE = 5
    for number in range(7):
        rows.session(f"s_{number}", lastSeen=minutes_ago(number))

    first = client.get("/").content.decode()
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).content.decode()

    assert 'data-row-id="s_4"' in first and 'data-row-id="s_5"' not in first
    assert 'data-row-id="s_5"' in second and 'data-row-id="s_6"' in second
    assert 'rel="prev"' in second


def test_healthz_answers_without_appwrite(client, unreachable_appwrite):
    assert client.get("/healthz").status_code == 200


def test_readyz_tells_whether_appwrite_answers(client, rows, settings):
    assert client.get("/readyz").status_code == 200
    settings.APPWRITE_ENDPOINT = "http://127.0.0.1:9/v1"
    assert client.get("/readyz").status_code == 503
