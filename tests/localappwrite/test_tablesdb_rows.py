"""TablesDB rows through the official SDK: create, get, update (partial), upsert, delete, bulk routes,
increment/decrement, and Appwrite's validation errors."""

from __future__ import annotations

import re
import time

import pytest
from appwrite.id import ID
from appwrite.models.row import Row
from appwrite.models.row_list import RowList
from appwrite.query import Query

from .conftest import appwrite_raises

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")


@pytest.fixture
def table(tables_db, database_id) -> str:
    """A table with one column of every kind the tests write."""
    tables_db.create_table(database_id, "items", "Items")
    tables_db.create_varchar_column(database_id, "items", "title", 16, True)
    tables_db.create_varchar_column(database_id, "items", "status", 64, False, default="active")
    tables_db.create_integer_column(database_id, "items", "count", False, min=0, max=1000)
    tables_db.create_float_column(database_id, "items", "score", False)
    tables_db.create_boolean_column(database_id, "items", "done", False)
    tables_db.create_datetime_column(database_id, "items", "due", False)
    tables_db.create_enum_column(database_id, "items", "kind", ["bug", "task"], False)
    tables_db.create_varchar_column(database_id, "items", "tags", 32, False, array=True)
    tables_db.create_index(database_id, "items", "title_unique", "unique", ["title"])
    return "items"


def test_create_row_answers_201_with_system_fields_and_columns(tables_db, database_id, table):
    row = tables_db.create_row(database_id, table, "r1", {
        "title": "First", "count": 3, "score": 1.5, "done": True, "due": "2024-12-15T16:25:10.123+02:00",
        "kind": "bug", "tags": ["a", "b"]}, permissions=['read("any")'])
    assert isinstance(row, Row)
    assert (row.id, row.tableid, row.databaseid) == ("r1", table, database_id)
    assert row.sequence == "1"
    assert DATETIME.match(row.createdat) and row.createdat == row.updatedat
    assert row.permissions == ['read("any")']
    assert row.data == {"title": "First", "status": "active", "count": 3, "score": 1.5, "done": True,
                        "due": "2024-12-15T14:25:10.123+00:00", "kind": "bug", "tags": ["a", "b"]}


def test_sequence_counts_up_per_table_and_is_a_string(tables_db, database_id, table):
    seqs = [tables_db.create_row(database_id, table, ID.unique(), {"title": f"t{i}"}).sequence for i in range(3)]
    assert seqs == ["1", "2", "3"]


def test_get_row_returns_what_was_stored(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A", "count": 7})
    row = tables_db.get_row(database_id, table, "r1")
    assert row.id == "r1" and row.data["count"] == 7 and row.data["due"] is None and row.data["tags"] == []


def test_get_row_with_select_keeps_the_system_fields(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A", "count": 7})
    row = tables_db.get_row(database_id, table, "r1", queries=[Query.select(["count"])])
    assert row.data == {"count": 7} and row.sequence == "1" and row.createdat


def test_update_row_is_partial_and_moves_updated_at(tables_db, database_id, table):
    created = tables_db.create_row(database_id, table, "r1", {"title": "A", "count": 1, "kind": "bug"})
    time.sleep(0.005)
    updated = tables_db.update_row(database_id, table, "r1", {"count": 2})
    assert updated.data["count"] == 2 and updated.data["title"] == "A" and updated.data["kind"] == "bug"
    assert updated.createdat == created.createdat and updated.updatedat > created.updatedat
    assert tables_db.update_row(database_id, table, "r1", permissions=['read("any")']).permissions == [
        'read("any")']


def test_update_row_can_set_a_column_to_null(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A", "count": 1})
    assert tables_db.update_row(database_id, table, "r1", {"count": None}).data["count"] is None


def test_an_update_that_changes_nothing_keeps_updated_at(tables_db, database_id, table):
    created = tables_db.create_row(database_id, table, "r1", {"title": "A"})
    time.sleep(0.005)
    assert tables_db.update_row(database_id, table, "r1", {"title": "A"}).updatedat == created.updatedat


def test_delete_row_answers_204_and_the_row_is_gone(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A"})
    assert tables_db.delete_row(database_id, table, "r1") in (b"", "", None, {})
    with appwrite_raises(404, "row_not_found"):
        tables_db.get_row(database_id, table, "r1")
    with appwrite_raises(404, "row_not_found"):
        tables_db.delete_row(database_id, table, "r1")


def test_api_keys_may_set_created_at_and_updated_at(tables_db, database_id, table):
    row = tables_db.create_row(database_id, table, "r1", {
        "title": "A", "$createdAt": "2020-01-01T00:00:00.000+00:00", "$updatedAt": "2020-01-02T00:00:00Z"})
    assert (row.createdat, row.updatedat) == ("2020-01-01T00:00:00.000+00:00", "2020-01-02T00:00:00.000+00:00")


def test_upsert_creates_then_updates(tables_db, database_id, table):
    tables_db.upsert_row(database_id, table, "r1", {"title": "A"})
    assert tables_db.upsert_row(database_id, table, "r1", {"count": 5}).data["count"] == 5
    assert tables_db.get_row(database_id, table, "r1").data["title"] == "A"


def test_bulk_create_update_and_delete_rows(tables_db, database_id, table):
    created = tables_db.create_rows(database_id, table, [{"$id": f"r{i}", "title": f"T{i}", "count": i}
                                                         for i in range(5)])
    assert isinstance(created, RowList) and created.total == 5
    updated = tables_db.update_rows(database_id, table, {"status": "closed"}, [Query.less_than("count", 2)])
    assert sorted(r.id for r in updated.rows) == ["r0", "r1"]
    closed = tables_db.list_rows(database_id, table, [Query.equal("status", "closed")])
    assert closed.total == 2
    deleted = tables_db.delete_rows(database_id, table, [Query.equal("status", "closed")])
    assert deleted.total == 2
    assert tables_db.list_rows(database_id, table).total == 3


def test_increment_and_decrement_a_number_column(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A", "count": 5})
    assert tables_db.increment_row_column(database_id, table, "r1", "count", 3).data["count"] == 8
    assert tables_db.decrement_row_column(database_id, table, "r1", "count").data["count"] == 7
    with appwrite_raises(400, "column_limit_exceeded") as e:
        tables_db.increment_row_column(database_id, table, "r1", "count", 5, max=10)
    # AW Documents/Attribute/Increment.php words it after utopia's LimitException
    assert e.value.message == 'tablesDB "count" has reached the maximum value of 10'
    with appwrite_raises(400, "column_limit_exceeded") as e:
        tables_db.decrement_row_column(database_id, table, "r1", "count", 5, min=3)
    assert e.value.message == 'tablesDB "count" has reached the minimum value of 3'
    with appwrite_raises(400, "attribute_type_invalid") as e:
        tables_db.increment_row_column(database_id, table, "r1", "title", 1)
    assert e.value.message == 'tablesDB "title" is not a number'
    with appwrite_raises(400, "general_argument_invalid") as e:
        tables_db.increment_row_column(database_id, table, "r1", "count", -1)
    assert e.value.message == "Value must be numeric and greater than 0"


# -- errors


def test_a_duplicate_row_id_is_409_row_already_exists(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A"})
    with appwrite_raises(409, "row_already_exists"):
        tables_db.create_row(database_id, table, "r1", {"title": "B"})


def test_a_unique_index_violation_is_409_row_already_exists(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "Same"})
    with appwrite_raises(409, "row_already_exists"):
        tables_db.create_row(database_id, table, "r2", {"title": "same"})  # case-insensitive like MariaDB
    tables_db.create_row(database_id, table, "r3", {"title": "Other"})
    with appwrite_raises(409, "row_already_exists"):
        tables_db.update_row(database_id, table, "r3", {"title": "Same"})


@pytest.mark.parametrize("data, fragment", [
    ({"title": 5}, 'Attribute "title" has invalid type'),
    ({"title": "x" * 17}, "no longer than 16 chars"),
    ({"title": "A", "count": "3"}, "valid integer"),
    ({"title": "A", "count": 1001}, "valid range between 0 and 1,000"),
    ({"title": "A", "count": 1.5}, "valid integer"),
    ({"title": "A", "count": 2 ** 70}, "valid range"),
    ({"title": "A", "score": "high"}, "valid float"),
    ({"title": "A", "done": "yes"}, "valid boolean"),
    ({"title": "A", "due": "not a date"}, "valid date"),
    ({"title": "A", "kind": "epic"}, "one of (bug, task)"),
    ({"title": "A", "tags": "a"}, "must be an array"),
    ({"title": "A", "tags": [1]}, "invalid type"),
    ({"title": "A", "nope": 1}, 'Unknown attribute: "nope"'),
    ({"count": 1}, 'Missing required attribute "title"'),
    ({"title": None}, 'Missing required attribute "title"'),
])
def test_bad_row_data_is_400_row_invalid_structure(tables_db, database_id, table, data, fragment):
    with appwrite_raises(400, "row_invalid_structure") as info:
        tables_db.create_row(database_id, table, ID.unique(), data)
    assert fragment in info.value.message


def test_bad_update_data_is_400_row_invalid_structure(tables_db, database_id, table):
    tables_db.create_row(database_id, table, "r1", {"title": "A"})
    with appwrite_raises(400, "row_invalid_structure"):
        tables_db.update_row(database_id, table, "r1", {"nope": 1})
    with appwrite_raises(400, "row_invalid_structure"):
        tables_db.update_row(database_id, table, "r1", {"title": None})


def test_empty_data_is_400_row_missing_data_and_empty_update_row_missing_payload(tables_db, database_id,
                                                                               table):
    with appwrite_raises(400, "row_missing_data"):
        tables_db.create_row(database_id, table, "r1", {})
    tables_db.create_row(database_id, table, "r1", {"title": "A"})
    with appwrite_raises(400, "row_missing_payload"):
        tables_db.update_row(database_id, table, "r1", {})


def test_a_bad_row_id_or_permission_is_400_general_argument_invalid(tables_db, database_id, table):
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create_row(database_id, table, "-bad", {"title": "A"})
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create_row(database_id, table, "r1", {"title": "A"}, permissions=["everything"])


def test_updating_a_missing_row_is_404_row_not_found(tables_db, database_id, table):
    with appwrite_raises(404, "row_not_found"):
        tables_db.update_row(database_id, table, "nope", {"title": "A"})
