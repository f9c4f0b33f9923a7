"""What the sessions list sends to the browser, in bytes (issue 14, point 9): the whole page, the rows region
(`#session-rows`, the htmx fragment), its rows, and a live refresh made as static/dashboard/rows.js and app.js
make it after one session changed. Bytes are those of the answer's body as served (the dashboard compresses
nothing itself: a proxy in front may)."""

from __future__ import annotations

import re

import requests

# A row as dashboard/sessions.html#session-row renders it; nothing inside a row is a <tr>, and every value in
# it is escaped, so the first `</tr>` ends it.
_ROW = re.compile(r'<tr data-row-id="[^"]*".*?</tr>', re.S)
_ROW_VERSION = re.compile(r'<tr data-row-id="[^"]*"[^>]*? data-v="([0-9a-f]*)"')
_RGN_VERSION = re.compile(r'data-rows-version="([^"]+)"')


def rows_in(html: str) -> list[str]:
    return _ROW.findall(html)


def rows_version(html: str) -> str:
    found = _RGN_VERSION.search(html)
    return found.group(1) if found else ""


def row_versions(html: str) -> list[str]:
    """The versions of the rows an answer shows (their data-v), in order; empty ones (a row an action
    answered) are left out, as rows.js leaves them out."""
    return [version for version in _ROW_VERSION.findall(html) if version]


def refresh_headers(list_url: str, version: str, shown: list[str]) -> dict[str, str]:
    """The headers of the region's own poll: htmx's (HX-Request, its target and trigger, the page's URL),
    app.js's X-Rows-Version (the region's data-rows-version) and rows.js's X-Rows-Shown (the versions of the
    rows on screen and held back, space-separated)."""
    headers = {
        "HX-Request": "true",
        "HX-Target": "session-rows",
        "HX-Trigger": "session-rows",
        "HX-Current-URL": list_url,
    }
    if version:
        headers["X-Rows-Version"] = version
    if shown:
        headers["X-Rows-Shown"] = " ".join(shown)
    return headers


def page_and_region(http: requests.Session, list_url: str) -> dict:
    """The whole page (a browser's first load) and the region alone (the fragment a refresh that says
    nothing gets), with the region's rows."""
    page = http.get(list_url, timeout=60)
    page.raise_for_status()
    region = http.get(list_url, headers=refresh_headers(list_url, "", []), timeout=60)
    region.raise_for_status()
    rows = rows_in(region.text)
    row_bytes = sum(len(row.encode()) for row in rows)
    return {
        "page_bytes": len(page.content),
        "page_rows": len(rows_in(page.text)),
        "region_bytes": len(region.content),
        "region_rows": len(rows),
        "row_bytes_total": row_bytes,
        "row_bytes_mean": row_bytes / len(rows) if rows else 0.0,
        "row_bytes_max": max((len(row.encode()) for row in rows), default=0),
    }


def page_order(html: str) -> list[str]:
    """The versions of the whole page in its order (the tbody's data-order): what the browser shows once it
    has merged an answer, when the agent's hand is off the list."""
    found = re.search(r'<tbody data-order="([^"]*)"', html)
    return found.group(1).split() if found else row_versions(html)
