"""Agents for tests: Appwrite users made through the SDK (in the agents team or not, blocked or not),
and Django test clients and Playwright pages signed in through the real /login/ form.

One agent signs in once for the whole run (`shared_sign_in`, renewed now and then): `client`, `agent_cookie`
and the pages get copies of its cookies. A test that signs out, or must not share a sign-in, takes
`freshly_signed_in_client` or calls `sign_in` itself: signing out ends every copy of a sign-in."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client, override_settings

AGENTS_TEAM_ID = "support-agents"  # the default APPWRITE_AGENTS_TEAM_ID
# The shared sign-in is renewed this often: well before this process asks Appwrite about it again
# (DASHBOARD_SESSION_CHECK_SECONDS, 30 s; the membership every 5 minutes), so that no test meets a check it did
# not ask for (a test pointing the dashboard at another Appwrite, which knows nothing of the sign-in, included).
SHARED_SIGN_IN_SECONDS = 10


@dataclass(frozen=True)
class AgentAccount:
    user_id: str
    email: str
    password: str
    name: str


class AgentAccounts:
    """Creates and changes Appwrite users and memberships with the SDK, as an admin would."""

    def __init__(self, endpoint: str, project_id: str, api_key: str):
        from appwrite.client import Client as AppwriteClient
        from appwrite.services.teams import Teams
        from appwrite.services.users import Users

        client = AppwriteClient().set_endpoint(endpoint).set_project(project_id).set_key(api_key)
        self.users = Users(client)
        self.teams = Teams(client)

    def ensure_team(self, team_id: str = AGENTS_TEAM_ID) -> None:
        from appwrite.exception import AppwriteException

        try:
            self.teams.create(team_id, "Support agents")
        except AppwriteException as error:
            if error.code != 409:
                raise

    def user(self, *, member: bool = True, name: str = "Test agent", team_id: str = AGENTS_TEAM_ID) -> AgentAccount:
        from appwrite.id import ID

        email = f"agent-{uuid.uuid4().hex[:10]}@example.com"
        password = "pw-" + uuid.uuid4().hex
        created = self.users.create(ID.unique(), email=email, password=password, name=name)
        if member:
            self.ensure_team(team_id)
            self.teams.create_membership(team_id, [], user_id=created.id)
        return AgentAccount(user_id=created.id, email=email, password=password, name=name)

    def remove_from_team(self, agent: AgentAccount, team_id: str = AGENTS_TEAM_ID) -> None:
        from appwrite.query import Query

        memberships = self.teams.list_memberships(team_id, queries=[Query.equal("userId", [agent.user_id])])
        for membership in memberships.memberships:
            self.teams.delete_membership(team_id, membership.id)

    def block(self, agent: AgentAccount) -> None:
        self.users.update_status(agent.user_id, False)


def csrf_token(client: Client) -> str:
    """A token to post with: the CSRF cookie (HttpOnly, but the test client sees it), else the sign-in form's."""
    if "csrftoken" in client.cookies:
        return client.cookies["csrftoken"].value
    html = client.get("/login/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def post_sign_in(client: Client, email: str, password: str, **extra):
    data = {"email": email, "password": password, "csrfmiddlewaretoken": csrf_token(client), **extra}
    return client.post("/login/", data)


def sign_in(client: Client, agent: AgentAccount, server) -> Client:
    """Signs the client in through /login/ against the test run's localappwrite, whatever the test
    has done to the settings (e.g. pointed them at an unreachable Appwrite)."""
    real = {
        "APPWRITE_ENDPOINT": server.endpoint,
        "APPWRITE_PROJECT_ID": server.project_id,
        "APPWRITE_API_KEY": server.api_key,
        "APPWRITE_TIMEOUT_SECONDS": 5,
        "APPWRITE_AGENTS_TEAM_ID": AGENTS_TEAM_ID,
    }
    with override_settings(**real):
        response = post_sign_in(client, agent.email, agent.password)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture(scope="session")
def agent_accounts(appwrite_server) -> AgentAccounts:
    return AgentAccounts(appwrite_server.endpoint, appwrite_server.project_id, appwrite_server.api_key)


@pytest.fixture(scope="session")
def agent(agent_accounts) -> AgentAccount:
    """One member of the agents team for the whole run (tests that change an agent make their own)."""
    return agent_accounts.user(name="Ada Agent")


class SharedSignIn:
    """The run's agent, signed in through /login/ once and again every SHARED_SIGN_IN_SECONDS."""

    def __init__(self, agent: AgentAccount, server):
        self.agent, self.server = agent, server
        self._client: Client | None = None
        self._signed_in_at = 0.0

    def cookies(self) -> dict[str, str]:
        """The session and CSRF cookies, by name."""
        if self._client is None or time.monotonic() - self._signed_in_at > SHARED_SIGN_IN_SECONDS:
            self._client = sign_in(Client(), self.agent, self.server)
            self._signed_in_at = time.monotonic()
        return {name: morsel.value for name, morsel in self._client.cookies.items()}

    def client(self) -> Client:
        """A new test client holding a copy of the cookies (what it does to them stays its own)."""
        client = Client()
        for name, value in self.cookies().items():
            client.cookies[name] = value
        return client


@pytest.fixture(scope="session")
def shared_sign_in(agent, appwrite_server) -> SharedSignIn:
    return SharedSignIn(agent, appwrite_server)


@pytest.fixture
def client(shared_sign_in) -> Client:
    """A Django test client signed in as `agent`, with the run's shared sign-in (see the module's note)."""
    return shared_sign_in.client()


@pytest.fixture
def freshly_signed_in_client(agent, appwrite_server) -> Client:
    """Signed in as `agent` by a sign-in of its own, for a test that signs out or spoils the sign-in."""
    return sign_in(Client(), agent, appwrite_server)


@pytest.fixture
def agent_cookie(shared_sign_in) -> dict:
    """The session cookie of the shared sign-in, for a browser context."""
    from django.conf import settings

    return {"name": settings.SESSION_COOKIE_NAME, "value": shared_sign_in.cookies()[settings.SESSION_COOKIE_NAME]}


@pytest.fixture
def signed_in_page(browser, dashboard_server, agent_cookie) -> Callable:
    """Opens more signed-in pages (each in its own browser context), closed after the test."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(**context_options)
        context.add_cookies([{**agent_cookie, "url": dashboard_server}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def clear_sign_in_throttle() -> Iterator[None]:
    """Sign-in attempts are counted per client address, which every test client shares (this process's
    counters, or Redis's when a test configures the "security" cache alias)."""
    from dashboard import sign_in_throttle

    sign_in_throttle.counts().clear()
    yield
    sign_in_throttle.counts().clear()
