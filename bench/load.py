"""`make load`: signed-in agents against the dashboard as production serves it (gunicorn with gunicorn.conf.py,
2 workers, collected static files) and localappwrite, for a bounded time; with --soak-seconds, the memory of
each gunicorn worker over a longer run.

    python -m bench.load [--agents 50] [--seconds 60] [--soak-seconds 0] [--sessions 3000] [--latency-ms 0]

Each agent signs in over HTTP with its own cookie, opens the list (half of them All, half Active), then polls
the live fragment the way htmx does (`HX-Request`, `X-Rows-Version`) every DASHBOARD_POLL_SECONDS; now and then
it closes an active session it sees (htmx POST with the CSRF token, like the page) and reopens it a little
later, so the data never runs out. Meanwhile visitors bump `lastSeen` of a few sessions every second and write
a message. An error is any answer outside 2xx/3xx, any exception, and any answer that shows the agent an
Appwrite problem (the list's banner, a close's error in its row). Exits 1 on any error, or when a worker's
memory grows more than 10% over the soak.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import appwrite_log  # noqa: E402
from bench.dashboard_process import signed_in  # noqa: E402
from bench.figures import machine, percentile  # noqa: E402
from bench.gunicorn_process import Gunicorn, collect_static, rss_kib, start_gunicorn  # noqa: E402
from bench.seeding import API_KEY, DATABASE_ID, PROJECT_ID, dashboard_env, manage, seeded_copy  # noqa: E402
from localappwrite.launcher import LocalAppwrite, start_localappwrite  # noqa: E402

AGENT_EMAIL = "load-agent@agents.local"
AGENT_PASSWORD = "load-agent-password-1"
WORKERS = 2
# Each poll, an agent closes one of the active sessions it sees with this chance (--close-chance), and
# reopens what it closed this many seconds later.
CLOSE_CHANCE = 0.05
REOPEN_AFTER_SECONDS = 10.0
MEMORY_GROWTH_LIMIT = 0.10
SAMPLE_SECONDS = 5.0
ROW = re.compile(r'<tr data-row-id="([^"]+)" data-session-id="[^"]*" data-status="([^"]*)"')
VERSION = re.compile(r'data-rows-version="([^"]+)"')
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


def say(text: str) -> None:
    print(text, flush=True)


@dataclass
class Results:
    """Every request's kind, answer and time, and what went wrong, from all agents' threads."""

    times_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, send, problem_in=None) -> requests.Response | None:
        """Sends one request, notes it, and returns the answer unless it was an error."""
        started = time.monotonic()
        try:
            answer = send()
        except requests.RequestException as error:
            self.note(kind, time.monotonic() - started, "exception", f"{kind}: {error!r}")
            return None
        problem = None
        if not 200 <= answer.status_code < 400:
            problem = f"{kind}: answered {answer.status_code}: {answer.text[:200]!r}"
        elif problem_in is not None:
            problem = problem_in(answer)
        self.note(kind, time.monotonic() - started, answer.status_code, problem)
        return None if problem else answer

    def note(self, kind: str, seconds: float, status, problem: str | None) -> None:
        with self.lock:
            self.times_ms[kind].append(seconds * 1000)
            self.answers[kind][status] += 1
            if problem:
                self.errors.append(problem)


def _banner(answer: requests.Response) -> str | None:
    """The notice the list shows when Appwrite failed (templates/dashboard/notices.html)."""
    found = re.search(r'<div class="banner"[^>]*>(.*?)</div>', answer.text, re.S)
    return f"the list showed a problem: {' '.join(re.sub('<[^>]+>', '', found.group(1)).split())}" if found else None


def _row_error(answer: requests.Response) -> str | None:
    if "HX-Retarget" in answer.headers:
        return f"the row showed an error: {answer.text[:200]!r}"
    return None


class Agent:
    """One browser tab: its cookies, the rows version and rows it shows, the sessions it closed."""

    def __init__(self, url: str, http: requests.Session, path: str, results: Results, poll_seconds: float,
                 close_chance: float):
        self.url, self.http, self.path = url, http, path
        self.results, self.poll_seconds, self.close_chance = results, poll_seconds, close_chance
        self.version, self.csrf = "", ""
        self.active: list[str] = []
        self.closed: list[tuple[float, str]] = []
        self.rng = random.Random()

    def _shows(self, html: str) -> None:
        found = VERSION.search(html)
        self.version = found.group(1) if found else ""
        self.active = [row_id for row_id, status in ROW.findall(html) if status == "active"]

    def open_page(self) -> bool:
        answer = self.results.timed("page", lambda: self.http.get(self.url + self.path, timeout=30), _banner)
        if answer is None:
            return False
        self._shows(answer.text)
        found = CSRF.search(answer.text)
        self.csrf = found.group(1) if found else ""
        return True

    def poll(self) -> None:
        headers = {"HX-Request": "true", "HX-Target": "session-rows", "X-Rows-Version": self.version}
        answer = self.results.timed(
            "poll", lambda: self.http.get(self.url + self.path, headers=headers, timeout=30), _banner
        )
        if answer is not None and answer.status_code == 200:
            self._shows(answer.text)

    def change(self, action: str, row_id: str) -> bool:
        def send() -> requests.Response:
            return self.http.post(
                f"{self.url}/sessions/{row_id}/{action}/",
                data={"csrfmiddlewaretoken": self.csrf, "next": self.path},
                headers={"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.url + self.path},
                timeout=30,
            )

        return self.results.timed(action, send, _row_error) is not None

    def run(self, stop_at: float) -> None:
        time.sleep(self.rng.random() * self.poll_seconds)  # tabs open at different moments
        if not self.open_page():
            return
        while True:
            # Like htmx's `every`: the next poll is due one interval after this one started.
            due = time.monotonic() + self.poll_seconds
            now = time.monotonic()
            while self.closed and now - self.closed[0][0] >= REOPEN_AFTER_SECONDS:
                self.change("reopen", self.closed.pop(0)[1])
            if self.active and self.rng.random() < self.close_chance:
                row_id = self.rng.choice(self.active)
                if self.change("close", row_id):
                    self.closed.append((time.monotonic(), row_id))
            if due >= stop_at:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            self.poll()
        for _, row_id in self.closed:  # leave the data as it was found
            self.change("reopen", row_id)


class Visitors:
    """The chat widget: every second, `lastSeen` of a few active sessions moves on, and one gets a message."""

    def __init__(self, server: LocalAppwrite, results: Results, per_second: int = 3):
        self.http = requests.Session()
        self.http.headers.update({"X-Appwrite-Project": server.project_id, "X-Appwrite-Key": server.api_key})
        self.tables = f"{server.endpoint}/tablesdb/{DATABASE_ID}/tables"
        queries = [{"method": "equal", "attribute": "status", "values": ["active"]},
                   {"method": "orderDesc", "attribute": "lastSeen"}, {"method": "limit", "values": [100]}]
        params = [(f"queries[{i}]", json.dumps(query)) for i, query in enumerate(queries)]
        answer = self.http.get(f"{self.tables}/sessions/rows", params=params, timeout=30)
        answer.raise_for_status()
        self.rows = [(row["$id"], row["sessionId"]) for row in answer.json()["rows"]]
        self.results, self.per_second = results, per_second
        self.writes = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(1.0):
            now = datetime.now(UTC).isoformat(timespec="milliseconds")
            chosen = random.sample(self.rows, min(self.per_second, len(self.rows)))
            try:
                for row_id, _ in chosen:
                    url = f"{self.tables}/sessions/rows/{row_id}"
                    self.http.patch(url, json={"data": {"lastSeen": now}}, timeout=30).raise_for_status()
                data = {"sessionId": chosen[0][1], "role": "user", "content": "still there?"}
                url = f"{self.tables}/messages/rows"
                self.http.post(url, json={"rowId": "unique()", "data": data}, timeout=30).raise_for_status()
                self.writes += len(chosen) + 1
            except requests.RequestException as error:
                with self.results.lock:
                    self.results.errors.append(f"visitor writes: {error!r}")

    def __enter__(self) -> Visitors:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


class Memory:
    """VmRSS of each gunicorn worker every SAMPLE_SECONDS, from the start of the soak on."""

    def __init__(self, server: Gunicorn):
        self.server = server
        self.pids = server.workers()
        self.samples: dict[int, list[int]] = {pid: [] for pid in self.pids}
        self.problems: list[str] = []

    def sample(self) -> None:
        if self.server.workers() != self.pids:
            self.problems.append(f"gunicorn's workers changed: {self.pids} → {self.server.workers()}")
            self.pids = [pid for pid in self.pids if pid in self.server.workers()]
        for pid in self.pids:
            self.samples[pid].append(rss_kib(pid))

    def growth(self, pid: int) -> float:
        kib = self.samples[pid]
        return (kib[-1] - kib[0]) / kib[0]


def run_agents(url: str, sessions: list[requests.Session], results: Results, args, seconds: float,
               on_tick=None) -> float:
    """Every agent's tab for `seconds`; `on_tick` runs on this thread every SAMPLE_SECONDS. The window's length."""
    start = time.monotonic()
    stop_at = start + seconds
    agents = [Agent(url, http, "/" if n % 2 == 0 else "/?status=active", results, args.poll_seconds,
                    args.close_chance) for n, http in enumerate(sessions)]
    threads = [threading.Thread(target=agent.run, args=(stop_at,), daemon=True) for agent in agents]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        if on_tick:
            on_tick()
        pause_until = time.monotonic() + SAMPLE_SECONDS
        for thread in threads:
            thread.join(timeout=max(0.0, pause_until - time.monotonic()))
    return time.monotonic() - start


def report(args, results: Results, appwrite_reads: int, appwrite_writes: int, visitor_writes: int,
           window: float, memory: Memory | None) -> list[str]:
    """Prints the figures; returns what failed."""
    say("")
    say(f"| {'kind':8} | {'requests':>8} | {'errors':>6} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} |")
    say(f"|{'-' * 10}|{'-' * 10}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    every: list[float] = []
    for kind in ("sign-in", "page", "poll", "close", "reopen"):
        times = results.times_ms.get(kind, [])
        every += times if kind != "sign-in" else []
        errors = sum(n for status, n in results.answers[kind].items()
                     if status == "exception" or not 200 <= status < 400)
        if times:
            say(f"| {kind:8} | {len(times):8} | {errors:6} | {percentile(times, 0.5):7.0f} | "
                f"{percentile(times, 0.95):7.0f} | {max(times):7.0f} |")
    say(f"| {'all':8} | {len(every):8} | {len(results.errors):6} | {percentile(every, 0.5):7.0f} | "
        f"{percentile(every, 0.95):7.0f} | {max(every, default=0):7.0f} |")
    polls = results.answers["poll"]
    say("")
    say(f"poll answers: {polls[204]} unchanged (204), {polls[200]} with new rows (200)")
    per_minute = 60 / window
    say(f"Appwrite requests/min: {appwrite_reads * per_minute:.0f} reads by the dashboard; "
        f"{(appwrite_writes - visitor_writes) * per_minute:.0f} writes by the dashboard (closes, reopens), "
        f"{visitor_writes * per_minute:.0f} by the visitors")
    failed = [f"{len(results.errors)} error(s), the first: {results.errors[0]}"] if results.errors else []
    if memory is not None:
        say("")
        say(f"memory of each gunicorn worker over the {args.soak_seconds:.0f} s soak "
            f"(VmRSS every {SAMPLE_SECONDS:.0f} s, from the end of the {args.seconds:.0f} s warm-up):")
        for pid, kib in memory.samples.items():
            if not kib:
                continue
            growth = memory.growth(pid)
            say(f"  worker {pid}: {kib[0] / 1024:.1f} → {kib[-1] / 1024:.1f} MiB, max {max(kib) / 1024:.1f} MiB, "
                f"{growth:+.1%} ({len(kib)} samples)")
            tenths = [kib[round(i * (len(kib) - 1) / 10)] for i in range(11)]
            say("    each tenth of the soak: " + " ".join(f"{value / 1024:.1f}" for value in tenths) + " MiB")
            if growth > MEMORY_GROWTH_LIMIT:
                failed.append(f"worker {pid} grew {growth:+.1%} (limit {MEMORY_GROWTH_LIMIT:.0%})")
        failed += memory.problems
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="the load window (the warm-up of a soak)")
    parser.add_argument("--soak-seconds", type=float, default=0, help="then this long more, sampling memory")
    parser.add_argument("--sessions", type=int, default=3000, help="seeded sessions (10 messages each)")
    parser.add_argument("--poll-seconds", type=int, default=5, help="DASHBOARD_POLL_SECONDS")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay of every Appwrite answer (localappwrite)")
    parser.add_argument("--close-chance", type=float, default=CLOSE_CHANCE, help="an agent's chance to close per poll")
    args = parser.parse_args(argv)
    say(f"machine: {machine()}")
    say(f"{args.agents} agents polling every {args.poll_seconds} s for {args.seconds:.0f} s"
        + (f" then {args.soak_seconds:.0f} s of soak" if args.soak_seconds else "")
        + f", against gunicorn ({WORKERS} workers, gunicorn.conf.py) and localappwrite with {args.sessions:,} sessions"
        + (f", {args.latency_ms} ms per Appwrite answer" if args.latency_ms else ""))
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        workdir = Path(tmp)
        data, seeding = seeded_copy(args.sessions, args.sessions * 10, workdir, log=say)
        say(f"data: {seeding}")
        server = start_localappwrite(data=str(data), latency_ms=args.latency_ms, faults=True, project_id=PROJECT_ID,
                                     api_key=API_KEY)
        try:
            return run(args, server, workdir)
        finally:
            server.stop()


def run(args, server: LocalAppwrite, workdir: Path) -> int:
    manage(server, "create_agent", "--email", AGENT_EMAIL, "--password", AGENT_PASSWORD, "--name", "Load agent")
    env = dashboard_env(server, DJANGO_SETTINGS_MODULE="dashboard.settings",
                        DASHBOARD_POLL_SECONDS=str(args.poll_seconds))
    env.pop("DJANGO_DEBUG", None)
    collect_static(env, workdir / "static")
    dashboard = start_gunicorn(env, workdir / "static", workdir / "gunicorn.log", workers=WORKERS)
    results = Results()
    try:
        sessions = []
        for _ in range(args.agents):
            started = time.monotonic()
            sessions.append(signed_in(dashboard.url, AGENT_EMAIL, AGENT_PASSWORD))
            results.note("sign-in", time.monotonic() - started, 302, None)
        say(f"{args.agents} agents signed in; polling …")
        start = time.monotonic()
        with Visitors(server, results) as visitors:
            window = run_agents(dashboard.url, sessions, results, args, args.seconds)
            memory = None
            if args.soak_seconds:
                say(f"soak: {args.soak_seconds:.0f} s more …")
                memory = Memory(dashboard)
                window += run_agents(dashboard.url, sessions, results, args, args.soak_seconds,
                                     on_tick=memory.sample)
                memory.sample()
        log = appwrite_log.within(appwrite_log.fetch(server.host, server.port), start, time.monotonic())
        reads = sum(1 for entry in log if entry.method == "GET")
        failed = report(args, results, reads, len(log) - reads, visitors.writes, window, memory)
    finally:
        exit_code = dashboard.stop()
    if exit_code != 0:
        failed.append(f"gunicorn exited with {exit_code} on SIGTERM:\n{dashboard.log()[-2000:]}")
    say("")
    for problem in failed:
        say(f"FAILED: {problem}")
    say("result: " + ("FAILED" if failed else "ok, no error"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
