"""Close, reopen and take, from the list and the detail page, each with a short-lived Undo."""

import re

import pytest
from django.core import signing

from dashboard import undo
from dashboard.appwrite import chat_sessions, status_changes
from tests.htmx import HTMX

PANEL = {**HTMX, "HX-Target": "session-status"}


def undo_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def sessions(rows):
    rows.session("s_open", row_id="open", status="active")
    rows.messages("s_open", 2)
    rows.session("s_done", row_id="done", status="closed")
    rows.session("s_mine", row_id="mine", status="agent_assigned")
    return rows


@pytest.mark.parametrize(
    ("row_id", "action", "status"),
    [("open", "take", "agent_assigned"), ("done", "reopen", "active"), ("mine", "close", "closed")],
)
def test_each_action_answers_htmx_with_the_updated_row_and_an_undo(client, sessions, row_id, action, status):
    response = client.post(f"/sessions/{row_id}/{action}/", {"next": "/"}, headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr data-row-id="{row_id}"')
    assert f'data-status="{status}"' in html
    assert 'data-action="undo"' in html
    assert chat_sessions.get_session(row_id).status == status


@pytest.mark.parametrize(("row_id", "action"), [("open", "take"), ("done", "reopen"), ("mine", "close")])
def test_each_action_without_javascript_redirects_back_and_the_list_offers_the_undo(client, sessions, row_id, action):
    response = client.post(f"/sessions/{row_id}/{action}/", {"next": "/?status=closed"})
    page = client.get("/").content.decode()
    row = re.search(rf'<tr data-row-id="{row_id}".*?</tr>', page, re.S).group(0)

    assert response.status_code == 302 and response["Location"] == "/?status=closed"
    assert 'data-action="undo"' in row
    assert "Undo is possible for 15 seconds" in page  # the flash message


def test_rows_offer_one_main_action_and_a_closed_session_reopen_not_take(client, sessions):
    page = client.get("/").content.decode()
    actions = {
        row_id: set(
            re.findall(
                r'data-action="(take|reopen|close)"',
                re.search(rf'<tr data-row-id="{row_id}".*?</tr>', page, re.S).group(0),
            )
        )
        for row_id in ("open", "done", "mine")
    }

    assert actions == {"open": {"take", "close"}, "done": {"reopen"}, "mine": {"reopen", "close"}}
    # The main action comes last, its alternative (if any) quietly before it.
    open_row = re.search(r'<tr data-row-id="open".*?</tr>', page, re.S)[0]
    assert re.findall(r'data-action="(take|reopen|close)"', open_row) == ["take", "close"]


def test_the_answer_announces_the_change_politely(client, sessions):
    html = client.post("/sessions/open/take/", headers=HTMX).content.decode()

    assert '<div id="announcer" hx-swap-oob="innerHTML">Session s_open is now Agent assigned.' in html


def test_undo_puts_the_previous_status_back(client, sessions):
    taken = client.post("/sessions/open/take/", {"next": "/"}, headers=HTMX).content.decode()

    response = client.post("/sessions/open/undo/", {"token": undo_token(taken), "next": "/"}, headers=HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith('<tr data-row-id="open"')
    assert 'data-status="active"' in html
    assert 'data-action="undo"' not in html
    assert "Undone: session s_open is Active again." in html
    assert chat_sessions.get_session("open").status == "active"


def test_undo_without_javascript_redirects_back(client, sessions):
    client.post("/sessions/done/reopen/", {"next": "/"})
    token = undo_token(client.get("/").content.decode())

    response = client.post("/sessions/done/undo/", {"token": token, "next": "/?status=closed"})

    assert response["Location"] == "/?status=closed"
    assert chat_sessions.get_session("done").status == "closed"


def test_undo_refuses_when_the_status_changed_meanwhile_and_says_so(client, sessions):
    closed = client.post("/sessions/open/close/", headers=HTMX).content.decode()
    status_changes.set_status("open", "agent_assigned")  # another agent took it

    html = client.post("/sessions/open/undo/", {"token": undo_token(closed)}, headers=HTMX).content.decode()

    assert "Not undone: meanwhile the status became Agent assigned." in html
    assert 'data-status="agent_assigned"' in html
    assert chat_sessions.get_session("open").status == "agent_assigned"


def test_undo_refuses_an_expired_token(client, sessions, time_passes):
    closed = client.post("/sessions/open/close/", headers=HTMX).content.decode()
    time_passes(undo.UNDO_SECONDS + 1)

    response = client.post("/sessions/open/undo/", {"token": undo_token(closed)}, headers=HTMX)

    assert "Too late to undo" in response.content.decode()
    assert response["HX-Retarget"] == '[id="row-error-open"]'
    assert chat_sessions.get_session("open").status == "closed"
    assert 'data-action="undo"' not in client.get("/").content.decode()


def test_undo_never_trusts_a_status_from_the_client(client, sessions):
    forged = signing.dumps({"row": "open", "from": "hacked", "to": "active"}, salt="another-salt")

    response = client.post("/sessions/open/undo/", {"token": forged, "status": "hacked"}, headers=HTMX)

    assert "This undo is not valid." in response.content.decode()
    assert chat_sessions.get_session("open").status == "active"


def test_undo_refuses_a_token_of_another_session(client, sessions):
    taken = client.post("/sessions/open/take/", headers=HTMX).content.decode()

    html = client.post("/sessions/done/undo/", {"token": undo_token(taken)}, headers=HTMX).content.decode()

    assert "belongs to another session" in html
    assert chat_sessions.get_session("done").status == "closed"


def test_nothing_to_undo_when_the_status_did_not_change(client, sessions):
    html = client.post("/sessions/done/close/", headers=HTMX).content.decode()

    assert 'data-status="closed"' in html
    assert 'data-action="undo"' not in html


def test_actions_on_the_detail_page_answer_its_status_panel(client, sessions):
    response = client.post("/sessions/open/take/", {"next": "/sessions/open/"}, headers=PANEL)
    html = response.content.decode()

    assert html.lstrip().startswith('<section id="session-status"')
    assert re.search(r'data-field="status"[^>]*>Agent assigned<', html)
    assert 'data-action="undo"' in html and 'hx-target="#session-status"' in html
    assert 'name="next" value="/sessions/open/"' in html


def test_the_detail_page_offers_the_status_actions_and_a_pending_undo(client, sessions):
    client.post("/sessions/mine/close/", {"next": "/sessions/mine/"})

    html = client.get("/sessions/mine/").content.decode()
    panel = re.search(r'<section id="session-status".*?</section>', html, re.S).group(0)

    assert set(re.findall(r'data-action="(take|reopen|close|undo)"', panel)) == {"reopen", "undo"}


@pytest.mark.parametrize("action", ["reopen", "take", "undo"])
def test_actions_need_a_csrf_token(agent, appwrite_server, sessions, action):
    from django.test import Client

    from tests.agent_fixtures import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), agent, appwrite_server)

    assert client.post(f"/sessions/open/{action}/").status_code == 403


def test_acting_on_a_session_that_is_gone_says_so_in_the_row(client, rows):
    response = client.post("/sessions/no_such_row/take/", headers=HTMX)

    assert response["HX-Retarget"] == '[id="row-error-no_such_row"]'
    assert "no longer exists" in response.content.decode()


def test_acting_while_appwrite_is_down_says_so_without_javascript_too(client, unreachable_appwrite):
    response = client.post("/sessions/s_1/reopen/", {"next": "/"}, follow=True)

    assert "Could not reopen it: Appwrite is unreachable" in response.content.decode()


def test_signed_out_visitors_cannot_act(sessions):
    from django.test import Client

    response = Client().post("/sessions/open/take/")

    assert response.status_code in (302, 401, 403)
    assert chat_sessions.get_session("open").status == "active"
