"""The 400s and 409s of the users and teams routes, worded as Appwrite's validators and actions word them
(utopia's Key/Text/ArrayList validators; AW Teams/Http/Memberships/Create.php)."""

from __future__ import annotations

import pytest


@pytest.fixture
def team(raw_admin, new_id):
    r = raw_admin.post("/teams", json={"teamId": new_id("t"), "name": "Ops"})
    assert r.status_code == 201
    return r.json()["$id"]


@pytest.fixture
def user(raw_admin, new_id):
    r = raw_admin.post("/users", json={"userId": new_id("u"), "email": f"{new_id('e')}@example.com"})
    assert r.status_code == 201
    return r.json()


def test_roles_are_keys_of_81_chars(raw_admin, team, user):
    r = raw_admin.post(f"/teams/{team}/memberships", json={"roles": ["support agent"], "userId": user["$id"]})
    assert r.status_code == 400 and r.json()["type"] == "general_argument_invalid"
    assert r.json()["message"] == (
        "Invalid `roles` param: Value must a valid array no longer than 100 items and Parameter must contain at "
        "most 81 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special "
        "char")
    ok = raw_admin.post(f"/teams/{team}/memberships", json={"roles": ["support-agent.L2"], "userId": user["$id"]})
    assert ok.status_code == 201 and ok.json()["roles"] == ["support-agent.L2"]


def test_roles_are_required_on_a_membership(raw_admin, team, user):
    r = raw_admin.post(f"/teams/{team}/memberships", json={"userId": user["$id"]})
    assert (r.status_code, r.json()["message"]) == (400, 'Param "roles" is not optional.')


def test_an_unknown_user_id_and_a_mismatching_email_are_worded_as_appwrite(raw_admin, team, user):
    r = raw_admin.post(f"/teams/{team}/memberships", json={"roles": [], "userId": "nobody"})
    assert (r.status_code, r.json()["type"], r.json()["message"]) == (
        404, "user_not_found", "User with given userId doesn't exist.")
    r = raw_admin.post(f"/teams/{team}/memberships",
                       json={"roles": [], "userId": user["$id"], "email": "someone.else@example.com"})
    assert (r.status_code, r.json()["type"], r.json()["message"]) == (
        409, "user_already_exists", "Given userId and email doesn't match")


def test_none_of_user_id_email_or_phone_is_an_argument_error(raw_admin, team):
    r = raw_admin.post(f"/teams/{team}/memberships", json={"roles": []})
    assert (r.status_code, r.json()["message"]) == (400, "At least one of userId, email, or phone is required")


def test_an_empty_email_on_a_new_user_is_validated_not_dropped(raw_admin, new_id):
    r = raw_admin.post("/users", json={"userId": new_id("u"), "email": ""})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid `email` param: Value must be a valid email address")


def test_a_password_is_counted_in_bytes(raw_admin, new_id):
    r = raw_admin.post("/users", json={"userId": new_id("u"), "password": "é" * 129})  # 258 bytes
    assert (r.status_code, r.json()["message"]) == (
        400, "Invalid `password` param: Password must be between 8 and 256 characters long.")
