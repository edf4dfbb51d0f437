"""External functions through the Lambda Runtime API: a Node.js handler run by
the real runtime interface client (npm aws-lambda-ric) and a Python process
that speaks the protocol over plain HTTP, both configured in TOML and fed by
event-source mappings; every record arrives, in order per partition key."""
import json
import time
from pathlib import Path

import boto3
from botocore.config import Config

from rivulet_harness import AWS_ENV, Rivulet

FUNCTIONS = Path(__file__).resolve().parents[1] / "functions"


def client(server, service):
    return boto3.client(service, endpoint_url=server.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"max_attempts": 1}))


def seen(log):
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def wait_for(pred, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


def test_node_and_python_handlers_get_every_record_in_key_order(tmp_path):
    node_log, py_log = tmp_path / "node.jsonl", tmp_path / "py.jsonl"
    config = tmp_path / "rivulet.toml"
    config.write_text(f"""
[[functions.external]]
name = "node-handler"
command = "HANDLER_LOG={node_log} exec node {FUNCTIONS}/node_modules/aws-lambda-ric/index.mjs index.handler"
handler = "index.handler"
working_dir = "{FUNCTIONS}"
timeout_seconds = 10

[[functions.external]]
name = "py-handler"
command = "HANDLER_LOG={py_log} exec /usr/bin/python3 {FUNCTIONS}/runtime_api_handler.py"
timeout_seconds = 10

[[functions.mappings]]
function = "node-handler"
stream = "ext"
stream_shards = 2
starting_position = "TRIM_HORIZON"
batch_size = 10
parallelization_factor = 2

[[functions.mappings]]
function = "py-handler"
stream = "ext"
starting_position = "TRIM_HORIZON"
batch_size = 25
""")
    data = tmp_path / "data"
    data.mkdir()
    with Rivulet(data_dir=data, extra_args=["--config", str(config)]) as server:
        names = {f["FunctionName"] for f in client(server, "lambda").list_functions()["Functions"]}
        assert {"node-handler", "py-handler"} <= names
        kinesis = client(server, "kinesis")
        sent = []
        for batch in range(4):
            records = [{"PartitionKey": f"user-{i % 6}", "Data": f"user-{i % 6}:{batch * 50 + i}".encode()}
                       for i in range(50)]
            out = kinesis.put_records(StreamName="ext", Records=records)
            assert out["FailedRecordCount"] == 0
            sent += [(r["PartitionKey"], r["Data"].decode(), o["SequenceNumber"])
                     for r, o in zip(records, out["Records"])]
        for log in (node_log, py_log):
            assert wait_for(lambda: len({s["seq"] for s in seen(log)}) >= len(sent)), \
                f"{log.name}: {len(seen(log))} of {len(sent)}\n{server.log_text()}"
            got = seen(log)
            assert {s["seq"] for s in got} == {seq for _, _, seq in sent}
            # Per partition key, in the order they were put.
            for key in {k for k, _, _ in sent}:
                order = [int(s["data"].split(":")[1]) for s in got if s["key"] == key]
                assert order == sorted(order), (log.name, key, order)
        assert seen(node_log)[0]["arn"] == "arn:aws:kinesis:us-east-1:000000000000:stream/ext"
        assert server.stop() == 0
