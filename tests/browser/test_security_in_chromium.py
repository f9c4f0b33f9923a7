"""In real Chromium, under the real Content-Security-Policy: hostile rows run nothing, open no dialog
and make no request to an address in the data; signing in and an expired session work as meant."""

import pytest

from tests.hostile_fixtures import RLO

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""

# For each text node holding a bidi override: is it isolated from the text around it?
UNISOLATED_OVERRIDES = """(rlo) => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.data.includes(rlo)) continue;
    let el = node.parentElement, isolated = false;
    while (el && !isolated) {
      const style = getComputedStyle(el);
      isolated = ["isolate", "plaintext", "isolate-override"].includes(style.unicodeBidi)
        || !style.display.startsWith("inline");
      el = el.parentElement;
    }
    if (!isolated) bad.push(node.parentElement.outerHTML.slice(0, 200));
  }
  return bad;
}"""


class Watcher:
    """What a page did: dialogs, requests, console messages and CSP violations."""

    def __init__(self, page, origin: str):
        self.page, self.origin = page, origin
        self.dialogs, self.requests, self.console = [], [], []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append(message.text))
        page.add_init_script(WATCH_CSP)

    def assert_nothing_happened(self):
        assert self.dialogs == []
        assert self.page.evaluate("window.__pwned") is None
        assert self.page.evaluate("window.__csp") == []
        assert [line for line in self.console if "Content Security Policy" in line] == []
        assert [url for url in self.requests if not url.startswith((self.origin + "/", "data:"))] == []


def test_hostile_rows_run_nothing_and_call_nowhere_in_the_list_and_the_session_page(signed_in_page, dashboard_url,
                                                                                    hostile_rows):  # fmt: skip
    page = signed_in_page(viewport={"width": 1400, "height": 900})
    watcher = Watcher(page, dashboard_url)

    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="hostile_1"]')
    for summary in page.locator("#session-rows details summary").all():
        summary.click()
    for chip in page.locator("#session-rows .chip").all():
        chip.hover()
    page.wait_for_timeout(2_500)  # a few live refreshes swap the rows in again
    assert page.evaluate(UNISOLATED_OVERRIDES, RLO) == []
    watcher.assert_nothing_happened()

    for row_id in ("hostile_1", "hostile_2"):
        page.goto(f"{dashboard_url}/sessions/{row_id}/")
        page.wait_for_load_state("networkidle")
        for summary in page.locator("details summary").all():
            if summary.is_visible():
                summary.click()
        page.wait_for_timeout(1_500)
        assert page.evaluate(UNISOLATED_OVERRIDES, RLO) == []
        watcher.assert_nothing_happened()


def test_an_agent_signs_in_through_the_form_and_out_again(browser, dashboard_url, agent):
    context = browser.new_context()
    page = context.new_page()
    watcher = Watcher(page, dashboard_url)

    page.goto(dashboard_url + "/?status=active")
    page.wait_for_url("**/login/?next=*")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(agent.password)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/?status=active")
    page.wait_for_selector("#session-rows")
    page.wait_for_timeout(1_500)
    watcher.assert_nothing_happened()

    page.locator('[data-action="sign-out"]').click()
    page.wait_for_url("**/login/")
    assert "You are signed out." in page.content()
    context.close()


def test_an_expired_session_sends_the_live_list_to_the_sign_in_page(signed_in_page, dashboard_url, settings):
    page = signed_in_page()
    page.goto(dashboard_url + "/")
    page.wait_for_selector("#session-rows")

    # The session expires where it is checked, on the server: from now on every session cookie is too
    # old, also one that a live refresh already on its way sets again (SESSION_SAVE_EVERY_REQUEST).
    # Clearing the browser's cookies alone raced such a refresh, which put the cookie back.
    settings.SESSION_COOKIE_AGE = -1
    page.context.clear_cookies()

    page.wait_for_url("**/login/**", timeout=5_000)
    assert page.locator("#session-rows").count() == 0
    assert page.locator('input[name="password"]').count() == 1
