"""Every query method through the SDK's `Query` class, checked for the right rows in the right order, and
every query Appwrite 1.9 rejects, checked for its code and type."""

from __future__ import annotations

import json
import time

import pytest
from appwrite.query import Query

from .conftest import appwrite_raises

# id, sessionId, status, lastSeen (with offsets on purpose), n, note
ROWS = [
    ("a", "alpha-1", "active", "2024-01-01T10:00:00.000+00:00", 1, "the quick brown fox"),
    ("b", "alpha-2", "closed", "2024-01-01T12:00:00.000+02:00", 2, None),  # 10:00 UTC, same as a
    ("c", "beta-1", "active", "2024-01-02T00:00:00.000Z", 3, "lazy dogs sleep"),
    ("d", "beta-2", "agent_assigned", "2024-01-03T00:00:00.500+00:00", 4, "Quick thinking"),
    ("e", "gamma_1", "closed", None, 5, "100% sure"),
    ("f", "Gamma-2", "active", "2024-01-05T00:00:00.000+00:00", 6, "foxes and dogs"),
]


@pytest.fixture
def db(tables_db, database_id):
    tables_db.create_table(database_id, "s", "Sessions")
    tables_db.create_varchar_column(database_id, "s", "sessionId", 255, True)
    tables_db.create_varchar_column(database_id, "s", "status", 64, False, default="active")
    tables_db.create_datetime_column(database_id, "s", "lastSeen", False)
    tables_db.create_integer_column(database_id, "s", "n", False)
    tables_db.create_varchar_column(database_id, "s", "note", 255, False)
    tables_db.create_boolean_column(database_id, "s", "flag", False)
    tables_db.create_index(database_id, "s", "status_lastSeen", "key", ["status", "lastSeen"])
    tables_db.create_index(database_id, "s", "note_text", "fulltext", ["note"])
    for rid, sid, status, seen, n, note in ROWS:
        data = {"sessionId": sid, "status": status, "lastSeen": seen, "n": n, "note": note, "flag": n % 2 == 0}
        tables_db.create_row(database_id, "s", rid, data)
        time.sleep(0.002)  # distinct $createdAt
    return tables_db, database_id


def ids(db, *queries, total=None):
    tables_db, database_id = db
    result = tables_db.list_rows(database_id, "s", list(queries), total=total)
    return [r.id for r in result.rows]


def test_no_queries_lists_in_insertion_order_with_total(db):
    tables_db, database_id = db
    result = tables_db.list_rows(database_id, "s")
    assert result.total == 6 and [r.id for r in result.rows] == ["a", "b", "c", "d", "e", "f"]


def test_equal_with_several_values_means_in(db):
    assert ids(db, Query.equal("status", ["closed", "agent_assigned"])) == ["b", "d", "e"]
    assert ids(db, Query.equal("n", [1, 6])) == ["a", "f"]
    assert ids(db, Query.equal("flag", True)) == ["b", "d", "f"]


def test_equal_is_case_insensitive_like_appwrites_mariadb(db):
    assert ids(db, Query.equal("status", "ACTIVE")) == ["a", "c", "f"]


def test_not_equal_excludes_the_value_and_nulls(db):
    assert ids(db, Query.not_equal("status", "active")) == ["b", "d", "e"]
    assert ids(db, Query.not_equal("note", "lazy dogs sleep")) == ["a", "d", "e", "f"]


def test_comparisons_on_integers(db):
    assert ids(db, Query.less_than("n", 3)) == ["a", "b"]
    assert ids(db, Query.less_than_equal("n", 3)) == ["a", "b", "c"]
    assert ids(db, Query.greater_than("n", 4)) == ["e", "f"]
    assert ids(db, Query.greater_than_equal("n", 4)) == ["d", "e", "f"]
    assert ids(db, Query.between("n", 2, 4)) == ["b", "c", "d"]


def test_datetime_comparisons_are_in_utc_and_millisecond_precise(db):
    assert ids(db, Query.equal("lastSeen", "2024-01-01T10:00:00.000Z")) == ["a", "b"]
    assert ids(db, Query.less_than("lastSeen", "2024-01-02T01:00:00+01:00")) == ["a", "b"]
    assert ids(db, Query.less_than_equal("lastSeen", "2024-01-02T01:00:00+01:00")) == ["a", "b", "c"]
    assert ids(db, Query.greater_than("lastSeen", "2024-01-03T00:00:00.499Z")) == ["d", "f"]
    assert ids(db, Query.greater_than("lastSeen", "2024-01-03T00:00:00.500Z")) == ["f"]
    assert ids(db, Query.greater_than_equal("lastSeen", "2024-01-03T00:00:00.500Z")) == ["d", "f"]
    assert ids(db, Query.between("lastSeen", "2024-01-02", "2024-01-04")) == ["c", "d"]


def test_created_and_updated_helpers_compare_system_datetimes(db):
    tables_db, database_id = db
    c = tables_db.get_row(database_id, "s", "c")
    assert ids(db, Query.created_before(c.createdat)) == ["a", "b"]
    assert ids(db, Query.created_after(c.createdat)) == ["d", "e", "f"]
    assert ids(db, Query.updated_between(c.updatedat, c.updatedat)) == ["c"]


def test_is_null_and_is_not_null(db):
    assert ids(db, Query.is_null("lastSeen")) == ["e"]
    assert ids(db, Query.is_not_null("note")) == ["a", "c", "d", "e", "f"]


def test_starts_with_and_ends_with(db):
    assert ids(db, Query.starts_with("sessionId", "alpha")) == ["a", "b"]
    assert ids(db, Query.starts_with("sessionId", "gamma")) == ["e", "f"]  # case-insensitive
    assert ids(db, Query.starts_with("sessionId", "gamma_")) == ["e"]  # "_" is literal, not a wildcard
    assert ids(db, Query.ends_with("sessionId", "-1")) == ["a", "c"]
    assert ids(db, Query.not_starts_with("sessionId", "beta")) == ["a", "b", "e", "f"]
    assert ids(db, Query.not_ends_with("sessionId", "2")) == ["a", "c", "e"]


def test_contains_on_a_string_is_a_substring_match(db):
    assert ids(db, Query.contains("note", "dog")) == ["c", "f"]
    assert ids(db, Query.contains("note", ["fox", "sleep"])) == ["a", "c", "f"]
    assert ids(db, Query.contains("note", "0%")) == ["e"]  # "%" is literal
    assert ids(db, Query.not_contains("note", "dog")) == ["a", "d", "e"]


def test_search_needs_a_fulltext_index_and_matches_words_with_a_prefix_on_the_last(db):
    assert ids(db, Query.search("note", "quick")) == ["a", "d"]
    assert ids(db, Query.search("note", "fox")) == ["a", "f"]  # prefix: foxes
    assert ids(db, Query.search("note", "lazy thinking")) == ["c", "d"]  # words are OR-ed
    assert ids(db, Query.search("note", '"brown fox"')) == ["a"]
    with appwrite_raises(400, "general_query_invalid") as info:
        ids(db, Query.search("sessionId", "alpha"))
    assert info.value.message == 'Searching by attribute "sessionId" requires a fulltext index.'


def test_and_and_or_nest(db):
    assert ids(db, Query.or_queries([Query.equal("status", "closed"), Query.greater_than("n", 5)])) == [
        "b", "e", "f"]
    assert ids(db, Query.and_queries([Query.equal("status", "active"), Query.greater_than("n", 1)])) == [
        "c", "f"]
    nested = Query.or_queries([Query.and_queries([Query.equal("status", "active"), Query.less_than("n", 2)]),
                               Query.equal("n", 5)])
    assert ids(db, nested) == ["a", "e"]


def test_order_on_columns_ties_break_on_sequence_ascending(db):
    assert ids(db, Query.order_asc("status")) == ["a", "c", "f", "d", "b", "e"]
    assert ids(db, Query.order_desc("status")) == ["b", "e", "d", "a", "c", "f"]
    # a and b share lastSeen; nulls sort first ascending, last descending (as in MariaDB)
    assert ids(db, Query.order_asc("lastSeen")) == ["e", "a", "b", "c", "d", "f"]
    assert ids(db, Query.order_desc("lastSeen")) == ["f", "d", "c", "a", "b", "e"]
    assert ids(db, Query.order_desc("status"), Query.order_asc("n")) == ["b", "e", "d", "a", "c", "f"]


def test_order_on_system_fields(db):
    assert ids(db, Query.order_desc("$id")) == ["f", "e", "d", "c", "b", "a"]
    assert ids(db, Query.order_desc("$sequence")) == ["f", "e", "d", "c", "b", "a"]
    assert ids(db, Query.order_desc("$createdAt")) == ["f", "e", "d", "c", "b", "a"]
    assert ids(db, Query.order_asc("$updatedAt")) == ["a", "b", "c", "d", "e", "f"]


def test_limit_defaults_to_25_and_offset_skips(tables_db, database_id):
    tables_db.create_table(database_id, "many", "Many")
    tables_db.create_integer_column(database_id, "many", "i", True)
    tables_db.create_rows(database_id, "many", [{"$id": f"r{i:02d}", "i": i} for i in range(30)])
    result = tables_db.list_rows(database_id, "many")
    assert result.total == 30 and len(result.rows) == 25
    page = tables_db.list_rows(database_id, "many", [Query.limit(5), Query.offset(27)])
    assert [r.id for r in page.rows] == ["r27", "r28", "r29"] and page.total == 30
    assert len(tables_db.list_rows(database_id, "many", [Query.limit(100)]).rows) == 30


def test_cursor_after_and_before_page_through_the_order(db):
    order = [Query.order_desc("lastSeen"), Query.limit(2)]
    assert ids(db, *order) == ["f", "d"]
    assert ids(db, *order, Query.cursor_after("d")) == ["c", "a"]
    # tie on lastSeen, then $sequence; a null lastSeen (e) is never "after" a value, as in utopia's SQL
    assert ids(db, *order, Query.cursor_after("a")) == ["b"]
    assert ids(db, *order, Query.cursor_before("b")) == ["c", "a"]
    assert ids(db, *order, Query.cursor_before("c")) == ["f", "d"]
    assert ids(db, Query.cursor_after("c")) == ["d", "e", "f"]
    assert ids(db, Query.cursor_before("c")) == ["a", "b"]
    assert ids(db, Query.equal("status", "active"), Query.order_asc("n"), Query.cursor_after("a")) == ["c", "f"]


def test_a_missing_cursor_row_is_400_general_cursor_not_found(db):
    with appwrite_raises(400, "general_cursor_not_found") as info:
        ids(db, Query.cursor_after("nope"))
    assert info.value.message == "Row 'nope' for the 'cursor' value not found."


def test_a_cursor_row_with_a_null_order_value_is_400_database_query_order_null(db):
    with appwrite_raises(400, "database_query_order_null"):
        ids(db, Query.order_asc("lastSeen"), Query.cursor_after("e"))


def test_select_returns_only_the_chosen_columns_and_the_system_fields(db):
    tables_db, database_id = db
    result = tables_db.list_rows(database_id, "s", [Query.select(["status", "n"]), Query.limit(1)])
    row = result.rows[0]
    assert row.data == {"status": "active", "n": 1}
    assert (row.id, row.sequence, row.tableid, row.databaseid) == ("a", "1", "s", database_id)
    assert row.createdat and row.updatedat and row.permissions == []
    assert tables_db.list_rows(database_id, "s", [Query.select(["*"])]).rows[0].data["sessionId"] == "alpha-1"


def test_total_counts_filtered_rows_and_total_false_gives_zero(db):
    tables_db, database_id = db
    result = tables_db.list_rows(database_id, "s", [Query.equal("status", "active"), Query.limit(1)])
    assert result.total == 3 and len(result.rows) == 1
    assert tables_db.list_rows(database_id, "s", [Query.equal("status", "active")], total=False).total == 0


def test_total_is_capped_at_5000(tables_db, database_id):
    tables_db.create_table(database_id, "big", "Big")
    tables_db.create_integer_column(database_id, "big", "i", True)
    for start in range(0, 5003, 1000):
        tables_db.create_rows(database_id, "big", [{"i": i} for i in range(start, min(start + 1000, 5003))])
    assert tables_db.list_rows(database_id, "big", [Query.limit(1)]).total == 5000
    assert tables_db.list_rows(database_id, "big", [Query.greater_than_equal("i", 4000)]).total == 1003


def test_only_the_first_limit_offset_and_cursor_count(db):
    assert ids(db, Query.limit(1), Query.limit(3)) == ["a"]
    assert ids(db, Query.cursor_after("d"), Query.cursor_after("a")) == ["e", "f"]


def test_a_query_on_sequence_accepts_the_string_form(db):
    assert ids(db, Query.greater_than("$sequence", "4")) == ["e", "f"]
    assert ids(db, Query.equal("$id", ["b", "c"])) == ["b", "c"]


# -- what Appwrite 1.9 rejects


@pytest.mark.parametrize("query, message", [
    (Query.count(), "Invalid query method: count"),
    (Query.group_by(["status"]), "Invalid query method: groupBy"),
    (Query.sum("n"), "Invalid query method: sum"),
    (Query.distinct() if hasattr(Query, "distinct") else '{"method":"distinct"}', "Invalid query method: distinct"),
    ('{"method":"frobnicate","attribute":"n"}', "Invalid query method: frobnicate"),
    ("{not json", "Invalid query: Syntax error"),
    ('"a string"', "Invalid query. Must be an array, got string"),
    ('{"method":5}', "Invalid query method. Must be a string, got integer"),
    (Query.equal("nope", "x"), "Invalid query: Attribute not found in schema: nope"),
    (Query.order_asc("nope"), "Invalid query: Attribute not found in schema: nope"),
    (Query.select(["nope"]), "Invalid query: Cannot select attributes: nope"),
    (Query.equal("n", "three"), 'Invalid query: Query value is invalid for attribute "n"'),
    (Query.equal("lastSeen", "yesterday"), 'Invalid query: Query value is invalid for attribute "lastSeen"'),
    (Query.equal("flag", "yes"), 'Invalid query: Query value is invalid for attribute "flag"'),
    (Query.equal("status", []), "Invalid query: Equal queries require at least one value."),
    ('{"method":"between","attribute":"n","values":[1]}', "Invalid query: Between queries require exactly two values."),
    (Query.equal("status", [str(i) for i in range(501)]),
     "Invalid query: Query on attribute has greater than 500 values: status"),
    (Query.limit(0), "Invalid query: Invalid limit: Value must be a valid range between 1 and "
                     "9,223,372,036,854,775,807"),
    (Query.offset(-1), "Invalid query: Invalid offset: Value must be a valid range between 0 and "
                       "9,223,372,036,854,775,807"),
    (Query.or_queries([Query.equal("n", 1)]), "Invalid query: Or queries require at least two queries"),
    (Query.contains("n", 1), 'Invalid query: Cannot query contains on attribute "n" because it is not an array '
                             "or string."),
])
def test_rejected_queries_are_400_general_query_invalid(db, query, message):
    with appwrite_raises(400, "general_query_invalid") as info:
        ids(db, query)
    assert info.value.message == message


def test_more_than_100_queries_is_400_general_argument_invalid(db):
    with appwrite_raises(400, "general_argument_invalid"):
        ids(db, *[Query.limit(1)] * 101)


def test_a_query_longer_than_4096_chars_is_400_general_argument_invalid(db):
    with appwrite_raises(400, "general_argument_invalid"):
        ids(db, Query.equal("status", "x" * 5000))


def test_deeply_nested_query_json_is_400_not_500(db):
    deep = '{"method":"and","values":[' * 1000 + "]}" * 1000
    with appwrite_raises(400, "general_query_invalid"):
        ids(db, deep[:4096])
    too_deep = {"method": "equal", "attribute": "n", "values": [1]}
    for _ in range(5):
        too_deep = {"method": "or", "values": [too_deep, too_deep]}
    with appwrite_raises(400, "general_query_invalid"):
        ids(db, json.dumps(too_deep))
