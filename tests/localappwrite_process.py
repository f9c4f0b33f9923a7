"""Starts a real localappwrite server in a child process on a free loopback port, for tests and benchmarks."""

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

ROOT = Path(__file__).resolve().parent.parent


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
        "lost" (see localappwrite/README.md).

        `set_faults("off")` restores normal answers.
        """
        body = json.dumps({"mode": mode, "count": count, "path_prefix": path_prefix, "methods": list(methods),
                           "hang_seconds": hang_seconds, "retry_after": retry_after}).encode()
        req = urllib.request.Request(f"http://{self.host}:{self.port}/__faults__", data=body, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 200

    def logged_requests(self) -> list[tuple[str, str]]:
        """(method, path?query) of the API requests answered so far, failed ones included, oldest first."""
        with urllib.request.urlopen(f"http://{self.host}:{self.port}/__requests__", timeout=5) as r:
            return [(method, path) for method, path, _, _ in json.load(r)["requests"]]

    def request_count(self) -> int:
        """How many API requests the server has answered since it started."""
        req = urllib.request.Request(f"http://{self.host}:{self.port}/__faults__",
                                     data=json.dumps({"mode": "off"}).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return int(json.load(r)["requests"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_localappwrite(data: str = ":memory:", latency_ms: int = 0, faults: bool = True,
                        project_id: str | None = None, api_key: str | None = None,
                        port: int = 0, host: str = "127.0.0.1", extra_args: Sequence[str] = ()) -> LocalAppwrite:
    """Starts the server and waits until it prints the address it listens on; `extra_args` go to its command
    line (e.g. `["--scoped-key", "KEY=rows.read"]`)."""
    project_id = project_id or "test-project"
    api_key = api_key or "key_" + secrets.token_hex(16)
    args = [sys.executable, "-m", "localappwrite", "--host", host, "--port", str(port), "--data", data,
            "--project-id", project_id, "--api-key", api_key, "--latency-ms", str(latency_ms)]
    if faults:
        args.append("--enable-faults")
    args.extend(extra_args)
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=None, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline() if proc.stdout else ""
    if "serving http://" not in line:
        proc.kill()
        raise RuntimeError(f"localappwrite did not start: {line!r}")
    address = line.strip().rsplit("http://", 1)[1].removesuffix("/v1")
    h, p = address.rsplit(":", 1)
    return LocalAppwrite(proc, h, int(p), project_id, api_key, data, list(extra_args))
