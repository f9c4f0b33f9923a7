"""What the schema doctor reports (dashboard/doctor.py, doctor_messages.py): findings, their levels, the
report they make, and Appwrite's words made safe to print."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

OK, WARNING, ERROR, SKIPPED = "ok", "warning", "error", "skipped"
# Appwrite's string types; the text types have a fixed size (bytes) and report none.
STRING_SIZES = {"string": None, "varchar": None, "text": 65535, "mediumtext": 16777215, "longtext": 4294967295}


@dataclass(frozen=True)
class Finding:
    """One line of the report; a problem (warning or error) carries its fix and a stable code."""

    level: str
    what: str
    fix: str = ""
    code: str = ""


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == WARNING]

    @property
    def healthy(self) -> bool:
        """Everything the dashboard needs is right (warnings allowed)."""
        return not self.errors


def plain(text: Any, limit: int = 160) -> str:
    """Appwrite's words are untrusted: no control characters (terminal escapes) and a bounded length."""
    cleaned = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", str(text))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
