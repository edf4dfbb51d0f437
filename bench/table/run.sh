#!/usr/bin/env bash
# DynamoDB API benchmark: Rivulet (durable: every write fsynced) and dynalite
# (in memory, one Node thread) side by side on 127.0.0.1, driven by the same
# C++ client (table_load): PutItem, GetItem and Query (100 items a page)
# throughput and p50/p99, then the in-process TableEngine benchmark.
# Bounded: BENCH_SECONDS per phase (default 5); both servers stop on exit.
# Needs `npm ci` in bench/table (dynalite).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${RIVULET_BUILD_DIR:-build}
seconds=${BENCH_SECONDS:-5}
connections=${BENCH_CONNECTIONS:-16}

cmake --build "$build_dir" --target rivulet table_load table_bench >/dev/null
client="$build_dir/bench/table_load"
tmp=$(mktemp -d /tmp/rivulet-bench-table.XXXXXX)
rivulet_pid="" dynalite_pid=""
cleanup() {
  [[ -n "$rivulet_pid" ]] && kill "$rivulet_pid" 2>/dev/null && wait "$rivulet_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  [[ -n "$dynalite_pid" ]] && kill "$dynalite_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- Rivulet, every write acknowledged after the WAL fsync ---
mkdir -p "$tmp/rivulet"
# Root credentials the load client signs with (its defaults).
RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
  "$build_dir/rivulet" serve --data-dir "$tmp/rivulet" --bind 127.0.0.1 --http-port 0 --aws-port 0 \
  >"$tmp/rivulet.log" 2>&1 &
rivulet_pid=$!
for _ in $(seq 200); do [[ -s "$tmp/rivulet/ports.json" ]] && break; sleep 0.05; done
aws_port=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aws"])' "$tmp/rivulet/ports.json")
echo "rivulet on 127.0.0.1:$aws_port (sync writes)" >&2
"$client" --port "$aws_port" --label rivulet --connections "$connections" --seconds "$seconds" | tee "$tmp/results.jsonl" >&2
kill "$rivulet_pid"; wait "$rivulet_pid" 2>/dev/null || true; rivulet_pid=""

# --- dynalite ---
mkfifo "$tmp/dynalite.stdin"
node bench/table/dynalite_server.js 0 <"$tmp/dynalite.stdin" >"$tmp/dynalite.port" 2>"$tmp/dynalite.log" &
dynalite_pid=$!
exec 3>"$tmp/dynalite.stdin"  # dynalite exits when this closes
for _ in $(seq 200); do [[ -s "$tmp/dynalite.port" ]] && break; sleep 0.05; done
echo "dynalite on 127.0.0.1:$(cat "$tmp/dynalite.port")" >&2
"$client" --port "$(cat "$tmp/dynalite.port")" --label dynalite --connections "$connections" --seconds "$seconds" \
  | tee -a "$tmp/results.jsonl" >&2

/usr/bin/python3 - "$tmp/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
get = lambda t, p: next(r for r in rows if r["target"] == t and r["phase"] == p)
print(f"{'':<22}{'rivulet':>16}{'dynalite':>16}{'ratio':>9}")
for phase, name in (("put", "PutItem"), ("get", "GetItem"), ("query", "Query (100 items)")):
    r, d = get("rivulet", phase), get("dynalite", phase)
    print(f"{name + ' ops/s':<22}{r['ops_per_s']:>16,.0f}{d['ops_per_s']:>16,.0f}{r['ops_per_s'] / max(d['ops_per_s'], 1):>8.1f}x")
    print(f"{'  p50 / p99 us':<22}{str(r['p50_us']) + ' / ' + str(r['p99_us']):>16}{str(d['p50_us']) + ' / ' + str(d['p99_us']):>16}")
    if r["errors"] or d["errors"]:
        print(f"  errors: rivulet {r['errors']}, dynalite {d['errors']}")
PY

echo "in-process TableEngine:" >&2
"$build_dir/bench/table_bench" --benchmark_min_time=1
