"""The list on the screens agents use, in real Chromium: no sideways scroll and every row's action on screen
from a phone to a wide screen (with a 255-character unbroken ID, a right-to-left override and a long status
among the rows), cards on a phone, at least 12 sessions at 1440 × 900, dark mode after the browser's
preference, and the whole of a cut message on demand."""

import dataclasses

import pytest

from dashboard.appwrite import live, records
from tests.browser.test_detail_accessibility import axe_path, blocking_violations  # noqa: F401 (a fixture)
from tests.dashboard_fixtures import minutes_ago
from tests.hostile_fixtures import RLO

pytestmark = pytest.mark.browser

LONG_ID = "s_" + "7" * 253
LONG_MESSAGE = "Hello, I ordered the blue jacket last week and the tracking page still says pending, " * 4 + "END"
META = '{"browser":"Samsung Internet 26.0","device":"Android tablet","location":"São Paulo, BR"}'


@pytest.fixture
def crowded(rows, monkeypatch):
    rows.session(LONG_ID, row_id="long_id", startTime=minutes_ago(9), lastSeen=minutes_ago(0), userMeta=META)
    rows.session(f"s_1{RLO}gpj.exe", row_id="rlo", status="active", lastSeen=minutes_ago(1), userMeta=META)
    rows.session("s_status", row_id="status", status="waiting_for_customer_reply_from_billing", lastSeen=minutes_ago(2))
    for number in range(20):
        rows.session(
            f"s_17636143{number:05d}",
            row_id=f"row{number}",
            status=["active", "agent_assigned", "closed"][number % 3],
            startTime=minutes_ago(30 + number),
            lastSeen=minutes_ago(3 + number),
            userMeta=META,
            theme='{"primaryColor":"#7c3aed"}',
        )
    load = live.load_session_list
    last = {LONG_ID: records.LastMessage(LONG_MESSAGE, records.VISITOR, minutes_ago(7))}
    last.update({f"s_17636143{n:05d}": records.LastMessage("Thanks, that fixed it!", records.AGENT, minutes_ago(3))
                 for n in range(20)})  # fmt: skip

    def with_previews(*args, **kwargs):
        return dataclasses.replace(load(*args, **kwargs), last_messages=last)

    monkeypatch.setattr(live, "load_session_list", with_previews)
    return rows


def open_list(signed_in_page, url: str, width: int, height: int = 900, scheme: str = "light"):
    page = signed_in_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    page.goto(url + "/")
    page.wait_for_selector('tr[data-row-id="long_id"]')
    return page


ACTIONS_OFF_SCREEN = """() => Array.from(document.querySelectorAll('#session-rows tbody tr[data-row-id]'))
  .filter((row) => Array.from(row.querySelectorAll('td:last-child > button'))
    .filter((b) => getComputedStyle(b).display !== 'none')
    .some((b) => { const r = b.getBoundingClientRect(); return r.width === 0 || r.left < 0 || r.right > innerWidth; }))
  .map((row) => row.dataset.rowId)"""


@pytest.mark.parametrize("width", [390, 1024, 1280, 1440])
def test_no_sideways_scroll_and_every_rows_action_on_screen(signed_in_page, dashboard_url, crowded, width):
    page = open_list(signed_in_page, dashboard_url, width)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(ACTIONS_OFF_SCREEN) == []
    assert page.locator('tr[data-row-id="long_id"] [data-action="close"]').is_visible()


def test_on_a_phone_each_session_is_a_card_with_status_ages_message_and_action(signed_in_page, dashboard_url, crowded):
    page = open_list(signed_in_page, dashboard_url, 390, 844)
    card = page.locator('tr[data-row-id="long_id"]')

    assert card.evaluate("(row) => getComputedStyle(row).display") == "grid"
    for part in ["th a", "td:nth-child(3) b", '[data-field="preview"]', '[data-field="waiting-since"]',
                 '[data-field="last-seen"]', '[data-action="close"]']:  # fmt: skip
        assert card.locator(part).is_visible(), part
    box = card.bounding_box()
    assert box["width"] <= 390 and box["height"] < 140


def test_at_least_twelve_sessions_show_at_1440_by_900(signed_in_page, dashboard_url, crowded):
    page = open_list(signed_in_page, dashboard_url, 1440, 900)

    shown = page.evaluate("""() => Array.from(document.querySelectorAll('#session-rows tbody tr[data-row-id]'))
      .filter((row) => { const r = row.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })
      .length""")

    assert shown >= 12


def test_dark_mode_follows_the_browsers_preference(signed_in_page, dashboard_url, crowded):
    def luminance(page, selector: str, prop: str) -> float:
        rgb = page.locator(selector).first.evaluate(f"(el) => getComputedStyle(el).{prop}")
        red, green, blue = [int(part) for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255

    dark = open_list(signed_in_page, dashboard_url, 1280, scheme="dark")
    light = open_list(signed_in_page, dashboard_url, 1280, scheme="light")

    assert luminance(dark, "body", "backgroundColor") < 0.15 and luminance(dark, "body", "color") > 0.8
    assert luminance(dark, "#session-rows", "backgroundColor") < 0.2
    assert luminance(light, "body", "backgroundColor") > 0.9 and luminance(light, "body", "color") < 0.2


@pytest.mark.parametrize(("width", "scheme"), [(1400, "dark"), (390, "light")])
def test_the_list_in_dark_mode_and_on_a_phone_has_no_serious_violation(
    signed_in_page, dashboard_url, crowded, axe_path, width, scheme  # noqa: F811
):
    page = signed_in_page(viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True)
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="long_id"]')

    assert blocking_violations(page, axe_path) == []


def test_a_long_id_is_cut_but_whole_on_hover_and_when_copied(signed_in_page, dashboard_url, crowded):
    page = open_list(signed_in_page, dashboard_url, 1280)
    link = page.locator('tr[data-row-id="long_id"] th a')

    assert link.evaluate("(a) => a.scrollWidth > a.clientWidth")  # cut with an ellipsis
    link.hover()
    assert link.get_attribute("title") == LONG_ID
    assert link.inner_text() == LONG_ID  # what a copy takes


def test_a_right_to_left_override_in_an_id_reorders_nothing(signed_in_page, dashboard_url, crowded):
    page = open_list(signed_in_page, dashboard_url, 1280)

    assert page.locator('tr[data-row-id="rlo"] th bdi').inner_text() == "s_1\\u202egpj.exe"


def test_the_whole_of_a_cut_message_shows_on_a_click_or_a_key(signed_in_page, dashboard_url, crowded):
    page = open_list(signed_in_page, dashboard_url, 1280)
    preview = page.locator('tr[data-row-id="long_id"] [data-field="preview"]')
    height = preview.bounding_box()["height"]
    assert preview.get_attribute("aria-expanded") == "false"

    preview.click()

    assert preview.get_attribute("aria-expanded") == "true" and preview.bounding_box()["height"] > 2 * height
    assert preview.inner_text().endswith("END")
    preview.press("Enter")
    assert preview.get_attribute("aria-expanded") == "false"
    assert page.url.endswith("/")  # Enter on the message did not open the session
