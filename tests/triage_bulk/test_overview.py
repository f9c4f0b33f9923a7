"""The overview: counts by status, active now, idle, starts per hour as a server-rendered SVG chart, and
the median duration of recently closed sessions; live, and honest about Appwrite's 5000 cap."""

import re
from datetime import timedelta

from django.utils import timezone

from dashboard.appwrite import counting, records
from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX


def stat(html: str, name: str) -> str:
    match = re.search(rf'data-stat="{name}">.*?<span class="stat-value">([^<]*)</span>', html, re.S)
    assert match, name
    return match.group(1).strip()


def test_the_overview_counts_statuses_activity_and_durations(client, rows, settings):
    settings.DASHBOARD_IDLE_MINUTES = 10
    rows.session("s_live", status="active", startTime=minutes_ago(30), lastSeen=minutes_ago(1))
    rows.session("s_quiet", status="active", startTime=minutes_ago(90), lastSeen=minutes_ago(40))
    rows.session("s_assigned", status="agent_assigned", startTime=minutes_ago(20), lastSeen=minutes_ago(2))
    for number, minutes in enumerate([4, 10, 30]):
        rows.session(
            f"s_closed_{number}", status="closed", startTime=minutes_ago(200), lastSeen=minutes_ago(200 - minutes)
        )
    rows.session("s_waiting", status="waiting_for_customer", startTime=minutes_ago(5), lastSeen=minutes_ago(5))

    response = client.get("/overview/")
    html = response.content.decode()

    assert response.status_code == 200 and 'id="overview"' in html
    assert stat(html, "active-now") == "1"
    assert stat(html, "idle") == "1"
    assert stat(html, "median-duration") == "10 min"
    assert "of the 3 most recently closed sessions" in html
    assert re.search(r'data-status-count="all">.*?data-field="count">7<', html, re.S)
    assert re.search(r'data-status-count="closed">.*?data-field="count">3<', html, re.S)
    assert re.search(r'data-status-count="waiting_for_customer">.*?data-field="count">1<', html, re.S)


def test_the_chart_has_24_hourly_bars_with_the_starts_of_each_hour(client, rows):
    now = timezone.now()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    for number in range(3):
        rows.session(f"s_now_{number}", startTime=this_hour + (now - this_hour) / 2)
    rows.session("s_5h", startTime=this_hour - timedelta(hours=5) + timedelta(minutes=10))
    rows.session("s_2d", startTime=now - timedelta(days=2))

    html = client.get("/overview/").content.decode()
    bars = re.findall(r'<rect class="chart-bar[^"]*" [^>]*data-hour="([^"]+)" data-count="(\d+)"', html)

    assert len(bars) == 24
    assert int(bars[-1][1]) == 3 and int(bars[-6][1]) == 1
    assert sum(int(count) for _, count in bars) == 4
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert '<title id="starts-chart-title">' in html and '<desc id="starts-chart-desc">' in html
    assert 'data-table="starts-per-hour"' in html  # the numbers, for screen readers
    assert stat(html, "started-24h") == "4"


def test_a_count_at_appwrites_cap_says_5000_plus(client, rows, monkeypatch):
    real_total = counting.total

    def capped_for_active(queries):
        count = real_total(queries)
        return records.count_of(5000) if any('"active"' in query for query in queries) else count

    monkeypatch.setattr(counting, "total", capped_for_active)
    rows.session("s_1", status="active", lastSeen=minutes_ago(1))

    html = client.get("/overview/").content.decode()

    assert stat(html, "active-now") == "5000+"
    assert re.search(r'data-status-count="active">.*?data-field="count">5000\+<', html, re.S)


def test_the_overview_refreshes_itself_and_answers_htmx_with_the_region_only(client, rows):
    page = client.get("/overview/").content.decode()
    fragment = client.get("/overview/", headers=HTMX)

    assert re.search(r'id="overview"[^>]*hx-get="/overview/" hx-trigger="every \d+s, refresh-overview"', page)
    assert "<html" not in fragment.content.decode() and 'id="overview"' in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_with_appwrite_unreachable_the_overview_says_so(client, unreachable_appwrite):
    html = client.get("/overview/").content.decode()

    assert "Appwrite is unreachable" in html and "not known" in html


def test_the_overview_is_in_the_navigation(client, rows):
    assert 'href="/overview/"' in client.get("/").content.decode()
