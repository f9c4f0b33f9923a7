"""Datetimes as Appwrite reads them: what PHP's DateTime parser accepts and utopia's Datetime validator lets
through, stored in UTC and answered with milliseconds; the same in query values."""

from __future__ import annotations

import json

import pytest
from appwrite.query import Query

from .conftest import appwrite_raises

# (what a client writes, what Appwrite answers)
ACCEPTED = [
    ("1975-06-12 14:12:55+02:00", "1975-06-12T12:12:55.000+00:00"),  # a space instead of T
    ("1975-06-12 14:12:55 America/New_York", "1975-06-12T18:12:55.000+00:00"),  # a named zone (EDT in June)
    ("1975-12-12 14:12:55 america/new_york", "1975-12-12T19:12:55.000+00:00"),  # names are case-insensitive
    ("1975-06-12T14:12:55.123Z", "1975-06-12T14:12:55.123+00:00"),
    ("1975-06-12T14:12:55.1239Z", "1975-06-12T14:12:55.123+00:00"),  # truncated to milliseconds, not rounded
    ("1975-06-12t14:12:55z", "1975-06-12T14:12:55.000+00:00"),
    ("1975-06-12T14:12:55+0530", "1975-06-12T08:42:55.000+00:00"),
    ("1975-06-12T14:12:55-03", "1975-06-12T17:12:55.000+00:00"),
    ("1975-06-12 14:12:55 GMT+2", "1975-06-12T12:12:55.000+00:00"),
    ("1975-06-12 14:12:55 CEST", "1975-06-12T12:12:55.000+00:00"),
    ("1975-06-12 14:12:55 EST", "1975-06-12T19:12:55.000+00:00"),  # an abbreviation is a fixed offset
    ("1975-06-12 14:12", "1975-06-12T14:12:00.000+00:00"),
    ("1975-06-12", "1975-06-12T00:00:00.000+00:00"),
    ("  1975-06-12T14:12:55Z ", "1975-06-12T14:12:55.000+00:00"),
    ("06/12/1975", "1975-06-12T00:00:00.000+00:00"),  # American m/d/Y
    ("1975/06/12 14:12:55", "1975-06-12T14:12:55.000+00:00"),
    ("12.06.1975 14:12", "1975-06-12T14:12:00.000+00:00"),  # d.m.Y
    ("12-06-1975", "1975-06-12T00:00:00.000+00:00"),  # d-m-Y
    ("12 June 1975 2:12pm", "1975-06-12T14:12:00.000+00:00"),
    ("Jun 12, 1975 14:12:55 UTC", "1975-06-12T14:12:55.000+00:00"),
    ("Thu, 12 Jun 1975 14:12:55 +0200", "1975-06-12T12:12:55.000+00:00"),  # RFC 2822
    ("2021-02-30 10:00:00", "2021-03-02T10:00:00.000+00:00"),  # PHP rolls an overflowing day over
    ("2021-12-31 24:00:00", "2022-01-01T00:00:00.000+00:00"),
    ("1000-01-01 00:00:00", "1000-01-01T00:00:00.000+00:00"),  # the adapter's range, both ends
    ("9999-12-31 23:59:59.999", "9999-12-31T23:59:59.999+00:00"),
]
REFUSED = [
    "",
    "0",
    "now",  # PHP parses it, but Appwrite's validator wants a four-digit year in the text
    "next monday",
    "19750612",  # a compact date has no standalone four-digit year either
    "1975-13-01",
    "1975-06-32",
    "1975-06-12 25:00",
    "0999-12-31",  # before the MariaDB adapter's minimum
    "1000-01-01 00:00:00+01:00",  # 999-12-31 in UTC
    "9999-12-31 23:59:59-01:00",  # past the maximum in UTC
    "1975-06-12 14:12:55 Nowhere/Land",
    "1975-06-12 14:12:55 XYZ",
    "12 Smarch 1975",
]


@pytest.fixture
def when_table(tables_db, database_id, new_id):
    table = new_id("when")
    tables_db.create_table(database_id, table, "When")
    tables_db.create_datetime_column(database_id, table, "at", False)
    return table


@pytest.mark.parametrize(("written", "answered"), ACCEPTED)
def test_a_datetime_php_reads_is_stored_in_utc_with_milliseconds(tables_db, database_id, when_table, written,
                                                                  answered):
    row = tables_db.create_row(database_id, when_table, "unique()", {"at": written})
    assert row.data["at"] == answered
    assert tables_db.get_row(database_id, when_table, row.id).data["at"] == answered


@pytest.mark.parametrize("written", REFUSED)
def test_a_datetime_appwrite_refuses_is_row_invalid_structure(tables_db, database_id, when_table, written):
    with appwrite_raises(400, "row_invalid_structure") as e:
        tables_db.create_row(database_id, when_table, "unique()", {"at": written})
    assert "Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59." in e.value.message


def test_query_values_take_the_same_forms(tables_db, database_id, when_table):
    early = tables_db.create_row(database_id, when_table, "unique()", {"at": "1975-06-12T17:00:00Z"})
    late = tables_db.create_row(database_id, when_table, "unique()", {"at": "1975-06-12T19:00:00Z"})
    # 18:12:55 UTC, written with a named zone and a space
    new_york = "1975-06-12 14:12:55 America/New_York"
    before = tables_db.list_rows(database_id, when_table, [Query.less_than("at", new_york)])
    after = tables_db.list_rows(database_id, when_table, [Query.greater_than("at", "1975-06-12 20:12:55+02:00")])
    assert [r.id for r in before.rows] == [early.id]
    assert [r.id for r in after.rows] == [late.id]


@pytest.mark.parametrize("value", ["now", "19750612", "0999-12-31", "1975-06-12 14:12:55 XYZ"])
def test_a_query_value_appwrite_refuses_is_general_query_invalid(tables_db, database_id, when_table, value):
    with appwrite_raises(400, "general_query_invalid") as e:
        tables_db.list_rows(database_id, when_table, [Query.less_than("at", value)])
    assert e.value.message == 'Invalid query: Query value is invalid for attribute "at"'


def test_users_queries_read_datetimes_alike_and_refuse_as_param_errors(raw_admin):
    ok = raw_admin.get("/users", params={"queries[0]": json.dumps(
        {"method": "lessThan", "attribute": "registration", "values": ["2999-01-01 00:00:00 Europe/Paris"]})})
    assert ok.status_code == 200, ok.text
    bad = raw_admin.get("/users", params={"queries[0]": json.dumps(
        {"method": "lessThan", "attribute": "registration", "values": ["next monday"]})})
    assert bad.status_code == 400 and bad.json()["type"] == "general_argument_invalid"
    assert bad.json()["message"] == ('Invalid `queries` param: Invalid query: Query value is invalid for attribute '
                                     '"registration"')


def test_system_datetimes_take_the_same_forms(tables_db, database_id, when_table):
    row = tables_db.create_row(database_id, when_table, "unique()",
                               {"$createdAt": "1975-06-12 14:12:55 America/New_York", "at": None})
    assert row.createdat == "1975-06-12T18:12:55.000+00:00"
