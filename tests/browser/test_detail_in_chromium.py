"""An agent reads one session in real Chromium: the transcript grows live, older messages load in
place, the status changes from the panel with an Undo. With SCREENSHOT_DIR set, the detail page and
the list are saved there as screenshot-detail.png and screenshot-list-actions.png."""

import os
from pathlib import Path

import pytest

from dashboard.appwrite import chat_sessions, transcripts
from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser


CONVERSATION = [
    ("user", "Hi! I ordered a pair of running shoes last Tuesday and the tracking page hasn't moved since Friday."),
    ("assistant", "Sorry about the wait! Could you share your order number? It starts with ORD-."),
    ("user", "ORD-88412"),
    (
        "assistant",
        "Thanks. The parcel left our warehouse on Friday and is with the carrier. I'll connect you with a "
        "colleague who can contact them.",
    ),
    ("system", "Sam joined the chat"),
    (
        "agent",
        "Hi, I'm Sam. I've opened a ticket with the carrier. Would you prefer a refund or a replacement if "
        "the parcel doesn't arrive by Thursday?",
    ),
    ("user", "A replacement please, size 42.\nAnd could it go to my office instead?\n\nHauptstraße 12\n10827 Berlin"),
    (
        "agent",
        "Of course. Replacement in size 42 to the office address, noted. You'll get an email with the new "
        "tracking number within the hour. " + "Here is the full policy text you asked about: " + "Returns are free "
        "within 30 days of delivery, the item must be unused and in its original packaging. " * 8,
    ),
]


@pytest.fixture
def chat(rows):
    rows.session(
        "s_1763614351136",
        row_id="s_1763614351136",
        status="active",
        startTime=minutes_ago(26),
        lastSeen=minutes_ago(1),
        userMeta='{"browser":"Firefox 133","device":"Desktop","os":"Windows 11","location":"Berlin, DE",'
        '"language":"de-DE","referrer":"https://shop.example/orders","screen":{"width":1920,"height":1080}}',
        theme='{"primaryColor":"#0f766e","position":"bottom-right","greeting":"Hi! How can we help?"}',
    )
    return [rows.say("s_1763614351136", role, text) for role, text in CONVERSATION]


def test_new_messages_appear_while_the_page_is_open(page, dashboard_url, chat, rows):
    page.goto(dashboard_url + "/sessions/s_1763614351136/")
    assert page.locator("[data-message-id]").count() == len(chat)

    new_id = rows.say("s_1763614351136", "user", "Perfect, thank you!")

    page.wait_for_selector(f'[data-message-id="{new_id}"][data-role="user"]', timeout=5_000)
    assert page.locator("[data-message-id]").count() == len(chat) + 1
    assert page.locator(f'[data-message-id="{new_id}"]').inner_text().endswith("Perfect, thank you!")


def test_older_messages_load_in_place(page, dashboard_url, rows, monkeypatch):
    monkeypatch.setattr(transcripts, "TRANSCRIPT_PAGE_SIZE", 3)
    rows.session("s_paged", row_id="paged")
    ids = [rows.say("s_paged", "user", f"line {number}") for number in range(5)]
    page.goto(dashboard_url + "/sessions/paged/")
    page.evaluate("window.stillTheSamePage = true")

    page.locator('[data-action="load-older"]').click()

    page.wait_for_selector(f'[data-message-id="{ids[0]}"]')
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith(f"/sessions/paged/?messages=before:{ids[2]}")


def test_a_long_message_opens_with_show_all(page, dashboard_url, chat):
    page.goto(dashboard_url + "/sessions/s_1763614351136/")
    folded = page.locator(f'[data-message-id="{chat[-1]}"] details')

    assert folded.get_attribute("open") is None
    folded.locator("summary").click()
    assert folded.get_attribute("open") is not None


def test_taking_from_the_detail_page_can_be_undone(page, dashboard_url, chat):
    page.goto(dashboard_url + "/sessions/s_1763614351136/")

    page.locator('#session-status [data-action="take"]').click()
    page.wait_for_selector('#session-status [data-field="status"]:text("Agent assigned")')
    page.locator('#session-status [data-action="undo"]').click()

    page.wait_for_selector('#session-status [data-field="status"]:text("Active")')
    assert page.locator("#announcer").inner_text().startswith("Undone: session s_1763614351136 is Active again")
    assert chat_sessions.get_session("s_1763614351136").status == "active"


def test_screenshots_of_the_detail_page_and_the_list(page, dashboard_url, chat, rows):
    rows.session(
        "s_1763614290417",
        status="agent_assigned",
        startTime=minutes_ago(44),
        lastSeen=minutes_ago(2),
        userMeta='{"browser":"Safari 18","device":"iPhone","location":"Lisbon, PT"}',
        theme='{"primaryColor":"#7c3aed"}',
    )
    rows.messages("s_1763614290417", 6)
    rows.session(
        "s_1763613977031",
        status="closed",
        startTime=minutes_ago(190),
        lastSeen=minutes_ago(150),
        userMeta='{"browser":"Edge 131","device":"Desktop","location":"Toronto, CA"}',
        theme='{"primaryColor":"#ea580c"}',
    )
    rows.messages("s_1763613977031", 9)
    target = os.environ.get("SCREENSHOT_DIR")

    page.goto(dashboard_url + "/sessions/s_1763614351136/")
    page.locator('#session-status [data-action="take"]').click()
    page.wait_for_selector('#session-status [data-action="undo"]')
    if target:
        page.screenshot(path=str(Path(target) / "screenshot-detail.png"), full_page=True)

    page.goto(dashboard_url + "/")
    page.locator('tr[data-row-id="s_1763613977031"] [data-action="reopen"]').click()
    page.wait_for_selector('tr[data-row-id="s_1763613977031"] [data-action="undo"]')
    page.keyboard.press("j")
    page.keyboard.press("x")
    if target:
        page.screenshot(path=str(Path(target) / "screenshot-list-actions.png"))
    assert page.locator('tr[data-row-id="s_1763613977031"][data-status="active"]').count() == 1
