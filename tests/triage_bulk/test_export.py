"""The CSV export of the filtered list: every page, streamed, checked row by row against Appwrite."""

import csv
import io
import json
import re

import pytest
from appwrite.query import Query

from dashboard.appwrite import bulk, records
from tests.dashboard_fixtures import minutes_ago


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def appwrite_rows(rows, *queries) -> dict[str, dict]:
    """The sessions as Appwrite itself lists them (straight through the SDK)."""
    found, cursor = {}, []
    while True:
        page = rows.tables.list_rows(rows.database_id, "sessions", queries=[*queries, Query.limit(100), *cursor])
        for row in page.rows:
            found[row.id] = row.data
        if len(page.rows) < 100:
            return found
        cursor = [Query.cursor_after(page.rows[-1].id)]


def test_the_export_streams_every_page_of_the_filter_with_message_counts(client, rows, monkeypatch):
    monkeypatch.setattr(bulk, "WALK_PAGE_SIZE", 7)
    for number in range(23):
        rows.session(
            f"s_{number:03d}",
            status="active" if number % 3 else "closed",
            startTime=minutes_ago(100 + number),
            lastSeen=minutes_ago(number),
            userMeta='{"browser":"Firefox 133","device":"iPad","location":"Lyon, FR"}',
        )
        rows.messages(f"s_{number:03d}", number % 4)
    rows.session("s_other", status="active", userMeta='{"browser":"Edge 131"}')

    response = client.get("/export.csv?status=active&browser=Firefox+133")
    header, *lines = read_csv(response)

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="sessions-\d{8}-\d{6}\.csv"', response["Content-Disposition"])
    assert header[:7] == ["row_id", "session_id", "status", "start_time", "last_seen", "duration_seconds", "messages"]
    expected = appwrite_rows(
        rows, Query.equal("status", ["active"]), Query.contains("userMeta", ['"browser":"Firefox 133"'])
    )
    assert len(lines) == len(expected) == 15
    assert len({line[0] for line in lines}) == 15  # no row twice across pages
    for line in lines:
        row = dict(zip(header, line, strict=True))
        stored = expected[row["row_id"]]
        assert row["session_id"] == stored["sessionId"] and row["status"] == stored["status"]
        assert records.parse_datetime(row["start_time"]) == records.parse_datetime(stored["startTime"])
        assert records.parse_datetime(row["last_seen"]) == records.parse_datetime(stored["lastSeen"])
        assert row["messages"] == str(int(row["session_id"][2:]) % 4)
        assert (row["browser"], row["device"], row["location"]) == ("Firefox 133", "iPad", "Lyon, FR")
        assert row["user_meta"] == stored["userMeta"]


def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(client, rows):
    rows.session("s_evil", userMeta='{"browser":"=HYPERLINK(\\"http://x\\")","device":"+1","location":"@SUM(A1)"}')

    header, line = read_csv(client.get("/export.csv"))
    row = dict(zip(header, line, strict=True))

    assert row["browser"] == '\'=HYPERLINK("http://x")'
    assert row["device"] == "'+1" and row["location"] == "'@SUM(A1)"


@pytest.mark.parametrize(
    "text",
    [" =1+1", "\n=1+1", "\r\n=cmd|' /C calc'!A0", "\u3000=1", "\u00a0@SUM(A1)", "\u200b=1", "\ufeff+1",
     "＝HYPERLINK(1)", "＋1", "－1", "＠SUM(A1)", "﹦1", "\u2212 1", "\t=1", "\r=1", " \t -2"],
)  # fmt: skip
def test_a_formula_behind_whitespace_or_in_full_width_is_defused_too(client, rows, text):
    rows.session("s_evil", userMeta=json.dumps({"browser": text}), status=text)

    header, line = read_csv(client.get("/export.csv"))
    row = dict(zip(header, line, strict=True))

    assert row["browser"] == row["status"] == "'" + text


@pytest.mark.parametrize("text", ["Chrome 131", " Chrome", "a=b", "1-2", "", "  ", "€5", "'=1"])
def test_cells_that_start_no_formula_are_left_as_they_are(client, rows, text):
    rows.session("s_plain", userMeta=json.dumps({"browser": text, "device": "iPad"}))

    header, line = read_csv(client.get("/export.csv"))
    row = dict(zip(header, line, strict=True))

    assert row["browser"] == text and row["device"] == "iPad"


def test_an_export_above_the_limit_stops_with_a_clearly_marked_last_line(client, rows, settings):
    settings.DASHBOARD_EXPORT_MAX_ROWS = 5
    for number in range(8):
        rows.session(f"s_{number}")

    header, *lines = read_csv(client.get("/export.csv"))

    assert len(lines) == 6
    assert lines[-1][0].startswith("# TRUNCATED: the export stops at 5 rows")


def test_an_export_exactly_at_the_limit_is_not_marked(client, rows, settings):
    settings.DASHBOARD_EXPORT_MAX_ROWS = 3
    for number in range(3):
        rows.session(f"s_{number}")

    header, *lines = read_csv(client.get("/export.csv"))

    assert len(lines) == 3 and not lines[-1][0].startswith("#")


def test_an_export_with_appwrite_unreachable_fails_visibly(client, unreachable_appwrite):
    response = client.get("/export.csv")

    assert response.status_code == 503
    assert "Appwrite is unreachable" in response.content.decode()
