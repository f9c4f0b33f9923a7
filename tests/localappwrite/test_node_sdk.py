"""The official Node server SDK (`node-appwrite`) against localappwrite, doing what the team's old
`view_sessions.js` did: list the sessions, count each one's messages, print the ages (clients/view_sessions.js)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .conftest import create_sessions_table

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "clients" / "view_sessions.js"


def _node() -> str:
    node = shutil.which("node")
    missing = "no `node`" if node is None else None
    if node and not (ROOT / "node_modules" / "node-appwrite").is_dir():
        missing = "no node_modules/node-appwrite (run `make node_modules/.installed`)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    return node


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def test_view_sessions_js_lists_the_sessions_with_their_message_counts_and_ages(appwrite_server, tables_db,
                                                                                 database_id):
    node = _node()
    create_sessions_table(tables_db, database_id)
    tables_db.create_table(database_id, "messages", "Messages")
    tables_db.create_varchar_column(database_id, "messages", "sessionId", 255, True)
    now = datetime.now(UTC)
    seen = {"s_recent": now - timedelta(minutes=5, seconds=10), "s_quiet": now - timedelta(hours=2, minutes=1),
            "s_old": now - timedelta(days=3, hours=1)}
    counts = {"s_recent": 3, "s_quiet": 0, "s_old": 1}
    for session_id, last_seen in seen.items():
        tables_db.create_row(database_id, "sessions", session_id, {
            "sessionId": session_id, "status": "closed" if session_id == "s_old" else "active",
            "startTime": iso(last_seen - timedelta(minutes=30)), "lastSeen": iso(last_seen)})
        for _ in range(counts[session_id]):
            tables_db.create_row(database_id, "messages", "unique()", {"sessionId": session_id})

    done = subprocess.run([node, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=60, env={
        **os.environ, "APPWRITE_ENDPOINT": appwrite_server.endpoint, "APPWRITE_PROJECT_ID": appwrite_server.project_id,
        "APPWRITE_API_KEY": appwrite_server.api_key, "DATABASE_ID": database_id})
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith("---")]
    expected = ["Found 3 sessions"]
    for session_id, age in (("s_recent", "5 minutes ago"), ("s_quiet", "2 hours ago"), ("s_old", "3 days ago")):
        expected += [f"Session ID: {session_id}", f"Status: {'closed' if session_id == 's_old' else 'active'}",
                     f"Start Time: {iso(seen[session_id] - timedelta(minutes=30))}",
                     f"Last Seen: {iso(seen[session_id])} ({age})", f"Messages: {counts[session_id]}"]
    assert lines == expected
