"""Kinesis's per-shard write limits, switched on with stream.shard_write_limits
(off by default): over-limit records fail one by one in PutRecords with
ProvisionedThroughputExceededException, are not stored, and the others are."""
import base64
import json

import pytest
import requests

from rivulet_harness import Rivulet, sign_headers


def call(server, operation, body):
    data = json.dumps(body)
    r = requests.post(server.aws_url + "/", data=data, timeout=60, headers=sign_headers(
        "POST", server.aws_url + "/", data, {
            "X-Amz-Target": f"Kinesis_20131202.{operation}", "Content-Type": "application/x-amz-json-1.1"}))
    return r.status_code, r.json()


@pytest.fixture
def limited(tmp_path):
    server = Rivulet(data_dir=tmp_path / "data", env={"RIVULET_STREAM_SHARD_WRITE_LIMITS": "true"})
    server.data_dir.mkdir()
    server.start()
    yield server
    assert server.stop() == 0, server.log_text()


def b64(data):
    return base64.b64encode(data).decode()


def test_over_limit_records_fail_individually_and_are_not_stored(limited):
    assert call(limited, "CreateStream", {"StreamName": "slow", "ShardCount": 1})[0] == 200
    big_a, big_b, small = b"a" * 600_000, b"b" * 600_000, b"c" * 100
    status, out = call(limited, "PutRecords", {"StreamName": "slow", "Records": [
        {"PartitionKey": "k", "Data": b64(big_a)},
        {"PartitionKey": "k", "Data": b64(big_b)},  # 1.2 MB in one burst: over 1 MiB/s
        {"PartitionKey": "k", "Data": b64(small)}]})
    assert status == 200, out
    records = out["Records"]
    assert "SequenceNumber" in records[0] and "SequenceNumber" in records[2]
    assert records[1]["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert "SequenceNumber" not in records[1] and records[1]["ErrorMessage"]
    assert out["FailedRecordCount"] == 1

    status, it = call(limited, "GetShardIterator", {"StreamName": "slow", "ShardId": "shardId-000000000000",
                                                    "ShardIteratorType": "TRIM_HORIZON"})
    status, got = call(limited, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert [base64.b64decode(r["Data"]) for r in got["Records"]] == [big_a, small]

    # A single PutRecord over the limit is a whole-call error.
    throttled = [call(limited, "PutRecord", {"StreamName": "slow", "PartitionKey": "k",
                                             "Data": b64(b"d" * 1_000_000)}) for _ in range(3)]
    assert any(s == 400 and o["__type"] == "ProvisionedThroughputExceededException" for s, o in throttled), \
        throttled
