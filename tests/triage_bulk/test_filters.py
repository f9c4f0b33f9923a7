"""Filtering the list by visitor metadata and start date, all of it in the URL, through the test client."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.appwrite import queries
from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX


def row_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr data-row-id="([^"]+)"', html))


def test_a_metadata_chip_links_to_the_list_filtered_by_it(client, rows):
    rows.session(
        "s_chip", status="active", userMeta='{"browser":"Chrome 131","device":"Desktop","location":"Berlin, DE"}'
    )

    html = client.get("/?status=active").content.decode()

    assert 'href="/?status=active&amp;browser=Chrome+131"' in html
    assert 'href="/?status=active&amp;location=Berlin%2C+DE"' in html
    assert 'data-filter-chip="device"' in html


def test_the_browser_filter_matches_the_widget_json_and_pythons_spacing_but_not_longer_values(client, rows):
    rows.session("s_compact", userMeta='{"browser":"Chrome 131","device":"Desktop"}')
    rows.session("s_spaced", userMeta='{"browser": "Chrome 131", "device": "iPhone"}')
    rows.session("s_longer", userMeta='{"browser":"Chrome 1310"}')
    rows.session("s_other_key", userMeta='{"referrer":"Chrome 131"}')
    rows.session("s_no_meta")

    html = client.get("/?browser=Chrome+131").content.decode()

    assert row_ids(html) == {"s_compact", "s_spaced"}
    assert "Browser: Chrome 131" in html  # the active filter, removable


def test_a_location_with_non_ascii_matches_raw_and_escaped_json(client, rows):
    rows.session("s_raw", userMeta='{"location":"São Paulo, BR"}')
    rows.session("s_escaped", userMeta='{"location": "S\\u00e3o Paulo, BR"}')
    rows.session("s_elsewhere", userMeta='{"location":"Lisbon, PT"}')

    html = client.get("/", {"location": "São Paulo, BR"}).content.decode()

    assert row_ids(html) == {"s_raw", "s_escaped"}


def test_filters_combine_with_status_search_and_a_start_date_range(client, rows):
    day = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=3)
    meta = '{"device":"iPhone"}'
    rows.session("s_a_in", status="active", startTime=day, userMeta=meta)
    rows.session("s_a_closed", status="closed", startTime=day, userMeta=meta)
    rows.session("s_b_in", status="active", startTime=day, userMeta=meta)
    rows.session("s_a_too_early", status="active", startTime=day - timedelta(days=2), userMeta=meta)
    rows.session("s_a_too_late", status="active", startTime=day + timedelta(days=2), userMeta=meta)
    rows.session("s_a_desktop", status="active", startTime=day, userMeta='{"device":"Desktop"}')
    query = {
        "status": "active",
        "q": "s_a",
        "device": "iPhone",
        "started_from": (day - timedelta(days=1)).date().isoformat(),
        "started_to": day.date().isoformat(),  # inclusive: the whole day
    }

    html = client.get("/", query).content.decode()

    assert row_ids(html) == {"s_a_in"}


def test_the_whole_filter_stays_in_the_tab_links_and_the_export_link(client, rows):
    rows.session("s_1", userMeta='{"device":"iPad"}', startTime=minutes_ago(5))

    html = client.get("/?device=iPad&started_from=2024-01-01").content.decode()

    assert 'href="?status=closed&amp;device=iPad&amp;started_from=2024-01-01"' in html
    assert 'href="/export.csv?device=iPad&amp;started_from=2024-01-01"' in html
    assert 'value="2024-01-01"' in html


def test_a_bad_date_is_refused_instead_of_dropped(client, rows):
    rows.session("s_1", startTime=minutes_ago(5))

    response = client.get("/?started_from=yesterday")

    assert response.status_code == 400  # see test_invalid_filters.py
    assert "Started on or after (Enter a valid date.)" in response.content.decode()
    assert not row_ids(response.content.decode())


def test_the_live_fragment_keeps_the_filter(client, rows):
    rows.session("s_keep", userMeta='{"browser":"Safari 18"}')
    rows.session("s_drop", userMeta='{"browser":"Edge 131"}')

    response = client.get("/?browser=Safari+18", headers=HTMX)
    html = response.content.decode()

    assert "<html" not in html and 'id="session-rows"' in html
    assert row_ids(html) == {"s_keep"}


def test_a_quote_in_a_filter_value_is_matched_as_json_escapes_it():
    filters = queries.SessionFilters(browser='Say "hi"', started_from=timezone.now().date())

    contains, from_date = (json.loads(query) for query in queries.filter_queries(filters))

    assert contains["method"] == "contains" and contains["attribute"] == "userMeta"
    assert '"browser":"Say \\"hi\\""' in contains["values"]
    assert from_date["method"] == "greaterThanEqual" and from_date["attribute"] == "startTime"


@pytest.mark.parametrize("query", ["started_to=9999-12-31", "started_from=0001-01-01"])
def test_the_first_and_last_days_there_are_filter_without_failing(client, rows, query):
    rows.session("s_1", startTime=minutes_ago(5))

    response = client.get(f"/?{query}")

    assert response.status_code == 200 and row_ids(response.content.decode()) == {"s_1"}
    assert client.get(f"/export.csv?{query}").status_code == 200


@pytest.mark.parametrize("query", ["started_from=9999-12-31", "started_to=0999-12-31"])
def test_dates_beyond_what_appwrite_stores_match_nothing_without_failing(client, rows, query):
    rows.session("s_1", startTime=minutes_ago(5))

    html = client.get(f"/?{query}").content.decode()

    assert "No sessions match these filters." in html and not row_ids(html)
