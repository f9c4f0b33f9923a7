"""Talking to one chosen worker process of the production server: a keep-alive connection is served by the
worker that accepted it for as long as it stays open, and the access log (which writes the worker's pid and
the X-Forwarded-For header) tells which worker that is."""

from __future__ import annotations

import http.client
import re
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.gunicorn_process import Gunicorn

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def cookie(self, name: str) -> str | None:
        """The value this answer sets for a cookie, if it sets one."""
        for header in self.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            if name in jar:
                return jar[name].value
        return None


class WorkerConnection:
    """One HTTP/1.1 connection kept open, so that every request on it reaches the same worker (`pid`). It
    never reconnects behind the caller's back: a request after the server closed it fails the test."""

    def __init__(self, server: Gunicorn):
        host, port = server.url.removeprefix("http://").split(":")
        self.server = server
        self.http = http.client.HTTPConnection(host, int(port), timeout=30)
        self.http.connect()
        self._socket = self.http.sock
        marker = f"which-worker-{uuid.uuid4().hex}"
        self.get("/healthz", headers={"X-Forwarded-For": marker})
        self.pid = _pid_logged_for(server, marker)

    def request(self, method: str, path: str, *, cookies: dict[str, str] | None = None,
                form: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Answer:  # fmt: skip
        assert self.http.sock is self._socket, "the connection was closed: the next worker could be any"
        sent = dict(headers or {})
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        self.http.request(method, path, body=body, headers=sent)
        response = self.http.getresponse()
        text = response.read().decode("utf-8", "replace")
        assert not response.will_close, f"the server closed the connection after {method} {path}"
        return Answer(response.status, response.headers, text)

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def sign_in(self, email: str, password: str) -> str:
        """Signs in through /login/ on this worker; the session cookie's value."""
        form = self.get("/login/")
        csrf = form.cookie("csrftoken")
        token = CSRF_FIELD.search(form.text).group(1)
        done = self.request("POST", "/login/", cookies={"csrftoken": csrf},
                            form={"email": email, "password": password, "csrfmiddlewaretoken": token})  # fmt: skip
        assert done.status == 302, done.text[:500]
        return done.cookie("sessionid")

    def sign_out(self, session: str) -> Answer:
        """Signs out through the page's own form (its CSRF token), with this session cookie."""
        page = self.get("/", cookies={"sessionid": session})
        token = CSRF_FIELD.search(page.text).group(1)
        csrf = page.cookie("csrftoken") or token
        return self.request("POST", "/logout/", cookies={"sessionid": session, "csrftoken": csrf},
                            form={"csrfmiddlewaretoken": token})  # fmt: skip

    def close(self) -> None:
        self.http.close()


def _pid_logged_for(server: Gunicorn, marker: str, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(rf'<(\d+)> xff="{marker}"', server.log())
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {marker}")


def one_connection_per_worker(server: Gunicorn, tries: int = 50) -> dict[int, WorkerConnection]:
    """Opens connections until every worker holds one: {pid: connection}."""
    found: dict[int, WorkerConnection] = {}
    workers = set(server.workers())
    for _ in range(tries):
        connection = WorkerConnection(server)
        if connection.pid in found:
            connection.close()
        else:
            found[connection.pid] = connection
        if set(found) == workers:
            return found
    raise AssertionError(f"reached workers {sorted(found)} of {sorted(workers)} in {tries} connections")
