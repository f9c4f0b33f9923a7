"""Accounts data survives a restart when `--data` is a file; concurrent clients see consistent results."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from appwrite.exception import AppwriteException
from appwrite.services.account import Account
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from localappwrite.launcher import start_localappwrite

from .conftest import sdk_client


def test_users_teams_memberships_and_sessions_survive_a_restart(tmp_path):
    data = str(tmp_path / "aw.sqlite3")
    server = start_localappwrite(data=data, faults=False)
    try:
        admin = sdk_client(server, key=server.api_key)
        Users(admin).create(user_id="keeper", email="keeper@example.com", password="password123", name="K")
        Users(admin).create(user_id="blocked", email="blocked@example.com", password="password123")
        Users(admin).update_status("blocked", False)
        Teams(admin).create(team_id="crew", name="Crew")
        membership = Teams(admin).create_membership(team_id="crew", roles=["owner"], user_id="keeper")
        secret = (
            Account(admin)
            .create_email_password_session(email="keeper@example.com", password="password123")
            .secret
        )
    finally:
        server.stop()

    again = start_localappwrite(data=data, faults=False, project_id=server.project_id, api_key=server.api_key)
    try:
        admin = sdk_client(again, key=again.api_key)
        assert Users(admin).get("keeper").name == "K"
        assert Users(admin).get("blocked").status is False
        assert Teams(admin).get("crew").total == 1
        assert [m.id for m in Teams(admin).list_memberships("crew").memberships] == [membership.id]
        assert Account(sdk_client(again, session=secret)).get().id == "keeper"  # the session still works
        with pytest.raises(AppwriteException) as e:
            Users(admin).create(user_id="keeper2", email="KEEPER@example.com")
        assert e.value.type == "user_already_exists"
    finally:
        again.stop()


def test_concurrent_creates_of_the_same_id_yield_one_201_and_409s(appwrite_server, new_id):
    uid = new_id("race")

    def create(i: int) -> int:
        users = Users(sdk_client(appwrite_server, key=appwrite_server.api_key))
        try:
            users.create(user_id=uid, email=f"{uid}-{i}@example.com")
            return 201
        except AppwriteException as e:
            assert e.type == "user_already_exists"
            return e.code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(create, range(32)))
    assert codes.count(201) == 1 and codes.count(409) == 31


def test_concurrent_memberships_keep_the_team_total_exact(appwrite_server, admin_client, new_id):
    team = Teams(admin_client).create(team_id=new_id("t"), name="Crowd")
    ids = [Users(admin_client).create(user_id=new_id("u")).id for _ in range(24)]

    def join(uid: str) -> None:
        Teams(sdk_client(appwrite_server, key=appwrite_server.api_key)).create_membership(
            team_id=team.id, roles=["m"], user_id=uid
        )

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(join, ids))
    assert Teams(admin_client).get(team.id).total == 24
    assert (
        Teams(admin_client).list_memberships(team.id, queries=['{"method":"limit","values":[100]}']).total
        == 24
    )


def test_concurrent_logins_and_reads_each_get_their_own_session(appwrite_server, admin_client, new_id):
    people = []
    for _ in range(8):
        uid = new_id("u")
        Users(admin_client).create(user_id=uid, email=f"{uid}@example.com", password="password123")
        people.append(uid)

    def login_and_read(uid: str) -> str:
        admin = sdk_client(appwrite_server, key=appwrite_server.api_key)
        secret = (
            Account(admin)
            .create_email_password_session(email=f"{uid}@example.com", password="password123")
            .secret
        )
        return Account(sdk_client(appwrite_server, session=secret)).get().id

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(login_and_read, people * 2)) == people * 2
