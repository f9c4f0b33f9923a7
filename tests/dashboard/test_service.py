"""The Appwrite package (dashboard/appwrite/) against a real localappwrite, for both API flavours."""

from datetime import timedelta

import pytest

from dashboard.appwrite import (
    chat_sessions,
    counting,
    errors,
    live,
    message_schema,
    queries,
    session_messages,
    status_changes,
)
from tests.dashboard_fixtures import minutes_ago

pytestmark = pytest.mark.usefixtures("api_flavour")


def test_list_sessions_shows_the_most_recently_seen_first(rows):
    rows.session("s_old", lastSeen=minutes_ago(30), startTime=minutes_ago(40))
    rows.session("s_new", lastSeen=minutes_ago(1), startTime=minutes_ago(5))
    rows.session("s_mid", lastSeen=minutes_ago(10), startTime=minutes_ago(50))

    page = chat_sessions.list_sessions()

    assert [s.session_id for s in page.sessions] == ["s_new", "s_mid", "s_old"]
    assert page.next_cursor is None and page.previous_cursor is None


def test_list_sessions_sorts_by_start_time_both_ways(rows):
    rows.session("s_a", startTime=minutes_ago(30), lastSeen=minutes_ago(1))
    rows.session("s_b", startTime=minutes_ago(10), lastSeen=minutes_ago(2))

    assert [s.session_id for s in chat_sessions.list_sessions(sort="started_desc").sessions] == ["s_b", "s_a"]
    assert [s.session_id for s in chat_sessions.list_sessions(sort="started_asc").sessions] == ["s_a", "s_b"]
    assert [s.session_id for s in chat_sessions.list_sessions(sort="last_seen_asc").sessions] == ["s_b", "s_a"]


def test_list_sessions_filters_by_status_idle_and_session_id_prefix(rows, settings):
    settings.DASHBOARD_IDLE_MINUTES = 10
    rows.session("s_fresh", status="active", lastSeen=minutes_ago(2))
    rows.session("s_quiet", status="active", lastSeen=minutes_ago(25))
    rows.session("s_taken", status="agent_assigned", lastSeen=minutes_ago(1))
    rows.session("x_closed", status="closed", lastSeen=minutes_ago(60))

    def ids(**filters):
        return {s.session_id for s in chat_sessions.list_sessions(**filters).sessions}

    assert ids(status="active") == {"s_fresh", "s_quiet"}
    assert ids(status="idle") == {"s_quiet"}
    assert ids(status="agent_assigned") == {"s_taken"}
    assert ids(search="s_") == {"s_fresh", "s_quiet", "s_taken"}
    assert ids(search="x_", status="closed") == {"x_closed"}


def test_pages_follow_each_other_forward_and_back_without_gaps(rows):
    for number in range(7):
        rows.session(f"s_{number}", lastSeen=minutes_ago(number))

    first = chat_sessions.list_sessions(page_size=3)
    second = chat_sessions.list_sessions(cursor=first.next_cursor, page_size=3)
    third = chat_sessions.list_sessions(cursor=second.next_cursor, page_size=3)
    back = chat_sessions.list_sessions(cursor=second.previous_cursor, page_size=3)

    assert [s.session_id for s in first.sessions] == ["s_0", "s_1", "s_2"]
    assert [s.session_id for s in second.sessions] == ["s_3", "s_4", "s_5"]
    assert [s.session_id for s in third.sessions] == ["s_6"]
    assert third.next_cursor is None
    assert [s.session_id for s in back.sessions] == ["s_0", "s_1", "s_2"]
    assert back.previous_cursor is None
    assert back.next_cursor == first.next_cursor


def test_a_cursor_to_a_deleted_row_is_reported_as_stale(rows):
    rows.session("s_1", lastSeen=minutes_ago(1))

    with pytest.raises(errors.StaleCursor):
        chat_sessions.list_sessions(cursor="after:no_such_row")


def test_status_counts_count_every_status_idle_and_statuses_nobody_planned_for(rows, settings):
    settings.DASHBOARD_IDLE_MINUTES = 10
    rows.session("s_1", status="active", lastSeen=minutes_ago(1))
    rows.session("s_2", status="active", lastSeen=minutes_ago(20))
    rows.session("s_3", status="agent_assigned", lastSeen=minutes_ago(1))
    rows.session("s_4", status="closed", lastSeen=minutes_ago(1))
    rows.session("s_5", status="waiting_for_customer", lastSeen=minutes_ago(1))
    rows.session("s_6", status="waiting_for_customer", lastSeen=minutes_ago(1))

    counts = counting.status_counts()

    assert counts.all.value == 6
    assert counts.idle.value == 1
    assert {status: count.value for status, count in counts.by_status.items()} == {
        "active": 2,
        "agent_assigned": 1,
        "closed": 1,
        "waiting_for_customer": 2,
    }
    assert list(counts.by_status)[:3] == ["active", "agent_assigned", "closed"]


def test_message_counts_count_a_whole_page_in_one_request(rows, appwrite_server):
    rows.session("s_1")
    rows.session("s_2")
    rows.session("s_3")
    rows.messages("s_1", 3)
    rows.messages("s_2", 1)

    before = appwrite_server.request_count()
    counts = counting.message_counts(["s_1", "s_2", "s_3"])
    requests_made = appwrite_server.request_count() - before

    assert {sid: count.value for sid, count in counts.items()} == {"s_1": 3, "s_2": 1, "s_3": 0}
    assert requests_made == 1


def test_message_counts_stay_exact_when_one_batch_cannot_hold_every_message(rows, monkeypatch):
    monkeypatch.setattr(session_messages, "MESSAGE_COUNT_BATCH", 4)
    for session_id, count in (("s_a", 2), ("s_b", 5), ("s_c", 3)):
        rows.session(session_id)
        rows.messages(session_id, count)

    counts = counting.message_counts(["s_a", "s_b", "s_c", "s_d"])

    assert {sid: count.value for sid, count in counts.items()} == {"s_a": 2, "s_b": 5, "s_c": 3, "s_d": 0}


def test_get_session_reads_every_field_of_the_seed_schema(rows):
    rows.session(
        "s_1763614351136",
        row_id="row_1",
        status="agent_assigned",
        startTime=minutes_ago(30),
        lastSeen=minutes_ago(5),
        userMeta='{"browser":"Chrome","device":"Desktop","location":"Berlin"}',
        theme='{"primaryColor":"#007bff"}',
    )

    session = chat_sessions.get_session("row_1")

    assert session.row_id == "row_1"
    assert session.session_id == "s_1763614351136"
    assert session.status == "agent_assigned"
    assert session.meta("browser") == "Chrome"
    assert session.meta("location") == "Berlin"
    assert session.theme_colour == "#007bff"
    assert timedelta(minutes=24) < session.duration < timedelta(minutes=26)
    assert timedelta(minutes=4) < session.idle_for() < timedelta(minutes=6)
    assert session.created_at is not None


def test_broken_metadata_and_theme_are_kept_as_text_not_errors(rows):
    rows.session("s_1", userMeta="not json {", theme='["a list"]')
    rows.session("s_2", userMeta='{"browser": {"nested": 1}}', theme='{"primaryColor": "red; background: url(x)"}')

    broken = chat_sessions.get_session("s_1")
    odd = chat_sessions.get_session("s_2")

    assert broken.user_meta == "not json {" and broken.user_meta_object is None
    assert broken.theme == '["a list"]' and broken.theme_colour is None
    assert odd.meta("browser") == ""
    assert odd.theme_colour is None


def test_missing_and_future_times_do_not_break_ages(rows):
    now = minutes_ago(0)  # once: two readings of the clock a millisecond apart would make the duration 30 min 1 ms
    rows.session("s_none")
    rows.session("s_future", startTime=now + timedelta(minutes=30), lastSeen=now + timedelta(minutes=60))
    rows.session("s_backwards", startTime=minutes_ago(5), lastSeen=minutes_ago(10))

    none = chat_sessions.get_session("s_none")
    future = chat_sessions.get_session("s_future")
    backwards = chat_sessions.get_session("s_backwards")

    assert none.last_seen is None and none.idle_for() is None and none.duration is None
    assert future.idle_for() == timedelta(0)
    assert future.duration == timedelta(minutes=30)
    assert backwards.duration is None


def test_close_session_stores_closed_and_a_second_close_changes_nothing(rows):
    rows.session("s_1", status="active")

    closed = status_changes.close_session("s_1")
    again = status_changes.close_session("s_1")

    assert closed.status == "closed"
    assert again.status == "closed"
    assert chat_sessions.get_session("s_1").status == "closed"


def test_closing_or_reading_an_unknown_session_raises_not_found(rows):
    with pytest.raises(errors.NotFound):
        status_changes.close_session("no_such_row")
    with pytest.raises(errors.NotFound):
        chat_sessions.get_session("no_such_row")


def test_load_session_list_takes_two_rounds_of_requests(rows, appwrite_server):
    for number in range(30):
        rows.session(f"s_{number:02d}", lastSeen=minutes_ago(number))

    session_messages.detect_grouped_counts()  # asked once per process, beside the first cold load
    message_schema.current()  # likewise
    before = appwrite_server.request_count()
    data = live.load_session_list(None, "", queries.DEFAULT_SORT, None, 25)
    requests_made = appwrite_server.request_count() - before

    assert len(data.page.sessions) == 25
    assert data.counts.all.value == 30
    # page + 4 status totals (the first with the newest $updatedAt) + idle + other statuses,
    # then one listing of the rows' messages: their counts and newest messages.
    assert requests_made == 8
