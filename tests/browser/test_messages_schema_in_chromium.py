"""A deployment's own messages collection in real Chromium: its text and sender attributes, detected or named
in the settings, make a transcript that reads as usual and grows live (tests/messages/ has the rest)."""

from __future__ import annotations

import pytest

from dashboard.appwrite import message_schema
from tests.dashboard_fixtures import minutes_ago
from tests.messages.shaped import ShapedMessages

pytestmark = pytest.mark.browser


@pytest.fixture
def forget_the_schema():
    yield
    message_schema.forget()


def test_a_transcript_of_text_and_author_detected_grows_live(page, dashboard_url, rows, forget_the_schema):
    shaped = ShapedMessages(rows, ["text", "author"])
    rows.session("s_detected", row_id="detected", lastSeen=minutes_ago(1))
    shaped.say("s_detected", text="My card was charged twice.", author="customer")
    page.goto(dashboard_url + "/sessions/detected/")

    new_id = shaped.say("s_detected", text="Refunding the second charge now.", author="support")

    reply = page.locator(f'[data-message-id="{new_id}"][data-role="support"]')
    reply.wait_for(timeout=5_000)
    assert reply.locator(".role-label").inner_text() == "Agent"
    assert reply.inner_text().endswith("Refunding the second charge now.")
    first = page.locator('[data-role="customer"]')
    assert first.locator(".role-label").inner_text() == "Visitor"
    assert first.inner_text().endswith("My card was charged twice.")


def test_attributes_named_in_the_settings_make_the_transcript(page, dashboard_url, rows, settings, forget_the_schema):
    settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE = "utterance"
    settings.APPWRITE_MESSAGE_SENDER_ATTRIBUTE = "speaker"
    settings.APPWRITE_MESSAGE_VISITOR_VALUES = ["client"]
    shaped = ShapedMessages(rows, ["utterance", "speaker"])
    rows.session("s_named", row_id="named")
    message_id = shaped.say("s_named", utterance="<script>alert(1)</script> hello?", speaker="client")

    page.goto(dashboard_url + "/sessions/named/")

    message = page.locator(f'[data-message-id="{message_id}"]')
    assert message.locator(".role-label").inner_text() == "Visitor"
    assert message.locator(".message-text").inner_text() == "<script>alert(1)</script> hello?"
