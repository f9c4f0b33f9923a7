"""The messages collection is the deployment's own: its text and sender attributes are detected or configured,
and with neither the transcript and the list still show what each message holds, and count them."""

from __future__ import annotations

import re
from html import escape

from dashboard.appwrite import live, message_schema, queries, records, schema
from tests.dashboard_fixtures import minutes_ago


def load_list() -> live.SessionList:
    live.invalidate_lists()
    return live.load_session_list(None, "", queries.DEFAULT_SORT, None, 25)


def transcript(client, row_id: str) -> str:
    response = client.get(f"/sessions/{row_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_text_and_author_attributes_are_detected_for_the_transcript_and_the_list(client, rows, shaped_messages):
    shaped = shaped_messages(["text", "author"])
    rows.session("s_detect", row_id="detect", lastSeen=minutes_ago(1))
    shaped.say("s_detect", text="Where is my parcel?", author="customer")
    shaped.say("s_detect", text="Let me check <that>.", author="support")
    last = shaped.say("s_detect", text="Still there?", author="Customer")

    html = transcript(client, "detect")
    data = load_list()

    assert re.findall(r'data-role="([^"]*)"', html) == ["customer", "support", "Customer"]
    assert re.findall(r'class="role-label">([^<]*)<', html) == ["Visitor", "Agent", "Visitor"]
    assert "Where is my parcel?" in html and escape("Let me check <that>.") in html
    newest = data.last_messages["s_detect"]
    stored = shaped.tables.get_row(shaped.database_id, "messages", last)
    assert (newest.text, newest.sender) == ("Still there?", records.VISITOR)
    assert newest.waiting_since == records.parse_datetime(stored.createdat)
    assert data.message_counts["s_detect"].value == 3


def test_attributes_named_in_the_settings_win_over_detection(client, rows, shaped_messages, settings):
    settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE = "utterance"
    settings.APPWRITE_MESSAGE_SENDER_ATTRIBUTE = "speaker"
    settings.APPWRITE_MESSAGE_VISITOR_VALUES = ["client"]
    settings.APPWRITE_MESSAGE_AGENT_VALUES = ["operator"]
    # `content` and `role` are there too, holding something else: the settings decide.
    shaped = shaped_messages(["utterance", "speaker", "content", "role"])
    rows.session("s_named", row_id="named", lastSeen=minutes_ago(2))
    shaped.say("s_named", utterance="Hello?", speaker="client", content="(log)", role="user")
    shaped.say("s_named", utterance="Ann here, how can I help?", speaker="operator", content="(log)", role="user")

    html = transcript(client, "named")
    data = load_list()

    assert "Hello?" in html and "Ann here, how can I help?" in html and "(log)" not in html
    assert re.findall(r'class="role-label">([^<]*)<', html) == ["Visitor", "Agent"]
    newest = data.last_messages["s_named"]
    assert (newest.text, newest.sender, newest.waiting_since) == ("Ann here, how can I help?", records.AGENT, None)


def test_a_sender_value_that_is_neither_visitor_nor_agent_is_a_bot_and_nobody_waits(rows, shaped_messages):
    shaped = shaped_messages(["message", "from"])
    rows.session("s_bot", row_id="bot")
    shaped.say("s_bot", message="I need help", **{"from": "visitor"})
    shaped.say("s_bot", message="An agent will be with you shortly.", **{"from": "assistant"})

    newest = load_list().last_messages["s_bot"]

    assert newest.text == "An agent will be with you shortly."
    assert (newest.sender, newest.waiting_since) == (records.BOT, None)


def test_with_nothing_detectable_each_message_shows_its_fields_and_counts_still_work(client, rows, shaped_messages):
    shaped = shaped_messages(["payload", "channel"])
    rows.session("s_opaque", row_id="opaque", lastSeen=minutes_ago(1))
    shaped.say("s_opaque", payload='{"q": "refund?"}', channel="web")
    shaped.say("s_opaque", payload="<b>hi</b>", channel="web")

    html = transcript(client, "opaque")
    data = load_list()
    page = client.get("/").content.decode()

    assert html.count('data-field="message-fields"') == 2
    assert "<dt>payload</dt>" in html and "<dt>channel</dt>" in html
    assert escape('{"q": "refund?"}') in html and escape("<b>hi</b>") in html and "<b>hi</b>" not in html
    assert re.findall(r'class="role-label">([^<]*)<', html) == ["(no sender)", "(no sender)"]
    newest = data.last_messages["s_opaque"]
    assert newest.text == "payload: <b>hi</b> · channel: web"
    assert (newest.sender, newest.waiting_since) == (records.BOT, None)
    assert data.message_counts["s_opaque"].value == 2
    assert re.search(r'data-session-id="s_opaque".*?data-field="message-count">2<', page, re.S)


def test_a_text_attribute_set_wrongly_shows_the_fields_rather_than_blanks(client, rows, shaped_messages, settings):
    settings.APPWRITE_MESSAGE_TEXT_ATTRIBUTE = "contents"  # a typo: the collection has `content`
    shaped = shaped_messages(["content", "role"])
    rows.session("s_typo", row_id="typo")
    shaped.say("s_typo", content="Is anyone there?", role="user")

    html = transcript(client, "typo")

    assert "<dt>content</dt>" in html and "Is anyone there?" in html


def test_detection_prefers_the_first_candidate_that_is_a_single_string(rows, shaped_messages):
    shaped_messages(["body", "text", "type", "sender"], sender={"array": True})

    found = message_schema.from_attributes(schema.list_attributes("messages", ["body", "text", "type", "sender"]))

    assert (found.text, found.sender) == ("text", "type")
    assert found.unusable == (("sender", "varchar array"),)


def test_without_the_schema_scope_the_newest_rows_say_which_attributes_hold_text():
    rows = [
        {"$id": "m1", "sessionId": "s1", "body": "hi", "author": "customer", "priority": 3},
        {"$id": "m2", "sessionId": "s1", "body": None, "author": "bot", "type": 7},
    ]

    found = message_schema.from_rows(rows)

    # `type` holds a number in one row: no sender; `author` does, everywhere.
    assert (found.text, found.sender, found.basis) == ("body", "author", "rows")
