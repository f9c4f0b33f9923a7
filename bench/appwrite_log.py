"""Reads localappwrite's request log (`GET /__requests__`, with --enable-faults): which Appwrite requests
a page made, and how many of them were in series. Times are time.monotonic() seconds, which on Linux
is one clock for every process of the machine, so a client's window and the server's log line up."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True)
class Logged:
    method: str
    path: str  # path?query, as sent
    started: float
    ended: float

    @property
    def collection(self) -> str:
        """`sessions`, `messages`, … for row requests; the first path segment otherwise."""
        parts = self.path.split("?", 1)[0].split("/")
        if "tables" in parts or "collections" in parts:
            index = parts.index("tables") if "tables" in parts else parts.index("collections")
            return parts[index + 1] if len(parts) > index + 1 else ""
        return parts[2] if len(parts) > 2 else ""

    @property
    def query(self) -> str:
        return unquote(self.path.split("?", 1)[1]) if "?" in self.path else ""


def fetch(host: str, port: int) -> list[Logged]:
    # The server logs a request just after sending its answer: give the last one a moment.
    time.sleep(0.05)
    with urllib.request.urlopen(f"http://{host}:{port}/__requests__", timeout=30) as answer:
        body = json.load(answer)
    return [Logged(*entry) for entry in body["requests"]]


def within(log: list[Logged], start: float, end: float) -> list[Logged]:
    """The requests that started inside the window (the server notes `ended` after its answer left,
    a little after the client had it)."""
    return [entry for entry in log if start <= entry.started <= end]


def in_series(requests: list[Logged]) -> int:
    """The longest chain of requests each starting after the previous one ended (the critical path in
    round trips): the most intervals that do not overlap, found by taking the earliest to end first."""
    count, free_from = 0, float("-inf")
    for entry in sorted(requests, key=lambda e: e.ended):
        if entry.started >= free_from:
            count += 1
            free_from = entry.ended
    return count
