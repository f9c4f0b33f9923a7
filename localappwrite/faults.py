"""The test endpoints' state (with `--enable-faults` only): failures injected on purpose (`POST /__faults__`) and
the log of answered requests (`GET /__requests__`)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Faults:
    """mode: "off", "500", "503", "429" (with a Retry-After header when `retry_after` is set), "hang" (no
    answer for `hang_seconds`, then the connection is closed), "garbage" (200 with a body that is not JSON),
    "malformed" (200, JSON content type, a cut-off JSON body), "html" (502 with a proxy's HTML error page),
    "reset" (the connection is closed without an answer), or "lost" (the request is carried out, then the
    connection is closed without an answer). `remaining` counts the requests still to fail (-1: until
    switched off); `path_prefix` limits them to API paths starting with it, `methods` (when not empty) to
    those HTTP methods.
    """

    MODES = ("off", "500", "503", "429", "hang", "garbage", "malformed", "html", "reset", "lost")

    mode: str = "off"
    remaining: int = -1
    path_prefix: str = "/v1/"
    hang_seconds: float = 30.0
    retry_after: int | None = None
    methods: tuple[str, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)
    request_count: int = 0
    # The last answered API requests as (method, path+query, started, ended) in time.monotonic() seconds:
    # benchmarks read them from GET /__requests__ to find requests in series.
    request_log: deque = field(default_factory=lambda: deque(maxlen=200_000))

    def configure(self, spec: dict) -> None:
        """Raises ValueError/TypeError/AttributeError on a bad spec (and then switches faults off)."""
        try:
            with self.lock:
                self.mode = str(spec.get("mode", "off"))
                self.remaining = int(spec.get("count", -1))
                self.path_prefix = str(spec.get("path_prefix", "/v1/"))
                self.hang_seconds = float(spec.get("hang_seconds", 30))
                retry_after = spec.get("retry_after")
                self.retry_after = None if retry_after is None else int(retry_after)
                self.methods = tuple(str(method).upper() for method in spec.get("methods") or ())
            if self.mode not in self.MODES:
                raise ValueError(self.mode)
        except (ValueError, TypeError, AttributeError):
            self.mode = "off"
            raise

    def count(self) -> None:
        with self.lock:
            self.request_count += 1

    def take(self, method: str, path: str) -> str:
        with self.lock:
            if self.mode == "off" or not path.startswith(self.path_prefix):
                return "off"
            if self.methods and method not in self.methods:
                return "off"
            if self.remaining == 0:
                return "off"
            if self.remaining > 0:
                self.remaining -= 1
            return self.mode
