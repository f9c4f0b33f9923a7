"""Once signed in: signing out, idle expiry, and losing access when removed from the team or blocked."""

from django.test import Client

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
