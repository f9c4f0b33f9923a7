"""`make load` in a small bounded form: 10 signed-in agents polling and closing for 12 s against gunicorn with
2 workers meet no error. Its speed figures are the full run's business (bench/README.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kind_row(output: str, kind: str) -> tuple[int, int]:
    """(requests, errors) of one kind in the load run's table."""
    found = re.search(rf"^\| {kind}\s+\|\s+(\d+) \|\s+(\d+) \|", output, re.M)
    assert found, output
    return int(found.group(1)), int(found.group(2))


def test_ten_agents_polling_and_closing_for_twelve_seconds_meet_no_error():
    # The same seeded data as `python -m bench --quick`; agents close often so that closes surely happen.
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", "--agents", "10", "--seconds", "12", "--sessions", "2000",
         "--close-chance", "0.5"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = done.stdout + done.stderr[-3000:]

    assert done.returncode == 0, output
    assert "result: ok, no error" in done.stdout
    assert kind_row(done.stdout, "sign-in") == (10, 0)
    assert kind_row(done.stdout, "page") == (10, 0)
    polls, poll_errors = kind_row(done.stdout, "poll")
    assert polls >= 10 and poll_errors == 0  # every tab opens within 5 s (and its page), then polls 5 s later
    closes, close_errors = kind_row(done.stdout, "close")
    assert closes >= 1 and close_errors == 0
    assert kind_row(done.stdout, "all")[1] == 0
