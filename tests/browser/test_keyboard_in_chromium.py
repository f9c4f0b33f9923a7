"""Keyboard shortcuts of the list in real Chromium: j/k move, x selects, Enter opens, c closes after the
dashboard's own confirmation and goes on to the next row, / searches, ? lists the shortcuts, and none of it
fires while typing."""


import pytest

from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser


@pytest.fixture
def sessions(rows):
    # Newest activity first: s_a, s_b, s_c.
    rows.session("s_a", status="active", lastSeen=minutes_ago(1))
    rows.session("s_b", status="active", lastSeen=minutes_ago(2))
    rows.session("s_c", status="agent_assigned", lastSeen=minutes_ago(3))
    return rows


def current_row(page) -> str | None:
    return page.evaluate("(document.querySelector('tr.is-current') || {dataset: {}}).dataset.rowId || null")


def selected_rows(page) -> list[str]:
    return page.evaluate("Array.from(document.querySelectorAll('tr.is-selected'), (row) => row.dataset.rowId)")


def focused_row(page) -> str | None:
    return page.evaluate("(document.activeElement.closest('tr') || {dataset: {}}).dataset.rowId || null")


def test_j_and_k_move_the_current_row_and_the_focus(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')

    page.keyboard.press("j")
    assert current_row(page) == "s_a" and focused_row(page) == "s_a"
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last row
    assert current_row(page) == "s_c"
    page.keyboard.press("k")
    assert current_row(page) == "s_b" and focused_row(page) == "s_b"
    assert page.locator('tr[data-row-id="s_b"]').get_attribute("aria-current") == "true"


def test_x_selects_and_the_selection_and_current_row_survive_a_refresh(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')
    page.keyboard.press("j")
    page.keyboard.press("j")

    page.keyboard.press("x")
    assert page.locator('tr[data-row-id="s_b"] input[data-action="select"]').is_checked()

    # Another agent takes s_b: its row is refreshed in place while the keyboard is in the list.
    sessions.tables.update_row(sessions.database_id, "sessions", "s_b", {"status": "agent_assigned"})
    page.wait_for_selector('tr[data-row-id="s_b"][data-status="agent_assigned"]', timeout=5_000)

    assert page.locator('tr[data-row-id="s_b"] input[data-action="select"]').is_checked()
    assert not page.locator('tr[data-row-id="s_a"] input[data-action="select"]').is_checked()
    assert selected_rows(page) == ["s_b"]  # the row is shown selected, too
    assert current_row(page) == "s_b"
    page.keyboard.press("x")
    assert not page.locator('tr[data-row-id="s_b"] input[data-action="select"]').is_checked()
    assert selected_rows(page) == []


def test_enter_opens_the_current_session(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')
    page.keyboard.press("j")
    page.keyboard.press("j")

    page.keyboard.press("Enter")

    page.wait_for_url("**/sessions/s_b/")
    assert page.locator("h1").inner_text() == "s_b"


def test_c_asks_in_the_dashboards_own_dialog_then_closes_and_goes_on_to_the_next_row(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("j")

    page.keyboard.press("c")
    dialog = page.locator("dialog#confirm-close")
    assert dialog.is_visible() and dialog.inner_text().startswith("Close session s_a?")
    page.keyboard.press("Escape")  # kept open
    assert not dialog.is_visible()
    assert page.locator('tr[data-row-id="s_a"]').get_attribute("data-status") == "active"
    assert focused_row(page) == "s_a"

    page.keyboard.press("c")
    page.keyboard.press("Enter")  # the dialog's Close session button has the focus

    page.wait_for_selector('tr[data-row-id="s_a"][data-status="closed"] [data-action="undo"]')
    assert focused_row(page) == "s_b" and current_row(page) == "s_b"
    assert native == []
    page.keyboard.press("c")
    page.keyboard.press("Enter")
    page.wait_for_selector('tr[data-row-id="s_b"][data-status="closed"]')
    assert focused_row(page) == "s_c"


def test_slash_focuses_the_search_and_typing_there_fires_no_shortcut(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("jkxc?")

    assert page.locator('input[name="q"]').input_value() == "jkxc?"
    assert current_row(page) is None
    assert page.locator("dialog[open]").count() == 0


def test_modifier_keys_fire_no_shortcut(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')

    page.keyboard.press("Control+j")
    page.keyboard.press("Alt+j")

    assert current_row(page) is None


def test_question_mark_shows_the_shortcuts_and_escape_closes_them(page, dashboard_url, sessions):
    page.goto(dashboard_url + "/")
    page.wait_for_selector('tr[data-row-id="s_c"]')

    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    assert dialog.is_visible()
    assert "Close the current session" in dialog.inner_text()
    page.keyboard.press("j")  # no shortcut under the dialog
    assert current_row(page) is None

    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.get_by_role("button", name="Shortcuts").click()
    assert dialog.is_visible()
