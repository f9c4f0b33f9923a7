"""The legacy Databases API (collections, attributes, indexes, documents) through the SDK's Databases service:
same storage as TablesDB, its own models and error types."""

from __future__ import annotations

import pytest
from appwrite.id import ID
from appwrite.models.attribute_datetime import AttributeDatetime
from appwrite.models.attribute_string import AttributeString
from appwrite.models.collection import Collection
from appwrite.models.document import Document
from appwrite.models.document_list import DocumentList
from appwrite.models.index import Index
from appwrite.query import Query

from .conftest import appwrite_raises

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK warns on every legacy call


@pytest.fixture
def collection(legacy_db, new_id):
    db = new_id("db")
    legacy_db.create(db, "Legacy")
    legacy_db.create_collection(db, "messages", "Messages")
    legacy_db.create_string_attribute(db, "messages", "sessionId", 255, True)
    legacy_db.create_string_attribute(db, "messages", "role", 32, False)
    legacy_db.create_string_attribute(db, "messages", "content", 16384, False)
    legacy_db.create_datetime_attribute(db, "messages", "sentAt", False)
    legacy_db.create_index(db, "messages", "sessionId", "key", ["sessionId"])
    return db, "messages"


def test_a_legacy_database_has_type_legacy(legacy_db, new_id):
    db = legacy_db.create(new_id("db"), "Legacy")
    assert db.type.value == "legacy"


def test_collections_attributes_and_indexes_parse_into_sdk_models(legacy_db, collection):
    db, coll = collection
    got = legacy_db.get_collection(db, coll)
    assert isinstance(got, Collection)
    assert (got.id, got.documentsecurity) == ("messages", False)
    assert [a.key for a in got.attributes] == ["sessionId", "role", "content", "sentAt"]
    assert [i.attributes for i in got.indexes] == [["sessionId"]]
    assert legacy_db.list_collections(db).total == 1
    attr = legacy_db.get_attribute(db, coll, "sessionId")
    assert isinstance(attr, AttributeString) and attr.size == 255
    assert isinstance(legacy_db.get_attribute(db, coll, "sentAt"), AttributeDatetime)
    assert legacy_db.list_attributes(db, coll).total == 4
    index = legacy_db.get_index(db, coll, "sessionId")
    assert isinstance(index, Index) and index.attributes == ["sessionId"]
    assert legacy_db.list_indexes(db, coll).total == 1


def test_documents_create_get_list_update_delete(legacy_db, collection):
    db, coll = collection
    doc = legacy_db.create_document(db, coll, "m1", {"sessionId": "s1", "role": "user", "content": "hi",
                                                     "sentAt": "2024-05-01T12:00:00+02:00"})
    assert isinstance(doc, Document)
    assert (doc.id, doc.collectionid, doc.databaseid, doc.sequence) == ("m1", coll, db, "1")
    assert doc.data["sentAt"] == "2024-05-01T10:00:00.000+00:00"
    legacy_db.create_document(db, coll, ID.unique(), {"sessionId": "s1", "role": "agent", "content": "hello"})
    legacy_db.create_document(db, coll, ID.unique(), {"sessionId": "s2", "role": "user"})
    listed = legacy_db.list_documents(db, coll, [Query.equal("sessionId", "s1"), Query.order_desc("$sequence")])
    assert isinstance(listed, DocumentList) and listed.total == 2
    assert [d.data["role"] for d in listed.documents] == ["agent", "user"]
    assert legacy_db.update_document(db, coll, "m1", {"content": "edited"}).data["content"] == "edited"
    assert legacy_db.get_document(db, coll, "m1").data["role"] == "user"
    legacy_db.delete_document(db, coll, "m1")
    with appwrite_raises(404, "document_not_found"):
        legacy_db.get_document(db, coll, "m1")


def test_tablesdb_and_databases_share_storage(tables_db, legacy_db, collection):
    db, coll = collection
    tables_db.create_row(db, coll, "r1", {"sessionId": "s9"})
    assert legacy_db.get_document(db, coll, "r1").data["sessionId"] == "s9"
    assert tables_db.get_table(db, coll).columns[0].key == "sessionId"


def test_legacy_error_types_say_document_collection_and_attribute(legacy_db, collection):
    db, coll = collection
    legacy_db.create_document(db, coll, "m1", {"sessionId": "s1"})
    with appwrite_raises(409, "document_already_exists"):
        legacy_db.create_document(db, coll, "m1", {"sessionId": "s1"})
    with appwrite_raises(400, "document_invalid_structure"):
        legacy_db.create_document(db, coll, "m2", {"sessionId": "s1", "nope": 1})
    with appwrite_raises(400, "document_missing_data"):
        legacy_db.create_document(db, coll, "m3", {})
    with appwrite_raises(400, "document_missing_payload"):
        legacy_db.update_document(db, coll, "m1", {})
    with appwrite_raises(404, "document_not_found"):
        legacy_db.update_document(db, coll, "nope", {"role": "x"})
    with appwrite_raises(404, "collection_not_found"):
        legacy_db.get_collection(db, "nope")
    with appwrite_raises(404, "collection_not_found"):
        legacy_db.list_documents(db, "nope")
    with appwrite_raises(409, "collection_already_exists"):
        legacy_db.create_collection(db, coll, "Again")
    with appwrite_raises(409, "attribute_already_exists"):
        legacy_db.create_string_attribute(db, coll, "role", 10, False)
    with appwrite_raises(404, "attribute_not_found"):
        legacy_db.get_attribute(db, coll, "nope")
    with appwrite_raises(400, "attribute_unknown"):
        legacy_db.create_index(db, coll, "bad", "key", ["nope"])
    with appwrite_raises(400, "general_cursor_not_found") as info:
        legacy_db.list_documents(db, coll, [Query.cursor_after("nope")])
    assert info.value.message == "Document 'nope' for the 'cursor' value not found."
    with appwrite_raises(400, "general_query_invalid"):
        legacy_db.list_documents(db, coll, [Query.equal("nope", "x")])
    with appwrite_raises(404, "database_not_found"):
        legacy_db.get("nope")


def test_collection_update_and_delete(legacy_db, collection):
    db, coll = collection
    assert legacy_db.update_collection(db, coll, name="Renamed", document_security=True).documentsecurity
    legacy_db.delete_collection(db, coll)
    with appwrite_raises(404, "collection_not_found"):
        legacy_db.get_collection(db, coll)


def test_legacy_bulk_documents_and_attribute_delete(legacy_db, collection):
    db, coll = collection
    made = legacy_db.create_documents(db, coll, [{"$id": f"d{i}", "sessionId": "s", "role": "user"}
                                                 for i in range(3)])
    assert made.total == 3
    assert legacy_db.update_documents(db, coll, {"role": "agent"}).total == 3
    legacy_db.delete_attribute(db, coll, "role")
    assert "role" not in legacy_db.get_document(db, coll, "d0").data
    assert legacy_db.delete_documents(db, coll, [Query.equal("$id", "d0")]).total == 1
    assert legacy_db.list_documents(db, coll).total == 2
