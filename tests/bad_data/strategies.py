"""Hypothesis strategies for the rows a chat widget (or a careless script) can leave in Appwrite: every
value the dashboard's schema accepts, however odd, and the messages that go with them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

# Attribute sizes of the schema that `appwrite_setup` creates (CONTRACT.md).
SESSION_ID_SIZE, STATUS_SIZE, USER_META_SIZE, THEME_SIZE = 255, 64, 8192, 2048
ROLE_SIZE, CONTENT_SIZE = 32, 16384
# Appwrite (MariaDB DATETIME) accepts 1000-01-01 00:00:00 … 9999-12-31 23:59:59.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
KNOWN_ROLES = ("user", "assistant", "agent", "system")

# Text as a visitor's browser can send it: any character but lone surrogates (which UTF-8, and so
# Appwrite's storage, cannot hold), markup and template syntax included.
any_char = st.characters(exclude_categories=("Cs",))
markup = st.sampled_from(["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ request }}", "{% debug %}",
                          "&amp;", "\u202e", "\x00", "\r\n", "'", "—", "🙂", "𝔘"])  # fmt: skip


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    small = st.text(any_char, min_size=min_size, max_size=min(max_size, 40))
    mixed = st.lists(st.one_of(st.text(any_char, max_size=8), markup), max_size=6).map("".join)
    mixed = mixed.filter(lambda value: min_size <= len(value) <= max_size)
    return st.one_of(small, mixed, huge_text(max_size, min_size))


def huge_text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Long values, up to the attribute's size: a repeated piece, with something at the very end."""
    piece = st.sampled_from(["x", "é", "<b>", "🙂", "ab\n"])
    length = st.integers(min_value=max(min_size, max_size - 3), max_value=max_size)
    return st.tuples(piece, length).map(lambda pair: (pair[0] * pair[1])[: pair[1] - 1] + "Z" if pair[1] else "")


statuses = st.one_of(
    st.sampled_from(["active", "agent_assigned", "closed", "idle", "closed ", " active", "CLOSED", "", "Active",
                     "<b>closed</b>", "ο_κλειστό", "x" * STATUS_SIZE, "é" * STATUS_SIZE]),
    text(STATUS_SIZE),
)  # fmt: skip


def _moment_text(moment: datetime, style: int) -> str:
    if style == 0:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if style == 1:
        return moment.isoformat(timespec="milliseconds")
    return moment.isoformat(timespec="seconds")


def moments(now: datetime) -> st.SearchStrategy[datetime]:
    """Any moment Appwrite stores: its edges, the distant past and future, and around now."""
    near = st.integers(min_value=-3 * 24 * 3600, max_value=3 * 24 * 3600).map(lambda s: now + timedelta(seconds=s))
    anywhere = st.datetimes(
        min_value=EARLIEST.replace(tzinfo=None), max_value=LATEST.replace(tzinfo=None), timezones=st.just(UTC)
    )
    return st.one_of(st.sampled_from([EARLIEST, LATEST, now + timedelta(days=3650)]), near, anywhere).map(
        lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    )


# JSON values a widget could put into userMeta or theme, including non-string metadata values.
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), text(60),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2),  # \udXXX escapes
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(text(12), children, max_size=4)),
    max_leaves=12,
)
META_KEYS = ["browser", "device", "location", "__proto__", "constructor", "primaryColor", "", "url"]
json_objects = st.dictionaries(st.one_of(st.sampled_from(META_KEYS), text(20)), json_values, max_size=6)


def deeply_nested(depth: int, kind: str) -> str:
    inner = '{"browser":"deep"}'
    if kind == "array":
        return '{"browser":"Chrome","x":' + "[" * depth + inner + "]" * depth + "}"
    return '{"browser":"Chrome","x":' + '{"a":' * depth + inner + "}" * depth + "}"


def _dumps(value: Any, ensure_ascii: bool) -> str:
    """JSON text with non-ASCII as it is or escaped; a lone surrogate always escaped (as `\\udXXX`)."""
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    try:
        text.encode()
    except UnicodeEncodeError:
        return json.dumps(value)
    return text


def json_texts(max_size: int) -> st.SearchStrategy[str]:
    """What userMeta or theme may hold: a JSON object, broken JSON, JSON that is no object, deep nesting."""
    dumped = st.tuples(json_objects, st.booleans()).map(lambda pair: _dumps(pair[0], ensure_ascii=pair[1]))
    not_object = st.one_of(
        json_values.map(json.dumps),
        st.sampled_from(["null", "[]", "[1,2]", "42", '"text"', "true", "NaN", "-Infinity", "1e999"]),
    )
    broken = st.one_of(
        dumped.map(lambda value: value[:-1]),
        st.sampled_from(['{"browser": "Chrome"', "{browser: 'Chrome'}", "{", "}", "", " ", '{"a":1,}', "\x00{}"]),
        text(200),
    )
    deep = st.tuples(st.integers(min_value=1, max_value=3000), st.sampled_from(["array", "object"])).map(
        lambda pair: deeply_nested(*pair)
    )
    duplicate = st.just('{"browser":"First","browser":"Second","__proto__":{"polluted":true}}')
    huge = st.integers(min_value=max_size - 40, max_value=max_size - 30).map(
        lambda size: json.dumps({"browser": "Chrome", "pad": "x" * size})
    )
    return st.one_of(dumped, not_object, broken, deep, duplicate, huge).filter(lambda value: len(value) <= max_size)


roles = st.one_of(st.sampled_from(KNOWN_ROLES), st.sampled_from(["", "bot", "USER", "<i>agent</i>", "r" * ROLE_SIZE]),
                  text(ROLE_SIZE))  # fmt: skip


@dataclass
class MessageSpec:
    session_id: str
    role: str
    content: str
    row_id: str = ""  # set once written


@dataclass
class SessionSpec:
    row_id: str
    data: dict[str, Any]
    messages: list[MessageSpec] = field(default_factory=list)
    stored: dict[str, Any] = field(default_factory=dict)  # the row as Appwrite answered its creation

    @property
    def session_id(self) -> str:
        return self.data["sessionId"]


@dataclass
class Dataset:
    sessions: list[SessionSpec]
    orphans: list[MessageSpec]  # messages whose sessionId no session has


@st.composite
def datasets(draw, now: datetime, max_sessions: int = 5) -> Dataset:
    count = draw(st.integers(min_value=1, max_value=max_sessions))
    sessions = []
    for number in range(count):
        data: dict[str, Any] = {"sessionId": draw(st.one_of(text(SESSION_ID_SIZE), st.just(f"s_{number}")))}
        if draw(st.booleans()):
            data["status"] = draw(statuses)  # else Appwrite's default, `active`
        for key in ("startTime", "lastSeen"):
            if draw(st.booleans()):
                data[key] = _moment_text(draw(moments(now)), draw(st.integers(0, 2)))
        if draw(st.booleans()):
            data["userMeta"] = draw(json_texts(USER_META_SIZE))
        if draw(st.booleans()):
            data["theme"] = draw(json_texts(THEME_SIZE))
        messages = [
            MessageSpec(data["sessionId"], role, content)
            for role, content in draw(st.lists(st.tuples(roles, text(CONTENT_SIZE)), max_size=3))
        ]
        sessions.append(SessionSpec(f"row{number}", data, messages))
    known = {session.session_id for session in sessions}
    orphans = [
        MessageSpec(session_id, role, content)
        for session_id, role, content in draw(st.lists(st.tuples(text(SESSION_ID_SIZE), roles, text(200)), max_size=2))
        if session_id not in known
    ]
    return Dataset(sessions, orphans)
