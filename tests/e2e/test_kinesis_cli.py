"""The AWS CLI (Debian's /usr/bin/aws) against a running rivulet: the
commands a user types, their JSON output, and AWS's error text."""
import base64
import json
import os
import subprocess

import pytest

from rivulet_harness import AWS_ENV

AWS = "/usr/bin/aws"


@pytest.fixture
def aws(rivulet):
    env = dict(os.environ, **AWS_ENV)

    def run(*args, expect_ok=True):
        cmd = [AWS, "--endpoint-url", rivulet.aws_url, "--output", "json", "kinesis", *args]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if expect_ok:
            assert p.returncode == 0, f"{' '.join(args)}: {p.stderr}"
            return json.loads(p.stdout) if p.stdout.strip() else {}
        assert p.returncode != 0, f"{' '.join(args)} unexpectedly succeeded: {p.stdout}"
        return p.stderr
    return run


def test_cli_round_trip(aws):
    aws("create-stream", "--stream-name", "cli", "--shard-count", "2")
    summary = aws("describe-stream-summary", "--stream-name", "cli")["StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "ACTIVE" and summary["OpenShardCount"] == 2
    aws("wait", "stream-exists", "--stream-name", "cli")

    put = aws("put-record", "--stream-name", "cli", "--partition-key", "user-1",
              "--cli-binary-format", "raw-in-base64-out", "--data", "hello from the cli")
    shard = put["ShardId"]
    batch = aws("put-records", "--stream-name", "cli", "--cli-binary-format", "raw-in-base64-out",
                "--records", json.dumps([{"PartitionKey": "user-1", "Data": f"r{i}"} for i in range(3)]))
    assert batch["FailedRecordCount"] == 0
    assert {r["ShardId"] for r in batch["Records"]} == {shard}

    it = aws("get-shard-iterator", "--stream-name", "cli", "--shard-id", shard,
             "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    out = aws("get-records", "--shard-iterator", it)
    assert [base64.b64decode(r["Data"]) for r in out["Records"]] == [b"hello from the cli", b"r0", b"r1", b"r2"]
    assert out["Records"][0]["SequenceNumber"] == put["SequenceNumber"]
    assert isinstance(out["Records"][0]["ApproximateArrivalTimestamp"], (int, float, str))
    assert "NextShardIterator" in out

    shards = aws("list-shards", "--stream-name", "cli")["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000", "shardId-000000000001"]
    assert "cli" in aws("list-streams")["StreamNames"]

    aws("add-tags-to-stream", "--stream-name", "cli", "--tags", "team=orders")
    assert aws("list-tags-for-stream", "--stream-name", "cli")["Tags"] == [{"Key": "team", "Value": "orders"}]
    aws("update-shard-count", "--stream-name", "cli", "--target-shard-count", "4",
        "--scaling-type", "UNIFORM_SCALING")
    open_shards = aws("list-shards", "--stream-name", "cli", "--shard-filter", "Type=AT_LATEST")["Shards"]
    assert len(open_shards) == 4
    aws("delete-stream", "--stream-name", "cli")
    assert "cli" not in aws("list-streams")["StreamNames"]


def test_cli_errors_read_like_aws(aws):
    err = aws("describe-stream", "--stream-name", "missing", expect_ok=False)
    assert "ResourceNotFoundException" in err
    assert "Stream missing under account 000000000000 not found." in err
    aws("create-stream", "--stream-name", "dup", "--shard-count", "1")
    assert "ResourceInUseException" in aws("create-stream", "--stream-name", "dup", "--shard-count", "1",
                                           expect_ok=False)
    err = aws("get-records", "--shard-iterator", "bogus-iterator", expect_ok=False)
    assert "InvalidArgumentException" in err
