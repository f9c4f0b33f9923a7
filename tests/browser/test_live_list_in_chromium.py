"""The live list in real Chromium, as an agent works it: nothing moves under a resting pointer (arrivals wait
behind a notice that moves nothing), a changed row keeps its Undo through refreshes on every tab, new rows are
highlighted until seen, a hidden tab counts arrivals in its title, and the opt-in sound and notification.
With SCREENSHOT_DIR set, the held list (the notice, a closed row's Undo) is saved there as
screenshot-list-held.png."""

import dataclasses
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard.appwrite import chat_sessions, live, records
from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser

HIDE = """Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
document.dispatchEvent(new Event("visibilitychange"))"""
SHOW = """delete document.visibilityState; document.dispatchEvent(new Event("visibilitychange"))"""
ROW_UNDER = "(([x, y]) => (document.elementFromPoint(x, y).closest('tr') || {dataset: {}}).dataset.rowId)"


LAST_WORDS = [
    ("Hi, my order #4411 never arrived. Can someone check?", records.VISITOR),
    ("I can help with that. Could you tell me the email you used?", records.BOT),
    ("It is ana@example.com", records.VISITOR),
    ("Thanks! Refund issued, it takes 3-5 days.", records.AGENT),
]


@pytest.fixture
def sessions(rows, monkeypatch):
    # Newest start first: s_0 … s_7, each with a last message (as the messages read would give it).
    last = {}
    for number in range(8):
        rows.session(f"s_{number}", status="active", startTime=minutes_ago(10 + number), lastSeen=minutes_ago(number),
                     userMeta='{"browser":"Firefox 133","device":"Desktop","location":"Lyon, FR"}')  # fmt: skip
        text, sender = LAST_WORDS[number % 4]
        last[f"s_{number}"] = records.LastMessage(text, sender, minutes_ago(number + 1))
    load = live.load_session_list
    monkeypatch.setattr(live, "load_session_list",
                        lambda *a, **k: dataclasses.replace(load(*a, **k), last_messages=last))  # fmt: skip
    return rows


def wait_until(page, expression: str, timeout_ms: int = 5_000) -> None:
    """Waits until `expression` is true in the page (page.wait_for_function would need eval, which the CSP
    forbids)."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still not true after {timeout_ms} ms: {expression}")


class Refreshes:
    """The list's live refreshes the page gets answers to, counted from now on."""

    def __init__(self, page):
        self.count = 0
        page.on("response", self._seen)

    def _seen(self, response):
        request = response.request
        is_poll = request.method == "GET" and request.headers.get("hx-request") == "true"
        if is_poll and urlsplit(request.url).path == "/":
            self.count += 1

    def wait(self, page, more: int) -> None:
        goal = self.count + more
        for _ in range(100):
            if self.count >= goal:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"only {self.count} refreshes, expected {goal}")


def test_new_sessions_under_a_resting_pointer_leave_its_row_there_and_a_click_closes_that_row(
    page, dashboard_url, sessions
):
    page.goto(dashboard_url + "/?sort=started_desc")
    refreshes = Refreshes(page)
    button = page.locator('tr[data-row-id="s_4"] [data-action="close"]')
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)

    for number in range(3):
        sessions.session(f"s_new_{number}", status="active", startTime=minutes_ago(0), lastSeen=minutes_ago(0))
    notice = page.locator('[data-action="show-arrivals"]')
    notice.wait_for(state="visible", timeout=5_000)
    refreshes.wait(page, 2)

    assert notice.inner_text() == "3 new sessions — show"
    assert page.locator(".arrivals").get_attribute("aria-live") == "polite"
    assert button.bounding_box() == box
    assert page.evaluate(ROW_UNDER, [x, y]) == "s_4"
    assert page.locator('tr[data-row-id^="s_new_"]').count() == 0

    page.mouse.click(x, y)

    page.wait_for_selector('tr[data-row-id="s_4"][data-status="closed"] [data-action="undo"]')
    assert chat_sessions.get_session("s_4").status == "closed"
    if target := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(target) / "screenshot-list-held.png"))
    assert [chat_sessions.get_session(f"s_{n}").status for n in (0, 1, 2, 3, 5, 6, 7)] == ["active"] * 7


def test_held_back_rows_come_in_when_the_agent_asks_highlighted_until_seen(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/?sort=started_desc")
    page.locator('tr[data-row-id="s_2"]').hover()
    sessions.session("s_fresh", status="active", startTime=minutes_ago(0), lastSeen=minutes_ago(0))
    notice = page.locator('[data-action="show-arrivals"]')
    notice.wait_for(state="visible", timeout=5_000)
    assert notice.inner_text() == "1 new session — show"

    notice.click()

    fresh = page.locator('tr[data-row-id="s_fresh"]')
    assert page.locator("#session-rows tbody tr").first.get_attribute("data-row-id") == "s_fresh"
    assert "is-new" in fresh.get_attribute("class")
    assert page.evaluate("document.activeElement.closest('tr').dataset.rowId") == "s_fresh"  # not lost to <body>
    assert not notice.is_visible()
    page.locator('tr[data-row-id="s_7"]').hover()
    assert "is-new" in fresh.get_attribute("class")  # seen only when the agent looks at it
    fresh.locator("th").hover()
    assert "is-new" not in (fresh.get_attribute("class") or "")


def test_held_back_rows_come_in_at_the_first_refresh_after_the_hand_left_the_list(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/?sort=started_desc")
    refreshes = Refreshes(page)
    page.locator('tr[data-row-id="s_1"] input[data-action="select"]').focus()  # the keyboard is in the list
    sessions.session("s_fresh", status="active", startTime=minutes_ago(0), lastSeen=minutes_ago(0))
    page.locator('[data-action="show-arrivals"]').wait_for(state="visible", timeout=5_000)
    refreshes.wait(page, 1)
    assert page.locator('tr[data-row-id="s_fresh"]').count() == 0

    page.locator("h1").click()  # pointer and focus elsewhere

    page.wait_for_selector('tr[data-row-id="s_fresh"].is-new', timeout=5_000)
    assert page.locator("#session-rows tbody tr").first.get_attribute("data-row-id") == "s_fresh"
    assert not page.locator('[data-action="show-arrivals"]').is_visible()


def test_an_undo_on_the_active_tab_still_works_after_two_refreshes(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/?status=active")
    refreshes = Refreshes(page)
    page.locator('tr[data-row-id="s_3"] [data-action="close"]').click()
    page.wait_for_selector('tr[data-row-id="s_3"][data-status="closed"] [data-action="undo"]')
    page.locator("h1").click()  # off the list: nothing holds the rows in place but the Undo

    refreshes.wait(page, 2)

    row = page.locator('tr[data-row-id="s_3"]')
    assert row.get_attribute("data-status") == "closed" and "is-changed" in row.get_attribute("class")
    assert row.locator(".undo").inner_text().startswith("Closed ·")
    assert page.locator("#session-rows tbody tr").nth(3).get_attribute("data-row-id") == "s_3"  # where it was
    row.locator('[data-action="undo"]').click()
    page.wait_for_selector('tr[data-row-id="s_3"][data-status="active"]')
    assert chat_sessions.get_session("s_3").status == "active"


def test_a_row_whose_undo_is_dismissed_leaves_a_tab_it_no_longer_matches(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/?status=active")
    page.locator('tr[data-row-id="s_3"] [data-action="close"]').click()
    page.wait_for_selector('tr[data-row-id="s_3"] [data-action="dismiss-undo"]')

    page.locator('tr[data-row-id="s_3"] [data-action="dismiss-undo"]').click()
    page.locator("h1").click()

    page.wait_for_selector('tr[data-row-id="s_3"]', state="detached", timeout=5_000)
    assert chat_sessions.get_session("s_3").status == "closed"


def test_a_hidden_tab_still_notices_arrivals_and_counts_them_in_its_title(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    title = page.title()
    page.evaluate(HIDE)

    sessions.session("s_a", status="active", lastSeen=minutes_ago(0))
    sessions.session("s_b", status="active", lastSeen=minutes_ago(0))

    wait_until(page, f"document.title === '(2) {title}'", 15_000)  # a hidden tab asks less often
    page.evaluate(SHOW)
    wait_until(page, f"document.title === '{title}'")
    page.wait_for_selector('tr[data-row-id="s_a"].is-new')


# WebAudio and the Notification API, recorded instead of sounding and showing (and the permission granted
# by the stub only when asked).
ALERT_STUBS = """
window.__chimes = 0; window.__notes = []; window.__asked = 0;
window.AudioContext = class {
  constructor() { this.state = "running"; this.currentTime = 0; this.destination = {}; }
  resume() {}
  createOscillator() {
    return {frequency: {}, connect() {}, start() { window.__chimes += 0.5; }, stop() {}};
  }
  createGain() { return {gain: {setValueAtTime() {}, exponentialRampToValueAtTime() {}}, connect() {}}; }
};
let permission = "default";
window.Notification = class {
  static get permission() { return permission; }
  static requestPermission() { window.__asked += 1; permission = "granted"; return Promise.resolve(permission); }
  constructor(title, options) { window.__notes.push([title, options.body]); }
  addEventListener() {}
  close() {}
};
"""


def test_opted_in_alerts_chime_and_notify_for_new_active_sessions(signed_in_page, dashboard_url, sessions):
    page = signed_in_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(ALERT_STUBS)
    page.goto(dashboard_url + "/")
    page.locator("details.alerts summary").click()
    assert page.evaluate("window.__asked") == 0  # nothing asked before the agent's click

    page.locator('[data-alert="sound"]').check()
    page.locator('[data-alert="desktop"]').check()
    wait_until(page, "window.__asked === 1")
    page.locator("h1").click()
    chimes = page.evaluate("window.__chimes")  # the preview when the box was ticked
    page.evaluate(HIDE)
    sessions.session("s_hello", status="active", lastSeen=minutes_ago(0))
    sessions.session("s_done", status="closed", lastSeen=minutes_ago(0))

    wait_until(page, "window.__notes.length === 1", 15_000)
    assert page.evaluate("window.__notes") == [["New chat session", "s_hello"]]
    assert page.evaluate("window.__chimes") == chimes + 1
    page.reload()
    page.locator("details.alerts summary").click()
    assert page.locator('[data-alert="sound"]').is_checked()  # remembered in this browser
    assert page.locator("details.alerts summary").inner_text() == "Alerts on"


def test_without_opting_in_nothing_sounds_or_shows(signed_in_page, dashboard_url, sessions):
    page = signed_in_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(ALERT_STUBS)
    page.goto(dashboard_url + "/")
    refreshes = Refreshes(page)
    sessions.session("s_hello", status="active", lastSeen=minutes_ago(0))

    page.wait_for_selector('tr[data-row-id="s_hello"]', timeout=5_000)
    refreshes.wait(page, 1)

    assert page.evaluate("[window.__chimes, window.__notes.length, window.__asked]") == [0, 0, 0]
