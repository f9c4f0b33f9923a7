"""Row values as utopia-php/database's Structure validator checks them, and their stored and answered forms."""

from __future__ import annotations

import ipaddress
import json
import math
import re
from typing import Any

from .. import datetimes
from ..errors import row_invalid_structure
from .catalog import FLOAT_MAX, INT64_MAX, INT64_MIN, TEXT_SIZES, Column, Table
from .family import Family


def _range_text(lo: float, hi: float) -> str:
    def fmt(v: float) -> str:
        return f"{v:,}" if isinstance(v, int) else f"{v:,.0f}" if abs(v) < 1e21 else repr(v)
    return f"Value must be a valid range between {fmt(lo)} and {fmt(hi)}"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#]+[^\s]*$")


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def check_value(col: Column, value: Any) -> str | None:
    """None when `value` (one element, not null) fits the column, else the validator's description."""
    kind = col.kind
    if kind == "string":
        size = col.size or TEXT_SIZES.get(col.type, 0)
        if not isinstance(value, str) or len(value) > size:
            return f"Value must be a valid string and no longer than {size} chars"
        if col.format == "enum" and value not in col.elements:
            return "Value must be one of (" + ", ".join(col.elements) + ")"
        if col.format == "email" and not _EMAIL.match(value):
            return "Value must be a valid email address"
        if col.format == "url" and not _URL.match(value):
            return "Value must be a valid URL"
        if col.format == "ip" and not _valid_ip(value):
            return "Value must be a valid IP address"
        return None
    if kind == "integer":
        lo = INT64_MIN if col.min is None else int(col.min)
        hi = INT64_MAX if col.max is None else int(col.max)
        if isinstance(value, bool) or not isinstance(value, int):
            return "Value must be a valid integer"
        if not lo <= value <= hi:
            return _range_text(lo, hi)
        return None
    if kind == "double":
        lo = -FLOAT_MAX if col.min is None else float(col.min)
        hi = FLOAT_MAX if col.max is None else float(col.max)
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not math.isfinite(value)):
            return "Value must be a valid float"
        if isinstance(value, int) and abs(value) > 2 ** 63:
            return "Value must be a valid float"
        if not lo <= value <= hi:
            return _range_text(lo, hi)
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "Value must be a valid boolean"
    if kind == "datetime":
        try:
            datetimes.parse(value)
        except datetimes.InvalidDatetime:
            return datetimes.range_text()
        return None
    return "Unsupported type"


def to_sql(col: Column, value: Any) -> Any:
    """A validated value → what is stored."""
    if value is None:
        return None
    if col.array:
        return json.dumps([_scalar_to_sql(col, v) for v in value], ensure_ascii=False)
    return _scalar_to_sql(col, value)


def _scalar_to_sql(col: Column, value: Any) -> Any:
    if col.kind == "datetime":
        return datetimes.stored(value)
    if col.kind == "boolean":
        return int(value)
    if col.kind == "double":
        return float(value)
    return value


def from_sql(col: Column, value: Any) -> Any:
    if value is None:
        return [] if col.array else None
    if col.array:
        items = json.loads(value)
        return [_scalar_from_sql(col, v) for v in items]
    return _scalar_from_sql(col, value)


def _scalar_from_sql(col: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = col.kind
    if kind == "datetime":
        return datetimes.output(value)
    if kind == "boolean":
        return bool(value)
    if kind == "double":
        return float(value)
    return value


def validate_data(table: Table, data: dict[str, Any], fam: Family, *, partial: bool) -> dict[str, Any]:
    """Checks row data like Appwrite's structure validator; answers {column key: stored value}.

    `partial` (update): only the given keys are checked, but a required column may not be set to null.
    System keys ($id, $createdAt, …) must have been taken out by the caller.
    """
    columns = table.columns
    for col in columns.values():
        if col.required and data.get(col.key, None if not partial else 0) is None:
            raise row_invalid_structure(fam, f'Missing required attribute "{col.key}"')
    for key in data:
        if key not in columns:
            raise row_invalid_structure(fam, f'Unknown attribute: "{key}"')
    out: dict[str, Any] = {}
    for key, value in data.items():
        col = columns[key]
        if value is None:
            out[key] = None
            continue
        if col.array:
            if not isinstance(value, list):
                raise row_invalid_structure(fam, f'Attribute "{key}" must be an array')
            for i, item in enumerate(value):
                problem = check_value(col, item)
                if problem:
                    raise row_invalid_structure(fam, f'Attribute "{key}[{i}]" has invalid type. {problem}')
        else:
            problem = check_value(col, value)
            if problem:
                raise row_invalid_structure(fam, f'Attribute "{key}" has invalid type. {problem}')
        out[key] = to_sql(col, value)
    return out
