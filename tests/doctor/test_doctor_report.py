"""`manage.py appwrite_doctor` against a correct schema and against schemas broken the ways deployments drift:
what the operator reads (one line per check, the fix under each problem) and the exit status."""

from __future__ import annotations

import socket
import uuid

from django.core.management import call_command

from dashboard.appwrite import schema

from .conftest import run_doctor

SETUP_FIX = "fix: run `python manage.py appwrite_setup`"


def test_a_correct_schema_passes_every_check_and_exits_0(api_flavour, provisioned, settings):
    report = run_doctor()

    assert report.exit_status == 0
    assert not [line for line in report.lines if line.startswith(("ERROR", "WARNING"))], report.output
    assert report.line("ok       endpoint ").endswith("answers: Appwrite 1.9.6")
    assert f"ok       database {provisioned}" in report.lines
    for kind, key, size, _required, _default in schema.SESSION_ATTRIBUTES:
        expected = f"{kind}, {size}" if size else kind
        assert f"ok       attribute sessions.{key} ({expected})" in report.lines
    for _kind, key, _size, _required, _default in schema.MESSAGE_ATTRIBUTES:
        assert report.line(f"ok       attribute messages.{key} ")
    assert report.line("ok       attribute messages.content (string, 16384): the message text, detected, the first")
    assert report.line("ok       attribute messages.role (string, 32): the message sender, detected, the first")
    assert "ok       messages holds no messages yet: no sender values to show" in report.lines
    assert "ok       index on sessions(status, lastSeen)" in report.lines
    assert "ok       index on messages(sessionId)" in report.lines
    rows = "rows" if api_flavour == "tablesdb" else "documents"
    assert report.line(f"ok       scope {rows}.write: ")
    assert report.lines[-1].startswith("All ") and report.lines[-1].endswith(" checks passed.")
    assert settings.APPWRITE_API_KEY not in report.output


def test_a_missing_required_attribute_is_an_error_that_appwrite_setup_fixes(provisioned, tables):
    tables.delete_column(provisioned, "sessions", "lastSeen")

    broken = run_doctor()

    assert broken.exit_status == 1
    assert broken.line("ERROR    attribute sessions.lastSeen (datetime) is missing").endswith(
        "fix: run `python manage.py appwrite_setup` (it creates only what is missing and changes nothing else)"
    )
    assert "ok       attribute sessions.startTime (datetime)" in broken.lines
    assert broken.lines[-1].startswith("1 error, ")

    call_command("appwrite_setup", stdout=None)
    assert run_doctor().exit_status == 0


def test_a_missing_optional_attribute_is_a_warning_and_the_doctor_still_exits_0(provisioned, tables):
    tables.delete_column(provisioned, "sessions", "theme")

    report = run_doctor()

    assert report.exit_status == 0
    warning = report.line("WARNING  attribute sessions.theme (string, 2048) is missing")
    assert SETUP_FIX in warning
    assert report.lines[-1].startswith("No errors, 1 warning, ")


def test_an_attribute_of_the_wrong_type_is_an_error_whose_fix_recreates_it(api_flavour, provisioned, tables):
    tables.delete_column(provisioned, "sessions", "lastSeen")
    tables.create_varchar_column(provisioned, "sessions", "lastSeen", 64, False)

    report = run_doctor()

    assert report.exit_status == 1
    problem = report.line("ERROR    attribute sessions.lastSeen is varchar, the dashboard needs datetime")
    assert "Appwrite cannot change an attribute's type" in problem
    if api_flavour == "tablesdb":
        assert (
            f"appwrite tables-db delete-column --database-id {provisioned} --table-id sessions --key lastSeen"
        ) in problem
    else:
        assert (
            f"appwrite databases delete-attribute --database-id {provisioned} --collection-id sessions --key lastSeen"
        ) in problem
    assert "to create it as datetime" in problem


def test_an_array_attribute_is_the_wrong_type(provisioned, tables):
    tables.delete_column(provisioned, "sessions", "status")
    tables.create_varchar_column(provisioned, "sessions", "status", 64, False, array=True)

    report = run_doctor()

    assert report.exit_status == 1
    assert report.line("ERROR    attribute sessions.status is varchar array, the dashboard needs string")


def test_an_array_role_is_no_sender_a_warning_that_says_what_the_dashboard_then_shows(provisioned, tables):
    tables.delete_column(provisioned, "messages", "role")
    tables.create_varchar_column(provisioned, "messages", "role", 32, False, array=True)

    report = run_doctor()

    assert report.exit_status == 0, report.output  # the messages' text and counts still work
    problem = report.line("WARNING  messages has no sender attribute among role, sender, author, from, type")
    assert "(role is varchar array: not a single string)" in problem
    assert "no row says who waits" in problem
    assert "fix: set APPWRITE_MESSAGE_SENDER_ATTRIBUTE to the attribute" in problem


def test_a_string_attribute_smaller_than_the_schema_is_a_warning_with_the_size_to_set(provisioned, tables):
    tables.delete_column(provisioned, "sessions", "userMeta")
    tables.create_varchar_column(provisioned, "sessions", "userMeta", 100, False)

    report = run_doctor()

    assert report.exit_status == 0
    problem = report.line("WARNING  attribute sessions.userMeta holds 100 characters, the schema has 8192")
    assert "open userMeta and set its size to 8192" in problem


def test_a_text_attribute_is_a_string_large_enough(provisioned, tables):
    tables.delete_column(provisioned, "messages", "content")
    tables.create_text_column(provisioned, "messages", "content", True)

    report = run_doctor()

    assert report.exit_status == 0
    assert report.line("ok       attribute messages.content (string, 65535): the message text, detected")


def test_a_missing_index_is_a_warning_about_speed_with_the_setup_fix(provisioned, tables):
    tables.delete_index(provisioned, "sessions", "status_lastSeen")

    report = run_doctor()

    assert report.exit_status == 0
    problem = report.line("WARNING  index on sessions(status, lastSeen) is missing")
    assert "get slow as the collection grows" in problem and SETUP_FIX in problem
    assert "ok       index on sessions(lastSeen)" in report.lines


def test_an_index_counts_by_its_attributes_whatever_its_key(provisioned, tables):
    tables.delete_index(provisioned, "sessions", "status_lastSeen")
    tables.create_index(provisioned, "sessions", "by_status_and_seen", "key", ["status", "lastSeen"])

    report = run_doctor()

    assert "ok       index on sessions(status, lastSeen)" in report.lines
    assert report.exit_status == 0


def test_an_index_with_the_setup_key_on_other_attributes_gets_a_fix_setup_cannot_do(provisioned, tables):
    tables.delete_index(provisioned, "sessions", "lastSeen")
    tables.create_index(provisioned, "sessions", "lastSeen", "key", ["startTime"])

    problem = run_doctor().line("WARNING  index on sessions(lastSeen) is missing")

    assert "an index named lastSeen exists on other attributes, so appwrite_setup leaves it" in problem


def test_a_missing_collection_is_an_error_and_the_other_one_is_still_checked(provisioned, tables):
    tables.delete_table(provisioned, "messages")

    report = run_doctor()

    assert report.exit_status == 1
    assert SETUP_FIX in report.line("ERROR    collection messages does not exist")
    assert not [line for line in report.lines if "messages." in line]
    assert "ok       attribute sessions.sessionId (string, 255)" in report.lines


def test_a_missing_database_is_one_error_and_no_collection_lines(settings, appwrite_server):
    settings.APPWRITE_DATABASE_ID = "nodb" + uuid.uuid4().hex[:10]

    report = run_doctor()

    assert report.exit_status == 1
    assert SETUP_FIX in report.line(f"ERROR    database {settings.APPWRITE_DATABASE_ID} does not exist")
    assert not [line for line in report.lines if "collection" in line or "attribute" in line]


def test_a_missing_agents_team_is_an_error_saying_nobody_can_sign_in(provisioned, settings):
    settings.APPWRITE_AGENTS_TEAM_ID = "noteam" + uuid.uuid4().hex[:10]

    report = run_doctor()

    assert report.exit_status == 1
    problem = report.line(f"ERROR    agents team {settings.APPWRITE_AGENTS_TEAM_ID} does not exist: nobody can sign in")
    assert SETUP_FIX in problem and "create_agent" in problem


def test_a_bad_key_is_one_clear_error_and_the_key_is_never_printed(provisioned, settings):
    settings.APPWRITE_API_KEY = "key_not_this_one_" + uuid.uuid4().hex

    report = run_doctor()

    assert report.exit_status == 1
    problem = report.line("ERROR    Appwrite refused the API key: it is not a key of this project")
    assert "set APPWRITE_API_KEY" in problem
    assert report.line("skipped  the remaining checks: they need the endpoint, project and key above")
    assert not [line for line in report.lines if line.startswith("ok       scope") or "attribute" in line]
    assert settings.APPWRITE_API_KEY not in report.output


def test_a_wrong_project_says_so(provisioned, settings):
    settings.APPWRITE_PROJECT_ID = "not-this-project"

    report = run_doctor()

    assert report.exit_status == 1
    assert "set APPWRITE_PROJECT_ID" in report.line("ERROR    project not-this-project does not exist on this Appwrite")


def test_an_unreachable_endpoint_is_a_short_report_not_a_traceback(unreachable_appwrite, settings):
    report = run_doctor()

    assert report.exit_status == 1
    problem = report.line(f"ERROR    Appwrite cannot be reached at {settings.APPWRITE_ENDPOINT}: connection refused")
    assert "check APPWRITE_ENDPOINT" in problem
    assert "Traceback" not in report.output
    assert len(report.lines) <= 6


def test_an_endpoint_that_is_not_the_api_asks_for_the_v1_address(settings, appwrite_server):
    settings.APPWRITE_ENDPOINT = appwrite_server.endpoint.removesuffix("/v1")

    report = run_doctor()

    assert report.exit_status == 1
    assert "ending in /v1" in report.line(f"ERROR    {settings.APPWRITE_ENDPOINT} answers, but not as Appwrite's API")


def test_an_endpoint_that_never_answers_is_reported_as_a_timeout(settings):
    with socket.socket() as listener:  # accepts connections into its backlog, never answers them
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        settings.APPWRITE_ENDPOINT = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        settings.APPWRITE_TIMEOUT_SECONDS = 0.5

        report = run_doctor()

    assert report.exit_status == 1
    problem = report.line(f"ERROR    Appwrite cannot be reached at {settings.APPWRITE_ENDPOINT}: ")
    assert "no answer within APPWRITE_TIMEOUT_SECONDS (0.5 s)" in problem
