"""Writers send PutRecords continuously while the server is SIGKILLed at
random moments; after each restart every acknowledged record must be there
exactly once, with the sequence number it was acknowledged with, in per-shard
order. Rounds: RIVULET_CRASH_ROUNDS (default 20; a longer documented run:
RIVULET_CRASH_ROUNDS=200 /usr/bin/python3 -m pytest tests/crash/test_stream_crash.py)."""
import base64
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from rivulet_harness import Rivulet, sign_headers  # noqa: E402

ROUNDS = int(os.environ.get("RIVULET_CRASH_ROUNDS", "20"))
WRITERS = 3
BATCH = 50
STREAM = "crash"


def call(session, url, operation, body, timeout=30):
    data = json.dumps(body)
    r = session.post(url + "/", data=data, timeout=timeout, headers=sign_headers("POST", url + "/", data, {
        "X-Amz-Target": f"Kinesis_20131202.{operation}", "Content-Type": "application/x-amz-json-1.1"}))
    return r.status_code, r.json()


class Writer(threading.Thread):
    """Sends PutRecords until the server goes away; keeps what was acknowledged."""

    def __init__(self, url, tag):
        super().__init__(daemon=True)
        self.url, self.tag = url, tag
        self.acked = []  # (data, shard_id, sequence_number)
        self.errors = []

    def run(self):
        session = requests.Session()
        n = 0
        while True:
            datas = [f"{self.tag}-{n + i}" for i in range(BATCH)]
            n += BATCH
            body = {"StreamName": STREAM, "Records": [
                {"PartitionKey": d, "Data": base64.b64encode(d.encode()).decode()} for d in datas]}
            try:
                status, out = call(session, self.url, "PutRecords", body, timeout=10)
            except (requests.ConnectionError, requests.Timeout, ValueError):
                return  # killed mid-request: this batch is not acknowledged
            if status != 200:
                self.errors.append(out)
                return
            for d, r in zip(datas, out["Records"]):
                if "ErrorCode" not in r:
                    self.acked.append((d, r["ShardId"], r["SequenceNumber"]))


def read_everything(url):
    """{shard_id: [(sequence_number, data)]} from TRIM_HORIZON to the tip."""
    session = requests.Session()
    status, out = call(session, url, "ListShards", {"StreamName": STREAM})
    assert status == 200, out
    result = {}
    for shard in out["Shards"]:
        sid = shard["ShardId"]
        status, out = call(session, url, "GetShardIterator",
                           {"StreamName": STREAM, "ShardId": sid, "ShardIteratorType": "TRIM_HORIZON"})
        assert status == 200, out
        it, records = out["ShardIterator"], []
        while it:
            status, out = call(session, url, "GetRecords", {"ShardIterator": it, "Limit": 10000})
            assert status == 200, out
            records += [(r["SequenceNumber"], base64.b64decode(r["Data"]).decode()) for r in out["Records"]]
            if not out["Records"] and out.get("MillisBehindLatest", 0) == 0:
                break
            it = out.get("NextShardIterator")
        result[sid] = records
    return result


def test_acknowledged_records_survive_sigkill(tmp_path):
    rng = random.Random(int(os.environ.get("RIVULET_CRASH_SEED", time.time_ns() % 2**32)))
    server = Rivulet(data_dir=tmp_path / "data")
    server.data_dir.mkdir()
    server.start()
    try:
        status, out = call(requests.Session(), server.aws_url, "CreateStream",
                           {"StreamName": STREAM, "ShardCount": 4})
        assert status == 200, out
        acked = {}  # data -> (shard_id, sequence_number)
        for round_ in range(ROUNDS):
            writers = [Writer(server.aws_url, f"r{round_}w{w}") for w in range(WRITERS)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(0.05, 0.6))
            server.kill()
            for w in writers:
                w.join(timeout=30)
                assert not w.is_alive(), "writer hung after the server died"
                assert not w.errors, w.errors
                for data, sid, seq in w.acked:
                    acked[data] = (sid, seq)
            server.start()

            stored = read_everything(server.aws_url)
            seen = {}
            for sid, records in stored.items():
                seqs = [int(s) for s, _ in records]
                assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), \
                    f"round {round_}: shard {sid} out of order"
                for seq, data in records:
                    assert data not in seen, f"round {round_}: {data} stored twice"
                    seen[data] = (sid, seq)
            missing = [d for d in acked if d not in seen]
            assert not missing, f"round {round_}: {len(missing)} acknowledged records lost, e.g. {missing[:5]}"
            moved = [d for d, where in acked.items() if seen[d] != where]
            assert not moved, f"round {round_}: records changed shard or sequence number: {moved[:5]}"
            # Per writer and shard, sequence numbers follow the order of writing.
            by_writer_shard = {}
            for data, (sid, seq) in acked.items():
                tag, n = data.rsplit("-", 1)
                by_writer_shard.setdefault((tag, sid), []).append((int(n), int(seq)))
            for key, pairs in by_writer_shard.items():
                pairs.sort()
                assert [s for _, s in pairs] == sorted(s for _, s in pairs), f"{key} out of write order"
            print(f"round {round_}: {len(acked)} acknowledged, {len(seen)} stored")
        assert len(acked) > ROUNDS * BATCH, "the writers barely wrote anything"
    finally:
        if server.proc is not None:
            server.stop()
