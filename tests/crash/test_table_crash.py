"""kill -9 under a DynamoDB write load: after a restart every acknowledged
write is present, the GSI holds exactly the items that should be in it (no
entry without its item, no item without its entry), and an acknowledged
conditional counter never lost an increment."""
import json
import os
import threading
import time

import pytest
import requests

from rivulet_harness import Rivulet, sign_headers

ROUNDS = int(os.environ.get("RIVULET_CRASH_ROUNDS", "3"))
HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


def call(session, url, op, body):
    data = json.dumps(body)
    r = session.post(url, data=data, timeout=10, headers=sign_headers(
        "POST", url, data, dict(HEADERS, **{"X-Amz-Target": f"DynamoDB_20120810.{op}"})))
    return r.status_code, (r.json() if r.content else {})


def writer(url, wid, round_no, stop, acked, counter_acks, pad):
    session = requests.Session()
    i = 0
    while not stop.is_set():
        order_id = f"r{round_no}-w{wid}-{i:06d}"
        try:
            code, _ = call(session, url, "PutItem", {
                "TableName": "crash_orders",
                "Item": {"order_id": {"S": order_id}, "customer_id": {"S": f"c{i % 7}"},
                         "created": {"N": str(i)}, "status": {"S": "NEW"}, "pad": {"S": "x" * pad}}})
            if code == 200:
                acked.add(order_id)
            # Move an earlier order to another customer: its GSI entry must move too.
            if i % 3 == 0 and i > 0:
                moved = f"r{round_no}-w{wid}-{i - 1:06d}"
                code, _ = call(session, url, "UpdateItem", {
                    "TableName": "crash_orders", "Key": {"order_id": {"S": moved}},
                    "UpdateExpression": "SET customer_id = :c", "ConditionExpression": "attribute_exists(order_id)",
                    "ExpressionAttributeValues": {":c": {"S": "moved"}}})
            code, _ = call(session, url, "UpdateItem", {
                "TableName": "crash_counters", "Key": {"name": {"S": "sold"}},
                "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}})
            if code == 200:
                counter_acks[wid] += 1
        except requests.RequestException:
            return  # the server died under us
        i += 1


def scan_all(session, url, **extra):
    items, start = [], None
    while True:
        body = {"TableName": "crash_orders", **extra}
        if start:
            body["ExclusiveStartKey"] = start
        code, resp = call(session, url, "Scan", body)
        assert code == 200, resp
        items.extend(resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            return items


# The second case switches RocksDB's memtable (and WAL) every 1 MiB, so each
# round writes through several WALs and each kill leaves a fresh one with
# preallocated space after its records (table/wal_file_system.h) to recover.
@pytest.mark.parametrize("memtable_mb,pad", [(None, 1), (1, 4096)], ids=["default", "wal-switches"])
def test_acknowledged_table_writes_survive_kill_9(tmp_path, memtable_mb, pad):
    extra = ["--set", f"table.memtable_mb={memtable_mb}"] if memtable_mb else []
    server = Rivulet(data_dir=tmp_path / "data", extra_args=extra)
    server.data_dir.mkdir()
    server.start()
    session = requests.Session()
    code, resp = call(session, server.aws_url, "CreateTable", {
        "TableName": "crash_orders", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"},
                                 {"AttributeName": "customer_id", "AttributeType": "S"}],
        "GlobalSecondaryIndexes": [{"IndexName": "by_customer", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                    "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"}]}]})
    assert code == 200, resp
    code, resp = call(session, server.aws_url, "CreateTable", {
        "TableName": "crash_counters", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "name", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "name", "AttributeType": "S"}]})
    assert code == 200, resp

    acked = set()
    total_counter_acks = 0
    try:
        for round_no in range(ROUNDS):
            stop = threading.Event()
            counter_acks = [0] * 4
            threads = [threading.Thread(target=writer,
                                        args=(server.aws_url, w, round_no, stop, acked, counter_acks, pad))
                       for w in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            total_counter_acks += sum(counter_acks)
            server.start()

            session = requests.Session()
            items = {i["order_id"]["S"]: i for i in scan_all(session, server.aws_url)}
            missing = acked - items.keys()
            assert not missing, f"round {round_no}: {len(missing)} acknowledged orders lost, e.g. {sorted(missing)[:5]}"
            index = scan_all(session, server.aws_url, IndexName="by_customer")
            index_pairs = sorted((i["order_id"]["S"], i["customer_id"]["S"]) for i in index)
            item_pairs = sorted((k, v["customer_id"]["S"]) for k, v in items.items())
            assert index_pairs == item_pairs, f"round {round_no}: GSI and table disagree"
            code, resp = call(session, server.aws_url, "GetItem",
                              {"TableName": "crash_counters", "Key": {"name": {"S": "sold"}}})
            n = int(resp.get("Item", {}).get("n", {}).get("N", "0"))
            assert n >= total_counter_acks, f"round {round_no}: counter {n} < {total_counter_acks} acknowledged"
            total_counter_acks = n  # unacknowledged increments that did land count from here on
        assert len(acked) > 100, "the load did not write enough to test anything"
    finally:
        if server.proc is not None:
            assert server.stop() == 0
