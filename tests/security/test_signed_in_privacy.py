"""What a signed-in agent is answered is never stored (Cache-Control: no-store), and the session cookie shows
nothing of the agent or their work to whoever holds a copy: it is encrypted, not only signed."""

import base64
import zlib

import pytest
from django.core import signing
from django.test import Client

from tests.agent_fixtures import sign_in
from tests.htmx import HTMX


def readable_part(cookie: str) -> bytes:
    """What anyone can read out of a Django signed cookie: its payload, base64 (zlib-compressed after a '.')."""
    payload = cookie.split(":", 1)[0]
    compressed = payload.startswith(".")
    data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return zlib.decompress(data) if compressed else data


@pytest.fixture
def agent_at_work(agent_accounts, appwrite_server, rows):
    """A fresh agent who has just closed a session, so an undo of it is pending in their session."""
    someone = agent_accounts.user(name="Zoë Private")
    rows.session("s_private_row", status="active")
    client = sign_in(Client(), someone, appwrite_server)
    assert client.post("/sessions/s_private_row/close/", headers=HTMX).status_code == 200
    assert 'data-action="undo"' in client.get("/sessions/s_private_row/").content.decode()
    return client, someone


def test_the_session_cookie_shows_no_email_name_or_pending_undo(agent_at_work):
    client, someone = agent_at_work

    readable = readable_part(client.cookies["sessionid"].value)

    for private in (someone.email, someone.name, "Zo\\u00eb", someone.user_id, "s_private_row", "undo", "agent"):
        assert private.encode() not in readable, private


def test_the_same_cookie_signed_but_not_encrypted_would_show_them(agent_at_work, settings):
    # The check above reads the cookie the way anyone could: with only Django's signing, it shows everything.
    client, someone = agent_at_work
    session = client.session  # decrypted by the test client with the dashboard's own serializer
    signed_only = signing.dumps(dict(session.items()), compress=True, salt="anything")

    readable = readable_part(signed_only)

    assert someone.email.encode() in readable and b"s_private_row" in readable


def test_a_cookie_from_before_a_secret_key_rotation_still_works_with_the_old_key_as_a_fallback(agent_at_work,
                                                                                                settings):  # fmt: skip
    client, _ = agent_at_work
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-" + "y" * 40

    assert client.get("/").status_code == 200


def test_a_cookie_under_another_secret_key_counts_as_signed_out(agent_at_work, settings):
    client, _ = agent_at_work
    settings.SECRET_KEY = "another-secret-key-" + "z" * 40

    assert client.get("/")["Location"].startswith("/login/")


def test_every_signed_in_answer_says_no_store(agent_at_work):
    client, _ = agent_at_work
    answers = {
        "list": client.get("/"),
        "list fragment": client.get("/", headers=HTMX),
        "session": client.get("/sessions/s_private_row/"),
        "overview": client.get("/overview/"),
        "export": client.get("/export.csv"),
        "status action": client.post("/sessions/s_private_row/reopen/", headers=HTMX),
    }

    for name, response in answers.items():
        assert "no-store" in response["Cache-Control"], name
        assert "private" in response["Cache-Control"], name


def test_pages_open_to_anyone_are_left_cacheable_as_they_were(rows):
    assert "no-store" not in Client().get("/healthz").get("Cache-Control", "")
