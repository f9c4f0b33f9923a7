"""The list's rows through Django's test client: light rows, refreshes that carry only the rows that changed,
the last message of each row, readable statuses, metadata on demand, and the Undo after a change made
without JavaScript."""

import dataclasses
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard import labels
from dashboard.appwrite import chat_sessions, live, records
from tests.dashboard_fixtures import minutes_ago
from tests.htmx import HTMX

META = '{"browser":"Chrome 131","device":"Desktop","location":"Berlin, DE","screen":{"w":1920,"h":1080}}'


def row_html(html: str, row_id: str) -> str:
    match = re.search(rf'<tr data-row-id="{re.escape(row_id)}".*?</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(0)


def versions(html: str) -> list[str]:
    return re.findall(r'data-v="([0-9a-f]+)"', html)


def order(html: str) -> list[str]:
    return re.search(r'data-order="([^"]*)"', html).group(1).split()


@pytest.fixture
def with_last_messages(monkeypatch):
    """The list's data as the messages read gives it (dashboard/appwrite/live.py fills `last_messages`):
    here set per session ID by the test, so that the rendering is checked whatever the read does."""
    chosen: dict[str, records.LastMessage] = {}
    load = live.load_session_list

    def load_with_last_messages(*args, **kwargs):
        data = load(*args, **kwargs)
        return dataclasses.replace(data, last_messages={**data.last_messages, **chosen})

    monkeypatch.setattr(live, "load_session_list", load_with_last_messages)
    return chosen


@pytest.fixture
def page_of_sessions(rows):
    for number in range(25):
        rows.session(
            f"s_17636143{number:05d}",
            row_id=f"row{number}",
            status="active",
            startTime=minutes_ago(30 + number),
            lastSeen=minutes_ago(number),
            userMeta=META,
            theme='{"primaryColor":"#0f766e"}',
        )
    return rows


def test_a_row_weighs_about_1200_bytes_without_runs_of_whitespace(client, page_of_sessions, with_last_messages):
    text = "Hi, I was charged twice for my order #4411 and would like a refund."
    with_last_messages["s_1763614300003"] = records.LastMessage(text, records.VISITOR, minutes_ago(6))

    html = client.get("/").content.decode()
    rows = re.findall(r"<tr data-row-id=.*?</tr>", html, re.S)
    sizes = [len(row.encode()) for row in rows]

    assert len(rows) == 25
    # Was about 3,300: every row here shows three metadata chips, a theme colour and two actions; the one
    # with a last message carries its text, who wrote it and the visitor's wait besides.
    assert max(size for size, row in zip(sizes, rows, strict=True) if text not in row) <= 1200, sizes
    assert max(sizes) - len(text) <= 1400, sizes
    assert not any(re.search(r"\s{2,}", row) for row in rows)
    assert "csrfmiddlewaretoken" not in "".join(rows)  # one token for the page, in #ra
    assert html.count('name="csrfmiddlewaretoken"') <= 3  # the row actions', the bulk form's, sign-out's


def test_a_refresh_carries_only_the_rows_the_browser_does_not_show(client, page_of_sessions, monkeypatch):
    first = client.get("/", headers=HTMX).content.decode()
    shown = versions(first)
    version = re.search(r'data-rows-version="([^"]+)"', first).group(1)
    page_of_sessions.tables.update_row(page_of_sessions.database_id, "sessions", "row7", {"status": "agent_assigned"})
    later = live._clock() + live.probe_seconds()
    monkeypatch.setattr(live, "_clock", lambda: later)

    response = client.get("/", headers={**HTMX, "X-Rows-Version": version, "X-Rows-Shown": " ".join(shown)})
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="session-rows"') and "data-patch" in html
    assert re.findall(r'<tr data-row-id="([^"]+)"', html) == ["row7"]
    assert 'data-status="agent_assigned"' in row_html(html, "row7")
    assert len(order(html)) == 25 and set(order(html)) - set(shown) == set(versions(html))
    assert len(response.content) < 4000, len(response.content)  # the region was about 85 KB


def test_nonsense_in_x_rows_shown_only_means_every_row_travels(client, page_of_sessions):
    html = client.get("/", headers={**HTMX, "X-Rows-Shown": "<script> ' \" zz " + "a" * 5000}).content.decode()

    assert len(re.findall(r"<tr data-row-id=", html)) == 25


def test_each_row_says_who_wrote_last_what_and_how_long_the_visitor_has_waited(client, rows, with_last_messages):
    rows.session("s_wait", status="active", lastSeen=minutes_ago(6))
    rows.session("s_answered", status="agent_assigned", lastSeen=minutes_ago(2))
    rows.session("s_quiet", status="active", lastSeen=minutes_ago(1))
    rows.messages("s_wait", 2)
    long_text = "<b>Where</b> is my parcel?\nIt was due on Monday, " + "and nobody answers " * 10 + "THE-END"
    with_last_messages["s_wait"] = records.LastMessage(long_text, records.VISITOR, minutes_ago(6))
    with_last_messages["s_answered"] = records.LastMessage("On its way!", records.AGENT, minutes_ago(2))

    html = client.get("/").content.decode()

    wait = row_html(html, "s_wait")
    assert re.search(r'data-field="last-sender" data-sender="visitor">Visitor<', wait)
    preview = re.search(r'data-field="preview">([^<]*)<', wait).group(1)
    # On one line and whole (the row shows what fits, the rest on demand), escaped.
    assert preview.startswith("&lt;b&gt;Where&lt;/b&gt; is my parcel? It was due on Monday, and nobody")
    assert preview.endswith("THE-END") and "\n" not in preview
    assert re.search(r'<time data-field="waiting-since" datetime="[^"]+"[^>]*>waiting 6 min</time>', wait)
    answered = row_html(html, "s_answered")
    assert 'data-sender="agent">Agent<' in answered and ">On its way!<" in answered
    assert "waiting-since" not in answered
    assert ">No messages yet<" in row_html(html, "s_quiet")


def test_a_closed_session_shows_its_last_message_but_no_waiting_time(client, rows, with_last_messages):
    rows.session("s_done", status="closed", lastSeen=minutes_ago(30))
    with_last_messages["s_done"] = records.LastMessage("thanks, bye", records.VISITOR, minutes_ago(30))

    row = row_html(client.get("/").content.decode(), "s_done")

    assert ">thanks, bye<" in row and "waiting-since" not in row


def test_unknown_statuses_get_readable_labels_and_one_main_action(client, rows):
    rows.session("s_w", row_id="w", status="waiting_for_customer", lastSeen=minutes_ago(1))
    rows.session("s_h", row_id="h", status="onHold", lastSeen=minutes_ago(2))

    html = client.get("/").content.decode()

    assert re.search(r'data-key="tab-waiting_for_customer"[^>]*>\s*Waiting for customer\s*<', html)
    assert "<b>Waiting for customer</b>" in row_html(html, "w")
    assert "<b>On hold</b>" in row_html(html, "h")
    for row_id in ("w", "h"):
        row = row_html(html, row_id)
        assert re.findall(r'data-action="(take|reopen|close)"', row) == ["take", "close"]  # the last is the main one


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("active", "Active"),
        ("agent_assigned", "Agent assigned"),
        ("waiting_for_customer", "Waiting for customer"),
        ("waiting-for-customer", "Waiting for customer"),
        ("onHold", "On hold"),
        ("VIP", "VIP"),
        ("closed ", "Closed"),
        ("", "(none)"),
        ("esc\u202ealated", "Esc\\u202ealated"),
    ],
)
def test_status_labels_read_as_words(status, label):
    assert labels.status_label(status) == label


def test_a_bidi_control_in_an_id_is_written_out_not_obeyed(client, rows):
    rows.session("s_1\u202egpj.exe", row_id="rlo", lastSeen=minutes_ago(1))

    row = row_html(client.get("/").content.decode(), "rlo")

    assert "<bdi>s_1\\u202egpj.exe</bdi>" in row
    assert 'data-session-id="s_1\u202egpj.exe"' in row  # the hook keeps the ID as stored


def test_a_long_unbroken_id_is_in_the_row_whole(client, rows):
    long_id = "s_" + "x" * 253
    rows.session(long_id, row_id="long", lastSeen=minutes_ago(1))

    row = row_html(client.get("/").content.decode(), "long")

    assert f"<bdi>{long_id}</bdi>" in row


def test_the_metadata_comes_on_demand_pretty_printed_and_escaped(client, rows):
    meta = '{"browser":"<b>Edge</b>","screen":{"w":1}}'
    rows.session("s_meta", row_id="meta", userMeta=meta, lastSeen=minutes_ago(1))

    row = row_html(client.get("/").content.decode(), "meta")
    fragment = client.get("/sessions/meta/meta/", headers=HTMX)
    plain = client.get("/sessions/meta/meta/")

    assert "screen" not in row and 'data-meta="JSON"' in row
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert '"browser": "&lt;b&gt;Edge&lt;/b&gt;"' in fragment.content.decode().replace("&quot;", '"')
    assert '\n  "screen": {\n    "w": 1\n  }' in fragment.content.decode().replace("&quot;", '"')
    assert plain.status_code == 302 and plain["Location"] == "/sessions/meta/#visitor-title"


def test_the_metadata_of_a_session_that_is_gone_says_so(client, rows):
    html = client.get("/sessions/gone/meta/", headers=HTMX).content.decode()

    assert "This session no longer exists." in html


def test_without_javascript_the_tab_a_change_returns_to_carries_a_working_undo(client, rows):
    rows.session("s_one", row_id="one", status="active", lastSeen=minutes_ago(1))
    rows.session("s_two", row_id="two", status="active", lastSeen=minutes_ago(2))

    page = client.post("/sessions/one/close/", {"next": "/?status=active"}, follow=True).content.decode()

    assert 'data-row-id="one"' not in re.search(r'<section id="session-rows".*</section>', page, re.S).group(0)
    offer = re.search(r'<li class="undo-offer" data-row-id="one".*?</li>', page, re.S).group(0)
    assert "s_one" in offer and "Closed" in offer
    button = re.search(r"<button [^>]*data-action=\"undo\"[^>]*>", offer).group(0)
    assert 'form="ra"' in button and 'formaction="/sessions/one/undo/"' in button
    form = re.search(r'<form id="ra" method="post"[^>]*>.*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    token = re.search(r'name="token" value="([^"]+)"', button).group(1)

    undone = client.post("/sessions/one/undo/", {**fields, "token": token})

    assert undone.status_code == 302 and undone["Location"] == "/?status=active"
    assert chat_sessions.get_session("one").status == "active"
    assert "undo-offer" not in client.get("/?status=active").content.decode()


def test_without_javascript_a_row_action_posts_the_pages_one_form(client, rows):
    rows.session("s_one", row_id="one", status="active", lastSeen=minutes_ago(1))

    html = client.get("/?status=active").content.decode()
    close = re.search(r'<button [^>]*data-action="close"[^>]*>', row_html(html, "one")).group(0)

    assert 'form="ra"' in close and 'formaction="/sessions/one/close/"' in close
    assert re.search(r'<form id="ra" method="post" [^>]*>.*name="next" value="/\?status=active"', html, re.S)


def test_the_waiting_words_follow_the_clock():
    now = timezone.now()

    assert labels.waiting(now - timedelta(seconds=20), now) == "waiting <1 min"
    assert labels.waiting(now - timedelta(minutes=6, seconds=5), now) == "waiting 6 min"
    assert labels.waiting(now - timedelta(hours=2, minutes=3), now) == "waiting 2 h 3 min"
