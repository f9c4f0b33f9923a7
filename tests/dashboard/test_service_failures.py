"""How dashboard/appwrite/ reports an Appwrite that is down, slow, confused or refusing."""

import time

import pytest

from dashboard.appwrite import chat_sessions, errors, resilience, schema


def test_an_unreachable_appwrite_raises_appwrite_unavailable(unreachable_appwrite):
    with pytest.raises(errors.AppwriteUnavailable):
        chat_sessions.list_sessions()


def test_a_hanging_appwrite_times_out_within_the_time_budget(rows, appwrite_server, settings):
    settings.APPWRITE_TIMEOUT_SECONDS = 0.5
    appwrite_server.set_faults("hang", count=-1, hang_seconds=5)

    started = time.monotonic()
    with resilience.budget(1.0), pytest.raises(errors.AppwriteUnavailable):
        chat_sessions.list_sessions()

    assert time.monotonic() - started < 2


def test_a_server_error_counts_as_unavailable(rows, appwrite_server):
    appwrite_server.set_faults("503", count=-1)

    with pytest.raises(errors.AppwriteUnavailable):
        chat_sessions.list_sessions()


def test_an_answer_that_is_not_json_is_a_bad_answer(rows, appwrite_server):
    appwrite_server.set_faults("garbage", count=1)

    with pytest.raises(errors.BadAnswer):
        chat_sessions.list_sessions()


def test_too_many_requests_is_reported_as_rate_limited(rows, appwrite_server):
    appwrite_server.set_faults("429", count=-1)

    with pytest.raises(errors.RateLimited):
        chat_sessions.list_sessions()


def test_a_wrong_api_key_is_unauthorized(rows, settings):
    settings.APPWRITE_API_KEY = "not-the-key"

    with pytest.raises(errors.Unauthorized):
        chat_sessions.list_sessions()


def test_a_missing_endpoint_is_a_configuration_error(settings):
    settings.APPWRITE_ENDPOINT = ""

    with pytest.raises(errors.AppwriteNotConfigured):
        chat_sessions.list_sessions()


@pytest.mark.usefixtures("api_flavour")
def test_provisioning_twice_creates_nothing_the_second_time(fresh_database):
    steps = schema.provision_schema()

    assert steps and not any(step.created for step in steps)
    assert "collection sessions" in [step.what for step in steps]


def test_an_agent_is_created_once_and_joins_the_agents_team(fresh_database):
    first = schema.ensure_agent("agent.one@example.com", "a-long-password", "Agent One")
    second = schema.ensure_agent("agent.one@example.com", "a-long-password", "Agent One")

    assert [step.created for step in first] == [True, True]
    assert [step.created for step in second] == [False, False]
