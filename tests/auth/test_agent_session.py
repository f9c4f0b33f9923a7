"""Once signed in: signing out, idle expiry, and losing access when removed from the team or blocked."""

import html
import time

from django.test import Client

from bench import appwrite_log
from dashboard.signin import SIGNED_OUT, SIGNED_OUT_HERE_ONLY
from tests.agent_fixtures import csrf_token, sign_in
from tests.htmx import HTMX

HTMX_ON_ACTIVE_TAB = {**HTMX, "HX-Current-URL": "http://testserver/?status=active"}


def sign_out(client: Client):
    return client.post("/logout/", {"csrfmiddlewaretoken": csrf_token(client)})


def test_signing_out_ends_the_session(freshly_signed_in_client, rows):
    response = sign_out(freshly_signed_in_client)

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert freshly_signed_in_client.get("/")["Location"].startswith("/login/")
    assert "You are signed out." in freshly_signed_in_client.get("/login/").content.decode()


def test_signing_out_needs_a_post(freshly_signed_in_client, rows):
    assert freshly_signed_in_client.get("/logout/").status_code == 405
    assert freshly_signed_in_client.get("/").status_code == 200


def test_a_copy_of_the_cookie_taken_before_signing_out_no_longer_works(freshly_signed_in_client, rows):
    copy = Client()
    copy.cookies["sessionid"] = freshly_signed_in_client.cookies["sessionid"].value
    assert copy.get("/").status_code == 200

    sign_out(freshly_signed_in_client)

    assert copy.get("/")["Location"].startswith("/login/")


def test_a_session_left_idle_longer_than_its_age_expires(agent, appwrite_server, rows, settings, time_passes):
    settings.SESSION_COOKIE_AGE = 1
    client = sign_in(Client(), agent, appwrite_server)

    time_passes(2.2)

    assert client.get("/")["Location"].startswith("/login/")


def test_every_request_renews_the_idle_expiry(agent, appwrite_server, rows, settings, time_passes):
    settings.SESSION_COOKIE_AGE = 3
    client = sign_in(Client(), agent, appwrite_server)
    for _ in range(3):
        time_passes(1.2)
        assert client.get("/").status_code == 200


def test_an_expired_htmx_request_is_redirected_by_htmx_not_answered_with_a_form(rows):
    response = Client().get("/", headers=HTMX_ON_ACTIVE_TAB)

    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=%2F%3Fstatus%3Dactive"
    assert response.content == b""
    assert "HX-Request" in response["Vary"]


def test_membership_is_not_asked_again_before_the_recheck_interval(agent_accounts, appwrite_server, rows):
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    agent_accounts.remove_from_team(someone)

    assert client.get("/").status_code == 200  # checked at sign-in; the next check is minutes away


def test_removal_from_the_team_locks_the_agent_out_at_the_next_membership_check(agent_accounts, appwrite_server, rows,
                                                                                settings):  # fmt: skip
    settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS = 0
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    assert client.get("/").status_code == 200
    agent_accounts.remove_from_team(someone)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "Your access to the dashboard has ended." in response.content.decode()
    assert client.get("/")["Location"].startswith("/login/")


def test_a_blocked_agent_is_locked_out_at_the_next_membership_check(agent_accounts, appwrite_server, rows, settings):
    settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS = 0
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    assert client.get("/").status_code == 200

    agent_accounts.block(someone)

    assert client.get("/")["Location"].startswith("/login/")


def test_an_htmx_poll_after_losing_access_gets_hx_redirect(agent_accounts, appwrite_server, rows, settings):
    settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS = 0
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    agent_accounts.remove_from_team(someone)

    response = client.get("/", headers=HTMX_ON_ACTIVE_TAB)

    assert response.status_code == 401 and response["HX-Redirect"].startswith("/login/")


def test_an_unreachable_appwrite_during_a_membership_check_keeps_the_agent_signed_in(freshly_signed_in_client, settings,
                                                                                    unreachable_appwrite):  # fmt: skip
    settings.DASHBOARD_MEMBERSHIP_RECHECK_SECONDS = 0

    response = freshly_signed_in_client.get("/")

    assert response.status_code == 200
    assert "Appwrite is unreachable" in response.content.decode()


def test_a_tampered_session_cookie_counts_as_signed_out(freshly_signed_in_client, rows):
    value = freshly_signed_in_client.cookies["sessionid"].value
    freshly_signed_in_client.cookies["sessionid"] = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")

    assert freshly_signed_in_client.get("/")["Location"].startswith("/login/")


def appwrite_sign_ins(agent_accounts, someone) -> list[str]:
    """The Appwrite session ids the agent holds."""
    return [session.id for session in agent_accounts.users.list_sessions(someone.user_id).sessions]


def session_checks_since(appwrite_server, someone, start: float) -> int:
    """How often the dashboard asked Appwrite about the agent's sessions since `start` (its request log)."""
    log = appwrite_log.fetch(appwrite_server.host, appwrite_server.port)
    path = f"/v1/users/{someone.user_id}/sessions"
    return sum(1 for entry in appwrite_log.within(log, start, time.monotonic()) if entry.path.split("?")[0] == path)


def test_a_sign_in_ended_in_appwrite_is_refused_at_the_next_check(agent_accounts, appwrite_server, rows, settings):
    settings.DASHBOARD_SESSION_CHECK_SECONDS = 0
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    assert client.get("/").status_code == 200

    agent_accounts.users.delete_sessions(someone.user_id)  # as an admin would, in Appwrite's console

    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "Your sign-in has ended. Sign in again." in response.content.decode()


def test_a_process_asks_appwrite_about_a_sign_in_at_most_once_per_check_interval(agent_accounts, appwrite_server,
                                                                                 rows):  # fmt: skip
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    start = time.monotonic()

    for _ in range(5):
        assert client.get("/").status_code == 200

    assert session_checks_since(appwrite_server, someone, start) == 0  # confirmed at sign-in, 30 s ago at most


def test_with_a_check_interval_of_zero_every_request_asks_appwrite(agent_accounts, appwrite_server, rows, settings):
    settings.DASHBOARD_SESSION_CHECK_SECONDS = 0
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    start = time.monotonic()

    for _ in range(5):
        assert client.get("/").status_code == 200

    assert session_checks_since(appwrite_server, someone, start) == 5


def test_signing_out_deletes_the_appwrite_session(agent_accounts, appwrite_server, rows):
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    assert len(appwrite_sign_ins(agent_accounts, someone)) == 1

    sign_out(client)

    assert appwrite_sign_ins(agent_accounts, someone) == []


def test_signing_out_when_appwrite_loses_the_answer_still_confirms_it(agent_accounts, appwrite_server, rows):
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    appwrite_server.set_faults("lost", count=1, methods=("DELETE",))  # carried out, the answer never arrives

    sign_out(client)

    assert SIGNED_OUT in client.get("/login/").content.decode()
    assert appwrite_sign_ins(agent_accounts, someone) == []


def test_signing_out_while_appwrite_fails_says_so_refuses_the_copy_here_and_ends_it_once_appwrite_answers(
    agent_accounts, appwrite_server, rows
):
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    copied = client.cookies["sessionid"].value
    appwrite_server.set_faults("500", methods=("DELETE",))

    sign_out(client)

    assert html.escape(SIGNED_OUT_HERE_ONLY) in client.get("/login/").content.decode()
    assert copy_of(copied).get("/")["Location"].startswith("/login/")  # this process refuses it, whatever Appwrite
    assert len(appwrite_sign_ins(agent_accounts, someone)) == 1  # still held: other processes would let it in
    appwrite_server.set_faults("off")
    assert copy_of(copied).get("/")["Location"].startswith("/login/")  # and now the deletion went through
    assert appwrite_sign_ins(agent_accounts, someone) == []


def copy_of(cookie: str) -> Client:
    copy = Client()
    copy.cookies["sessionid"] = cookie
    return copy


def test_signing_in_again_over_a_sign_in_ends_the_first_one(agent_accounts, appwrite_server, rows):
    someone = agent_accounts.user()
    client = sign_in(Client(), someone, appwrite_server)
    first = client.cookies["sessionid"].value

    sign_in(client, someone, appwrite_server)

    assert len(appwrite_sign_ins(agent_accounts, someone)) == 1
    assert copy_of(first).get("/")["Location"].startswith("/login/")
    assert client.get("/").status_code == 200
