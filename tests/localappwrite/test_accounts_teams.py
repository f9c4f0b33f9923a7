"""Teams and memberships through the official SDK (server side with the API key, and as a session user)."""

from __future__ import annotations

import pytest
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.models import Membership, MembershipList, Team, TeamList
from appwrite.query import Query
from appwrite.services.account import Account
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from .conftest import sdk_client


@pytest.fixture
def teams(admin_client) -> Teams:
    return Teams(admin_client)


@pytest.fixture
def users(admin_client) -> Users:
    return Users(admin_client)


def test_create_team_with_key_adds_no_member(teams, new_id):
    tid = new_id("t")
    team = teams.create(team_id=tid, name="Ops")
    assert isinstance(team, Team)
    assert team.id == tid and team.name == "Ops" and team.total == 0
    assert team.prefs.data == {}


def test_create_team_with_unique_id(teams):
    team = teams.create(team_id=ID.unique(), name="Gen")
    assert len(team.id) == 20


def test_get_team_returns_it_and_unknown_is_404_team_not_found(teams, new_id):
    team = teams.create(team_id=new_id("t"), name="Ops")
    assert teams.get(team.id).name == "Ops"
    with pytest.raises(AppwriteException) as e:
        teams.get("no-such-team")
    assert e.value.code == 404 and e.value.type == "team_not_found"


def test_duplicate_team_id_is_409_team_already_exists(teams, new_id):
    team = teams.create(team_id=new_id("t"), name="Ops")
    with pytest.raises(AppwriteException) as e:
        teams.create(team_id=team.id, name="Again")
    assert e.value.code == 409 and e.value.type == "team_already_exists"


@pytest.mark.parametrize("name", ["", "n" * 129])
def test_team_name_empty_or_too_long_is_400(teams, new_id, name):
    with pytest.raises(AppwriteException) as e:
        teams.create(team_id=new_id("t"), name=name)
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"


def test_list_teams_parses_into_team_list(teams, new_id):
    tag = new_id("T")
    created = [teams.create(team_id=new_id("t"), name=f"{tag}{i}") for i in range(2)]
    result = teams.list(queries=[Query.starts_with("name", tag)])
    assert isinstance(result, TeamList)
    assert [t.id for t in result.teams] == [t.id for t in created]


def test_membership_created_with_key_is_confirmed_and_counts_in_total(teams, users, new_id):
    user = users.create(
        user_id=new_id("u"), email=f"{new_id()}@example.com", password="password123", name="Bo"
    )
    team = teams.create(team_id=new_id("t"), name="Ops")
    m = teams.create_membership(team_id=team.id, roles=["admin"], user_id=user.id)
    assert isinstance(m, Membership)
    assert m.confirm is True and m.joined and m.invited
    assert m.userid == user.id and m.username == "Bo" and m.useremail == user.email and m.userphone == ""
    assert m.teamid == team.id and m.teamname == "Ops" and m.roles == ["admin"]
    assert teams.get(team.id).total == 1


def test_membership_by_unknown_email_creates_the_user(teams, users, new_id):
    team = teams.create(team_id=new_id("t"), name="Ops")
    email = f"{new_id()}@example.com"
    m = teams.create_membership(team_id=team.id, roles=[], email=email, name="Newbie")
    assert m.useremail == email and m.username == "Newbie" and m.roles == []
    assert users.get(m.userid).email == email


def test_membership_by_known_email_reuses_the_user(teams, users, new_id):
    user = users.create(user_id=new_id("u"), email=f"{new_id()}@example.com")
    team = teams.create(team_id=new_id("t"), name="Ops")
    m = teams.create_membership(team_id=team.id, roles=["x"], email=user.email)
    assert m.userid == user.id


def test_second_membership_of_a_confirmed_member_is_409(teams, users, new_id):
    user = users.create(user_id=new_id("u"))
    team = teams.create(team_id=new_id("t"), name="Ops")
    teams.create_membership(team_id=team.id, roles=["a"], user_id=user.id)
    with pytest.raises(AppwriteException) as e:
        teams.create_membership(team_id=team.id, roles=["a"], user_id=user.id)
    assert e.value.code == 409 and e.value.type == "membership_already_confirmed"
    assert teams.get(team.id).total == 1


def test_membership_errors_for_unknown_team_user_and_missing_invitee(teams, users, new_id):
    user = users.create(user_id=new_id("u"))
    team = teams.create(team_id=new_id("t"), name="Ops")
    with pytest.raises(AppwriteException) as e:
        teams.create_membership(team_id="no-such-team", roles=[], user_id=user.id)
    assert (e.value.code, e.value.type) == (404, "team_not_found")
    with pytest.raises(AppwriteException) as e:
        teams.create_membership(team_id=team.id, roles=[], user_id="no-such-user")
    assert (e.value.code, e.value.type) == (404, "user_not_found")
    with pytest.raises(AppwriteException) as e:
        teams.create_membership(team_id=team.id, roles=[])
    assert (e.value.code, e.value.type) == (400, "general_argument_invalid")
    with pytest.raises(AppwriteException) as e:
        teams.create_membership(team_id=team.id, roles=["r" * 82], user_id=user.id)
    assert (e.value.code, e.value.type) == (400, "general_argument_invalid")


def test_list_memberships_with_queries_and_search(teams, users, new_id):
    team = teams.create(team_id=new_id("t"), name="Ops")
    members = [users.create(user_id=new_id("u"), name=f"M{i}") for i in range(3)]
    ms = [
        teams.create_membership(team_id=team.id, roles=["owner"] if i == 0 else ["dev"], user_id=u.id)
        for i, u in enumerate(members)
    ]
    everything = teams.list_memberships(team.id)
    assert isinstance(everything, MembershipList)
    assert everything.total == 3 and [m.id for m in everything.memberships] == [m.id for m in ms]
    owners = teams.list_memberships(team.id, queries=[Query.contains("roles", ["owner"])])
    assert [m.userid for m in owners.memberships] == [members[0].id]
    by_user = teams.list_memberships(team.id, queries=[Query.equal("userId", [members[2].id])])
    assert [m.id for m in by_user.memberships] == [ms[2].id]
    paged = teams.list_memberships(
        team.id, queries=[Query.order_desc("$createdAt"), Query.limit(1), Query.offset(1)]
    )
    assert paged.total == 3 and len(paged.memberships) == 1
    after = teams.list_memberships(team.id, queries=[Query.cursor_after(ms[0].id)])
    assert [m.id for m in after.memberships] == [ms[1].id, ms[2].id]
    confirmed = teams.list_memberships(team.id, queries=[Query.equal("confirm", [True])])
    assert confirmed.total == 3
    found = teams.list_memberships(team.id, search=members[1].id)
    assert [m.userid for m in found.memberships] == [members[1].id]
    assert teams.list_memberships(team.id, total=False).total == 0


@pytest.mark.parametrize(
    "query",
    [
        Query.select(["userId"]),
        Query.equal("userName", ["x"]),
        Query.equal("confirm", ["yes"]),
        '{"method":"equal","attribute":"userId"',
    ],
)
def test_bad_membership_queries_are_400_general_argument_invalid(teams, new_id, query):
    team = teams.create(team_id=new_id("t"), name="Ops")
    with pytest.raises(AppwriteException) as e:
        teams.list_memberships(team.id, queries=[query])
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"
    assert e.value.message.startswith("Invalid `queries` param: ")


def test_get_update_and_delete_membership(teams, users, new_id):
    user = users.create(user_id=new_id("u"))
    team = teams.create(team_id=new_id("t"), name="Ops")
    m = teams.create_membership(team_id=team.id, roles=["a"], user_id=user.id)
    assert teams.get_membership(team.id, m.id).id == m.id
    assert teams.update_membership(team.id, m.id, roles=["b", "c"]).roles == ["b", "c"]
    teams.delete_membership(team.id, m.id)
    assert teams.get(team.id).total == 0
    for call in (lambda: teams.get_membership(team.id, m.id), lambda: teams.delete_membership(team.id, m.id)):
        with pytest.raises(AppwriteException) as e:
            call()
        assert e.value.code == 404 and e.value.type == "membership_not_found"


def test_deleting_a_user_removes_its_memberships_from_team_totals(teams, users, new_id):
    user = users.create(user_id=new_id("u"))
    team = teams.create(team_id=new_id("t"), name="Ops")
    teams.create_membership(team_id=team.id, roles=["a"], user_id=user.id)
    users.delete(user.id)
    assert teams.get(team.id).total == 0
    assert teams.list_memberships(team.id).total == 0


def test_guest_cannot_use_server_side_team_operations(appwrite_server, teams, new_id):
    team = teams.create(team_id=new_id("t"), name="Ops")
    guest = Teams(sdk_client(appwrite_server))
    with pytest.raises(AppwriteException) as e:
        guest.create(team_id=new_id("t"), name="Mine")
    assert (e.value.code, e.value.type) == (401, "user_unauthorized")
    with pytest.raises(AppwriteException) as e:
        guest.get(team.id)
    assert (e.value.code, e.value.type) == (404, "team_not_found")
    with pytest.raises(AppwriteException) as e:
        guest.create_membership(team_id=team.id, roles=[], email="x@example.com")
    assert e.value.code in (401, 404)


def test_session_user_creating_a_team_becomes_its_owner_and_can_read_it(
    appwrite_server, admin_client, new_id
):
    email = f"{new_id()}@example.com"
    Users(admin_client).create(user_id=new_id("u"), email=email, password="password123")
    secret = Account(admin_client).create_email_password_session(email=email, password="password123").secret
    own = Teams(sdk_client(appwrite_server, session=secret))
    team = own.create(team_id=new_id("t"), name="Mine")
    assert team.total == 1
    assert own.get(team.id).id == team.id
    members = own.list_memberships(team.id)
    assert members.total == 1 and members.memberships[0].roles == ["owner"]
    assert members.memberships[0].useraccessedat == ""  # hidden from non-privileged callers
    assert [t.id for t in own.list().teams] == [team.id]
    other = Teams(admin_client).create(team_id=new_id("t"), name="Not mine")
    with pytest.raises(AppwriteException) as e:
        own.get(other.id)
    assert (e.value.code, e.value.type) == (404, "team_not_found")
    with pytest.raises(AppwriteException) as e:
        own.delete_membership(team.id, members.memberships[0].id)
    assert (e.value.code, e.value.type) == (401, "user_unauthorized")
