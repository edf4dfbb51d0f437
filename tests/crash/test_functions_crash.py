"""kill -9 while an external function (tests/functions/runtime_api_handler.py,
which fsyncs one line per record it handled before it answers) runs on a
2-shard stream that writers keep filling. After the last restart the handler
has seen every acknowledged record at least once, and each restart delivered
again at most one batch per shard: what was handled but not yet
checkpointed when the kill came. Rounds: RIVULET_CRASH_ROUNDS (default 5)."""
import base64
import json
import os
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from rivulet_harness import AwsAuth, Rivulet  # noqa: E402

ROUNDS = int(os.environ.get("RIVULET_CRASH_ROUNDS", "5"))
BATCH_SIZE = 20
STREAM = "fcrash"
HANDLER = Path(__file__).resolve().parents[1] / "functions" / "runtime_api_handler.py"


class Writer(threading.Thread):
    """PutRecords of 25 until the server goes away; keeps what was acknowledged."""

    def __init__(self, url, tag):
        super().__init__(daemon=True)
        self.url, self.tag, self.acked = url, tag, []

    def run(self):
        session, n = requests.Session(), 0
        session.auth = AwsAuth("kinesis")
        while True:
            datas = [f"{self.tag}-{n + i}" for i in range(25)]
            n += 25
            body = {"StreamName": STREAM, "Records": [
                {"PartitionKey": d, "Data": base64.b64encode(d.encode()).decode()} for d in datas]}
            try:
                r = session.post(self.url + "/", data=json.dumps(body), timeout=10, headers={
                    "X-Amz-Target": "Kinesis_20131202.PutRecords",
                    "Content-Type": "application/x-amz-json-1.1"})
                out = r.json()
            except (requests.ConnectionError, requests.Timeout, ValueError):
                return
            if r.status_code != 200:
                return
            self.acked += [rec["SequenceNumber"] for rec in out["Records"] if "ErrorCode" not in rec]


def handled(log):
    """[(pid, shard, seq)] in the order the handler wrote them; a line torn by the kill is skipped."""
    out = []
    if log.exists():
        for line in log.read_text().splitlines():
            try:
                s = json.loads(line)
            except ValueError:
                continue
            out.append((s["pid"], s["id"].split(":")[0], s["seq"]))
    return out


def test_every_record_is_handled_and_redelivery_is_bounded_by_a_batch_per_shard(tmp_path):
    log = tmp_path / "handled.jsonl"
    config = tmp_path / "rivulet.toml"
    config.write_text(f"""
[[functions.external]]
name = "recorder"
command = "HANDLER_LOG={log} exec /usr/bin/python3 {HANDLER}"
timeout_seconds = 10
concurrency = 1  # one handler process per server start (the analysis below counts per pid)

[[functions.mappings]]
function = "recorder"
stream = "{STREAM}"
stream_shards = 2
starting_position = "TRIM_HORIZON"
batch_size = {BATCH_SIZE}
""")
    data = tmp_path / "data"
    data.mkdir()
    server = Rivulet(data_dir=data, extra_args=["--config", str(config)])
    acked = []
    rng = random.Random(7)
    for round_ in range(ROUNDS):
        server.start()
        writers = [Writer(server.aws_url, f"r{round_}w{i}") for i in range(2)]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.5, 1.5))
        server.kill()
        for w in writers:
            w.join(timeout=15)
            acked += w.acked
    assert len(acked) > 100, "the writers got too little through to test anything"

    server.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not set(acked) <= {seq for _, _, seq in handled(log)}:
        time.sleep(0.2)
    records = handled(log)
    missing = set(acked) - {seq for _, _, seq in records}
    assert not missing, f"{len(missing)} acknowledged records never handled\n{server.log_text()}"
    assert server.stop() == 0

    # Per handler process (one per server start) and shard: records an earlier
    # process had already handled are the re-delivered gap after a kill.
    seen_before = set()
    by_pid = defaultdict(lambda: defaultdict(set))
    pids = []
    for pid, shard, seq in records:
        if pid not in pids:
            pids.append(pid)
        by_pid[pid][shard].add(seq)
    assert len(pids) >= 2
    for pid in pids:
        for shard, seqs in by_pid[pid].items():
            again = seqs & seen_before
            print(f"process {pid} shard {shard}: {len(seqs)} handled, {len(again)} again")
            assert len(again) <= BATCH_SIZE, f"process {pid} shard {shard} re-handled {len(again)} records"
        for seqs in by_pid[pid].values():
            seen_before |= seqs
