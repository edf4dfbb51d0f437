"""External functions through the Lambda Runtime API: a Node.js handler run by
the real runtime interface client (npm aws-lambda-ric) and a Python process
that speaks the protocol over plain HTTP, both configured in TOML and fed by
event-source mappings; every record arrives, in order per partition key.
With `concurrency` processes, batches run at once and a crashed process is
replaced; a bad concurrency stops the start with a message."""
import json
import os
import re
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop
from rivulet_harness import AWS_ENV, Rivulet

FUNCTIONS = Path(__file__).resolve().parents[1] / "functions"


def client(server, service):
    return boto3.client(service, endpoint_url=server.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"max_attempts": 1}))


def seen(log):
    """The records a handler has logged: whole lines only, since a handler may
    be writing the last one while this reads (CI once caught it mid-line)."""
    if not log.exists():
        return []
    text = log.read_text()
    return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines() if line.strip()]


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


# Hash keys at both ends of the range put a record on each of two shards.
SHARD_KEYS = ("0", str(2**128 - 1))


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def put_on_each_shard(kinesis, stream, data):
    out = kinesis.put_records(StreamName=stream, Records=[
        {"PartitionKey": f"k{i}", "ExplicitHashKey": key, "Data": data.encode()} for i, key in enumerate(SHARD_KEYS)])
    assert out["FailedRecordCount"] == 0
    assert len({r["ShardId"] for r in out["Records"]}) == 2


def test_concurrent_processes_serve_batches_at_once_and_survive_a_crash(tmp_path):
    """concurrency = 2: two processes, each polling its own Runtime API
    endpoint. A "meet:R" record succeeds only while another invocation is
    inside "meet:R" too, so both shards' batches must run at once (with one
    process they never would, and the test would time out). A process that
    crashes mid-invocation fails that batch, which the mapping retries, and is
    replaced, so two processes meet again afterwards."""
    log, meet = tmp_path / "seen.jsonl", tmp_path / "meet"
    config = tmp_path / "rivulet.toml"
    config.write_text(f"""
[[functions.external]]
name = "py-pool"
command = "HANDLER_LOG={log} HANDLER_MEET_DIR={meet} exec /usr/bin/python3 {FUNCTIONS}/runtime_api_handler.py"
handler = "pool.handler"
timeout_seconds = 10
concurrency = 2

[[functions.mappings]]
function = "py-pool"
stream = "pool"
stream_shards = 2
starting_position = "TRIM_HORIZON"
batch_size = 1
""")
    data = tmp_path / "data"
    data.mkdir()
    env = {"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with Rivulet(data_dir=data, extra_args=["--config", str(config)], env=env) as server:
        kinesis = client(server, "kinesis")

        def pids_of(data):
            return {s["pid"] for s in seen(log) if s["data"] == data}

        def met(place):
            """The live processes that met at `place` (the handler removes the
            file of one that waited in vain; one killed while waiting is
            dead), once both batches are processed."""
            def pids():
                folder = meet / place
                return {pid for pid in (int(p.name.split("-")[0]) for p in folder.iterdir()) if alive(pid)} \
                    if folder.exists() else set()
            assert wait_for(lambda: len(pids()) >= 2 and len(pids_of("meet:" + place)) >= 2), \
                f"{pids()} {seen(log)}\n{server.log_text()}"
            return pids()

        put_on_each_shard(kinesis, "pool", "meet:1")
        assert len(met("1")) == 2

        kinesis.put_record(StreamName="pool", PartitionKey="c", ExplicitHashKey=SHARD_KEYS[0], Data=b"crash")
        assert wait_for(lambda: pids_of("crash")), server.log_text()
        crashed = int((tmp_path / "seen.jsonl.crashed").read_text())
        assert crashed not in pids_of("crash")  # the retry ran in a live process
        assert f"process {crashed} exited with code 3" in server.log_text()

        put_on_each_shard(kinesis, "pool", "meet:2")
        pids = met("2")
        assert len(pids) == 2 and crashed not in pids

        # The Lambda API and the admin API show the function and its processes.
        lam = client(server, "lambda")
        got = lam.get_function(FunctionName="py-pool")
        assert got["Configuration"]["Handler"] == "pool.handler"
        assert got["Configuration"]["Timeout"] == 10
        assert got["Concurrency"]["ReservedConcurrentExecutions"] == 2
        assert "py-pool" in {f["FunctionName"] for f in lam.list_functions()["Functions"]}
        metrics = requests.get(server.http_url + "/metrics", timeout=10).text
        assert 'rivulet_external_function_processes{function="py-pool"} 2' in metrics
        assert re.search(r'rivulet_external_function_restarts\{function="py-pool"\} [1-9]', metrics), metrics
        admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        def processed():
            body = admin.get("/api/admin/functions").json()
            assert "py-pool" in body["functions"]
            mapping = [m for m in body["mappings"] if m["function"] == "py-pool"][0]
            return sum(s["recordsProcessed"] for s in mapping["shards"])
        assert wait_for(lambda: processed() == 5), processed()
        assert server.stop() == 0


@pytest.mark.parametrize("setting, message", [
    ("concurrency = 0", "functions.external.0.concurrency is 0; it must be 1..64"),
    ("concurrency = 65", "functions.external.0.concurrency is 65; it must be 1..64"),
    ("concurrency = 2\nport = 65535", "functions.external.0.port is 65535; it must be 0 or 1..65534"),
    ("concurency = 2", "functions.external.0.concurency is not an external function setting"),
])
def test_bad_concurrency_stops_start_up_with_a_message(tmp_path, setting, message):
    config = tmp_path / "rivulet.toml"
    config.write_text(f'[[functions.external]]\nname = "f"\ncommand = "exit 0"\n{setting}\n')
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(RuntimeError) as failed:
        Rivulet(data_dir=data, extra_args=["--config", str(config)]).start()
    assert "exited with 1" in str(failed.value)
    assert message in str(failed.value)
