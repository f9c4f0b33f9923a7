"""Log lines that a visitor or Appwrite cannot forge: control characters in a logged message come out escaped,
so a path like `/x%0AFORGED-LINE` stays on its own line, and a traceback's lines are indented under the line
that announced it. Used by the dashboard's loggers (settings.LOGGING) and by gunicorn's logs (gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

# C0 controls (line feed and carriage return among them), DEL and C1 controls (NEL among them), the Unicode
# line and paragraph separators, and the bidi controls that reorder how the rest of a line reads.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(found: re.Match) -> str:
    character = found.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control character written as a visible escape (`\\n`, `\\x1b`, `\\u202e`)."""
    return _CONTROLS.sub(_escape, text)


def _indented_block(text: str) -> str:
    return "\n".join("    " + escape_controls(line) for line in text.split("\n"))


class EscapingFormatter(logging.Formatter):
    """A logging.Formatter whose message is one line whatever it carries. A traceback or stack still spans
    lines, each indented and escaped, so none of them starts where a log line would."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))

    def formatException(self, ei) -> str:
        return _indented_block(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented_block(super().formatStack(stack_info))
