"""Kinesis API black-box tests with boto3 (and raw HTTP for malformed input)
against the real rivulet binary: every iterator type, resharding with reads
in order across parents and children, and the AWS errors for bad input, which
must leave what is stored unchanged."""
import base64
import json
from collections import defaultdict

import boto3
import pytest
import requests
from botocore.config import Config

from rivulet_harness import AWS_ENV, sign_headers

ACCOUNT = "000000000000"


@pytest.fixture
def kinesis(rivulet):
    return boto3.client(
        "kinesis", endpoint_url=rivulet.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}))


def raw(rivulet, operation, body, auth=True):
    """POSTs `body` (str or dict) as Kinesis_20131202.<operation>; returns (status, json)."""
    headers = {"X-Amz-Target": f"Kinesis_20131202.{operation}",
               "Content-Type": "application/x-amz-json-1.1"}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    if auth:
        headers = sign_headers("POST", rivulet.aws_url + "/", data, headers)
    r = requests.post(rivulet.aws_url + "/", data=data, headers=headers, timeout=30)
    return r.status_code, (r.json() if r.content else {})


def read_shard(kinesis, stream, shard_id, iterator_type="TRIM_HORIZON", **kw):
    """Reads a shard from `iterator_type` to its end (closed) or the tip (open).
    Returns (records, child_shards or None)."""
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                    ShardIteratorType=iterator_type, **kw)["ShardIterator"]
    records = []
    while True:
        out = kinesis.get_records(ShardIterator=it, Limit=1000)
        records += out["Records"]
        if "NextShardIterator" not in out or out["NextShardIterator"] is None:
            return records, out.get("ChildShards", [])
        if not out["Records"] and out["MillisBehindLatest"] == 0:
            return records, None
        it = out["NextShardIterator"]


def read_all_in_lineage_order(kinesis, stream):
    """Reads every shard, each one only after its parents, like the KCL.
    Returns {shard_id: [records]} and the order shards were read in."""
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    known = {s["ShardId"] for s in shards}
    done, order, by_shard = set(), [], {}
    while len(done) < len(shards):
        progressed = False
        for s in shards:
            parents = {s.get("ParentShardId"), s.get("AdjacentParentShardId")} & known
            if s["ShardId"] in done or not parents <= done:
                continue
            records, children = read_shard(kinesis, stream, s["ShardId"])
            if "EndingSequenceNumber" in s["SequenceNumberRange"]:
                # A closed shard read to its end names its children.
                assert children, f"closed shard {s['ShardId']} returned no ChildShards"
                for child in children:
                    assert s["ShardId"] in child["ParentShards"]
            by_shard[s["ShardId"]] = records
            done.add(s["ShardId"])
            order.append(s["ShardId"])
            progressed = True
        assert progressed, "shard lineage has a cycle or a missing parent"
    return by_shard, order


def put_batch(kinesis, stream, keys, tag):
    entries = [{"PartitionKey": k, "Data": f"{tag}:{k}:{i}".encode()} for i, k in enumerate(keys)]
    out = kinesis.put_records(StreamName=stream, Records=entries)
    assert out["FailedRecordCount"] == 0
    return [(e["PartitionKey"], e["Data"], r["SequenceNumber"], r["ShardId"])
            for e, r in zip(entries, out["Records"])]


def snapshot(kinesis, stream):
    """Everything stored in a stream: shards and all records."""
    by_shard, _ = read_all_in_lineage_order(kinesis, stream)
    return {sid: [(r["SequenceNumber"], r["PartitionKey"], r["Data"]) for r in recs]
            for sid, recs in by_shard.items()}


def test_create_describe_list_delete(rivulet, kinesis):
    # The server may own streams of its own (the shop's "orders"): compare
    # against what was there before.
    existing = kinesis.list_streams(Limit=10000)["StreamNames"]
    open_before = kinesis.describe_limits()["OpenShardCount"]
    kinesis.create_stream(StreamName="t-orders", ShardCount=3)
    kinesis.create_stream(StreamName="t-clicks", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    d = kinesis.describe_stream(StreamName="t-orders")["StreamDescription"]
    assert d["StreamStatus"] == "ACTIVE"
    assert d["StreamARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/t-orders"
    assert len(d["Shards"]) == 3 and d["HasMoreShards"] is False
    assert d["StreamModeDetails"]["StreamMode"] == "PROVISIONED"
    # Hash ranges tile the 128-bit space.
    ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                    for s in d["Shards"])
    assert ranges[0][0] == 0 and ranges[-1][1] == 2**128 - 1
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:]))
    summary = kinesis.describe_stream_summary(StreamName="t-clicks")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"
    assert summary["OpenShardCount"] >= 1
    page = kinesis.describe_stream(StreamName="t-orders", Limit=2)["StreamDescription"]
    assert len(page["Shards"]) == 2 and page["HasMoreShards"] is True
    listed = kinesis.list_streams(Limit=10000)
    assert listed["StreamNames"] == sorted(existing + ["t-clicks", "t-orders"])
    # Debian's botocore predates StreamSummaries and drops them: read them raw.
    _, raw_listed = raw(rivulet, "ListStreams", {"Limit": 10000})
    summaries = {s["StreamName"]: s["StreamStatus"] for s in raw_listed["StreamSummaries"]}
    assert summaries["t-clicks"] == "ACTIVE" and summaries["t-orders"] == "ACTIVE"
    first = kinesis.list_streams(Limit=1, ExclusiveStartStreamName="t-a")
    assert first["StreamNames"] == ["t-clicks"] and first["HasMoreStreams"] is True
    assert kinesis.list_streams(ExclusiveStartStreamName="t-clicks")["StreamNames"][0] == "t-orders"
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.create_stream(StreamName="t-orders", ShardCount=1)
    kinesis.delete_stream(StreamName="t-clicks")
    assert kinesis.list_streams(Limit=10000)["StreamNames"] == sorted(existing + ["t-orders"])
    limits = kinesis.describe_limits()
    assert limits["OpenShardCount"] == open_before + 3 and limits["ShardLimit"] >= limits["OpenShardCount"]


def test_at_timestamp_has_millisecond_precision(rivulet, kinesis):
    kinesis.create_stream(StreamName="ts", ShardCount=1)
    shard = "shardId-000000000000"
    for i in range(20):
        kinesis.put_record(StreamName="ts", PartitionKey="k", Data=str(i).encode())
    _, it = raw(rivulet, "GetShardIterator", {"StreamName": "ts", "ShardId": shard,
                                              "ShardIteratorType": "TRIM_HORIZON"})
    _, out = raw(rivulet, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    stamps = [r["ApproximateArrivalTimestamp"] for r in out["Records"]]
    assert all(isinstance(t, float) for t in stamps) and stamps == sorted(stamps)
    for pick in (0, 7, 19):
        _, it = raw(rivulet, "GetShardIterator", {"StreamName": "ts", "ShardId": shard,
                                                  "ShardIteratorType": "AT_TIMESTAMP",
                                                  "Timestamp": stamps[pick]})
        _, got = raw(rivulet, "GetRecords", {"ShardIterator": it["ShardIterator"]})
        expected = [r["SequenceNumber"] for r in out["Records"] if r["ApproximateArrivalTimestamp"] >= stamps[pick]]
        assert [r["SequenceNumber"] for r in got["Records"]] == expected


def test_put_and_read_back_with_every_iterator_type(kinesis):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    seqs = []
    for i in range(5):
        r = kinesis.put_record(StreamName="s", PartitionKey=f"k{i}", Data=f"record {i}".encode())
        assert r["ShardId"] == "shardId-000000000000"
        seqs.append(r["SequenceNumber"])
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs) and len(set(seqs)) == 5
    shard = "shardId-000000000000"

    records, _ = read_shard(kinesis, "s", shard, "TRIM_HORIZON")
    assert [r["Data"] for r in records] == [f"record {i}".encode() for i in range(5)]
    assert [r["SequenceNumber"] for r in records] == seqs
    assert [r["PartitionKey"] for r in records] == [f"k{i}" for i in range(5)]

    at, _ = read_shard(kinesis, "s", shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
    assert [r["SequenceNumber"] for r in at] == seqs[2:]
    after, _ = read_shard(kinesis, "s", shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
    assert [r["SequenceNumber"] for r in after] == seqs[3:]

    # botocore sends whole seconds for Timestamp; the millisecond check is raw below.
    ts = records[2]["ApproximateArrivalTimestamp"].replace(microsecond=0)
    expected = [r["SequenceNumber"] for r in records if r["ApproximateArrivalTimestamp"] >= ts]
    at_ts, _ = read_shard(kinesis, "s", shard, "AT_TIMESTAMP", Timestamp=ts)
    assert [r["SequenceNumber"] for r in at_ts] == expected

    latest = kinesis.get_shard_iterator(StreamName="s", ShardId=shard,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=latest)["Records"] == []
    new = kinesis.put_record(StreamName="s", PartitionKey="late", Data=b"after latest")
    out = kinesis.get_records(ShardIterator=latest)
    assert [r["SequenceNumber"] for r in out["Records"]] == [new["SequenceNumber"]]
    assert out["MillisBehindLatest"] == 0

    # Limit caps a read; the next iterator continues where it stopped.
    it = kinesis.get_shard_iterator(StreamName="s", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = kinesis.get_records(ShardIterator=it, Limit=2)
    second = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=2)
    assert [r["SequenceNumber"] for r in first["Records"] + second["Records"]] == seqs[:4]


def test_stream_arn_addresses_the_stream(kinesis):
    kinesis.create_stream(StreamName="byarn", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="byarn")["StreamDescriptionSummary"]["StreamARN"]
    # Debian's botocore predates StreamARN; send it raw.
    status, body = raw_put(kinesis, arn)
    assert status == 200, body
    assert body["ShardId"] == "shardId-000000000000"


def raw_put(kinesis, arn):
    url = kinesis.meta.endpoint_url + "/"
    data = json.dumps({"StreamARN": arn, "PartitionKey": "p", "Data": base64.b64encode(b"x").decode()})
    r = requests.post(url, timeout=30, data=data, headers=sign_headers("POST", url, data, {
        "X-Amz-Target": "Kinesis_20131202.PutRecord", "Content-Type": "application/x-amz-json-1.1"}))
    return r.status_code, r.json()


def test_put_records_routes_by_partition_and_explicit_hash_key(kinesis):
    kinesis.create_stream(StreamName="routed", ShardCount=4)
    shards = kinesis.list_shards(StreamName="routed")["Shards"]
    starts = {s["ShardId"]: int(s["HashKeyRange"]["StartingHashKey"]) for s in shards}
    entries = [{"PartitionKey": "p", "Data": b"x", "ExplicitHashKey": str(start)} for start in starts.values()]
    out = kinesis.put_records(StreamName="routed", Records=entries)
    assert out["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in out["Records"]] == list(starts.keys())
    # The same partition key always lands on the same shard.
    same = kinesis.put_records(StreamName="routed", Records=[{"PartitionKey": "user-7", "Data": b"d"}] * 20)
    assert len({r["ShardId"] for r in same["Records"]}) == 1


def test_reshard_and_read_in_order_across_parents_and_children(kinesis):
    kinesis.create_stream(StreamName="re", ShardCount=1)
    keys = [f"key-{i}" for i in range(40)]
    written = put_batch(kinesis, "re", keys, "gen0")

    kinesis.split_shard(StreamName="re", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**127))
    written += put_batch(kinesis, "re", keys, "gen1")
    open_shards = kinesis.list_shards(StreamName="re", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert len(open_shards) == 2
    assert all(s["ParentShardId"] == "shardId-000000000000" for s in open_shards)

    a, b = sorted(s["ShardId"] for s in open_shards)
    kinesis.merge_shards(StreamName="re", ShardToMerge=a, AdjacentShardToMerge=b)
    written += put_batch(kinesis, "re", keys, "gen2")

    out = kinesis.update_shard_count(StreamName="re", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    assert out["CurrentShardCount"] == 1 and out["TargetShardCount"] == 2
    written += put_batch(kinesis, "re", keys, "gen3")
    assert len(kinesis.list_shards(StreamName="re", ShardFilter={"Type": "AT_LATEST"})["Shards"]) == 2

    # Closed shards can no longer be split.
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.split_shard(StreamName="re", ShardToSplit="shardId-000000000000", NewStartingHashKey="5")

    by_shard, order = read_all_in_lineage_order(kinesis, "re")
    read = [(r["PartitionKey"], r["Data"], r["SequenceNumber"], sid)
            for sid, recs in by_shard.items() for r in recs]
    assert sorted(read) == sorted(written), "every record read exactly once"
    # Per partition key, reading parents before children gives write order.
    per_key = defaultdict(list)
    for sid in order:
        for r in by_shard[sid]:
            per_key[r["PartitionKey"]].append(r["Data"])
    for i, k in enumerate(keys):
        assert per_key[k] == [f"gen{g}:{k}:{i}".encode() for g in range(4)]
    # Sequence numbers grow within each shard.
    for recs in by_shard.values():
        seqs = [int(r["SequenceNumber"]) for r in recs]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_list_shards_pages_with_next_token(kinesis):
    kinesis.create_stream(StreamName="many", ShardCount=5)
    first = kinesis.list_shards(StreamName="many", MaxResults=2)
    assert len(first["Shards"]) == 2 and "NextToken" in first
    ids = [s["ShardId"] for s in first["Shards"]]
    token = first["NextToken"]
    while token:
        page = kinesis.list_shards(NextToken=token, MaxResults=2)
        ids += [s["ShardId"] for s in page["Shards"]]
        token = page.get("NextToken")
    assert ids == [f"shardId-{i:012d}" for i in range(5)]
    after = kinesis.list_shards(StreamName="many", ExclusiveStartShardId="shardId-000000000002")
    assert [s["ShardId"] for s in after["Shards"]] == ["shardId-000000000003", "shardId-000000000004"]
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.list_shards(StreamName="many", NextToken=token or first["NextToken"])


def test_retention_and_tags(kinesis):
    kinesis.create_stream(StreamName="t", ShardCount=1)
    kinesis.increase_stream_retention_period(StreamName="t", RetentionPeriodHours=48)
    assert kinesis.describe_stream_summary(StreamName="t")["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.decrease_stream_retention_period(StreamName="t", RetentionPeriodHours=72)
    kinesis.decrease_stream_retention_period(StreamName="t", RetentionPeriodHours=24)
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.increase_stream_retention_period(StreamName="t", RetentionPeriodHours=9000)

    kinesis.add_tags_to_stream(StreamName="t", Tags={"team": "orders", "env": "test", "tier": "1"})
    tags = kinesis.list_tags_for_stream(StreamName="t")
    assert tags["Tags"] == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "orders"},
                            {"Key": "tier", "Value": "1"}]
    assert tags["HasMoreTags"] is False
    page = kinesis.list_tags_for_stream(StreamName="t", Limit=1, ExclusiveStartTagKey="env")
    assert page["Tags"] == [{"Key": "team", "Value": "orders"}] and page["HasMoreTags"] is True
    kinesis.remove_tags_from_stream(StreamName="t", TagKeys=["env"])
    assert [t["Key"] for t in kinesis.list_tags_for_stream(StreamName="t")["Tags"]] == ["team", "tier"]


def test_bad_input_gets_aws_errors_and_changes_nothing(rivulet, kinesis):
    kinesis.create_stream(StreamName="safe", ShardCount=2)
    put_batch(kinesis, "safe", [f"k{i}" for i in range(10)], "ok")
    before = snapshot(kinesis, "safe")
    streams_before = kinesis.list_streams(Limit=10000)["StreamNames"]

    def expect(operation, body, error_type, message=None, auth=True):
        status, out = raw(rivulet, operation, body, auth)
        assert status == 400, (operation, body, out)
        assert out.get("__type") == error_type, (operation, out)
        if message is not None:
            assert out.get("message") == message, out
        return out

    expect("PutRecord", '{"StreamName": "safe", "PartitionKey": "k", ', "SerializationException")
    expect("PutRecord", "not json at all", "SerializationException")
    expect("CreateStream", {"StreamName": "x", "ShardCount": "1"}, "SerializationException",
           "class java.lang.String can not be converted to an Integer")
    expect("PutRecord", {"StreamName": 7, "PartitionKey": "k", "Data": ""}, "SerializationException")
    expect("PutRecords", {"StreamName": "safe", "Records": {"PartitionKey": "k"}}, "SerializationException")
    expect("CreateStream", {"ShardCount": 1}, "ValidationException",
           "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
           "Member must not be null")
    expect("PutRecord", {"StreamName": "safe", "Data": "AA=="}, "ValidationException",
           "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: "
           "Member must not be null")
    expect("PutRecord", {"StreamName": "safe", "PartitionKey": "k" * 257, "Data": "AA=="}, "ValidationException")
    expect("PutRecord", {"StreamName": "safe", "PartitionKey": "k", "Data": "AA==", "ExplicitHashKey": "-1"},
           "ValidationException")
    big = base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()
    expect("PutRecord", {"StreamName": "safe", "PartitionKey": "k", "Data": big}, "ValidationException",
           "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at "
           "'data' failed to satisfy constraint: Member must have length less than or equal to 1048576")
    expect("PutRecords", {"StreamName": "safe", "Records": [{"PartitionKey": "k", "Data": "AA=="}] * 501},
           "ValidationException")
    expect("PutRecords", {"StreamName": "safe", "Records": []}, "ValidationException")
    # Five 1 MiB records are over the 5 MiB batch limit once keys are added.
    mib = base64.b64encode(b"y" * (1024 * 1024)).decode()
    status, out = raw(rivulet, "PutRecords",
                      {"StreamName": "safe", "Records": [{"PartitionKey": "k", "Data": mib}] * 5})
    assert status == 400 and out["__type"] == "InvalidArgumentException", out
    expect("PutRecord", {"StreamName": "safe", "PartitionKey": "k", "Data": "abc"}, "SerializationException",
           "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes "
           "but found: 3")
    expect("PutRecord", {"StreamName": "safe", "PartitionKey": "k", "Data": "ab$="}, "SerializationException")
    expect("PutRecord", {"StreamName": "nope", "PartitionKey": "k", "Data": "AA=="}, "ResourceNotFoundException",
           f"Stream nope under account {ACCOUNT} not found.")
    expect("DescribeStream", {"StreamName": "nope"}, "ResourceNotFoundException",
           f"Stream nope under account {ACCOUNT} not found.")
    expect("GetShardIterator", {"StreamName": "safe", "ShardId": "shardId-000000000099",
                                "ShardIteratorType": "TRIM_HORIZON"}, "ResourceNotFoundException")
    expect("GetShardIterator", {"StreamName": "safe", "ShardId": "shardId-000000000000",
                                "ShardIteratorType": "AT_SEQUENCE_NUMBER"}, "InvalidArgumentException")
    expect("FlyToTheMoon", {}, "UnknownOperationException")
    expect("ListStreams", {}, "MissingAuthenticationTokenException", auth=False)

    # Forged and tampered iterators.
    expect("GetRecords", {"ShardIterator": "AAAAforged"}, "InvalidArgumentException")
    it = kinesis.get_shard_iterator(StreamName="safe", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    tampered = it[:-2] + ("A" if it[-2] != "A" else "B") + it[-1]
    expect("GetRecords", {"ShardIterator": tampered}, "InvalidArgumentException")
    expect("GetRecords", {"ShardIterator": it, "Limit": 0}, "ValidationException")
    expect("GetRecords", {"ShardIterator": it, "Limit": 10001}, "ValidationException")

    assert snapshot(kinesis, "safe") == before
    assert kinesis.list_streams(Limit=10000)["StreamNames"] == streams_before


def test_put_records_reports_success_per_record(kinesis):
    kinesis.create_stream(StreamName="batch", ShardCount=2)
    out = kinesis.put_records(StreamName="batch", Records=[
        {"PartitionKey": f"p{i}", "Data": bytes([i % 256]) * 100} for i in range(500)])
    assert out["FailedRecordCount"] == 0
    assert len(out["Records"]) == 500
    assert all("SequenceNumber" in r and "ShardId" in r and "ErrorCode" not in r for r in out["Records"])
    total = sum(len(read_shard(kinesis, "batch", s)[0]) for s in ("shardId-000000000000", "shardId-000000000001"))
    assert total == 500
