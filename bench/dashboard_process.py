"""A real dashboard process (Django's threaded development server, without autoreload) for the benchmark
and the multi-process tests, and an agent signed in to it over HTTP like a browser would."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Dashboard:
    process: subprocess.Popen
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        """Resident memory of the process (VmRSS in /proc), in KiB."""
        text = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_dashboard(env: dict[str, str], log_path: Path | None = None) -> Dashboard:
    """Starts `manage.py runserver --noreload` on a free port and waits until /healthz answers."""
    port = free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard stopped at start (exit {process.returncode}); see {log_path}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return Dashboard(process, url)
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the dashboard did not answer /healthz within 30 s")


def signed_in(url: str, email: str, password: str) -> requests.Session:
    """An HTTP session signed in through /login/ (CSRF token from the form); a dashboard without
    sign-in (before agents sign in) just lets it through."""
    http = requests.Session()
    answer = http.get(url + "/login/", timeout=10)
    if answer.status_code == 404:
        return http  # no sign-in in this version of the dashboard
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text)
    data = {"email": email, "password": password, "csrfmiddlewaretoken": token.group(1) if token else ""}
    headers = {"Referer": url + "/login/"}
    done = http.post(url + "/login/", data=data, headers=headers, allow_redirects=False, timeout=10)
    if done.status_code not in (301, 302, 303):
        raise RuntimeError(f"sign-in failed ({done.status_code}): {done.text[:300]}")
    return http
