"""The start date filter's days are days of a named time zone (the browser's, sent as `tz`), UTC by default;
an unknown zone is refused on the page, and the zone travels with the filter to the export and bulk actions."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from tests.htmx import HTMX

BERLIN_11_JUNE = {"started_from": "2024-06-11", "started_to": "2024-06-11", "tz": "Europe/Berlin"}


def row_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr data-row-id="([^"]+)"', html))


def legend(html: str) -> str:
    found = re.search(r'<legend class="field-label">(.*?)</legend>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", found)


@pytest.fixture
def around_midnight(rows):
    """Sessions started near midnight of 11 June 2024, which is 22:00 UTC on the 10th in Berlin (CEST)."""
    rows.session("s_berlin_early", startTime=datetime(2024, 6, 10, 22, 30, tzinfo=UTC))  # 00:30 on the 11th there
    rows.session("s_berlin_late", startTime=datetime(2024, 6, 11, 21, 30, tzinfo=UTC))  # 23:30 on the 11th there
    rows.session("s_utc_only", startTime=datetime(2024, 6, 11, 22, 30, tzinfo=UTC))  # the 12th in Berlin
    rows.session("s_before", startTime=datetime(2024, 6, 10, 21, 30, tzinfo=UTC))  # the 10th in both
    return rows


def test_the_days_are_days_of_the_zone_the_browser_names(client, around_midnight):
    html = client.get("/", BERLIN_11_JUNE).content.decode()

    assert row_ids(html) == {"s_berlin_early", "s_berlin_late"}
    assert legend(html) == "Started between (Europe/Berlin)"


def test_without_a_zone_the_days_are_utc_days_and_the_legend_says_so(client, around_midnight):
    html = client.get("/", {"started_from": "2024-06-11", "started_to": "2024-06-11"}).content.decode()

    assert row_ids(html) == {"s_berlin_late", "s_utc_only"}
    assert legend(html) == "Started between (UTC)"
    assert re.search(r'<input type="hidden" name="tz" value="UTC"', html)  # a resubmit keeps the same days


def test_an_unknown_zone_is_refused_on_the_page_and_the_days_stay_utc(client, around_midnight):
    query = {**BERLIN_11_JUNE, "tz": "Mars/Olympus_Mons"}

    response = client.get("/", query)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Unknown time zone “Mars/Olympus_Mons”: these days are in UTC." in html
    assert row_ids(html) == {"s_berlin_late", "s_utc_only"}
    assert legend(html) == "Started between (UTC)"
    assert "Mars" not in re.search(r'href="/export.csv[^"]*"', html).group(0)


def test_a_hostile_zone_name_is_shown_escaped(client, around_midnight):
    html = client.get("/", {**BERLIN_11_JUNE, "tz": '"><script>alert(1)</script>'}).content.decode()

    assert "<script>alert(1)" not in html
    assert "Unknown time zone “&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;”" in html


def test_the_zone_travels_with_the_filter_to_the_tabs_the_export_and_select_all_matching(client, around_midnight):
    html = client.get("/", BERLIN_11_JUNE).content.decode()
    export_url = re.search(r'href="(/export.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    matching_url = re.search(r'hx-get="(/bulk/matching/[^"]*)"', html).group(1).replace("&amp;", "&")

    assert "tz=Europe%2FBerlin" in export_url and "tz=Europe%2FBerlin" in matching_url
    assert 'href="?status=closed&amp;started_from=2024-06-11&amp;started_to=2024-06-11&amp;tz=Europe%2FBerlin"' in html
    body = b"".join(client.get(export_url).streaming_content).decode("utf-8")[1:]
    assert {line[0] for line in list(csv.reader(io.StringIO(body)))[1:]} == {"s_berlin_early", "s_berlin_late"}
    matching = client.get(matching_url, headers=HTMX).content.decode()
    assert 'data-count="2"' in matching


def test_a_zone_without_a_date_is_left_out_of_the_links(client, around_midnight):
    html = client.get("/", {"tz": "Europe/Berlin", "q": "s_"}).content.decode()

    assert re.search(r'href="/export.csv\?q=s_"', html) and 'href="?status=closed&amp;q=s_"' in html
    assert re.search(r'<input type="hidden" name="tz" value=""', html)  # the browser fills in its own
    assert legend(html) == "Started between (UTC)"


def test_the_idle_close_summary_names_the_zone_of_its_days(client, around_midnight):
    html = client.get("/close-idle/", {**BERLIN_11_JUNE, "idle_minutes": "30"}).content.decode()

    assert "2024-06-11 – 2024-06-11 (Europe/Berlin)" in html


def test_a_day_that_loses_an_hour_to_daylight_saving_is_23_hours_long(client, rows):
    rows.session("s_last_hour", startTime=datetime(2024, 3, 31, 21, 30, tzinfo=UTC))  # 23:30 CEST, the 31st
    rows.session("s_next_day", startTime=datetime(2024, 3, 31, 22, 30, tzinfo=UTC))  # 00:30 CEST, 1 April

    html = client.get("/", {"started_from": "2024-03-31", "started_to": "2024-03-31", "tz": "Europe/Berlin"})

    assert row_ids(html.content.decode()) == {"s_last_hour"}
