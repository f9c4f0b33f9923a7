"""Starts `python -m localappwrite` in a child process on a free loopback port and hands back a handle to it:
the one way the demo, the tests and the benchmarks run the server. Imports nothing of the dashboard."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The directory holding the localappwrite package, so `-m localappwrite` finds it from any working directory.
ROOT = Path(__file__).resolve().parent.parent
SERVING = "serving http://"


@dataclass
class LocalAppwrite:
    """A running localappwrite: where it is, and how to talk to it."""

    process: subprocess.Popen
    host: str
    port: int
    project_id: str
    api_key: str
    data: str
    extra_args: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def set_faults(self, mode: str, count: int = -1, path_prefix: str = "/v1/", hang_seconds: float = 30,
                   retry_after: int | None = None, methods: tuple[str, ...] = ()) -> None:
        """Makes the next `count` API answers under `path_prefix` (and of `methods`, when given) fail: "500",
        "503", "429" (with Retry-After: `retry_after`), "hang", "garbage", "malformed", "html", "reset" or
        "lost" (see localappwrite/README.md). Needs a server started with `faults=True`.

        `set_faults("off")` restores normal answers.
        """
        body = {"mode": mode, "count": count, "path_prefix": path_prefix, "methods": list(methods),
                "hang_seconds": hang_seconds, "retry_after": retry_after}
        self._post_faults(body)

    def logged_requests(self) -> list[tuple[str, str]]:
        """(method, path?query) of the API requests answered so far, failed ones included, oldest first."""
        with urllib.request.urlopen(f"http://{self.host}:{self.port}/__requests__", timeout=5) as answer:
            return [(method, path) for method, path, _, _ in json.load(answer)["requests"]]

    def request_count(self) -> int:
        """How many API requests the server has answered since it started."""
        return int(self._post_faults({"mode": "off"})["requests"])

    def _post_faults(self, body: dict) -> dict:
        request = urllib.request.Request(f"http://{self.host}:{self.port}/__faults__",
                                         data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:
            if answer.status != 200:
                raise RuntimeError(f"localappwrite refused the faults request: {answer.status}")
            return json.load(answer)

    def stop(self) -> None:
        """SIGTERM (the server closes its database, folding the WAL into the file), SIGKILL after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def start_localappwrite(data: str = ":memory:", latency_ms: int = 0, faults: bool = True,
                        project_id: str | None = None, api_key: str | None = None,
                        port: int = 0, host: str = "127.0.0.1", extra_args: Sequence[str] = (),
                        own_process_group: bool = False) -> LocalAppwrite:
    """Starts the server (port 0: the system picks a free one) and waits until it prints the address it
    listens on; `extra_args` go to its command line (e.g. `["--scoped-key", "KEY=rows.read"]`). In a process
    group of its own, a Ctrl-C in the terminal does not reach it: the caller stops it.
    Raises RuntimeError when it exits or prints something else instead."""
    project_id = project_id or "test-project"
    api_key = api_key or "key_" + secrets.token_hex(16)
    command = [sys.executable, "-m", "localappwrite", "--host", host, "--port", str(port), "--data", data,
               "--project-id", project_id, "--api-key", api_key, "--latency-ms", str(latency_ms)]
    if faults:
        command.append("--enable-faults")
    command.extend(extra_args)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               process_group=0 if own_process_group else None)
    line = process.stdout.readline() if process.stdout else ""
    if SERVING not in line:
        process.kill()
        process.wait()
        raise RuntimeError(f"localappwrite did not start: {line.strip() or 'no output'}")
    address = line.strip().rsplit(SERVING, 1)[1].removesuffix("/v1")
    bound_host, bound_port = address.rsplit(":", 1)
    return LocalAppwrite(process, bound_host, int(bound_port), project_id, api_key, data, list(extra_args))
