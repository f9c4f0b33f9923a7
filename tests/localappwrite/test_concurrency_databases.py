"""Twenty concurrent clients on keep-alive connections: every write lands, nothing answers 500."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import requests
from appwrite.services.tables_db import TablesDB

from .conftest import create_sessions_table, sdk_client

CLIENTS = 20


def test_twenty_clients_creating_rows_at_once_lose_nothing(appwrite_server, tables_db, database_id):
    table = create_sessions_table(tables_db, database_id)

    def work(n: int) -> list[int]:
        client = TablesDB(sdk_client(appwrite_server, key=appwrite_server.api_key))
        for i in range(25):
            client.create_row(database_id, table, f"c{n}-{i}", {"sessionId": f"s{n}-{i}", "status": "active"})
        return [n]

    with ThreadPoolExecutor(CLIENTS) as pool:
        assert len(list(pool.map(work, range(CLIENTS)))) == CLIENTS
    result = tables_db.list_rows(database_id, table, ['{"method":"limit","values":[1000]}'])
    assert result.total == CLIENTS * 25
    assert sorted(int(r.sequence) for r in result.rows) == list(range(1, CLIENTS * 25 + 1))


def test_concurrent_increments_of_one_row_all_count(appwrite_server, tables_db, database_id):
    tables_db.create_table(database_id, "counter", "Counter")
    tables_db.create_integer_column(database_id, "counter", "n", False)
    tables_db.create_row(database_id, "counter", "c", {"n": 0})

    def work(_: int) -> None:
        client = TablesDB(sdk_client(appwrite_server, key=appwrite_server.api_key))
        for _ in range(10):
            client.increment_row_column(database_id, "counter", "c", "n", 1)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(work, range(CLIENTS)))
    assert tables_db.get_row(database_id, "counter", "c").data["n"] == CLIENTS * 10


def test_keep_alive_clients_reading_and_writing_together_never_see_a_500(appwrite_server, tables_db,
                                                                          database_id):
    table = create_sessions_table(tables_db, database_id)
    base = f"{appwrite_server.endpoint}/tablesdb/{database_id}/tables/{table}/rows"
    headers = {"X-Appwrite-Project": appwrite_server.project_id, "X-Appwrite-Key": appwrite_server.api_key}
    listing = [("queries[0]", json.dumps({"method": "equal", "attribute": "status", "values": ["active"]})),
               ("queries[1]", json.dumps({"method": "orderDesc", "attribute": "lastSeen"}))]

    def work(n: int) -> list[int]:
        statuses = []
        with requests.Session() as http:  # one keep-alive connection per client
            for i in range(15):
                r = http.post(base, headers=headers, json={"rowId": f"k{n}-{i}", "data": {
                    "sessionId": f"s{n}", "lastSeen": f"2024-01-01T00:00:{i:02d}Z"}})
                statuses.append(r.status_code)
                statuses.append(http.get(base, headers=headers, params=listing).status_code)
                statuses.append(http.patch(f"{base}/k{n}-{i}", headers=headers,
                                           json={"data": {"status": "closed"}}).status_code)
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [s for batch in pool.map(work, range(CLIENTS)) for s in batch]
    assert set(statuses) == {200, 201}
    assert tables_db.list_rows(database_id, table, ['{"method":"equal","attribute":"status","values":["closed"]}']
                               ).total == CLIENTS * 15
