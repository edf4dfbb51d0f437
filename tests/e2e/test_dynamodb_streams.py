"""A table's change feed end to end: StreamSpecification on CreateTable and
UpdateTable (boto3), DescribeTable's stream fields, and the change records
read back from the Rivulet stream `dynamodb.<table>` with the Kinesis API:
one record per changing write, in write order, in the DynamoDB Streams shape.
Also across a restart (the forwarder's cursor and the records in RocksDB)."""
import json
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from rivulet_harness import AWS_ENV, Rivulet


def clients(rivulet):
    kw = dict(endpoint_url=rivulet.aws_url, region_name="us-east-1",
              aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
              aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
              config=Config(retries={"max_attempts": 1}))
    return boto3.client("dynamodb", **kw), boto3.client("kinesis", **kw)


def read_stream(kinesis, table, want, timeout=20):
    """Every record of the table's change stream, waiting until `want` are there."""
    name = f"dynamodb.{table}"
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    assert len(shards) == 1
    records = []
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shards[0]["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    deadline = time.time() + timeout
    while len(records) < want and time.time() < deadline:
        page = kinesis.get_records(ShardIterator=it, Limit=1000)
        records += [json.loads(r["Data"]) for r in page["Records"]]
        it = page["NextShardIterator"]
        if len(records) < want:
            time.sleep(0.05)
    return records


def test_change_records_follow_the_writes(rivulet):
    ddb, kinesis = clients(rivulet)
    ddb.create_table(
        TableName="e2e_changes", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    table = ddb.describe_table(TableName="e2e_changes")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    label = table["LatestStreamLabel"]
    assert table["LatestStreamArn"] == table["TableArn"] + "/stream/" + label

    ddb.put_item(TableName="e2e_changes", Item={"id": {"S": "a"}, "n": {"N": "1"}})
    ddb.update_item(TableName="e2e_changes", Key={"id": {"S": "a"}}, UpdateExpression="SET n = n + :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    ddb.put_item(TableName="e2e_changes", Item={"id": {"S": "a"}, "n": {"N": "2"}})  # no change: no record
    with pytest.raises(ClientError):
        ddb.put_item(TableName="e2e_changes", Item={"id": {"S": "a"}}, ConditionExpression="attribute_not_exists(id)")
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "e2e_changes", "Item": {"id": {"S": "b"}}}},
        {"Delete": {"TableName": "e2e_changes", "Key": {"id": {"S": "a"}}}}])

    records = read_stream(kinesis, "e2e_changes", 4)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in records] == [
        ("INSERT", "a"), ("MODIFY", "a"), ("INSERT", "b"), ("REMOVE", "a")]
    first, second = records[0], records[1]
    assert first["eventSource"] == "aws:dynamodb" and first["tableName"] == "e2e_changes"
    assert first["eventSourceARN"] == table["LatestStreamArn"]
    assert first["dynamodb"]["NewImage"] == {"id": {"S": "a"}, "n": {"N": "1"}}
    assert "OldImage" not in first["dynamodb"]
    assert second["dynamodb"]["OldImage"]["n"] == {"N": "1"} and second["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    assert records[3]["dynamodb"]["OldImage"]["n"] == {"N": "2"} and "NewImage" not in records[3]["dynamodb"]
    assert all(r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES" and r["dynamodb"]["SizeBytes"] > 0
               for r in records)
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    # Nothing more arrives (the no-op put and the failed condition left no record).
    time.sleep(0.5)
    assert len(read_stream(kinesis, "e2e_changes", 5, timeout=0.5)) == 4


def test_update_table_enables_and_disables_the_stream(rivulet):
    ddb, kinesis = clients(rivulet)
    ddb.create_table(
        TableName="e2e_later", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    assert "StreamSpecification" not in ddb.describe_table(TableName="e2e_later")["Table"]
    ddb.put_item(TableName="e2e_later", Item={"id": {"S": "before"}})
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName="e2e_later", StreamSpecification={"StreamEnabled": True})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName="e2e_later",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "SOMETIMES"})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    d = ddb.update_table(TableName="e2e_later",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert d["TableDescription"]["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    with pytest.raises(ClientError) as e:  # already enabled
        ddb.update_table(TableName="e2e_later",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    ddb.put_item(TableName="e2e_later", Item={"id": {"S": "after"}, "x": {"S": "y"}})
    records = read_stream(kinesis, "e2e_later", 1)
    assert len(records) == 1
    assert records[0]["dynamodb"]["Keys"] == {"id": {"S": "after"}}
    assert "NewImage" not in records[0]["dynamodb"] and "OldImage" not in records[0]["dynamodb"]
    ddb.update_table(TableName="e2e_later", StreamSpecification={"StreamEnabled": False})
    t = ddb.describe_table(TableName="e2e_later")["Table"]
    assert t["StreamSpecification"] == {"StreamEnabled": False}
    ddb.put_item(TableName="e2e_later", Item={"id": {"S": "disabled"}})
    time.sleep(0.5)
    assert len(read_stream(kinesis, "e2e_later", 2, timeout=0.5)) == 1


def test_records_survive_a_restart_exactly_once(tmp_path):
    data = tmp_path
    with Rivulet(data_dir=data) as first:
        ddb, kinesis = clients(first)
        ddb.create_table(
            TableName="e2e_restart", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        for i in range(50):
            ddb.put_item(TableName="e2e_restart", Item={"id": {"S": f"k{i}"}})
        first.kill()  # kill -9: some records may not be forwarded yet
    with Rivulet(data_dir=data) as second:
        ddb, kinesis = clients(second)
        for i in range(50, 60):
            ddb.put_item(TableName="e2e_restart", Item={"id": {"S": f"k{i}"}})
        records = read_stream(kinesis, "e2e_restart", 60)
        assert [r["dynamodb"]["Keys"]["id"]["S"] for r in records] == [f"k{i}" for i in range(60)]
        time.sleep(0.5)
        assert len(read_stream(kinesis, "e2e_restart", 61, timeout=0.5)) == 60
