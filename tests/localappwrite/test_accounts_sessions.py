"""Account: email/password sessions, the account itself, deleting sessions (SDK and raw HTTP)."""

from __future__ import annotations

import re

import pytest
from appwrite.exception import AppwriteException
from appwrite.models import Session, SessionList, User
from appwrite.services.account import Account
from appwrite.services.users import Users

from .conftest import RawApi, sdk_client

PASSWORD = "correct horse"


@pytest.fixture
def person(admin_client, new_id) -> User:
    uid = new_id("u")
    return Users(admin_client).create(user_id=uid, email=f"{uid}@example.com", password=PASSWORD, name="Pat")


@pytest.fixture
def account_admin(admin_client) -> Account:
    return Account(admin_client)


def login(account_admin: Account, person: User) -> Session:
    return account_admin.create_email_password_session(email=person.email, password=PASSWORD)


def test_login_with_api_key_returns_a_session_with_its_secret(account_admin, person):
    session = login(account_admin, person)
    assert isinstance(session, Session)
    assert session.userid == person.id
    assert session.provider == "email" and session.provideruid == person.email
    assert session.current is True and session.factors == ["password"]
    assert len(session.secret) >= 64
    assert session.expire > session.createdat
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", session.expire)
    assert session.mfaupdatedat == "" and session.provideraccesstoken == ""


def test_login_answers_201_and_hides_the_secret_from_a_guest(raw_guest, person):
    r = raw_guest.post("/account/sessions/email", json={"email": person.email, "password": PASSWORD})
    assert r.status_code == 201
    body = r.json()
    assert body["secret"] == ""
    assert Session.model_validate(body).userid == person.id


def test_login_through_the_legacy_alias_route(raw_admin, person):
    r = raw_admin.post("/account/sessions", json={"email": person.email, "password": PASSWORD})
    assert r.status_code == 201 and r.json()["secret"]


def test_email_is_matched_case_insensitively(account_admin, person):
    session = account_admin.create_email_password_session(email=person.email.upper(), password=PASSWORD)
    assert session.userid == person.id


def test_get_account_with_the_session_secret(appwrite_server, account_admin, person):
    secret = login(account_admin, person).secret
    me = Account(sdk_client(appwrite_server, session=secret)).get()
    assert isinstance(me, User)
    assert me.id == person.id and me.email == person.email and me.name == "Pat"
    assert me.prefs.data == {} and me.accessedat


def test_account_answer_has_no_password_fields(appwrite_server, raw_admin, person):
    secret = raw_admin.post(
        "/account/sessions/email", json={"email": person.email, "password": PASSWORD}
    ).json()["secret"]
    body = RawApi(appwrite_server, session=secret).get("/account").json()
    assert "password" not in body and "hash" not in body and "hashOptions" not in body


def test_wrong_password_is_401_user_invalid_credentials(account_admin, person):
    with pytest.raises(AppwriteException) as e:
        account_admin.create_email_password_session(email=person.email, password="wrong password")
    assert e.value.code == 401 and e.value.type == "user_invalid_credentials"
    assert e.value.message == "Invalid credentials. Please check the email and password."


def test_unknown_email_is_401_user_invalid_credentials(account_admin, new_id):
    with pytest.raises(AppwriteException) as e:
        account_admin.create_email_password_session(email=f"{new_id()}@example.com", password=PASSWORD)
    assert e.value.code == 401 and e.value.type == "user_invalid_credentials"


def test_user_without_password_cannot_log_in(admin_client, account_admin, new_id):
    email = f"{new_id()}@example.com"
    Users(admin_client).create(user_id=new_id("u"), email=email)
    with pytest.raises(AppwriteException) as e:
        account_admin.create_email_password_session(email=email, password=PASSWORD)
    assert e.value.type == "user_invalid_credentials"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@example.com"},
        {"password": "password123"},
        {"email": "bad", "password": "password123"},
        {"email": "x@example.com", "password": "short"},
    ],
)
def test_login_with_missing_or_invalid_params_is_400(raw_admin, body):
    r = raw_admin.post("/account/sessions/email", json=body)
    assert r.status_code == 400 and r.json()["type"] == "general_argument_invalid"


def test_blocked_user_cannot_log_in_and_existing_sessions_stop_working(
    appwrite_server, admin_client, account_admin, person
):
    secret = login(account_admin, person).secret
    mine = Account(sdk_client(appwrite_server, session=secret))
    assert mine.get().id == person.id
    Users(admin_client).update_status(person.id, False)
    with pytest.raises(AppwriteException) as e:
        login(account_admin, person)
    assert e.value.code == 403 and e.value.type == "user_blocked"
    assert e.value.message == "The current user has been blocked."
    with pytest.raises(AppwriteException) as e:
        mine.get()
    # Appwrite checks the caller's status after the scope (its API hook, controllers/…/api.php, step 10).
    assert (e.value.code, e.value.type) == (403, "user_blocked")
    Users(admin_client).update_status(person.id, True)
    assert mine.get().id == person.id


def test_get_account_without_session_is_401_general_unauthorized_scope(appwrite_server):
    with pytest.raises(AppwriteException) as e:
        Account(sdk_client(appwrite_server)).get()
    assert e.value.code == 401 and e.value.type == "general_unauthorized_scope"
    assert e.value.message == 'User (role: guests) missing scopes (["account"])'


def test_get_account_with_a_bogus_secret_is_401(appwrite_server):
    with pytest.raises(AppwriteException) as e:
        Account(sdk_client(appwrite_server, session="bogus")).get()
    assert e.value.code == 401 and e.value.type == "general_unauthorized_scope"


def test_login_while_holding_a_session_is_401_user_session_already_exists(
    appwrite_server, account_admin, person
):
    secret = login(account_admin, person).secret
    with pytest.raises(AppwriteException) as e:
        Account(sdk_client(appwrite_server, session=secret)).create_email_password_session(
            email=person.email, password=PASSWORD
        )
    assert e.value.code == 401 and e.value.type == "user_session_already_exists"


def test_delete_current_session_answers_204_with_a_content_type(appwrite_server, account_admin, person):
    secret = login(account_admin, person).secret
    raw = RawApi(appwrite_server, session=secret)
    r = raw.delete("/account/sessions/current")
    assert r.status_code == 204 and r.headers["Content-Type"]
    assert raw.get("/account").status_code == 401


def test_delete_current_session_through_the_sdk(appwrite_server, account_admin, person):
    secret = login(account_admin, person).secret
    mine = Account(sdk_client(appwrite_server, session=secret))
    mine.delete_session("current")
    with pytest.raises(AppwriteException) as e:
        mine.get()
    assert e.value.code == 401


def test_delete_another_session_by_id_keeps_the_current_one(appwrite_server, account_admin, person):
    first = login(account_admin, person)
    second = login(account_admin, person)
    mine = Account(sdk_client(appwrite_server, session=second.secret))
    sessions = mine.list_sessions()
    assert isinstance(sessions, SessionList)
    assert {s.id for s in sessions.sessions} >= {first.id, second.id}
    assert [s.current for s in sessions.sessions if s.id == second.id] == [True]
    assert all(s.secret == "" for s in sessions.sessions)
    assert mine.get_session(first.id).current is False
    mine.delete_session(first.id)
    assert mine.get().id == person.id
    with pytest.raises(AppwriteException) as e:
        Account(sdk_client(appwrite_server, session=first.secret)).get()
    assert e.value.code == 401


def test_delete_unknown_session_is_404_user_session_not_found(appwrite_server, account_admin, person):
    mine = Account(sdk_client(appwrite_server, session=login(account_admin, person).secret))
    with pytest.raises(AppwriteException) as e:
        mine.delete_session("no-such-session")
    assert e.value.code == 404 and e.value.type == "user_session_not_found"


def test_a_user_cannot_delete_someone_elses_session(
    appwrite_server, admin_client, account_admin, person, new_id
):
    other_email = f"{new_id()}@example.com"
    Users(admin_client).create(user_id=new_id("u"), email=other_email, password=PASSWORD)
    other = account_admin.create_email_password_session(email=other_email, password=PASSWORD)
    mine = Account(sdk_client(appwrite_server, session=login(account_admin, person).secret))
    with pytest.raises(AppwriteException) as e:
        mine.delete_session(other.id)
    assert e.value.type == "user_session_not_found"


def test_delete_session_without_a_session_is_401(appwrite_server):
    with pytest.raises(AppwriteException) as e:
        Account(sdk_client(appwrite_server)).delete_session("current")
    assert e.value.code == 401 and e.value.type == "general_unauthorized_scope"


def test_the_server_lists_a_users_sessions_without_secrets_and_none_current(admin_client, account_admin, person):
    first, second = login(account_admin, person), login(account_admin, person)

    listed = Users(admin_client).list_sessions(person.id)

    assert isinstance(listed, SessionList)
    assert [s.id for s in listed.sessions] == [first.id, second.id] and listed.total == 2
    assert all(s.secret == "" and s.current is False and s.userid == person.id for s in listed.sessions)
    assert Users(admin_client).list_sessions(person.id, total=False).total == 0


def test_the_server_deletes_one_session_of_a_user_and_the_others_keep_working(appwrite_server, admin_client,
                                                                              account_admin, person):  # fmt: skip
    ended, kept = login(account_admin, person), login(account_admin, person)

    Users(admin_client).delete_session(person.id, ended.id)

    assert [s.id for s in Users(admin_client).list_sessions(person.id).sessions] == [kept.id]
    with pytest.raises(AppwriteException) as e:
        Account(sdk_client(appwrite_server, session=ended.secret)).get()
    assert e.value.code == 401
    assert Account(sdk_client(appwrite_server, session=kept.secret)).get().id == person.id


def test_the_server_deletes_every_session_of_a_user(admin_client, account_admin, person):
    login(account_admin, person), login(account_admin, person)

    Users(admin_client).delete_sessions(person.id)

    assert Users(admin_client).list_sessions(person.id).sessions == []


@pytest.mark.parametrize(
    ("call", "error_type"),
    [
        (lambda users, person: users.list_sessions("nobody-here"), "user_not_found"),
        (lambda users, person: users.delete_session("nobody-here", "no-session"), "user_not_found"),
        (lambda users, person: users.delete_sessions("nobody-here"), "user_not_found"),
        (lambda users, person: users.delete_session(person.id, "no-session"), "user_session_not_found"),
    ],
)
def test_the_users_session_routes_answer_404_for_what_does_not_exist(admin_client, person, call, error_type):
    with pytest.raises(AppwriteException) as e:
        call(Users(admin_client), person)
    assert e.value.code == 404 and e.value.type == error_type


def test_session_user_cannot_call_users_routes(appwrite_server, account_admin, person):
    raw = RawApi(appwrite_server, session=login(account_admin, person).secret)
    r = raw.get("/users")
    assert r.status_code == 401 and r.json()["type"] == "general_unauthorized_scope"
    # Appwrite names a signed-in caller by e-mail (the API hook every route runs, controllers/…/api.php, step 9).
    assert r.json()["message"] == f'{person.email} (role: users) missing scopes (["users.read"])'


def test_failed_guest_logins_are_rate_limited_per_email_and_reset_on_success(raw_guest, raw_admin, person):
    bad = {"email": person.email, "password": "wrong password"}
    for _ in range(9):
        assert raw_guest.post("/account/sessions/email", json=bad).status_code == 401
    ok = raw_guest.post("/account/sessions/email", json={"email": person.email, "password": PASSWORD})
    assert ok.status_code == 201  # the 10th attempt is still allowed, and resets the counter
    raw_guest.http.cookies.clear()  # signed in by its cookie, the client could not try again (session exists)
    for _ in range(10):
        assert raw_guest.post("/account/sessions/email", json=bad).status_code == 401
    r = raw_guest.post("/account/sessions/email", json={"email": person.email, "password": PASSWORD})
    assert r.status_code == 429 and r.json()["type"] == "general_rate_limit_exceeded"
    # API keys are never rate limited
    assert (
        raw_admin.post(
            "/account/sessions/email", json={"email": person.email, "password": PASSWORD}
        ).status_code
        == 201
    )
