"""The dashboard as production serves it, for the load run and the serving tests: static files collected
into a STATIC_ROOT of the caller's, then gunicorn with the repository's gunicorn.conf.py on a free loopback
port, and its workers found through /proc (their memory, and that none outlives the master)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.dashboard_process import free_port

ROOT = Path(__file__).resolve().parent.parent


def collect_static(env: dict[str, str], static_root: Path) -> None:
    """`manage.py collectstatic` into `static_root` (hashed names, gzip copies, the manifest)."""
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT, env={**env, "DJANGO_STATIC_ROOT": str(static_root)}, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{done.stdout}\n{done.stderr}")


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (in parentheses) may hold spaces: the fields after its closing one are fixed.
    return int(stat.rsplit(")", 1)[1].split()[1])


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent_of(int(entry.name)) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    """Resident memory of a process (VmRSS in /proc), in KiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1))


@dataclass
class Gunicorn:
    process: subprocess.Popen
    url: str
    log_path: Path

    def workers(self) -> list[int]:
        return children_of(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as a process manager stops it (graceful: workers finish what they hold); the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_gunicorn(env: dict[str, str], static_root: Path, log_path: Path, workers: int = 2) -> Gunicorn:
    """Starts gunicorn with gunicorn.conf.py (STATIC_ROOT already collected) on a free loopback port and
    waits until every worker is up and /healthz answers."""
    port = free_port()
    log = open(log_path, "ab")  # noqa: SIM115 (the child keeps writing to it)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**env, "DJANGO_STATIC_ROOT": str(static_root), "WEB_CONCURRENCY": str(workers)},
        stdout=log,
        stderr=log,
    )
    log.close()
    server = Gunicorn(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit {process.returncode}):\n{server.log()[-3000:]}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200 and len(server.workers()) == workers:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{server.log()[-3000:]}")


def environment(**values: str) -> dict[str, str]:
    """This process's environment with `values` on top, without a DJANGO_DEBUG that would refuse the start."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    # As `make serve` runs it (see the Makefile): fewer glibc arenas for gunicorn's threads.
    return {**env, "PYTHONUNBUFFERED": "1", "MALLOC_ARENA_MAX": env.get("MALLOC_ARENA_MAX", "2"), **values}
