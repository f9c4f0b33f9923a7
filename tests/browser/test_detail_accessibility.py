"""axe-core in real Chromium on the dashboard's pages: no serious or critical violation.

axe-core comes from the npm registry (package.json at the repo root, `npm ci`); without
node_modules/axe-core these tests are skipped with the reason, except on CI (CI=true), where they fail.
Pages covered: the list (also with the shortcuts dialog open and after a status change), the session
detail page, and, when their routes exist, the overview and the sign-in page."""

import os
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_path() -> Path:
    if not AXE.is_file():
        reason = f"axe-core is not installed ({AXE} is missing; run `npm ci` in the project root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return AXE


def url_of(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def blocking_violations(page, axe_path: Path) -> list[str]:
    """Runs axe on the page as it is; the serious and critical findings, one line each."""
    # The pages forbid inline scripts (CSP); the axe contexts are opened with bypass_csp=True.
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.fixture
def axe_page(signed_in_page):
    return signed_in_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)


@pytest.fixture
def sessions(rows):
    rows.session(
        "s_1763614351136",
        status="active",
        startTime=minutes_ago(30),
        lastSeen=minutes_ago(1),
        userMeta='{"browser":"Firefox 133","device":"Desktop","location":"Berlin, DE","screen":{"w":1920}}',
        theme='{"primaryColor":"#0f766e"}',
    )
    for role, text in [
        ("user", "Hello?"),
        ("assistant", "Hi! How can I help?"),
        ("agent", "Sam here."),
        ("system", "Agent joined"),
        ("user", "Long message. " * 80),
    ]:
        rows.tables.create_row(
            rows.database_id, "messages", "unique()", {"sessionId": "s_1763614351136", "role": role, "content": text}
        )
    rows.session("s_1763614290417", status="agent_assigned", lastSeen=minutes_ago(4))
    rows.session("s_1763613977031", status="closed", lastSeen=minutes_ago(90))
    rows.session("s_1763613000000", status="active", lastSeen=minutes_ago(60))  # idle
    return rows


def test_the_list_has_no_serious_violation(axe_page, dashboard_url, sessions, axe_path):
    axe_page.goto(dashboard_url + "/")
    axe_page.wait_for_selector('tr[data-row-id="s_1763614351136"]')

    assert blocking_violations(axe_page, axe_path) == []


def test_the_list_after_a_status_change_and_with_the_shortcuts_open_has_no_serious_violation(
    axe_page, dashboard_url, sessions, axe_path
):
    axe_page.goto(dashboard_url + "/")
    axe_page.locator('tr[data-row-id="s_1763614351136"] [data-action="take"]').click()
    axe_page.wait_for_selector('tr[data-row-id="s_1763614351136"] [data-action="undo"]')
    axe_page.keyboard.press("j")
    axe_page.keyboard.press("?")
    axe_page.wait_for_selector("dialog#shortcuts[open]")

    assert blocking_violations(axe_page, axe_path) == []


def test_the_detail_page_has_no_serious_violation(axe_page, dashboard_url, sessions, axe_path):
    axe_page.goto(dashboard_url + "/sessions/s_1763614351136/")
    axe_page.locator('#session-status [data-action="close"]').click()
    axe_page.wait_for_selector('#session-status [data-action="undo"]')

    assert blocking_violations(axe_page, axe_path) == []


def test_the_overview_has_no_serious_violation(axe_page, dashboard_url, sessions, axe_path):
    url = url_of("overview")
    if url is None:
        pytest.skip("no overview page yet (no URL named 'overview')")
    axe_page.goto(dashboard_url + url)

    assert blocking_violations(axe_page, axe_path) == []


def test_the_sign_in_page_has_no_serious_violation(browser, dashboard_url, axe_path):
    url = url_of("login")
    if url is None:
        pytest.skip("no sign-in page yet (no URL named 'login')")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(dashboard_url + url)
        assert blocking_violations(page, axe_path) == []
    finally:
        context.close()
