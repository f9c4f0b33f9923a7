"""Closing many sessions at once: the selected rows or every session matching the filter, always
after a confirmation step, page by page, with a report of what was closed and what failed."""

import json
import re

import pytest

from dashboard import triage_views
from dashboard.appwrite import bulk, chat_sessions
from tests.htmx import HTMX


def status_of(row_id: str) -> str:
    return chat_sessions.get_session(row_id).status


def counts_in(html: str) -> dict[str, int]:
    found = re.findall(r'data-field="(closed|already-closed|failed)-count"[^>]*><dt>[^<]+</dt><dd>(\d+)</dd>', html)
    return {name: int(number) for name, number in found}


def progress_token(html: str) -> str:
    return re.search(r'name="progress" value="([^"]+)"', html).group(1)


@pytest.fixture
def small_pages(monkeypatch):
    """Two sessions a page and one page a request, so a handful of sessions takes several requests."""
    monkeypatch.setattr(triage_views, "CLOSE_PAGE_SIZE", 2)
    monkeypatch.setattr(triage_views, "PAGES_PER_REQUEST", 1)


def test_the_list_has_a_bulk_bar_whose_form_the_row_checkboxes_belong_to(client, rows):
    rows.session("s_1")

    html = client.get("/").content.decode()

    assert re.search(r'<form id="bulk-form" method="post" action="/bulk/close/"', html)
    assert re.search(r'<input type="checkbox" data-action="select" name="selected" value="s_1" form="bulk-form"', html)
    assert 'data-action="close-selected"' in html
    assert 'id="bulk-panel"' in html and 'id="idle-panel"' in html


def test_closing_selected_sessions_asks_first_and_changes_nothing_until_confirmed(client, rows):
    rows.session("s_1")
    rows.session("s_2")

    response = client.post("/bulk/close/", {"selected": ["s_1", "s_2"], "scope": "selected"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "Close 2 selected sessions?" in html
    assert 'name="confirmed" value="1"' in html
    assert status_of("s_1") == "active" and status_of("s_2") == "active"


def test_confirmed_selected_sessions_are_closed_and_counted(client, rows):
    rows.session("s_open")
    rows.session("s_done", status="closed")
    rows.session("s_untouched")

    html = client.post(
        "/bulk/close/", {"selected": ["s_open", "s_done", "s_gone"], "confirmed": "1", "scope": "selected"}
    ).content.decode()

    assert counts_in(html) == {"closed": 1, "already-closed": 1, "failed": 1}
    assert 'data-failed-row-id="s_gone"' in html and "no longer exists" in html
    assert status_of("s_open") == "closed"
    assert status_of("s_untouched") == "active"


def test_a_selection_of_long_row_ids_longer_than_one_query_allows_is_closed_whole(client, rows):
    # 150 ids of 36 characters are about 6,000 characters in one `equal` query; Appwrite takes 4,096.
    ids = [f"s_{number:03d}_" + "x" * 30 for number in range(150)]
    for row_id in ids:
        rows.session(row_id, row_id=row_id)

    html = client.post("/bulk/close/", {"selected": ids, "confirmed": "1", "scope": "selected"}).content.decode()

    assert counts_in(html) == {"closed": 150, "already-closed": 0, "failed": 0}
    assert status_of(ids[0]) == status_of(ids[-1]) == "closed"


def test_an_htmx_bulk_close_answers_with_the_panel_only_and_tells_the_page(client, rows):
    rows.session("s_1")

    response = client.post("/bulk/close/", {"selected": ["s_1"], "confirmed": "1"}, headers=HTMX)
    html = response.content.decode()

    assert "<html" not in html and html.lstrip().startswith('<section id="bulk-panel"')
    assert json.loads(response["HX-Trigger"]) == {"sessions-closed": {}}  # htmx fires the event on the page
    assert "HX-Request" in response["Vary"]


def test_a_selection_with_something_that_is_not_a_row_id_is_refused(client, rows):
    rows.session("s_1")

    html = client.post("/bulk/close/", {"selected": ["s_1", "../etc"], "confirmed": "1"}).content.decode()

    assert "not a session" in html
    assert status_of("s_1") == "active"


def test_a_selection_above_the_cap_is_refused(client, rows):
    ids = [f"s_{number}" for number in range(bulk.MAX_SELECTED + 1)]

    html = client.post("/bulk/close/", {"selected": ids, "confirmed": "1"}).content.decode()

    assert f"Select at most {bulk.MAX_SELECTED} sessions" in html


def test_select_all_matching_confirms_with_the_count_of_the_filter(client, rows):
    for number in range(3):
        rows.session(f"s_chrome_{number}", userMeta='{"browser":"Chrome 131"}')
    rows.session("s_chrome_closed", status="closed", userMeta='{"browser":"Chrome 131"}')
    rows.session("s_safari", userMeta='{"browser":"Safari 18"}')

    html = client.post("/bulk/close/?browser=Chrome+131", {"scope": ["selected", "filter"]}).content.decode()

    assert "Close all 3 open sessions matching this filter?" in html
    assert "Chrome 131" in html  # the filter in words
    assert status_of("s_chrome_0") == "active"


def test_the_matching_count_is_offered_for_select_all(client, rows):
    for number in range(4):
        rows.session(f"s_{number}", status="active")
    rows.session("s_closed", status="closed")

    html = client.get("/bulk/matching/?status=active", headers=HTMX).content.decode()

    assert 'id="bulk-matching"' in html and "Select all 4 matching this filter" in html
    assert "hx-get" not in html


def test_closing_all_matching_walks_every_page_across_requests(client, rows, small_pages):
    for number in range(7):
        rows.session(f"s_chrome_{number}", userMeta='{"browser":"Chrome 131"}')
    rows.session("s_safari", userMeta='{"browser":"Safari 18"}')

    html = client.post("/bulk/close/?browser=Chrome+131", {"scope": "filter", "confirmed": "1"}).content.decode()
    requests = 1
    while 'data-run-state="running"' in html:
        assert 'hx-trigger="load delay:400ms, submit"' in html  # continues by itself with htmx
        html = client.post("/bulk/close/", {"progress": progress_token(html)}).content.decode()
        requests += 1

    assert requests >= 4
    assert 'data-run-state="done"' in html
    assert counts_in(html) == {"closed": 7, "already-closed": 0, "failed": 0}
    assert all(status_of(f"s_chrome_{number}") == "closed" for number in range(7))
    assert status_of("s_safari") == "active"


def test_a_status_filtered_run_is_not_thrown_off_by_closed_rows_leaving_the_filter(client, rows, small_pages):
    for number in range(5):
        rows.session(f"s_{number}", status="agent_assigned")
    rows.session("s_active", status="active")

    html = client.post("/bulk/close/?status=agent_assigned", {"scope": "filter", "confirmed": "1"}).content.decode()
    while 'data-run-state="running"' in html:
        html = client.post("/bulk/close/", {"progress": progress_token(html)}).content.decode()

    assert counts_in(html)["closed"] == 5
    assert status_of("s_active") == "active"


def test_sessions_that_start_after_the_confirmation_are_left_alone(client, rows, small_pages):
    for number in range(3):
        rows.session(f"s_old_{number}")

    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()
    rows.session("s_newcomer")
    while 'data-run-state="running"' in html:
        html = client.post("/bulk/close/", {"progress": progress_token(html)}).content.decode()

    assert counts_in(html)["closed"] == 3
    assert status_of("s_newcomer") == "active"


def test_failures_are_counted_listed_and_escaped_and_the_run_goes_on(client, rows, appwrite_server, fresh_database):
    rows.session("s_ok_1")
    rows.session("s_broken", userMeta='{"browser":"<b>x</b>"}')
    rows.session("s_ok_2")
    broken = f"/v1/tablesdb/{fresh_database}/tables/sessions/rows/s_broken"
    appwrite_server.set_faults("503", path_prefix=broken)

    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()

    assert 'data-run-state="done"' in html
    assert counts_in(html) == {"closed": 2, "already-closed": 0, "failed": 1}
    assert 'data-failed-row-id="s_broken"' in html
    appwrite_server.set_faults("off")
    assert status_of("s_broken") == "active"


def test_stop_ends_a_run_where_it_is(client, rows, small_pages):
    for number in range(5):
        rows.session(f"s_{number}")

    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()
    html = client.post("/bulk/close/", {"progress": progress_token(html), "stop": "1"}).content.decode()

    assert 'data-run-state="stopped"' in html
    assert counts_in(html)["closed"] == 2
    assert sum(status_of(f"s_{number}") == "closed" for number in range(5)) == 2


def test_a_forged_progress_token_is_refused(client, rows):
    rows.session("s_1")

    html = client.post("/bulk/close/", {"progress": "not-a-signed-token"}).content.decode()

    assert "expired" in html
    assert status_of("s_1") == "active"


def test_without_javascript_the_run_page_has_a_continue_button(client, rows, small_pages):
    for number in range(3):
        rows.session(f"s_{number}")

    html = client.post("/bulk/close/", {"scope": "filter", "confirmed": "1"}).content.decode()

    assert "<html" in html and "<h1>Close sessions</h1>" in html
    assert re.search(r'<form method="post" action="/bulk/close/"[^>]*data-close-run', html)
    assert 'data-action="continue-close"' in html


def test_an_unreachable_appwrite_is_reported_and_nothing_claims_success(client, rows, unreachable_appwrite):
    html = client.post("/bulk/close/", {"selected": ["s_1"], "confirmed": "1"}).content.decode()

    assert "Appwrite is unreachable" in html
    assert 'data-run-state="done"' not in html
