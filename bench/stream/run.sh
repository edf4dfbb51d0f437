#!/usr/bin/env bash
# Kinesis API benchmark: Rivulet (fsync durability) and kinesalite side by
# side, both on 127.0.0.1, driven by the same C++ client (bench/kinesis_client):
#   PutRecords throughput: 100-byte records, 500 per call, 8 connections
#   PutRecords throughput with small calls: 5 records per call, 16
#   connections, so that the shards' group commits, not the CPU, set the pace
#   PutRecord latency: one connection, sequential calls, p50/p99
#   GetRecords drain: every shard from TRIM_HORIZON, and a check that every
#   acknowledged record was read exactly once
# Then the engine's in-process append rate next to the disk's own fdatasync
# limit (bench/stream/append_bench.cc, when it builds).
# Bounded: each phase runs for a fixed time (BENCH_PUT_SECONDS,
# BENCH_LATENCY_SECONDS); both servers are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${RIVULET_BUILD_DIR:-build}
put_seconds=${BENCH_PUT_SECONDS:-10}
latency_seconds=${BENCH_LATENCY_SECONDS:-5}
shards=${BENCH_SHARDS:-8}
connections=${BENCH_CONNECTIONS:-8}

cmake --build "$build_dir" --target rivulet kinesis_load >/dev/null
client="$build_dir/bench/kinesis_load"
tmp=$(mktemp -d /tmp/rivulet-bench-stream.XXXXXX)
rivulet_pid="" kinesalite_pid=""
cleanup() {
  [[ -n "$rivulet_pid" ]] && kill "$rivulet_pid" 2>/dev/null && wait "$rivulet_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  [[ -n "$kinesalite_pid" ]] && kill "$kinesalite_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

phases=(--shards "$shards" --connections "$connections" --batch 500 --record-bytes 100
        --put-records-seconds "$put_seconds" --put-record-seconds "$latency_seconds" --drain)
small_calls=(--stream bench-small --shards "$shards" --connections 16 --batch 5 --record-bytes 100
             --put-records-seconds "$latency_seconds")

# --- Rivulet, every acknowledgement after fdatasync ---
mkdir -p "$tmp/rivulet"
# Root credentials the load client signs with (its defaults).
RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
  RIVULET_STREAM_DURABILITY=fsync "$build_dir/rivulet" serve --data-dir "$tmp/rivulet" --bind 127.0.0.1 \
  --http-port 0 --aws-port 0 >"$tmp/rivulet.log" 2>&1 &
rivulet_pid=$!
for _ in $(seq 200); do [[ -s "$tmp/rivulet/ports.json" ]] && break; sleep 0.05; done
aws_port=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aws"])' "$tmp/rivulet/ports.json")
echo "rivulet on 127.0.0.1:$aws_port (durability fsync)" >&2
"$client" --port "$aws_port" --label rivulet --server-pid "$rivulet_pid" "${phases[@]}" | tee "$tmp/results.jsonl" >&2
"$client" --port "$aws_port" --label rivulet-small --server-pid "$rivulet_pid" "${small_calls[@]}" |
  tee -a "$tmp/results.jsonl" >&2
kill "$rivulet_pid"; wait "$rivulet_pid" 2>/dev/null || true; rivulet_pid=""

# --- kinesalite (in memory, one Node thread) ---
mkfifo "$tmp/kinesalite.stdin"
node bench/stream/kinesalite_server.js 0 <"$tmp/kinesalite.stdin" >"$tmp/kinesalite.port" 2>"$tmp/kinesalite.log" &
kinesalite_pid=$!
exec 3>"$tmp/kinesalite.stdin"  # kinesalite exits when this closes
for _ in $(seq 200); do [[ -s "$tmp/kinesalite.port" ]] && break; sleep 0.05; done
echo "kinesalite on 127.0.0.1:$(cat "$tmp/kinesalite.port")" >&2
"$client" --port "$(cat "$tmp/kinesalite.port")" --label kinesalite --server-pid "$kinesalite_pid" "${phases[@]}" | tee -a "$tmp/results.jsonl" >&2
"$client" --port "$(cat "$tmp/kinesalite.port")" --label kinesalite-small --server-pid "$kinesalite_pid" \
  "${small_calls[@]}" | tee -a "$tmp/results.jsonl" >&2

/usr/bin/python3 - "$tmp/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
get = lambda target, phase, key: next(r[key] for r in rows if r["target"] == target and r["phase"] == phase)
def line(name, key_phase, key, higher_is_better, unit, run=""):
    r, k = get("rivulet" + run, key_phase, key), get("kinesalite" + run, key_phase, key)
    ratio = (r / k if higher_is_better else k / r) if r and k else float("nan")
    print(f"{name:<34}{r:>14,.0f}{k:>14,.0f}{ratio:>9.1f}x  {unit}")
print(f"{'':<34}{'rivulet':>14}{'kinesalite':>14}{'ratio':>10}")
line("PutRecords throughput", "put_records", "records_per_s", True, "records/s (500 x 100 B, 8 conns)")
line("PutRecords throughput, small calls", "put_records", "records_per_s", True, "records/s (5 x 100 B, 16 conns)",
     "-small")
line("PutRecord latency p50", "put_record", "p50_us", False, "us")
line("PutRecord latency p99", "put_record", "p99_us", False, "us")
line("GetRecords drain", "drain", "records_per_s", True, "records/s")
line("PutRecords per server CPU-second", "put_records", "records_per_server_cpu_s", True, "records (load-independent)")
line("GetRecords per server CPU-second", "drain", "records_per_server_cpu_s", True, "records")
for t in ("rivulet", "kinesalite"):
    d = next(r for r in rows if r["target"] == t and r["phase"] == "drain")
    print(f"{t}: read {d['records']:,} of {d['acknowledged']:,} acknowledged records, "
          f"missing {d['missing']}, duplicates {d['duplicates']}: all read = {d['all_read']}")
PY

# --- in-process append rate vs the raw disk (the engine's own benchmark) ---
if cmake --build "$build_dir" --target stream_append_bench >/dev/null 2>&1; then
  echo
  "$build_dir/bench/stream_append_bench" --dir "$tmp" --seconds "${BENCH_APPEND_SECONDS:-2}"
fi
