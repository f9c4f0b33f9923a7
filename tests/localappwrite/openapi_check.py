"""Validates raw localappwrite answers against Appwrite's OpenAPI 3 server spec (1.8.1) + 1.9 differences.

The spec is the project's own copy, `tests/localappwrite/spec/open-api3-1.8.x-server.json.gz` (where it comes
from and its licence: `spec/README.md`), so a fresh clone carries everything these checks read.

    from .openapi_check import validate_response
    body = validate_response(requests_response)   # method, path and status are taken from the response

The spec's schemas are converted once into a JSON-Schema (Draft 4) document: `$ref`s point at `definitions`,
OpenAPI's `nullable: true` becomes a `"null"` type, `x-*`/`example` keys are ignored by the validator, and
every string property whose spec example is a datetime must look like `2024-12-15T14:25:10.123+00:00` (or be
`""`). Error answers (4xx/5xx) are checked against the `error` schema. One spec quirk is handled in
`_convert`: `oneOf` becomes `anyOf`, because the column/attribute alternatives overlap (a string column also
satisfies other column schemas), so `oneOf` could never hold.
Everything in which Appwrite 1.9 knowingly differs from the 1.8.1 spec is patched in ONE place:
`KNOWN_1_9_DIFFERENCES` below.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema

SPEC_PATH = Path(__file__).resolve().parent / "spec" / "open-api3-1.8.x-server.json.gz"

DATETIME_PATTERN = r"^(|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00)$"
_DATETIME_EXAMPLE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")


def _set_property(schema: dict[str, Any], name: str, prop: dict[str, Any], required: bool) -> None:
    schema.setdefault("properties", {})[name] = prop
    if required and name not in schema.setdefault("required", []):
        schema["required"].append(name)


# ---- The known differences between the 1.8.1 spec and what Appwrite 1.9.x answers (to SDK 27, format 2.5.0).
# Each entry: schema name -> (why, patch function applied to that converted schema).
KNOWN_1_9_DIFFERENCES: dict[str, tuple[str, Any]] = {
    "row": (
        "1.9.0 returns `$sequence` as a string (V21 filter turns it back into an int only for formats < 1.9)",
        lambda s: _set_property(s, "$sequence", {"type": "string", "pattern": r"^\d+$"}, True),
    ),
    "document": (
        "same as row: `$sequence` is a string in 1.9",
        lambda s: _set_property(s, "$sequence", {"type": "string", "pattern": r"^\d+$"}, True),
    ),
    "error": (
        "the body's `code` is the HTTP status as an integer (the spec says string; AW general.php)",
        lambda s: _set_property(s, "code", {"type": "integer"}, True),
    ),
    "membership": (
        "1.9 adds `userPhone` and `userAccessedAt` (the SDK 27 model requires both)",
        lambda s: (
            _set_property(s, "userPhone", {"type": "string"}, True),
            _set_property(s, "userAccessedAt", {"type": "string", "pattern": DATETIME_PATTERN}, True),
        ),
    ),
    "user": (
        "1.9 adds optional e-mail metadata and impersonation fields",
        lambda s: [
            _set_property(s, name, {"type": t}, False)
            for name, t in (
                ("emailCanonical", "string"),
                ("emailIsFree", "boolean"),
                ("emailIsDisposable", "boolean"),
                ("emailIsCorporate", "boolean"),
                ("emailIsCanonical", "boolean"),
                ("impersonator", "boolean"),
                ("impersonatorUserId", "string"),
                ("passwordPwned", ["boolean", "null"]),
            )
        ],
    ),
    "healthVersion": (
        "`GET /health/version` is not in the server spec (console only since 1.9, no SDK method)",
        None,
    ),
}

# Operations the server spec lacks, with the schema of their success answer.
EXTRA_OPERATIONS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("get", "/health/version"): {"200": {"$ref": "#/definitions/healthVersion"}},
}
EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {
    "healthVersion": {
        "type": "object",
        "properties": {"version": {"type": "string"}},
        "required": ["version"],
    },
}


@functools.cache
def raw_spec() -> dict[str, Any]:
    """The official spec, as Appwrite published it (read-only: callers copy before changing it)."""
    with gzip.open(SPEC_PATH, "rt", encoding="utf-8") as f:
        return json.load(f)


def _convert(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema draft 4."""
    if isinstance(node, list):
        return [_convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in ("example", "nullable", "readOnly", "writeOnly", "deprecated"):
            continue
        if key == "oneOf":  # spec quirk: the column/attribute alternatives overlap, so oneOf can never hold
            out["anyOf"] = _convert(value)
        elif key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/components/schemas/", "#/definitions/")
        elif key in ("properties", "definitions") and isinstance(value, dict):
            out[key] = {k: _convert(v) for k, v in value.items()}
        else:
            out[key] = _convert(value)
    if node.get("nullable") and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
    example = node.get("x-example")
    if node.get("type") == "string" and isinstance(example, str) and _DATETIME_EXAMPLE.match(example):
        out["pattern"] = DATETIME_PATTERN
    return out


@functools.cache
def _definitions() -> dict[str, Any]:
    defs = {name: _convert(schema) for name, schema in raw_spec()["components"]["schemas"].items()}
    defs.update(copy.deepcopy(EXTRA_SCHEMAS))
    for name, (_why, patch) in KNOWN_1_9_DIFFERENCES.items():
        if patch is not None:
            patch(defs[name])
    return defs


@functools.cache
def _path_table() -> list[tuple[re.Pattern[str], str]]:
    """Spec path templates as regexes, literal segments first (so `/account/sessions/email` beats
    `/account/sessions/{sessionId}`)."""
    templates = list(raw_spec()["paths"]) + [p for _m, p in EXTRA_OPERATIONS]
    table = []
    for t in set(templates):
        regex = "^" + re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(t)) + "$"
        table.append((t.count("{"), t, re.compile(regex)))
    table.sort(key=lambda x: (x[0], x[1]))
    return [(rx, t) for _n, t, rx in table]


def path_template(path: str) -> str:
    for rx, template in _path_table():
        if rx.match(path):
            return template
    raise AssertionError(f"no OpenAPI path matches {path!r}")


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of the answer (None: no body, e.g. 204). Error statuses use the `error` schema."""
    if status >= 400:
        return {"$ref": "#/definitions/error"}
    extra = EXTRA_OPERATIONS.get((method.lower(), template))
    if extra is not None:
        return extra.get(str(status)) or _fail(f"{method} {template}: no {status} answer")
    op = raw_spec()["paths"].get(template, {}).get(method.lower())
    if op is None:
        raise AssertionError(f"{method.upper()} {template} is not an operation of the spec")
    responses = op.get("responses", {})
    if str(status) not in responses:
        raise AssertionError(
            f"{method.upper()} {template}: the spec has no {status} answer (it has {sorted(responses)})"
        )
    content = responses[str(status)].get("content")
    if not content:
        return None
    schema = content.get("application/json", {}).get("schema")
    return _convert(schema) if schema is not None else None


def _fail(message: str) -> Any:
    raise AssertionError(message)


def validate_body(body: Any, schema: dict[str, Any]) -> None:
    root = {**schema, "definitions": _definitions()}
    validator = jsonschema.Draft4Validator(root)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in errors[:10]
        ]
        raise AssertionError("answer does not match the OpenAPI schema:\n" + "\n".join(lines))


def validate_response(response: Any, as_template: str | None = None, api_prefix: str = "/v1") -> Any:
    """Validates a `requests` response of localappwrite; returns the parsed JSON body (None for no body).

    `as_template` validates against another operation of the same method (e.g. an alias route the spec lacks).
    """
    method = response.request.method
    path = unquote(urlsplit(response.request.url).path)
    assert path.startswith(api_prefix), path
    path = path[len(api_prefix) :].rstrip("/") or "/"
    template = as_template or path_template(path)
    status = response.status_code
    content_type = response.headers.get("Content-Type")
    assert content_type, f"{method} {path}: no Content-Type (the SDK needs one even on a 204)"
    schema = response_schema(method, template, status)
    if schema is None:
        assert response.content == b"", f"{method} {path}: {status} must have no body"
        return None
    assert content_type.startswith("application/json"), f"{method} {path}: Content-Type {content_type}"
    body = response.json()
    try:
        validate_body(body, schema)
    except AssertionError as e:
        raise AssertionError(
            f"{method} {template} -> {status}: {e}\nbody: {json.dumps(body)[:1500]}"
        ) from None
    return body
