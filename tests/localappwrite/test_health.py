"""`GET /v1/health/version`: public, no project or key needed (the SDK 27 has no Health service)."""

from __future__ import annotations

import requests


def test_health_version_is_public_and_reports_1_9(appwrite_server):
    r = requests.get(appwrite_server.endpoint + "/health/version", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"version": "1.9.6"}


def test_health_version_ignores_a_wrong_project_and_key(appwrite_server):
    r = requests.get(
        appwrite_server.endpoint + "/health/version",
        timeout=10,
        headers={"X-Appwrite-Project": "other", "X-Appwrite-Key": "nope"},
    )
    assert r.status_code == 200 and r.json()["version"] == "1.9.6"


def test_every_answer_carries_the_server_version_header(appwrite_server):
    r = requests.get(appwrite_server.endpoint + "/health/version", timeout=10)
    assert r.headers["X-Appwrite-Version"] == "1.9.6"
