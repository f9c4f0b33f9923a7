"""Times filtered, sorted list pages over HTTP against a localappwrite holding 100,000 sessions.

    python -m bench.localappwrite_list [--rows 100000] [--repeat 200]

Starts its own server on a temporary SQLite file, provisions the sessions table of CONTRACT.md (columns and
indexes through the API), seeds the rows with the bulk create-rows route (1,000 per request), then times each
query kind with one keep-alive HTTP connection and prints p50/p95/max in milliseconds (client wall time,
HTTP included).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from localappwrite.launcher import start_localappwrite  # noqa: E402

STATUSES = ["active"] * 2 + ["agent_assigned", "closed"] * 4  # mostly closed, as real data drifts


def q(method: str, attribute: str | None = None, values: list | None = None) -> str:
    body: dict = {"method": method}
    if attribute is not None:
        body["attribute"] = attribute
    if values is not None:
        body["values"] = values
    return json.dumps(body, separators=(",", ":"))


def provision(http: requests.Session, base: str) -> str:
    db, table = "bench", "sessions"
    http.post(f"{base}/tablesdb", json={"databaseId": db, "name": "Bench"}).raise_for_status()
    http.post(f"{base}/tablesdb/{db}/tables", json={"tableId": table, "name": "Sessions"}).raise_for_status()
    cols = f"{base}/tablesdb/{db}/tables/{table}/columns"
    for path, body in [
        ("string", {"key": "sessionId", "size": 255, "required": True}),
        ("string", {"key": "status", "size": 64, "required": False, "default": "active"}),
        ("datetime", {"key": "startTime", "required": False}),
        ("datetime", {"key": "lastSeen", "required": False}),
        ("string", {"key": "userMeta", "size": 8192, "required": False}),
        ("string", {"key": "theme", "size": 2048, "required": False}),
    ]:
        http.post(f"{cols}/{path}", json=body).raise_for_status()
    idx = f"{base}/tablesdb/{db}/tables/{table}/indexes"
    for key, columns in [("status_lastSeen", ["status", "lastSeen"]), ("lastSeen", ["lastSeen"]),
                         ("sessionId", ["sessionId"])]:
        http.post(idx, json={"key": key, "type": "key", "columns": columns}).raise_for_status()
    return f"{base}/tablesdb/{db}/tables/{table}/rows"


def seed(http: requests.Session, rows_url: str, count: int) -> None:
    rng = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch = []
    for i in range(count):
        started = start + timedelta(seconds=rng.randrange(0, 300 * 86400))
        seen = started + timedelta(seconds=rng.randrange(0, 7200))
        batch.append({
            "$id": f"s{i:07d}",
            "sessionId": f"sess-{rng.getrandbits(48):012x}",
            "status": rng.choice(STATUSES),
            "startTime": started.isoformat(timespec="milliseconds"),
            "lastSeen": seen.isoformat(timespec="milliseconds"),
            "userMeta": json.dumps({"browser": rng.choice(["Firefox", "Chrome", "Safari"]), "country": "DE"}),
            "theme": json.dumps({"color": "#336699"}),
        })
        if len(batch) == 1000:
            http.post(rows_url, json={"rows": batch}).raise_for_status()
            batch = []
    if batch:
        http.post(rows_url, json={"rows": batch}).raise_for_status()


def timed(http: requests.Session, url: str, params: list[tuple[str, str]], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = http.get(url, params=params)
        out.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        server = start_localappwrite(data=str(Path(tmp) / "bench.sqlite3"), faults=False)
        try:
            base = server.endpoint
            http = requests.Session()
            http.headers.update({"X-Appwrite-Project": server.project_id, "X-Appwrite-Key": server.api_key})
            rows_url = provision(http, base)
            t0 = time.perf_counter()
            seed(http, rows_url, args.rows)
            print(f"seeded {args.rows} rows in {time.perf_counter() - t0:.1f} s")

            page = http.get(rows_url, params=[("queries[0]", q("equal", "status", ["active"])),
                                              ("queries[1]", q("orderDesc", "lastSeen")),
                                              ("queries[2]", q("limit", values=[25]))]).json()
            cursor = page["rows"][-1]["$id"]
            kinds = {
                "equal status + orderDesc lastSeen + limit 25 (total)": [
                    q("equal", "status", ["active"]), q("orderDesc", "lastSeen"), q("limit", values=[25])],
                "same, total=false": [
                    q("equal", "status", ["active"]), q("orderDesc", "lastSeen"), q("limit", values=[25])],
                "same + cursorAfter (page 2)": [
                    q("equal", "status", ["active"]), q("orderDesc", "lastSeen"), q("limit", values=[25]),
                    q("cursorAfter", values=[cursor])],
                "equal status [2 values] + lessThan lastSeen + orderDesc lastSeen": [
                    q("equal", "status", ["active", "agent_assigned"]),
                    q("lessThan", "lastSeen", ["2025-06-01T00:00:00.000+00:00"]), q("orderDesc", "lastSeen"),
                    q("limit", values=[25])],
                "startsWith sessionId + orderAsc sessionId": [
                    q("startsWith", "sessionId", ["sess-a"]), q("orderAsc", "sessionId"), q("limit", values=[25])],
                "orderDesc $createdAt, no filter (total capped at 5000)": [
                    q("orderDesc", "$createdAt"), q("limit", values=[25])],
                "offset 1000, orderDesc lastSeen": [
                    q("orderDesc", "lastSeen"), q("limit", values=[25]), q("offset", values=[1000])],
            }
            print(f"{'query':70} {'p50':>7} {'p95':>7} {'max':>7}  (ms, {args.repeat} requests each)")
            worst = 0.0
            for name, queries in kinds.items():
                params = [(f"queries[{i}]", s) for i, s in enumerate(queries)]
                if "total=false" in name:
                    params.append(("total", "false"))
                timed(http, rows_url, params, 5)  # warm up
                samples = sorted(timed(http, rows_url, params, args.repeat))
                p50 = statistics.median(samples)
                p95 = samples[int(len(samples) * 0.95) - 1]
                worst = max(worst, p95)
                print(f"{name:70} {p50:7.2f} {p95:7.2f} {samples[-1]:7.2f}")
            print(f"worst p95: {worst:.2f} ms (target: <= 10 ms)")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
