"""The request parameters' readers, one per validator Appwrite declares on its routes (utopia-php's Text,
Boolean, Range, ArrayList, Email, Phone, Password, CustomId/UID, Permissions, JSON), with their wording.

A refusal is 400 `general_argument_invalid` ``Invalid `name` param: <description>``, a missing required param
``Param "name" is not optional.``, as utopia-php/http words them (src/Http/Http.php, validate()).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

from .errors import param_invalid, param_missing

MISSING: Any = object()

def key_rule(max_len: int = 36) -> str:
    """utopia-php/database's Key validator (UID and CustomId are Keys of 36)."""
    return (f"Parameter must contain at most {max_len} chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and "
            "underscore. Can't start with a special char")


ID_RULE = key_rule()
_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$")
_KEY_CHARS = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_PHONE = re.compile(r"^\+[1-9]\d{5,14}$")
PERMISSION_ACTIONS = ("read", "create", "update", "delete", "write")
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
MAX_QUERIES, MAX_QUERY_LENGTH = 100, 4096  # APP_LIMIT_ARRAY_PARAMS_SIZE, APP_LIMIT_ARRAY_ELEMENT_SIZE


def unique_id() -> str:
    """Like Appwrite's ID::unique(): PHP uniqid() (13 hex digits of time) plus 7 random hex digits."""
    t = time.time()
    return f"{int(t):08x}{int(t * 1_000_000) % 1_000_000:05x}" + secrets.token_hex(4)[:7]


def is_id(value: Any) -> bool:
    return isinstance(value, str) and _ID.match(value) is not None


def text_rule(max_len: int = 0, min_len: int = 0) -> str:
    """utopia's Text validator description."""
    rule = "Value must be a valid string"
    if min_len:
        rule += f" and at least {min_len} chars"
    if max_len:
        rule += f" and no longer than {max_len} chars"
    return rule


def has_lone_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class Params:
    """The params of one request (query string for GET, body for the others) and a reader per validator."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def raw(self, name: str, default: Any = MISSING) -> Any:
        """The value, `default` when absent or null; a required param (no default) must be present."""
        value = self.values.get(name)
        if value is None:
            if default is MISSING:
                raise param_missing(name)
            return default
        return value

    def text(self, name: str, max_len: int, default: Any = MISSING, *, min_len: int = 0) -> Any:
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, str) or len(value) > max_len or len(value) < min_len \
                or has_lone_surrogate(value):
            raise param_invalid(name, text_rule(max_len, min_len))
        return value

    def boolean(self, name: str, default: Any = MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        return boolean_value(value, name)

    def integer(self, name: str, lo: int, hi: int, default: Any = MISSING) -> Any:
        """utopia's Range(lo, hi) on an integer (a digit string from a query string counts)."""
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise param_invalid(name, f"Value must be a valid range between {lo:,} and {hi:,}")
        return value

    def custom_id(self, name: str, *, allow_unique: bool = True) -> str:
        """Appwrite's CustomId validator; `unique()` makes a fresh id."""
        value = self.raw(name)
        if allow_unique and value == "unique()":
            return unique_id()
        if not is_id(value):
            raise param_invalid(name, ID_RULE)
        return value

    def email(self, name: str = "email", default: Any = MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
            raise param_invalid(name, "Value must be a valid email address")
        return value.lower()

    def phone(self, name: str = "phone", default: Any = MISSING) -> Any:
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, str) or not _PHONE.match(value):
            raise param_invalid(name, "Phone number must start with a '+' can have a maximum of fifteen digits.")
        return value

    def password(self, name: str = "password", default: Any = MISSING) -> Any:
        """AW Auth/Validator/Password (and PasswordStrength's default policy): 8 to 256 bytes."""
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, str) or has_lone_surrogate(value) or not 8 <= len(value.encode()) <= 256:
            raise param_invalid(name, "Password must be between 8 and 256 characters long.")
        return value

    def strings(self, name: str, max_items: int, max_len: int, default: Any = MISSING, *,
                min_len: int = 0) -> Any:
        """utopia's ArrayList(Text(max_len, min_len), max_items)."""
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, dict):  # `name[3]=…` in a query string
            value = list(value.values())
        ok = isinstance(value, list) and len(value) <= max_items and all(
            isinstance(v, str) and min_len <= len(v) <= max_len and not has_lone_surrogate(v) for v in value)
        if not ok:
            raise param_invalid(name, f"Value must a valid array no longer than {max_items} items and "
                                      + text_rule(max_len, min_len))
        return list(value)

    def keys(self, name: str, max_len: int, default: Any = MISSING) -> Any:
        """utopia's ArrayList(Key(max_len), 100), as Appwrite declares team roles."""
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, dict):
            value = list(value.values())
        ok = isinstance(value, list) and len(value) <= 100 and all(
            isinstance(v, str) and 0 < len(v) <= max_len and _KEY_CHARS.match(v) for v in value)
        if not ok:
            raise param_invalid(name, "Value must a valid array no longer than 100 items and " + key_rule(max_len))
        return list(value)

    def present(self, name: str) -> bool:
        """Sent with a value: utopia validates every param the request carries, even `""` (JSON null is unset)."""
        return self.values.get(name) is not None

    def queries(self, name: str = "queries") -> list[str]:
        """The `queries` param: ArrayList(Text(4096), 100)."""
        return self.strings(name, MAX_QUERIES, MAX_QUERY_LENGTH, [])

    def permissions(self, name: str = "permissions") -> list[str] | None:
        """Appwrite's Permissions validator; None when absent (keep what there is)."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) > 100:
            raise param_invalid(name, "Value must a valid array no longer than 100 items and Permission string")
        out: list[str] = []
        for p in value:
            action, _, rest = p.partition("(") if isinstance(p, str) else ("", "", "")
            role = rest[:-1]
            if action not in PERMISSION_ACTIONS or not rest.endswith(")") or len(role) < 2 \
                    or not role.startswith('"') or not role.endswith('"') or has_lone_surrogate(p):
                raise param_invalid(name, f'Permission "{p}" is not allowed. Must be one of: '
                                    + ", ".join(PERMISSION_ACTIONS) + ".")
            if p not in out:
                out.append(p)
        return out

    def json_object(self, name: str, default: Any = MISSING) -> Any:
        """utopia's JSON validator: an object, or a string holding one."""
        value = self.raw(name, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError) as e:
                raise param_invalid(name, "Value must be a valid JSON string") from e
        if isinstance(value, list) and not value:
            value = {}
        if not isinstance(value, dict):
            raise param_invalid(name, "Value must be a valid JSON string")
        return value


def boolean_value(value: Any, name: str) -> bool:
    """utopia's Boolean validator in loose mode: JSON booleans, or the words a query string carries."""
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1):
        return True
    if value in ("false", "0", 0):
        return False
    raise param_invalid(name, "Value must be a valid boolean")


def path_id(value: str, name: str) -> str:
    """An id in the path, validated like Appwrite's UID validator."""
    if not is_id(value):
        raise param_invalid(name, ID_RULE)
    return value
