"""`make bench`: how the sessions list loads at 100,000 sessions and 1,000,000 messages, behind an injected
Appwrite latency, beside a naive baseline that does what the old `view_sessions.js` did (the session list,
then one message-count request per session, one after another).

    python -m bench [--quick] [--soak-seconds 600] [--latency-ms 50] [--sessions N --messages M]

Everything runs on this machine: localappwrite (seeded once through the bulk create-rows route and kept
under var/bench/), real dashboard processes (manage.py runserver) reached over HTTP by simulated agents,
and the baseline. Appwrite requests, and which of them ran in series, come from localappwrite's request
log; times are measured by the simulated browsers. `--quick` runs the same pipeline at a tiny scale.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import appwrite_log, list_bytes  # noqa: E402
from bench.dashboard_process import Dashboard, signed_in, start_dashboard  # noqa: E402
from bench.figures import machine, percentile  # noqa: E402
from bench.seeding import API_KEY, DATABASE_ID, PROJECT_ID, dashboard_env, manage, seeded_copy  # noqa: E402
from localappwrite.launcher import LocalAppwrite, start_localappwrite  # noqa: E402

HTMX = {"HX-Request": "true"}
AGENT_EMAIL = "bench-agent@agents.local"
AGENT_PASSWORD = "bench-agent-password-1"
PAGE_SIZES = (25, 50, 100)
# Issue 14's bound: a cold page, previews included, whatever its size (the page and 6 tab counts, then one
# listing of the rows' messages; two follow-ups after a flood).
COLD_PAGE_REQUESTS = 10
AGENT_COUNTS = (1, 10, 50)
# Issue 14 point 9: light rows, and a refresh after one change that carries that row, not the region.
ROW_BYTES = 1_300
REFRESH_SHARE = 0.10


@dataclass
class Plan:
    sessions: int
    messages: int
    latency_ms: int
    poll_seconds: int
    page_samples: int
    baseline_samples: int
    agent_seconds: float
    soak_seconds: float
    soak_agents: int
    widget_every: float
    timing_repeat: int


def plan_from(args: argparse.Namespace) -> Plan:
    if args.quick:
        plan = Plan(2_000, 20_000, 20, 1, 5, 3, 3, 5, 10, 0.5, 10)
    else:
        plan = Plan(100_000, 1_000_000, 50, 5, 25, 8, 60, 600, 50, 2.0, 50)
    for name in ("sessions", "messages", "latency_ms", "soak_seconds", "agent_seconds"):
        value = getattr(args, name)
        if value is not None:
            setattr(plan, name, value)
    return plan


def say(text: str) -> None:
    print(text, flush=True)


# -- Appwrite over plain HTTP (the naive baseline, the widget, localappwrite's own timing) ----------------


def q(method: str, attribute: str | None = None, values: list | None = None) -> str:
    body: dict = {"method": method}
    if attribute is not None:
        body["attribute"] = attribute
    if values is not None:
        body["values"] = values
    return json.dumps(body, separators=(",", ":"))


class Appwrite:
    def __init__(self, server: LocalAppwrite):
        self.server = server
        self.http = requests.Session()
        self.http.headers.update({"X-Appwrite-Project": server.project_id, "X-Appwrite-Key": server.api_key})
        self.tables = f"{server.endpoint}/tablesdb/{DATABASE_ID}/tables"

    def rows(self, table: str, queries: list[str], total: bool = True) -> dict:
        params = [(f"queries[{i}]", query) for i, query in enumerate(queries)] + [("total", str(total).lower())]
        answer = self.http.get(f"{self.tables}/{table}/rows", params=params, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def naive_page(self, size: int) -> int:
        """What view_sessions.js did: the sessions, then each one's message count, one after another."""
        sessions = self.rows("sessions", [q("orderDesc", "lastSeen"), q("limit", values=[size])])["rows"]
        for session in sessions:
            self.rows("messages", [q("equal", "sessionId", [session["sessionId"]])])["total"]
        return len(sessions)

    def visitor_writes(self, session_id: str) -> None:
        """The widget on a visitor's message: the message, then lastSeen bumped (which moves $updatedAt)."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        data = {"sessionId": session_id, "role": "user", "content": "still there?"}
        self.http.post(f"{self.tables}/messages/rows", json={"rowId": "unique()", "data": data}, timeout=30)
        self.http.patch(f"{self.tables}/sessions/rows/{session_id}", json={"data": {"lastSeen": now}}, timeout=30)


class Widget:
    """Visitors keep chatting in the most recently seen sessions while agents watch."""

    def __init__(self, appwrite: Appwrite, every: float):
        recent = appwrite.rows("sessions", [q("orderDesc", "lastSeen"), q("limit", values=[10])], total=False)
        self.ids = [row["$id"] for row in recent["rows"]]
        self.appwrite, self.every = appwrite, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(self.every * random.uniform(0.5, 1.5)):
            self.appwrite.visitor_writes(random.choice(self.ids))

    def __enter__(self) -> Widget:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


# -- Measurements ------------------------------------------------------------------------------------------


@dataclass
class PageFigures:
    requests: list[int] = field(default_factory=list)
    in_series: list[int] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)
    previews: list[int] = field(default_factory=list)  # requests for the rows' newest messages


def newest_message_reads(log: list[appwrite_log.Logged]) -> list[appwrite_log.Logged]:
    """The requests that bring rows' newest messages (previews): messages ordered newest first (the list's
    one listing of its rows' messages, which also counts them)."""
    newest = '{"method":"orderDesc","attribute":"$createdAt"}'
    return [e for e in log if e.collection == "messages" and newest in e.query.replace(" ", "")]


def message_reads(log: list[appwrite_log.Logged]) -> list[appwrite_log.Logged]:
    return [e for e in log if e.collection == "messages"]


def asked_session_ids(log: list[appwrite_log.Logged]) -> list[str]:
    asked: set[str] = set()
    for entry in log:
        for raw in re.findall(r'\{"method":"equal","attribute":"sessionId","values":(\[[^\]]*\])\}', entry.query):
            asked.update(json.loads(raw))
    return sorted(asked)


def measure_windows(server: LocalAppwrite, run: Callable[[], None], samples: int) -> PageFigures:
    """Runs `run` `samples` times one after another; the Appwrite requests of each run are those the log
    shows inside its window (sign-in re-checks of users/teams excluded: they are not the list's)."""
    windows = []
    for _ in range(samples):
        time.sleep(0.02)
        start = time.monotonic()
        run()
        windows.append((start, time.monotonic()))
    log = [e for e in appwrite_log.fetch(server.host, server.port) if e.collection in ("sessions", "messages")]
    figures = PageFigures()
    for start, end in windows:
        inside = appwrite_log.within(log, start, end)
        figures.requests.append(len(inside))
        figures.in_series.append(appwrite_log.in_series(inside))
        figures.times_ms.append((end - start) * 1000)
        figures.previews.append(len(newest_message_reads(inside)))
    return figures


def cold_pages(server: LocalAppwrite, size: int, plan: Plan, workdir: Path, name: str = "") -> PageFigures:
    env = dashboard_env(
        server, DJANGO_SETTINGS_MODULE="bench.cold_settings", DASHBOARD_PAGE_SIZE=str(size)
    )
    dashboard = start_dashboard(env, workdir / f"{name or f'cold-{size}'}.log")
    try:
        http = signed_in(dashboard.url, AGENT_EMAIL, AGENT_PASSWORD)
        http.get(dashboard.url + "/", timeout=60).raise_for_status()  # imports, first connections
        urls = [dashboard.url + "/"]

        def one_page() -> None:
            answer = http.get(urls[-1], timeout=60)
            answer.raise_for_status()
            found = re.search(r'rel="next" href="([^"]+)"', answer.text)
            urls.append(dashboard.url + found.group(1).replace("&amp;", "&") if found else dashboard.url + "/")
            assert len(re.findall(r"<tr[^>]*data-row-id=", answer.text)) == size, "a full page was expected"

        return measure_windows(server, one_page, plan.page_samples)
    finally:
        dashboard.stop()


@dataclass
class Polling:
    agents: int
    list_requests: int
    all_requests: int
    seconds: float
    times_ms: list[float]
    answers: dict[int, int]

    @property
    def per_minute(self) -> float:
        return self.list_requests * 60 / self.seconds


def poll(server: LocalAppwrite, agents: int, seconds: float, poll_seconds: float, fetch: Callable[[], float],
         on_sample: Callable[[], None] | None = None, sample_every: float = 5.0) -> Polling:
    """`agents` threads each calling `fetch` every `poll_seconds` (like htmx: the next poll is due one
    interval after the previous one started, or after it ended when it took longer)."""
    stop_at = time.monotonic() + seconds
    times: list[float] = []
    answers: dict[int, int] = {}
    lock = threading.Lock()
    failures: list[BaseException] = []

    def agent() -> None:
        time.sleep(random.random() * poll_seconds)
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                status = fetch()
            except BaseException as error:  # noqa: BLE001
                failures.append(error)
                return
            took = time.monotonic() - started
            with lock:
                times.append(took * 1000)
                answers[status] = answers.get(status, 0) + 1
            time.sleep(max(0.0, poll_seconds - took))

    start = time.monotonic()
    threads = [threading.Thread(target=agent, daemon=True) for _ in range(agents)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        if on_sample:
            on_sample()
        for thread in threads:
            thread.join(timeout=sample_every / max(1, len(threads)))
    end = time.monotonic()
    if failures:
        raise failures[0]
    log = appwrite_log.within(appwrite_log.fetch(server.host, server.port), start, end)
    reads = [e for e in log if e.method == "GET" and e.collection in ("sessions", "messages")]
    others = [e for e in log if e.method == "GET"]
    return Polling(agents, len(reads), len(others), end - start, times, answers)


def fragment_fetcher(dashboard: Dashboard, cookies) -> Callable[[], Callable[[], int]]:
    """A new simulated browser tab: its own HTTP session and the rows version it shows."""

    def new_tab() -> Callable[[], int]:
        http = requests.Session()
        http.cookies.update(cookies)
        version = [""]

        def fetch() -> int:
            answer = http.get(dashboard.url + "/", headers={**HTMX, "X-Rows-Version": version[0]}, timeout=60)
            if answer.status_code == 200:
                found = re.search(r'data-rows-version="([^"]+)"', answer.text)
                version[0] = found.group(1) if found else ""
            elif answer.status_code != 204:
                raise RuntimeError(f"fragment answered {answer.status_code}: {answer.text[:200]}")
            return answer.status_code

        return fetch

    return new_tab


def poll_tabs(server, agents, seconds, poll_seconds, new_tab, **kwargs) -> Polling:
    tabs = [new_tab() for _ in range(agents)]
    index = iter(range(agents))
    lock = threading.Lock()
    local = threading.local()

    def fetch() -> int:
        if not hasattr(local, "tab"):
            with lock:
                local.tab = tabs[next(index)]
        return local.tab()

    return poll(server, agents, seconds, poll_seconds, fetch, **kwargs)


# -- The steady state, shown request by request ------------------------------------------------------------


def steady_state(server: LocalAppwrite, dashboard: Dashboard, http: requests.Session, appwrite: Appwrite,
                 plan: Plan) -> dict:
    """Polls as the browser does (list_bytes.refresh_headers: the rows version and the rows shown, which after
    each answer are the page's order, the hand being off the list): an unchanged refresh, then the refresh
    after one visitor wrote, and the whole region that refresh would otherwise have been."""
    interval = plan.poll_seconds * 0.8 + 0.2  # past the shared probe interval
    list_url = dashboard.url + "/"
    shown_state = {"version": "", "shown": []}

    def refresh() -> requests.Response:
        headers = list_bytes.refresh_headers(list_url, shown_state["version"], shown_state["shown"])
        answer = http.get(list_url, headers=headers, timeout=60)
        if answer.status_code == 200:
            shown_state["version"] = list_bytes.rows_version(answer.text)
            shown_state["shown"] = list_bytes.page_order(answer.text)
        return answer

    first = refresh()
    ids = re.findall(r'data-session-id="([^"]+)"', first.text)
    time.sleep(interval)
    refresh()
    # A poll as the browser makes it; the rows may still change because a relative time ("3 min ago")
    # moved on: then the browser shows the new version and asks again one interval later.
    for _ in range(4):
        time.sleep(interval)
        start = time.monotonic()
        answer = refresh()
        end = time.monotonic()
        if answer.status_code == 204:
            break
    log = appwrite_log.within(appwrite_log.fetch(server.host, server.port), start, end)
    unchanged = [e for e in log if e.collection in ("sessions", "messages")]
    unchanged_requests, unchanged_in_series = len(unchanged), appwrite_log.in_series(unchanged)

    changed_id = ids[len(ids) // 2]
    appwrite.visitor_writes(changed_id)
    time.sleep(interval)
    start = time.monotonic()
    changed = refresh()
    end = time.monotonic()
    # The same refresh from a browser that says nothing of what it shows: the whole region.
    whole = http.get(list_url, headers=list_bytes.refresh_headers(list_url, "", []), timeout=60)
    log = [e for e in appwrite_log.within(appwrite_log.fetch(server.host, server.port), start, end)
           if e.collection in ("sessions", "messages")]
    counted, newest = message_reads(log), newest_message_reads(log)
    return {
        "unchanged_status": answer.status_code,
        "unchanged_bytes": len(answer.content),
        "unchanged_rows": answer.text.count("data-row-id="),
        "unchanged_requests": unchanged_requests,
        "unchanged_in_series": unchanged_in_series,
        "changed_status": changed.status_code,
        "changed_requests": len(log),
        "changed_in_series": appwrite_log.in_series(log),
        "changed_message_requests": len(counted),
        "changed_asked": asked_session_ids(counted),
        "changed_preview_requests": len(newest),
        "changed_preview_asked": asked_session_ids(newest),
        "changed_id": changed_id,
        "changed_bytes": len(changed.content),
        "changed_rows_sent": len(list_bytes.rows_in(changed.text)),
        "changed_row_ids_sent": re.findall(r'<tr data-row-id="([^"]+)"', changed.text),
        "changed_whole_region_bytes": len(whole.content),
        "changed_whole_region_rows": len(list_bytes.rows_in(whole.text)),
    }


# -- localappwrite's own time per list request --------------------------------------------------------------


def localappwrite_timing(data: Path, plan: Plan) -> list[tuple[str, float, float]]:
    server = start_localappwrite(data=str(data), faults=False, project_id=PROJECT_ID, api_key=API_KEY)
    try:
        appwrite = Appwrite(server)
        page = appwrite.rows("sessions", [q("orderDesc", "lastSeen"), q("limit", values=[100])], total=False)["rows"]
        ids = [row["sessionId"] for row in page]
        newest = max(row["$updatedAt"] for row in page)
        kinds = {
            "page of 100 (orderDesc lastSeen, limit 101)": (
                "sessions", [q("orderDesc", "lastSeen"), q("limit", values=[101])], False),
            "page 2 of 100 (+ cursorAfter)": (
                "sessions", [q("orderDesc", "lastSeen"), q("limit", values=[101]), q("cursorAfter", values=[ids[-1]])],
                False),
            "all total + newest $updatedAt": (
                "sessions", [q("orderDesc", "$updatedAt"), q("select", values=["sessionId"]), q("limit", values=[1])],
                True),
            "status total (equal status, limit 1)": (
                "sessions", [q("equal", "status", ["closed"]), q("limit", values=[1])], True),
            "idle total (status + lessThan lastSeen)": (
                "sessions", [q("equal", "status", ["active"]), q("lessThan", "lastSeen", [newest]),
                             q("limit", values=[1])], True),
            "other statuses (3 x notEqual, select status, limit 1000)": (
                "sessions", [q("notEqual", "status", [s]) for s in ("active", "agent_assigned", "closed")]
                + [q("select", values=["status"]), q("limit", values=[1000])], False),
            "probe (greaterThan $updatedAt, select, limit 100)": (
                "sessions", [q("greaterThan", "$updatedAt", [newest]), q("orderDesc", "$updatedAt"),
                             q("select", values=["sessionId"]), q("limit", values=[100])], False),
            "message counts of 100 sessions (equal 100 ids, select)": (
                "messages", [q("equal", "sessionId", ids), q("select", values=["sessionId"]),
                             q("orderAsc", "sessionId"), q("limit", values=[5000])], False),
            "counts and newest messages of 100 sessions (+ orderDesc $createdAt, select text, sender)": (
                "messages", [q("equal", "sessionId", ids), q("orderAsc", "sessionId"), q("orderDesc", "$createdAt"),
                             q("orderDesc", "$sequence"),
                             q("select", values=["sessionId", "content", "role", "$id", "$createdAt"]),
                             q("limit", values=[5000])], False),
            "naive: one session's message total": (
                "messages", [q("equal", "sessionId", ids[:1])], True),
        }
        results = []
        for name, (table, queries, total) in kinds.items():
            appwrite.rows(table, queries, total)
            samples = []
            for _ in range(plan.timing_repeat):
                started = time.perf_counter()
                appwrite.rows(table, queries, total)
                samples.append((time.perf_counter() - started) * 1000)
            results.append((name, statistics.median(samples), percentile(samples, 0.95)))
        return results
    finally:
        server.stop()


# -- The run ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny scale, short windows (development, smoke test)")
    parser.add_argument("--sessions", type=int)
    parser.add_argument("--messages", type=int)
    parser.add_argument("--latency-ms", type=int)
    parser.add_argument("--soak-seconds", type=float, help="memory soak length (default 600, quick 6)")
    parser.add_argument("--agent-seconds", type=float, help="polling window per agent count (default 60)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)
    plan = plan_from(args)
    run_started = time.monotonic()
    say(f"machine: {machine()}")
    say(f"scale: {plan.sessions:,} sessions, {plan.messages:,} messages; injected latency {plan.latency_ms} ms "
        f"per Appwrite call; agents poll every {plan.poll_seconds} s")

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        data, seeding = seeded_copy(plan.sessions, plan.messages, workdir, log=say)
        say(f"data: {seeding}")
        timing = localappwrite_timing(data, plan)
        server = start_localappwrite(data=str(data), latency_ms=plan.latency_ms, faults=True,
                                     project_id=PROJECT_ID, api_key=API_KEY)
        try:
            return run(plan, server, workdir, seeding, timing, args, run_started, data)
        finally:
            server.stop()


def run(plan: Plan, server: LocalAppwrite, workdir: Path, seeding: str, timing, args, run_started: float,
        data: Path) -> int:
    manage(server, "create_agent", "--email", AGENT_EMAIL, "--password", AGENT_PASSWORD, "--name", "Bench agent")
    appwrite = Appwrite(server)
    figures: dict = {"seeding": seeding, "localappwrite": timing}

    # Cold pages: a dashboard process that caches nothing, against the naive script, per page size.
    for size in PAGE_SIZES:
        say(f"cold pages of {size} rows …")
        dashboard = cold_pages(server, size, plan, workdir)
        baseline = measure_windows(server, lambda size=size: appwrite.naive_page(size), plan.baseline_samples)
        figures[f"page{size}"] = (dashboard, baseline)
    # The dashboard's own time: the same cold pages of 25 from a second localappwrite on the same file, without
    # injected latency (the server above sits idle meanwhile; no one writes until the steady state below).
    say("cold pages of 25 rows, no injected latency …")
    unhindered = start_localappwrite(data=str(data), latency_ms=0, faults=True, project_id=PROJECT_ID,
                                     api_key=API_KEY)
    try:
        figures["page25_no_latency"] = cold_pages(unhindered, 25, plan, workdir, name="cold-25-no-latency")
    finally:
        unhindered.stop()

    # One live dashboard process (the in-process cache), as `make run` serves it.
    env = dashboard_env(server, DASHBOARD_POLL_SECONDS=str(plan.poll_seconds))
    live = start_dashboard(env, workdir / "live.log")
    try:
        http = signed_in(live.url, AGENT_EMAIL, AGENT_PASSWORD)
        http.get(live.url + "/", timeout=60).raise_for_status()
        say("bytes of the page, the rows region and its rows …")
        figures["bytes"] = list_bytes.page_and_region(http, live.url + "/")
        say("steady state, request by request …")
        figures["steady"] = steady_state(server, live, http, appwrite, plan)
        new_tab = fragment_fetcher(live, http.cookies)
        for agents in AGENT_COUNTS:
            say(f"{agents} agent(s) polling for {plan.agent_seconds:.0f} s, and the naive baseline …")
            with Widget(appwrite, plan.widget_every):
                ours = poll_tabs(server, agents, plan.agent_seconds, plan.poll_seconds, new_tab)
            def naive_fetch(own: threading.local = threading.local()) -> int:  # noqa: B008
                if not hasattr(own, "appwrite"):
                    own.appwrite = Appwrite(server)  # one connection per simulated agent
                own.appwrite.naive_page(25)
                return 200

            with Widget(appwrite, plan.widget_every):
                naive = poll(server, agents, plan.agent_seconds, plan.poll_seconds, naive_fetch)
            figures[f"agents{agents}"] = (ours, naive)

        say(f"memory soak: {plan.soak_agents} agents polling for {plan.soak_seconds:.0f} s …")
        rss: list[tuple[float, int]] = []
        soak_start = time.monotonic()

        def sample() -> None:
            if not rss or time.monotonic() - rss[-1][0] >= min(5.0, plan.soak_seconds / 20):
                rss.append((time.monotonic(), live.rss_kib()))

        with Widget(appwrite, plan.widget_every):
            soak = poll_tabs(server, plan.soak_agents, plan.soak_seconds, plan.poll_seconds, new_tab,
                             on_sample=sample, sample_every=min(5.0, plan.soak_seconds / 20))
        rss.append((time.monotonic(), live.rss_kib()))
        warm = [kib for at, kib in rss if at - soak_start >= plan.soak_seconds * 0.1] or [rss[-1][1]]
        figures["memory"] = {"start_kib": warm[0], "end_kib": rss[-1][1], "max_kib": max(warm),
                             "samples": len(rss), "soak": soak}
    finally:
        live.stop()

    ok = report(plan, figures)
    say(f"benchmark took {(time.monotonic() - run_started) / 60:.1f} min")
    if args.json:
        args.json.write_text(json.dumps(serialisable(figures), indent=2, default=str))
    return 0 if ok else 1


def serialisable(value):
    if isinstance(value, PageFigures | Polling):
        return {k: serialisable(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {str(k): serialisable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [serialisable(v) for v in value]
    return value


def ratio(ours: float, naive: float) -> str:
    if not naive:
        return "–"
    return f"{ours / naive:.2f}×"


def report(plan: Plan, figures: dict) -> bool:
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, ours: float, naive: float | None, fmt: str = "{:.0f}") -> None:
        rows.append((name, fmt.format(ours), fmt.format(naive) if naive is not None else "–",
                     ratio(ours, naive) if naive is not None else "–"))

    for size in PAGE_SIZES:
        ours, naive = figures[f"page{size}"]
        row(f"cold page of {size}: Appwrite requests (max)", max(ours.requests), max(naive.requests))
        row(f"cold page of {size}: requests in series (max)", max(ours.in_series), max(naive.in_series))
        row(f"cold page of {size}: of them bringing previews (max)", max(ours.previews), None)
        row(f"cold page of {size}: p50 ms", statistics.median(ours.times_ms), statistics.median(naive.times_ms))
        row(f"cold page of {size}: p95 ms", percentile(ours.times_ms, 0.95), percentile(naive.times_ms, 0.95))
    unhindered = figures["page25_no_latency"]
    row("cold page of 25, no injected latency: p50 ms", statistics.median(unhindered.times_ms), None)
    row("cold page of 25, no injected latency: p95 ms", percentile(unhindered.times_ms, 0.95), None)
    sizes = figures["bytes"]
    row(f"page of {sizes['page_rows']} rows: bytes", sizes["page_bytes"], None)
    row(f"rows region (#session-rows, {sizes['region_rows']} rows): bytes", sizes["region_bytes"], None)
    row("a row: bytes (mean)", sizes["row_bytes_mean"], None)
    row("a row: bytes (largest)", sizes["row_bytes_max"], None)
    steady = figures["steady"]
    naive_page = figures["page25"][1]
    row("unchanged refresh: Appwrite requests", steady["unchanged_requests"], max(naive_page.requests))
    row("unchanged refresh: requests in series", steady["unchanged_in_series"], max(naive_page.in_series))
    row("unchanged refresh: row HTML bytes sent", steady["unchanged_bytes"], None)
    row("one session changed: Appwrite requests", steady["changed_requests"], max(naive_page.requests))
    row("one session changed: requests in series", steady["changed_in_series"], max(naive_page.in_series))
    row("one session changed: message requests (counts, previews)", steady["changed_message_requests"], 25)
    row("one session changed: of them bringing previews", steady["changed_preview_requests"], None)
    row(f"one session changed: refresh bytes ({steady['changed_rows_sent']} row(s) sent)", steady["changed_bytes"],
        None)
    row("one session changed: the whole region instead, bytes", steady["changed_whole_region_bytes"], None)
    for agents in AGENT_COUNTS:
        ours, naive = figures[f"agents{agents}"]
        row(f"{agents} agent(s): Appwrite requests/min", ours.per_minute, naive.per_minute)
        row(f"{agents} agent(s): p95 fragment ms", percentile(ours.times_ms, 0.95), percentile(naive.times_ms, 0.95))
    one, fifty = figures["agents1"][0], figures["agents50"][0]
    naive_one, naive_fifty = figures["agents1"][1], figures["agents50"][1]
    rows.append(("50 agents / 1 agent, requests/min", f"{fifty.per_minute / one.per_minute:.2f}×",
                 f"{naive_fifty.per_minute / naive_one.per_minute:.2f}×", "–"))
    memory = figures["memory"]
    growth = (memory["max_kib"] - memory["start_kib"]) / memory["start_kib"]
    rows.append((f"memory over a {plan.soak_seconds:.0f} s soak ({plan.soak_agents} agents)",
                 f"{memory['start_kib'] / 1024:.1f} → {memory['end_kib'] / 1024:.1f} MiB (max {growth:+.1%})",
                 "–", "–"))

    widths = [max(len(r[i]) for r in rows + [("figure", "dashboard", "naive baseline", "ratio")]) for i in range(4)]
    say("")
    say(f"seeding: {figures['seeding']}")
    say("")
    header = ("figure", "dashboard", "naive baseline", "ratio")
    say("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    say("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        say("| " + r[0].ljust(widths[0]) + " | " + " | ".join(c.rjust(w) for c, w in zip(r[1:], widths[1:],
                                                                                          strict=True)) + " |")
    say("")
    say("localappwrite's own time per list request (no injected latency), at this scale:")
    width = max(len(name) for name, _, _ in figures["localappwrite"])
    say(f"| {'request':{width}} | {'p50 ms':>7} | {'p95 ms':>7} |")
    say(f"|{'-' * (width + 2)}|{'-' * 9}|{'-' * 9}|")
    for name, p50, p95 in figures["localappwrite"]:
        say(f"| {name:{width}} | {p50:7.2f} | {p95:7.2f} |")

    latency = plan.latency_ms
    targets = []
    for size in PAGE_SIZES:
        ours = figures[f"page{size}"][0]
        targets.append((f"cold page of {size}: at most 2 round trips in series", max(ours.in_series) <= 2))
        targets.append((f"cold page of {size}: {max(ours.requests)} requests in all, previews included, never one "
                        f"per row (≤ {COLD_PAGE_REQUESTS})", max(ours.requests) <= COLD_PAGE_REQUESTS))
        p50 = statistics.median(ours.times_ms)
        targets.append((f"cold page of {size}: p50 {p50:.0f} ms ≤ 2.5 × {latency} ms", p50 <= 2.5 * latency))
    targets.append(("unchanged refresh: 204, no row HTML, at most 1 Appwrite request",
                    steady["unchanged_status"] == 204 and steady["unchanged_bytes"] == 0
                    and steady["unchanged_requests"] <= 1))
    targets.append((f"one session changed: its messages alone counted again (asked {steady['changed_asked']})",
                    steady["changed_asked"] == [steady["changed_id"]] and steady["changed_message_requests"] == 1))
    targets.append((f"one session changed: its newest message alone read again, in that request "
                    f"(asked {steady['changed_preview_asked']})",
                    steady["changed_preview_asked"] == [steady["changed_id"]]
                    and steady["changed_preview_requests"] == 1))
    targets.append((f"a row: {sizes['row_bytes_mean']:,.0f} bytes on average ≤ {ROW_BYTES:,}",
                    0 < sizes["row_bytes_mean"] <= ROW_BYTES))
    share = steady["changed_bytes"] / steady["changed_whole_region_bytes"]
    targets.append((f"one session changed: the refresh is {steady['changed_bytes']:,} bytes, {share:.1%} of the "
                    f"region's {steady['changed_whole_region_bytes']:,} (≤ {REFRESH_SHARE:.0%})",
                    steady["changed_status"] == 200 and share <= REFRESH_SHARE))
    targets.append((f"50 agents ≤ 1.5 × one agent's requests/min ({fifty.per_minute:.0f} vs {one.per_minute:.0f})",
                    fifty.per_minute <= 1.5 * one.per_minute))
    targets.append((f"memory flat within 10% over the soak ({growth:+.1%})", growth <= 0.10))
    say("")
    say("targets:")
    for name, held in targets:
        say(f"  [{'ok' if held else 'MISSED'}] {name}")
    return all(held for _, held in targets)


if __name__ == "__main__":
    sys.exit(main())
