"""The archiver under kill -9: 100,000 records are put into a stream, the
server is killed while the archiver is writing them out, and after a restart
the archive holds every record exactly once; `rivulet replay` then puts them
into a new stream, which ends up with the same records in the same order per
partition key."""
import base64
import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import requests
from botocore.config import Config

from rivulet_harness import AWS_ENV, AwsAuth, BIN, Rivulet

RECORDS = 100_000
ARGS = ["--set", "archiver.streams=arch", "--set", "archiver.interval_ms=200",
        # Small objects: many writes, so the kill lands in the middle of them.
        "--set", "archiver.max_object_bytes=32768"]


def kinesis(server):
    return boto3.client("kinesis", endpoint_url=server.aws_url, region_name="us-east-1",
                        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=8))


def wait_active(client, name):
    for _ in range(200):
        if client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.05)
    raise TimeoutError(name)


def put_all(client, name):
    def put(start):
        entries = [{"Data": json.dumps({"i": i}).encode(), "PartitionKey": f"pk-{i % 97}"}
                   for i in range(start, min(start + 500, RECORDS))]
        r = client.put_records(StreamName=name, Records=entries)
        assert r["FailedRecordCount"] == 0
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(put, range(0, RECORDS, 500)))


def archive_keys(server):
    keys, token = [], None
    while True:
        params = {"list-type": "2", "prefix": "arch/"}
        if token:
            params["continuation-token"] = token
        r = requests.get(f"{server.aws_url}/archive", params=params, timeout=30, auth=AwsAuth("s3"))
        text = r.text
        keys += [k.split("</Key>")[0] for k in text.split("<Key>")[1:]]
        if "<IsTruncated>true</IsTruncated>" not in text:
            return keys
        token = text.split("<NextContinuationToken>")[1].split("</NextContinuationToken>")[0]


def archived_lines(server):
    """Every archived JSON line (objects are zstd frames; concatenated frames
    decompress to the concatenated lines)."""
    session = requests.Session()
    session.auth = AwsAuth("s3")
    blob = b""
    for key in archive_keys(server):
        r = session.get(f"{server.aws_url}/archive/{key}", timeout=30)
        # After the restart the archiver deletes objects written past its last
        # checkpoint (their records are archived again): one may go between
        # the listing and its GET.
        if r.status_code == 404 and b"<Code>NoSuchKey</Code>" in r.content:
            continue
        assert r.status_code == 200, r.text
        assert r.content, f"archive object {key} is empty"
        blob += r.content
    if not blob:
        return []  # every object listed went before its GET (zstd refuses empty input)
    out = subprocess.run(["zstd", "-dc"], input=blob, capture_output=True, check=True).stdout
    return [json.loads(line) for line in out.decode().splitlines() if line]


def read_stream(client, name):
    records = []
    for shard in client.list_shards(StreamName=name)["Shards"]:
        it = client.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            r = client.get_records(ShardIterator=it, Limit=10000)
            records += r["Records"]
            if not r["Records"] and r.get("MillisBehindLatest", 0) == 0:
                break
            it = r.get("NextShardIterator")
    return records


def test_archive_holds_every_record_once_across_kill_and_replays(tmp_path):
    server = Rivulet(data_dir=tmp_path / "data", extra_args=ARGS)
    server.data_dir.mkdir()
    server.start()
    try:
        client = kinesis(server)
        client.create_stream(StreamName="arch", ShardCount=2)
        wait_active(client, "arch")
        put_all(client, "arch")
        # Kill -9 while the archiver is part way through.
        deadline = time.monotonic() + 60
        while len(at_kill := archive_keys(server)) < 5:
            assert time.monotonic() < deadline, server.log_text()
            time.sleep(0.02)
        server.kill()

        server.start()
        client = kinesis(server)
        deadline = time.monotonic() + 90
        while True:
            lines = archived_lines(server)
            if len(lines) >= RECORDS or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        seqs = [line["sequenceNumber"] for line in lines]
        assert len(seqs) == len(set(seqs)), "a record was archived twice"
        values = sorted(json.loads(base64.b64decode(line["data"]))["i"] for line in lines)
        assert values == list(range(RECORDS)), f"{len(values)} of {RECORDS} records archived"
        assert len(archive_keys(server)) > len(at_kill), "the kill did not land in the middle of the run"

        # Replay into a new stream: the same records, in order per partition key.
        client.create_stream(StreamName="arch-copy", ShardCount=2)
        wait_active(client, "arch-copy")
        done = subprocess.run([BIN, "--data-dir", str(server.data_dir), "replay", "--from", "archive/arch/",
                               "--to-stream", "arch-copy"], capture_output=True, timeout=300,
                              env=dict(os.environ, **AWS_ENV))
        assert done.returncode == 0, done.stderr.decode()
        assert b"replay:" in done.stderr  # plain progress lines when not on a terminal
        def by_key(records):
            out = {}
            for r in records:
                out.setdefault(r["PartitionKey"], []).append(json.loads(r["Data"])["i"])
            return out
        source, copy = by_key(read_stream(client, "arch")), by_key(read_stream(client, "arch-copy"))
        assert sum(len(v) for v in copy.values()) == RECORDS
        for key, items in source.items():
            assert copy[key] == items, f"partition key {key}: the copy's order differs from the source's"
    finally:
        if server.proc is not None:
            server.stop()
