"""Users (server side, API key) through the official SDK: results parse into the SDK's models."""

from __future__ import annotations

import re
import uuid

import pytest
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.models import MembershipList, User, UserList
from appwrite.query import Query
from appwrite.services.teams import Teams
from appwrite.services.users import Users

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")


@pytest.fixture
def users(admin_client) -> Users:
    return Users(admin_client)


def make_user(users: Users, new_id, **kw) -> User:
    uid = kw.pop("user_id", None) or new_id("u")
    return users.create(
        user_id=uid,
        email=kw.pop("email", f"{uid}@example.com"),
        password=kw.pop("password", "password123"),
        name=kw.pop("name", "Ann"),
        **kw,
    )


def test_create_user_returns_a_user_model_with_appwrite_defaults(users, new_id):
    uid = new_id("u")
    user = users.create(
        user_id=uid, email=f"{uid.upper()}@Example.COM", password="password123", name="Ann Lee"
    )
    assert isinstance(user, User)
    assert user.id == uid
    assert user.email == f"{uid}@example.com"  # lower-cased
    assert user.name == "Ann Lee"
    assert user.status is True
    assert user.labels == [] and user.targets == []
    assert user.prefs.data == {}
    assert user.phone == "" and user.accessedat == ""
    assert user.emailverification is False and user.phoneverification is False and user.mfa is False
    for value in (user.createdat, user.updatedat, user.registration, user.passwordupdate):
        assert DATETIME.match(value), value
    assert user.password and user.password != "password123"
    assert user.hash and user.hashoptions is not None


def test_create_user_with_unique_id_generates_a_20_char_id(users, new_id):
    user = users.create(user_id=ID.unique(), email=f"{new_id()}@example.com", password="password123")
    assert re.fullmatch(r"[0-9a-f]{20}", user.id)


def test_create_user_without_password_or_email_is_allowed(users, new_id):
    user = users.create(user_id=new_id("u"), name="No Login")
    assert user.email == "" and user.password == "" and user.passwordupdate == ""


def test_created_user_answers_201_and_get_returns_it(users, new_id, raw_admin):
    uid = new_id("u")
    r = raw_admin.post(
        "/users", json={"userId": uid, "email": f"{uid}@example.com", "password": "password123"}
    )
    assert r.status_code == 201
    assert r.headers["Content-Type"].startswith("application/json")
    got = users.get(uid)
    assert isinstance(got, User)
    assert got.id == uid and got.email == f"{uid}@example.com"


def test_get_unknown_user_is_404_user_not_found(users):
    with pytest.raises(AppwriteException) as e:
        users.get("nobody-here")
    assert e.value.code == 404 and e.value.type == "user_not_found"


def test_duplicate_user_id_is_409_user_already_exists(users, new_id):
    user = make_user(users, new_id)
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=user.id, email=f"{new_id()}@example.com", password="password123")
    assert e.value.code == 409 and e.value.type == "user_already_exists"


def test_duplicate_email_in_another_case_is_409_user_already_exists(users, new_id):
    user = make_user(users, new_id)
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=new_id("u"), email=user.email.upper(), password="password123")
    assert e.value.code == 409 and e.value.type == "user_already_exists"


@pytest.mark.parametrize("password", ["short", "x" * 257])
def test_password_outside_8_to_256_chars_is_400_general_argument_invalid(users, new_id, password):
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=new_id("u"), email=f"{new_id()}@example.com", password=password)
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"
    assert "password" in e.value.message


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com", "x" * 300 + "@example.com"])
def test_invalid_email_is_400_general_argument_invalid(users, new_id, email):
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=new_id("u"), email=email, password="password123")
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"
    assert "email" in e.value.message


@pytest.mark.parametrize("user_id", ["_starts-special", "has space", "x" * 37, "bad/slash"])
def test_invalid_custom_id_is_400_general_argument_invalid(users, user_id):
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=user_id, email="whoever@example.com", password="password123")
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"


def test_name_longer_than_128_chars_is_400(users, new_id):
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=new_id("u"), name="n" * 129)
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"


def test_invalid_phone_is_400(users, new_id):
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=new_id("u"), phone="12345")
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"


def test_user_with_phone_is_created_and_a_second_one_with_it_conflicts(users, new_id):
    phone = "+1617" + str(uuid.uuid4().int)[:8]
    user = users.create(user_id=new_id("u"), phone=phone)
    assert user.phone == phone and user.email == ""
    with pytest.raises(AppwriteException) as e:
        users.create(user_id=new_id("u"), phone=phone)
    assert e.value.code == 409 and e.value.type == "user_already_exists"


def test_update_status_blocks_and_unblocks_a_user(users, new_id):
    user = make_user(users, new_id)
    blocked = users.update_status(user.id, False)
    assert isinstance(blocked, User) and blocked.status is False
    assert users.get(user.id).status is False
    assert users.update_status(user.id, True).status is True


def test_update_status_of_unknown_user_is_404(users):
    with pytest.raises(AppwriteException) as e:
        users.update_status("nobody-here", False)
    assert e.value.code == 404 and e.value.type == "user_not_found"


def test_delete_user_then_get_is_404(users, new_id):
    user = make_user(users, new_id)
    assert users.delete(user.id) in (b"", "", None)
    with pytest.raises(AppwriteException) as e:
        users.get(user.id)
    assert e.value.type == "user_not_found"


def test_list_users_parses_into_user_list_with_filters(users, new_id):
    tag = new_id("L")
    created = [make_user(users, new_id, name=f"{tag} {i}") for i in range(3)]
    result = users.list(queries=[Query.starts_with("name", tag)])
    assert isinstance(result, UserList)
    assert result.total == 3
    assert [u.id for u in result.users] == [u.id for u in created]
    only = users.list(queries=[Query.equal("$id", [created[1].id])])
    assert [u.id for u in only.users] == [created[1].id]
    not_first = users.list(queries=[Query.starts_with("name", tag), Query.not_equal("$id", created[0].id)])
    assert [u.id for u in not_first.users] == [created[1].id, created[2].id]


def test_list_users_orders_limits_offsets_and_pages_with_cursors(users, new_id):
    tag = new_id("O")
    created = [make_user(users, new_id, name=f"{tag} {c}") for c in "cab"]
    by_name = users.list(queries=[Query.starts_with("name", tag), Query.order_asc("name")])
    assert [u.name[-1] for u in by_name.users] == ["a", "b", "c"]
    desc = users.list(queries=[Query.starts_with("name", tag), Query.order_desc("name"), Query.limit(2)])
    assert [u.name[-1] for u in desc.users] == ["c", "b"]
    assert desc.total == 3  # total ignores limit
    offset = users.list(queries=[Query.starts_with("name", tag), Query.offset(1)])
    assert [u.id for u in offset.users] == [created[1].id, created[2].id]
    after = users.list(queries=[Query.starts_with("name", tag), Query.cursor_after(created[0].id)])
    assert [u.id for u in after.users] == [created[1].id, created[2].id]
    before = users.list(
        queries=[Query.starts_with("name", tag), Query.cursor_before(created[2].id), Query.limit(1)]
    )
    assert [u.id for u in before.users] == [created[1].id]


def test_list_users_with_total_false_reports_zero(users, new_id):
    make_user(users, new_id)
    result = users.list(total=False)
    assert result.total == 0 and len(result.users) >= 1


def test_list_users_search_matches_words_and_prefixes(users, new_id):
    tag = new_id("s")
    user = make_user(users, new_id, name=f"Zed {tag}")
    assert [u.id for u in users.list(search=tag).users] == [user.id]
    assert [u.id for u in users.list(search=tag[:-2]).users] == [user.id]
    assert users.list(search=new_id("nomatch")).total == 0


def test_list_users_filters_on_status_and_datetimes(users, new_id):
    tag = new_id("b")
    a = make_user(users, new_id, name=f"{tag} a")
    b = make_user(users, new_id, name=f"{tag} b")
    users.update_status(b.id, False)
    blocked = users.list(queries=[Query.starts_with("name", tag), Query.equal("status", [False])])
    assert [u.id for u in blocked.users] == [b.id]
    since = users.list(
        queries=[Query.starts_with("name", tag), Query.greater_than_equal("$createdAt", a.createdat)]
    )
    assert {u.id for u in since.users} == {a.id, b.id}


@pytest.mark.parametrize(
    "query",
    [
        '{"method":"equal","attribute":"nope","values":["x"]}',
        '{"method":"select","values":["name"]}',
        '{"method":"fly","attribute":"name","values":["x"]}',
        '{"method":"equal","attribute":"status","values":["not-a-bool"]}',
        '{"method":"limit","values":[0]}',
        '{"method":"offset","values":[-1]}',
        '{"method":"equal","attribute":"name","values":[]}',
        "not json at all",
        "[1,2]",
    ],
)
def test_bad_user_queries_are_400_general_argument_invalid(users, query):
    with pytest.raises(AppwriteException) as e:
        users.list(queries=[query])
    assert e.value.code == 400 and e.value.type == "general_argument_invalid"
    assert e.value.message.startswith("Invalid `queries` param: ")


def test_cursor_on_unknown_user_is_400_general_cursor_not_found(users):
    with pytest.raises(AppwriteException) as e:
        users.list(queries=[Query.cursor_after("no-such-user")])
    assert e.value.code == 400 and e.value.type == "general_cursor_not_found"


def test_list_user_memberships_parses_into_membership_list(users, admin_client, new_id):
    user = make_user(users, new_id)
    teams = Teams(admin_client)
    team = teams.create(team_id=new_id("t"), name="Crew")
    teams.create_membership(team_id=team.id, roles=["member"], user_id=user.id)
    result = users.list_memberships(user.id)
    assert isinstance(result, MembershipList)
    assert result.total == 1 and result.memberships[0].teamid == team.id
