"""Enhanced fan-out with the AWS SDK for JavaScript v3 in its default (HTTP/2)
configuration: consumers, SubscribeToShard's event stream (every record once,
in order, across a shard split), ResourceInUse within 5 s, unknown consumers
and deleted streams. The checks live in tests/node/kinesis_efo_test.js; the
framing itself is checked here byte by byte over a raw HTTP/2 stream."""
import json
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from rivulet_harness import AWS_ENV, curl_sigv4

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def test_js_sdk_subscribe_to_shard(rivulet):
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").exists():
        pytest.fail("node and tests/node/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, KINESIS_ENDPOINT=rivulet.aws_url)
    p = subprocess.run([node, str(NODE_DIR / "kinesis_efo_test.js")], env=env, cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout


def kinesis(rivulet, op, body, *extra):
    p = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--max-time", "3", *extra, "-X", "POST",
                        f"{rivulet.aws_url}/", "-H", f"X-Amz-Target: Kinesis_20131202.{op}",
                        "-H", "Content-Type: application/x-amz-json-1.1", *curl_sigv4(),
                        "-d", json.dumps(body)], capture_output=True, timeout=30)
    return p.stdout


def messages(raw):
    """Decodes application/vnd.amazon.eventstream, checking both CRC32s."""
    out = []
    while raw:
        total, headers_len, prelude_crc = (int.from_bytes(raw[i:i + 4], "big") for i in (0, 4, 8))
        assert prelude_crc == zlib.crc32(raw[:8])
        assert int.from_bytes(raw[total - 4:total], "big") == zlib.crc32(raw[:total - 4])
        h, headers = raw[12:12 + headers_len], {}
        while h:
            n = h[0]
            name, kind = h[1:1 + n].decode(), h[1 + n]
            assert kind == 7
            length = int.from_bytes(h[2 + n:4 + n], "big")
            headers[name] = h[4 + n:4 + n + length].decode()
            h = h[4 + n + length:]
        out.append((headers, raw[12 + headers_len:total - 4]))
        raw = raw[total:]
    return out


def test_event_stream_framing_on_the_wire(rivulet):
    kinesis(rivulet, "CreateStream", {"StreamName": "raw", "ShardCount": 1})
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/raw"
    consumer = json.loads(kinesis(rivulet, "RegisterStreamConsumer", {"StreamARN": arn, "ConsumerName": "c"}))
    kinesis(rivulet, "PutRecord", {"StreamName": "raw", "PartitionKey": "k", "Data": "aGVsbG8="})
    # curl's --max-time ends the 5-minute subscription; what arrived is kept.
    raw = kinesis(rivulet, "SubscribeToShard", {"ConsumerARN": consumer["Consumer"]["ConsumerARN"],
                                                "ShardId": "shardId-000000000000",
                                                "StartingPosition": {"Type": "TRIM_HORIZON"}})
    got = messages(raw)
    assert got[0][0] == {":event-type": "initial-response", ":content-type": "application/json",
                         ":message-type": "event"}
    headers, payload = got[1]
    assert headers[":event-type"] == "SubscribeToShardEvent" and headers[":message-type"] == "event"
    event = json.loads(payload)
    assert [r["Data"] for r in event["Records"]] == ["aGVsbG8="]
    assert event["ContinuationSequenceNumber"] == event["Records"][0]["SequenceNumber"]
    assert event["MillisBehindLatest"] == 0
    # Over HTTP/1.1 there is no event stream: a clear error instead.
    out = subprocess.run(["curl", "-sS", "--http1.1", "-X", "POST", f"{rivulet.aws_url}/",
                          "-H", "X-Amz-Target: Kinesis_20131202.SubscribeToShard",
                          "-H", "Content-Type: application/x-amz-json-1.1", *curl_sigv4(),
                          "-d", json.dumps({"ConsumerARN": consumer["Consumer"]["ConsumerARN"],
                                            "ShardId": "shardId-000000000000",
                                            "StartingPosition": {"Type": "LATEST"}})],
                         capture_output=True, text=True, timeout=30).stdout
    assert "HTTP/2" in out
