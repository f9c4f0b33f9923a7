"""The official web SDK (`appwrite` on npm) in a real Chromium page signs in against localappwrite and reads
`account.get()`, as a chat widget or a client app does: CORS preflights, the session cookies on the same site,
`X-Fallback-Cookies` across sites, and the cookies cleared on sign-out.

The page is served by a small HTTP server of its own (another origin than the API), with the SDK's browser
build from node_modules."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from appwrite.services.users import Users

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "node_modules" / "appwrite" / "dist" / "iife" / "sdk.js"
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>widget</title>
<script src="/sdk.js"></script></head><body><p>chat widget</p></body></html>"""

SIGN_IN = """async ({endpoint, project, email, password}) => {
    const client = new Appwrite.Client().setEndpoint(endpoint).setProject(project);
    const account = new Appwrite.Account(client);
    const session = await account.createEmailPasswordSession({email, password});
    const me = await account.get();
    return {session, me, fallback: window.localStorage.getItem('cookieFallback')};
}"""
SIGN_OUT = """async ({endpoint, project}) => {
    const client = new Appwrite.Client().setEndpoint(endpoint).setProject(project);
    const account = new Appwrite.Account(client);
    await account.deleteSession({sessionId: 'current'});
    try { await account.get(); return {after: 'still signed in'}; }
    catch (e) { return {after: e.code + ' ' + e.type, fallback: window.localStorage.getItem('cookieFallback')}; }
}"""


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    path = path if os.path.isfile(path) and os.access(path, os.X_OK) else shutil.which(path)
    if path is None:
        _missing("no Chromium (set $CHROMIUM)")
    if not SDK.is_file():
        _missing(f"no {SDK.relative_to(ROOT)} (run `make node_modules/.installed`)")
    return path


def in_chromium(scenario: Callable[[Any], Any]) -> Any:
    """Runs `scenario(browser)` in a Chromium of its own, on a thread of its own: Playwright's sync API refuses to
    start where another one already runs its event loop (tests/browser's session-wide browser does)."""
    path = _chromium_path()

    def run() -> Any:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                return scenario(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=120)


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body, kind = (SDK.read_bytes(), "text/javascript") if self.path == "/sdk.js" else (PAGE, "text/html")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def visitor(admin_client, new_id):
    email = f"{new_id('w')}@example.com"
    return Users(admin_client).create(user_id="unique()", email=email, password=PASSWORD, name="Web Visitor")


def _open(browser: Any, url: str) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => window.Appwrite && window.Appwrite.Client")
    return context, page


def test_the_web_sdk_signs_in_with_the_session_cookie_on_the_same_site(page_port, appwrite_server, visitor):
    args = {"endpoint": appwrite_server.endpoint, "project": appwrite_server.project_id, "email": visitor.email,
            "password": PASSWORD}

    def scenario(browser: Any) -> dict[str, Any]:
        context, page = _open(browser, f"http://127.0.0.1:{page_port}/")  # another port: another origin, same site
        signed_in = page.evaluate(SIGN_IN, args)
        cookies = context.cookies(appwrite_server.endpoint)
        signed_out = page.evaluate(SIGN_OUT, args)
        return {"signed_in": signed_in, "cookies": cookies, "signed_out": signed_out,
                "left": context.cookies(appwrite_server.endpoint)}

    seen = in_chromium(scenario)
    signed_in = seen["signed_in"]
    assert signed_in["me"]["$id"] == visitor.id and signed_in["me"]["email"] == visitor.email
    assert "password" not in signed_in["me"]
    assert signed_in["session"]["userId"] == visitor.id and signed_in["session"]["current"] is True
    assert signed_in["session"]["secret"] == ""  # hidden from a client without a key
    names = {c["name"]: c for c in seen["cookies"]}
    legacy = names[f"a_session_{appwrite_server.project_id}_legacy"]
    assert legacy["httpOnly"] and legacy["path"] == "/" and legacy["expires"] > 0
    # Chromium refuses `SameSite=None` without Secure on plain HTTP: the legacy cookie is the one it keeps,
    # which is what Appwrite sends it for.
    assert seen["signed_out"]["after"] == "401 general_unauthorized_scope"
    assert not [c for c in seen["left"] if c["name"].startswith("a_session_")]


def test_across_sites_the_web_sdk_keeps_the_session_from_x_fallback_cookies(page_port, appwrite_server, visitor):
    args = {"endpoint": appwrite_server.endpoint, "project": appwrite_server.project_id, "email": visitor.email,
            "password": PASSWORD}

    def scenario(browser: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        _, page = _open(browser, f"http://localhost:{page_port}/")  # localhost → 127.0.0.1 is cross-site
        return page.evaluate(SIGN_IN, args), page.evaluate(SIGN_OUT, args)

    signed_in, signed_out = in_chromium(scenario)
    assert signed_in["me"]["$id"] == visitor.id
    assert f"a_session_{appwrite_server.project_id}" in signed_in["fallback"]
    assert signed_out == {"after": "401 general_unauthorized_scope", "fallback": "[]"}
