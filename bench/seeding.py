"""The benchmark's data: the dashboard's schema (through `manage.py appwrite_setup`) and N sessions with M
messages, written with Appwrite's bulk create-rows route (TablesDB createRows, 1,000 rows a request).

The seeded SQLite file is kept under var/bench/, named after SEED_VERSION and the sizes, so a later
run copies it instead of seeding again."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from localappwrite.launcher import LocalAppwrite, start_localappwrite

ROOT = Path(__file__).resolve().parent.parent
SEED_VERSION = 2
PROJECT_ID = "bench"
API_KEY = "bench-key-0123456789abcdef"
DATABASE_ID = "support"
BULK = 1000
# Mostly closed, as real data drifts; a few thousand still active or with an agent.
STATUSES = ["closed"] * 90 + ["active"] * 6 + ["agent_assigned"] * 4
BROWSERS = ["Chrome 131", "Firefox 133", "Safari 18", "Edge 131"]
DEVICES = ["Desktop", "Mobile", "Tablet"]
LOCATIONS = ["Berlin, DE", "Lisbon, PT", "Austin, US", "Pune, IN", "Lyon, FR"]
ROLES = ["user", "assistant", "user", "assistant", "agent", "system"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def dashboard_env(server: LocalAppwrite, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "APPWRITE_ENDPOINT": server.endpoint,
        "APPWRITE_PROJECT_ID": server.project_id,
        "APPWRITE_API_KEY": server.api_key,
        "APPWRITE_DATABASE_ID": DATABASE_ID,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The real settings, with static files served without a collectstatic step (bench/settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(server: LocalAppwrite, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=dashboard_env(server), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _session_rows(count: int, rng: random.Random, now: datetime) -> Iterator[dict]:
    for number in range(count):
        # Spread over the last 300 days; the newest few hundred within the last hour.
        seen = now - timedelta(seconds=rng.random() ** 3 * 300 * 86400)
        started = seen - timedelta(seconds=rng.randrange(5, 5400))
        session_id = f"s_{1763000000000 + number * 7919:013d}"
        yield {
            "$id": session_id,
            "$createdAt": iso(started),
            "$updatedAt": iso(seen),
            "sessionId": session_id,
            "status": rng.choice(STATUSES),
            "startTime": iso(started),
            "lastSeen": iso(seen),
            "userMeta": json.dumps(
                {"browser": rng.choice(BROWSERS), "device": rng.choice(DEVICES), "location": rng.choice(LOCATIONS)},
                separators=(",", ":"),
            ),
            "theme": json.dumps({"primaryColor": rng.choice(["#0f766e", "#7c3aed", "#2563eb"])}),
        }


def _message_counts(sessions: int, messages: int, rng: random.Random) -> list[int]:
    """Messages per session summing to `messages`: mostly short chats, some long ones."""
    weights = [rng.paretovariate(2.0) for _ in range(sessions)]
    scale = messages / sum(weights)
    counts = [int(w * scale) for w in weights]
    for index in rng.sample(range(sessions), messages - sum(counts)):
        counts[index] += 1
    return counts


def _post_all(http: requests.Session, url: str, batches: Iterator[list[dict]], workers: int = 4) -> None:
    def post(batch: list[dict]) -> None:
        response = http.post(url, json={"rows": batch}, timeout=300)
        response.raise_for_status()

    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(post, batch) for batch in batches]:
            future.result()


def _batched(rows: Iterator[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BULK:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(server: LocalAppwrite, sessions: int, messages: int) -> None:
    manage(server, "appwrite_setup")
    http = requests.Session()
    http.headers.update({"X-Appwrite-Project": server.project_id, "X-Appwrite-Key": server.api_key})
    base = f"{server.endpoint}/tablesdb/{DATABASE_ID}/tables"
    rng = random.Random(SEED_VERSION)
    now = datetime.now(UTC)
    session_rows = list(_session_rows(sessions, rng, now))
    _post_all(http, f"{base}/sessions/rows", _batched(iter(session_rows)))
    counts = _message_counts(sessions, messages, rng)

    def message_rows() -> Iterator[dict]:
        for session, count in zip(session_rows, counts, strict=True):
            started = datetime.fromisoformat(session["startTime"])
            for number in range(count):
                at = iso(started + timedelta(seconds=number * 20))
                yield {
                    "$createdAt": at,
                    "$updatedAt": at,
                    "sessionId": session["sessionId"],
                    "role": ROLES[number % len(ROLES)],
                    "content": f"message {number} of this chat, about order #{rng.randrange(10**6)}",
                }

    _post_all(http, f"{base}/messages/rows", _batched(message_rows()))


def seeded_copy(sessions: int, messages: int, workdir: Path, log=print) -> tuple[Path, str]:
    """A working copy of the seeded SQLite file, and how it came about ("seeded in N s" or "reused")."""
    cache_dir = ROOT / "var" / "bench"
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"seed-v{SEED_VERSION}-{sessions}-sessions-{messages}-messages.sqlite3"
    how = "reused " + str(cached.relative_to(ROOT))
    if not cached.exists():
        log(f"seeding {sessions:,} sessions and {messages:,} messages (once; kept in {cached.relative_to(ROOT)}) …")
        partial = cached.with_suffix(".partial")
        for leftover in cache_dir.glob(partial.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        server = start_localappwrite(data=str(partial), faults=False, project_id=PROJECT_ID, api_key=API_KEY)
        try:
            seed(server, sessions, messages)
        finally:
            server.stop()
        # The server leaves its last writes in the WAL file beside the database: fold them in first.
        with sqlite3.connect(partial) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        partial.rename(cached)
        how = f"seeded in {time.perf_counter() - started:.1f} s"
    copy = workdir / "appwrite.sqlite3"
    shutil.copyfile(cached, copy)
    return copy, how
