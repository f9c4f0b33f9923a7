"""Each page and the close action, with Appwrite failing in each way it can (see FAULTS in conftest.py):
an answer within 2 × APPWRITE_TIMEOUT_SECONDS + 2 s, never a Django 500, the last good data with a
"Stale since" notice (or a clear empty state when nothing was loaded before), and a close that did not
happen says so and leaves the session as it was."""

from __future__ import annotations

import time

from tests.faults.conftest import ANSWER_WITHIN
from tests.htmx import HTMX

PROBLEMS = (
    "Appwrite is unreachable",
    "Appwrite is rate limiting the dashboard",
    "Appwrite answered something the dashboard cannot read",
)


def answered(call):
    """The response and its text, after checking it came in time and is not a server error."""
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN, f"took {elapsed:.1f} s"
    assert response.status_code < 500
    html = response.content.decode()
    assert "Traceback" not in html and "Server Error" not in html
    return response, html


def says_what_went_wrong(html: str) -> bool:
    return any(problem in html for problem in PROBLEMS)


def test_the_list_shows_the_last_good_rows_with_a_stale_notice(client, two_sessions, fault):
    client.get("/")
    fault()

    response, html = answered(lambda: client.get("/"))

    assert response.status_code == 200
    assert "Stale since" in html and says_what_went_wrong(html)
    assert 'data-row-id="s_fault_1"' in html and 'data-row-id="s_fault_2"' in html
    assert '<span data-field="message-count">3</span>' in html


def test_the_live_fragment_keeps_the_last_good_rows_with_a_stale_notice(client, two_sessions, fault):
    client.get("/", headers=HTMX)
    fault()

    response, html = answered(lambda: client.get("/", headers=HTMX))

    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="session-rows"')
    assert "Stale since" in html and says_what_went_wrong(html)
    assert 'data-row-id="s_fault_1"' in html


def test_a_list_never_loaded_says_it_is_not_known_to_be_empty(client, two_sessions, fault):
    fault()

    response, html = answered(lambda: client.get("/?q=s_fault"))

    assert response.status_code == 200
    assert says_what_went_wrong(html)
    assert "No sessions could be loaded, so this list is not known to be empty." in html
    assert "No sessions yet" not in html and "data-row-id" not in html


def test_the_detail_page_shows_the_last_good_session_with_a_stale_notice(client, two_sessions, fault):
    client.get("/sessions/s_fault_1/")
    fault()

    response, html = answered(lambda: client.get("/sessions/s_fault_1/"))

    assert response.status_code == 200
    assert "Stale since" in html and says_what_went_wrong(html)
    assert "Firefox 133" in html
    assert html.count("data-message-id=") == 3
    assert "Try again</a>" in html and 'class="live-badge"' not in html  # the page does not refresh itself


def test_a_detail_page_never_loaded_says_the_session_could_not_be_loaded(client, two_sessions, fault):
    fault()

    response, html = answered(lambda: client.get("/sessions/s_fault_2/"))

    assert response.status_code == 200
    assert says_what_went_wrong(html)
    assert "The session could not be loaded." in html


def test_a_close_that_did_not_happen_says_so_and_leaves_the_session(
    client, two_sessions, fault, appwrite_server, settings
):
    client.get("/")
    fault()

    response, html = answered(lambda: client.post("/sessions/s_fault_1/close/", headers=HTMX))

    assert response.status_code == 200
    assert response["HX-Retarget"] == '[id="row-error-s_fault_1"]'  # the row stays as it was
    assert "Could not close it" in html or "Appwrite did not confirm the close" in html
    assert "is now Closed" not in html
    appwrite_server.set_faults("off")
    stored = two_sessions.tables.get_row(two_sessions.database_id, "sessions", "s_fault_1")
    assert stored.data["status"] == "active"


def test_a_close_without_javascript_that_did_not_happen_says_so_after_the_redirect(
    client, two_sessions, fault, appwrite_server
):
    fault()

    response, _ = answered(lambda: client.post("/sessions/s_fault_2/close/", {"next": "/"}))
    assert response.status_code == 302
    appwrite_server.set_faults("off")
    from dashboard.appwrite import health

    health.forget_failures()
    html = client.get(response["Location"], follow=True).content.decode()

    assert "Could not close it" in html or "Appwrite did not confirm the close" in html
    stored = two_sessions.tables.get_row(two_sessions.database_id, "sessions", "s_fault_2")
    assert stored.data["status"] == "agent_assigned"
