"""The shared cache's single flight (dashboard/appwrite/shared.py): however many agents want a value at once, one of
them computes it, also when the value in the making is an older one than theirs (the list moved on meanwhile)."""

from __future__ import annotations

import threading
import time
import uuid

from dashboard.appwrite import shared


def test_agents_wanting_a_newer_value_than_the_one_being_computed_share_one_computation():
    key = "single-flight-test:" + uuid.uuid4().hex
    older = shared.join(key, lambda value: value == "older")  # an agent whose look at the list came first
    assert older.leading
    computed: list[str] = []
    got: list[str] = []
    lock = threading.Lock()

    def agent() -> None:
        joined = shared.join(key, lambda value: value == "newer")
        if joined.leading:
            with lock:
                computed.append("newer")
            time.sleep(0.2)  # what asking Appwrite takes
            joined.finish("newer", 60)
            joined.value = "newer"
        with lock:
            got.append(joined.value)

    agents = [threading.Thread(target=agent) for _ in range(20)]
    for thread in agents:
        thread.start()
    time.sleep(0.2)  # they wait for the older value's computation
    older.finish("older", 60)
    for thread in agents:
        thread.join()

    assert got == ["newer"] * 20
    assert computed == ["newer"]
