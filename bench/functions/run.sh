#!/usr/bin/env bash
# Functions benchmark, two parts, each printing Rivulet's figure beside a
# baseline measured in the same run:
# 1. Runtime overhead, in process (functions_overhead_bench): records/s
#    through a no-op function with BatchSize 100 and 1000 beside the stream's
#    own raw read rate over the same records (ratio; target >= 0.5x).
# 2. End-to-end latency through the real server (functions_e2e_load): open
#    loop PutRecords at 1,000 and 10,000 records/s into a 2-shard stream
#    mapped (batching window 0) to an external function whose Runtime API
#    client is the load driver itself; latency from each call's intended send
#    time to the handler, p50/p99, beside the PutRecords acknowledgement
#    latency of the same calls (target: p99 under 5 ms at 10,000 records/s).
# Bounded: BENCH_SECONDS per rate (default 10), BENCH_RECORDS for part 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${RIVULET_BUILD_DIR:-build}
seconds=${BENCH_SECONDS:-10}
records=${BENCH_RECORDS:-200000}
cmake --build "$build_dir" --target rivulet functions_overhead_bench functions_e2e_load >/dev/null
tmp=$(mktemp -d /tmp/rivulet-bench-functions.XXXXXX)
rivulet_pid=""
cleanup() {
  [[ -n "$rivulet_pid" ]] && kill "$rivulet_pid" 2>/dev/null && wait "$rivulet_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== 1. runtime overhead (in process, no-op function) =="
"$build_dir/bench/functions_overhead_bench" --records "$records" --runs 3 --dir "$tmp/overhead" | grep -v '^{'

echo "== 2. end to end through the server (open loop, batching window 0) =="
runtime_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# With the default durability (fsync before the acknowledgement) and with
# none, which leaves only the path from the stream to the handler.
for durability in fsync none; do
cat >"$tmp/rivulet.toml" <<TOML
[stream]
durability = "$durability"

[iam]
auth = "off"  # the functions path alone; bench/iam measures what SigV4 and policies add

[[functions.external]]
name = "bench-handler"
# The load driver speaks the Runtime API itself; the process only holds the slot.
command = "exec sleep 100000"
timeout_seconds = 10
concurrency = 1  # one Runtime API endpoint, the driver's
port = $runtime_port

[[functions.mappings]]
function = "bench-handler"
stream = "fbench"
stream_shards = 2
starting_position = "LATEST"
batch_size = 100
maximum_batching_window_seconds = 0
TOML
rm -rf "$tmp/data" && mkdir -p "$tmp/data"
"$build_dir/rivulet" serve --config "$tmp/rivulet.toml" --data-dir "$tmp/data" --bind 127.0.0.1 \
  --http-port 0 --aws-port 0 >"$tmp/rivulet.log" 2>&1 &
rivulet_pid=$!
for _ in $(seq 200); do [[ -s "$tmp/data/ports.json" ]] && break; sleep 0.05; done
aws_port=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aws"])' "$tmp/data/ports.json")
# Warm-up: connections, the shard processors, the first invocations.
"$build_dir/bench/functions_e2e_load" --aws-port "$aws_port" --runtime-port "$runtime_port" --stream fbench \
  --rate 1000 --seconds 1 --label warmup >/dev/null
for spec in "1000 1" "10000 10"; do
  set -- $spec
  "$build_dir/bench/functions_e2e_load" --aws-port "$aws_port" --runtime-port "$runtime_port" --stream fbench \
    --rate "$1" --records-per-put "$2" --senders 4 --seconds "$seconds" --label "$durability-$1" | tee -a "$tmp/e2e.jsonl" >/dev/null
done
kill "$rivulet_pid"; wait "$rivulet_pid" 2>/dev/null || true; rivulet_pid=""
done
/usr/bin/python3 - "$tmp/e2e.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"{'run':>12} {'records/s':>10} {'per put':>8} {'PutRecords ack p50/p99 ms':>26} {'handler p50/p99 ms':>20} {'ack->handler p50/p99':>22}")
for r in rows:
    print(f"{r['label']:>12} {r['rate']:>10.0f} {r['records_per_put']:>8} {r['ack_p50_ms']:>12.2f} / {r['ack_p99_ms']:<10.2f} "
          f"{r['invoke_p50_ms']:>8.2f} / {r['invoke_p99_ms']:<8.2f} {r['ack_to_invoke_p50_ms']:>10.2f} / {r['ack_to_invoke_p99_ms']:<8.2f}")
PY
