"""TablesDB schema routes through the official SDK: databases, tables, columns and indexes, and their errors."""

from __future__ import annotations

import re

import pytest
from appwrite.id import ID
from appwrite.models.column_boolean import ColumnBoolean
from appwrite.models.column_datetime import ColumnDatetime
from appwrite.models.column_enum import ColumnEnum
from appwrite.models.column_float import ColumnFloat
from appwrite.models.column_index import ColumnIndex
from appwrite.models.column_integer import ColumnInteger
from appwrite.models.column_string import ColumnString
from appwrite.models.column_varchar import ColumnVarchar
from appwrite.models.database import Database
from appwrite.models.table import Table

from .conftest import appwrite_raises

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # create_string_column is deprecated

DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$"


# -- databases


def test_create_database_answers_201_with_the_database_model(tables_db, new_id):
    db_id = new_id("db")
    db = tables_db.create(db_id, "Support")
    assert isinstance(db, Database)
    assert (db.id, db.name, db.enabled, db.type.value) == (db_id, "Support", True, "tablesdb")
    assert db.createdat == db.updatedat
    assert re.match(DATETIME, db.createdat)


def test_get_list_update_and_delete_a_database(tables_db, new_id):
    db_id = new_id("db")
    tables_db.create(db_id, "One")
    assert tables_db.get(db_id).name == "One"
    listed = tables_db.list(queries=[f'{{"method":"equal","attribute":"$id","values":["{db_id}"]}}'])
    assert listed.total == 1 and listed.databases[0].id == db_id
    assert tables_db.update(db_id, name="Two").name == "Two"
    tables_db.delete(db_id)
    with appwrite_raises(404, "database_not_found"):
        tables_db.get(db_id)


def test_creating_a_database_twice_is_409_database_already_exists(tables_db, new_id):
    db_id = new_id("db")
    tables_db.create(db_id, "One")
    with appwrite_raises(409, "database_already_exists"):
        tables_db.create(db_id, "Again")


def test_unique_makes_a_twenty_character_id(tables_db):
    db = tables_db.create(ID.unique(), "Generated")
    assert len(db.id) == 20
    db2 = tables_db.create("unique()", "Server generated")
    assert len(db2.id) == 20 and db2.id != db.id


def test_an_invalid_database_id_is_400_general_argument_invalid(tables_db):
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create("_starts_with_underscore", "Bad")
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create("x" * 37, "Too long")


def test_a_missing_database_is_404_database_not_found_on_every_route(tables_db):
    with appwrite_raises(404, "database_not_found"):
        tables_db.list_tables("nodb")
    with appwrite_raises(404, "database_not_found"):
        tables_db.create_table("nodb", "t", "T")
    with appwrite_raises(404, "database_not_found"):
        tables_db.list_rows("nodb", "t")


# -- tables


def test_create_get_list_update_and_delete_a_table(tables_db, database_id):
    table = tables_db.create_table(database_id, "tickets", "Tickets", permissions=['read("any")'])
    assert isinstance(table, Table)
    assert (table.id, table.name, table.databaseid, table.enabled, table.rowsecurity) == (
        "tickets", "Tickets", database_id, True, False)
    assert table.permissions == ['read("any")']
    assert table.columns == [] and table.indexes == []
    assert tables_db.get_table(database_id, "tickets").name == "Tickets"
    tables_db.create_table(database_id, "other", "Other")
    listed = tables_db.list_tables(database_id)
    assert listed.total == 2 and [t.id for t in listed.tables] == ["tickets", "other"]
    assert tables_db.list_tables(database_id, search="Oth").total == 1
    updated = tables_db.update_table(database_id, "tickets", name="Tickets 2", row_security=True)
    assert (updated.name, updated.rowsecurity) == ("Tickets 2", True)
    tables_db.delete_table(database_id, "tickets")
    with appwrite_raises(404, "table_not_found"):
        tables_db.get_table(database_id, "tickets")


def test_creating_a_table_twice_is_409_table_already_exists(tables_db, database_id):
    tables_db.create_table(database_id, "t1", "T")
    with appwrite_raises(409, "table_already_exists"):
        tables_db.create_table(database_id, "t1", "T")


def test_a_missing_table_is_404_table_not_found(tables_db, database_id):
    with appwrite_raises(404, "table_not_found"):
        tables_db.get_table(database_id, "missing")
    with appwrite_raises(404, "table_not_found"):
        tables_db.list_rows(database_id, "missing")
    with appwrite_raises(404, "table_not_found"):
        tables_db.create_row(database_id, "missing", "r1", {"a": 1})


def test_table_list_queries_filter_and_page(tables_db, database_id):
    for i in range(4):
        tables_db.create_table(database_id, f"t{i}", f"Table {i}")
    page = tables_db.list_tables(database_id, queries=['{"method":"limit","values":[2]}',
                                                       '{"method":"offset","values":[1]}'])
    assert page.total == 4 and [t.id for t in page.tables] == ["t1", "t2"]
    with appwrite_raises(400, "general_query_invalid"):
        tables_db.list_tables(database_id, queries=['{"method":"equal","attribute":"nope","values":["x"]}'])


# -- columns


def test_every_supported_column_kind_parses_into_its_sdk_model(tables_db, database_id):
    tables_db.create_table(database_id, "kinds", "Kinds")
    s = tables_db.create_string_column(database_id, "kinds", "s", 255, True)
    assert isinstance(s, ColumnString) and (s.key, s.type, s.size, s.required) == ("s", "string", 255, True)
    assert s.status.value == "available"
    v = tables_db.create_varchar_column(database_id, "kinds", "v", 64, False, default="x")
    assert isinstance(v, ColumnVarchar) and (v.type, v.size, v.default) == ("varchar", 64, "x")
    i = tables_db.create_integer_column(database_id, "kinds", "i", False, min=0, max=10, default=5)
    assert isinstance(i, ColumnInteger) and (i.min, i.max, i.default) == (0, 10, 5)
    f = tables_db.create_float_column(database_id, "kinds", "f", False, default=1.5)
    assert isinstance(f, ColumnFloat) and (f.type, f.default) == ("double", 1.5)
    b = tables_db.create_boolean_column(database_id, "kinds", "b", False, default=True)
    assert isinstance(b, ColumnBoolean) and b.default is True
    d = tables_db.create_datetime_column(database_id, "kinds", "d", False, default="2024-01-02T03:04:05+02:00")
    assert isinstance(d, ColumnDatetime) and d.default == "2024-01-02T01:04:05.000+00:00"
    e = tables_db.create_enum_column(database_id, "kinds", "e", ["open", "done"], False, default="open")
    assert isinstance(e, ColumnEnum) and (e.format, e.elements) == ("enum", ["open", "done"])
    tables_db.create_text_column(database_id, "kinds", "t", False)
    tables_db.create_email_column(database_id, "kinds", "mail", False)

    columns = tables_db.list_columns(database_id, "kinds")
    assert columns.total == 9
    assert [c.key for c in columns.columns] == ["s", "v", "i", "f", "b", "d", "e", "t", "mail"]
    assert isinstance(tables_db.get_column(database_id, "kinds", "d"), ColumnDatetime)
    assert isinstance(tables_db.get_column(database_id, "kinds", "b"), ColumnBoolean)
    assert [c.key for c in tables_db.get_table(database_id, "kinds").columns][:3] == ["s", "v", "i"]


def test_a_column_added_to_a_table_with_rows_reads_as_null_there(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    tables_db.create_varchar_column(database_id, "t", "a", 10, False)
    tables_db.create_row(database_id, "t", "r1", {"a": "x"})
    tables_db.create_integer_column(database_id, "t", "n", False)
    assert tables_db.get_row(database_id, "t", "r1").data == {"a": "x", "n": None}


def test_creating_a_column_twice_is_409_column_already_exists(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    tables_db.create_varchar_column(database_id, "t", "a", 10, False)
    with appwrite_raises(409, "column_already_exists"):
        tables_db.create_integer_column(database_id, "t", "a", False)


def test_a_default_on_a_required_column_is_400_column_default_unsupported(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    with appwrite_raises(400, "column_default_unsupported"):
        tables_db.create_varchar_column(database_id, "t", "a", 10, True, default="x")


def test_bad_column_params_are_400_general_argument_invalid(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create_varchar_column(database_id, "t", "$bad", 10, False)
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create_varchar_column(database_id, "t", "a", 0, False)
    with appwrite_raises(400, "general_argument_invalid"):
        tables_db.create_integer_column(database_id, "t", "n", False, default="five")


def test_get_update_and_delete_a_column(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    tables_db.create_varchar_column(database_id, "t", "a", 10, False)
    tables_db.create_index(database_id, "t", "a_idx", "key", ["a"])
    updated = tables_db.update_varchar_column(database_id, "t", "a", False, "dflt", size=20)
    assert (updated.size, updated.default) == (20, "dflt")
    tables_db.delete_column(database_id, "t", "a")
    with appwrite_raises(404, "column_not_found"):
        tables_db.get_column(database_id, "t", "a")
    assert tables_db.list_indexes(database_id, "t").total == 0  # the index went with its column
    with appwrite_raises(404, "column_not_found"):
        tables_db.delete_column(database_id, "t", "a")


# -- indexes


def test_create_get_list_and_delete_indexes(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    tables_db.create_varchar_column(database_id, "t", "a", 10, False)
    tables_db.create_datetime_column(database_id, "t", "d", False)
    key = tables_db.create_index(database_id, "t", "a_d", "key", ["a", "d"], orders=["ASC", "DESC"])
    assert isinstance(key, ColumnIndex)
    assert (key.key, key.type, key.columns, key.status) == ("a_d", "key", ["a", "d"], "available")
    tables_db.create_index(database_id, "t", "a_unique", "unique", ["a"])
    tables_db.create_index(database_id, "t", "a_text", "fulltext", ["a"])
    assert [i.key for i in tables_db.list_indexes(database_id, "t").indexes] == ["a_d", "a_unique", "a_text"]
    assert tables_db.get_index(database_id, "t", "a_unique").type == "unique"
    assert len(tables_db.get_table(database_id, "t").indexes) == 3
    tables_db.delete_index(database_id, "t", "a_unique")
    with appwrite_raises(404, "index_not_found"):
        tables_db.get_index(database_id, "t", "a_unique")


def test_index_errors_have_appwrites_types(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    tables_db.create_varchar_column(database_id, "t", "a", 10, False)
    tables_db.create_integer_column(database_id, "t", "n", False)
    tables_db.create_index(database_id, "t", "i1", "key", ["a"])
    with appwrite_raises(409, "index_already_exists"):
        tables_db.create_index(database_id, "t", "i1", "key", ["a"])
    with appwrite_raises(400, "column_unknown"):
        tables_db.create_index(database_id, "t", "i2", "key", ["nope"])
    with appwrite_raises(400, "index_invalid"):
        tables_db.create_index(database_id, "t", "i3", "fulltext", ["n"])


def test_a_unique_index_over_duplicates_ends_up_failed(tables_db, database_id):
    tables_db.create_table(database_id, "t", "T")
    tables_db.create_varchar_column(database_id, "t", "a", 10, False)
    tables_db.create_row(database_id, "t", "r1", {"a": "same"})
    tables_db.create_row(database_id, "t", "r2", {"a": "same"})
    index = tables_db.create_index(database_id, "t", "u", "unique", ["a"])
    assert index.status == "failed" and index.error
