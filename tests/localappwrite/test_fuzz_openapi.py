"""Schemathesis over Appwrite's own OpenAPI server spec (the project's copy, spec/) against a localappwrite of its
own: every operation of the spec, with data the spec allows and data it forbids, under a small deterministic
budget. Whatever the operation (served here or not), the answer is never a 5xx and always JSON."""

from __future__ import annotations

import copy
import json
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests.localappwrite_process import start_localappwrite

from .openapi_check import raw_spec

# Examples per operation and generation mode. The operations localappwrite serves get more, and data the spec
# forbids as well; the others (answered 404 before any param is read) one valid example each.
EXAMPLES, SERVED_EXAMPLES = 1, 4
SERVED = ("/tablesdb", "/databases", "/users", "/teams", "/account", "/health")


@pytest.fixture(scope="module")
def fuzzed_server():
    server = start_localappwrite(faults=False)
    yield server
    server.stop()


def _schema(endpoint: str) -> schemathesis.BaseSchema:
    spec = copy.deepcopy(raw_spec())
    spec["servers"] = [{"url": endpoint}]
    return schemathesis.openapi.from_dict(spec)


def test_no_operation_of_the_spec_gets_a_5xx_or_a_page_that_is_not_json(fuzzed_server):
    schema = _schema(fuzzed_server.endpoint)
    http = requests.Session()
    headers = {"X-Appwrite-Project": fuzzed_server.project_id, "X-Appwrite-Key": fuzzed_server.api_key}
    statuses: Counter[int] = Counter()
    bad: list[str] = []
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        served = operation.path.startswith(SERVED)
        budget = SERVED_EXAMPLES if served else EXAMPLES
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if served else (GenerationMode.POSITIVE,):

            @settings(max_examples=budget, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: schemathesis.Case) -> None:
                kwargs = case.as_transport_kwargs(base_url=fuzzed_server.endpoint, headers=headers)
                kwargs.pop("session", None)
                response = http.request(**{**kwargs, "timeout": 30, "allow_redirects": False})
                statuses[response.status_code] += 1
                kind = response.headers.get("Content-Type", "")
                readable = response.status_code == 204 or kind.startswith("application/json")
                if response.status_code >= 500 or not readable:
                    bad.append(f"{case.method} {case.formatted_path} -> {response.status_code} {kind} "
                               f"{response.text[:200]}")

            try:
                call()
            except Exception as e:  # noqa: BLE001 (a schema the generator cannot satisfy is no server failure)
                if "Unsatisfiable" not in type(e).__name__ and "unsatisfiable" not in str(e).lower():
                    raise
    cases = sum(statuses.values())
    figures = {"operations": operations, "cases": cases, "5xx": sum(n for s, n in statuses.items() if s >= 500),
               "seconds": round(time.monotonic() - started, 1), "statuses": dict(sorted(statuses.items()))}
    print("fuzz figures:", json.dumps(figures))
    assert operations > 250 and cases > operations
    assert not bad, "\n".join(bad[:30])
