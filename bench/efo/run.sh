#!/usr/bin/env bash
# Enhanced fan-out benchmark: starts build/rivulet on free ports with a fresh
# data dir (fsync durability, as shipped), then
#   1. build/bench/efo_latency: put-to-delivery latency at RATE records/s for
#      SECONDS, SubscribeToShard (HTTP/2 push) beside GetRecords polling once a
#      second (KCL default), one C++ process and one clock;
#   2. h2load: PutRecords (500 x 100 B, pre-signed) for PUT_SECONDS over
#      HTTP/2 (1 connection x 64 streams, 8 x 8) beside HTTP/1.1 (8 and 64
#      connections), the same client and 64 requests in flight (8 for 8 x 1);
#   3. unless NODE_SDK=0, the JS SDK v3 doing both (efo_bench.js): what an SDK
#      user sees, limited by one Node process.
# RATE (10000), SECONDS (10), PUT_SECONDS (5), SHARDS (1).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${RIVULET_BIN:-build/rivulet}
client=${EFO_LATENCY_BIN:-build/bench/efo_latency}
# bash counts SECONDS up from 0 itself: read the caller's value from the environment.
SECONDS_=$(printenv SECONDS || echo 10)
RATE=${RATE:-10000} PUT_SECONDS=${PUT_SECONDS:-5} SHARDS=${SHARDS:-1}
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client (scripts/install-deps)" >&2; exit 2; }
[[ -x "$client" ]] || { echo "$client missing: cmake --build build --target efo_latency" >&2; exit 2; }
data=$(mktemp -d /tmp/rivulet-efo-bench.XXXXXX)
# The server's root key (AWS's documentation example pair); the clients sign with it.
export RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_ACCESS_KEY_ID=$RIVULET_ROOT_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$RIVULET_ROOT_SECRET_ACCESS_KEY
"$bin" serve --data-dir "$data" --bind 127.0.0.1 --http-port 0 --aws-port 0 >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 200); do [[ -f "$data/ports.json" ]] && break; sleep 0.05; done
port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['aws'])" "$data/ports.json")
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"

echo "== put-to-delivery latency (efo_latency, C++), $RATE records/s for ${SECONDS_} s, $SHARDS shard(s)"
"$client" --port "$port" --rate "$RATE" --seconds "$SECONDS_" --shards "$SHARDS" >"$data/latency.jsonl"
python3 - "$data/latency.jsonl" <<'EOF'
import json, sys
rows = {r["reader"]: r for r in map(json.loads, open(sys.argv[1]))}
p, e, g = rows["producer"], rows["subscribe_to_shard"], rows["get_records_1s"]
print(f"  producer: {p['acked']} records acknowledged in {p['seconds']:.1f} s ({p['records_per_s']:.0f} records/s), "
      f"{p['failed']} failed, latest send {p['max_late_ms']:.1f} ms behind schedule")
for name, r in (("SubscribeToShard (HTTP/2 push)", e), ("GetRecords polling, 1 call/s (KCL)", g),
                ("(PutRecords due -> durable ack)", rows["put_records_ack"])):
    print(f"  {name:36s} n={r['n']:7d} p50={r['p50_ms']:8.2f} p99={r['p99_ms']:8.2f} p99.9={r['p999_ms']:8.2f} ms")
ratio = lambda k: g[k] / e[k] if e[k] else float("nan")
print(f"  ratio polling/push: p50 {ratio('p50_ms'):.0f}x, p99 {ratio('p99_ms'):.0f}x, p99.9 {ratio('p999_ms'):.0f}x"
      f"   (target: push p99 < 2 ms: {'met' if e['p99_ms'] < 2 else 'NOT met'})")
EOF

echo "== PutRecords throughput (h2load, 500 x 100 B per request, ${PUT_SECONDS} s each)"
"$client" --port "$port" --presign "$data" --stream put-bench --shards 4 --batch 500 --record-bytes 100
headers=()
while IFS= read -r line; do headers+=(-H "$line"); done <"$data/headers.txt"
run_h2load() {  # label, h2load flags...
  local label=$1; shift
  h2load -D "$PUT_SECONDS" -t 1 -d "$data/body.json" "${headers[@]}" "$@" "http://127.0.0.1:$port/" \
    >"$data/h2load.out" 2>&1 || true
  python3 - "$label" "$PUT_SECONDS" "$data/h2load.out" >>"$data/put.jsonl" <<'EOF'
import json, re, sys
label, seconds, text = sys.argv[1], float(sys.argv[2]), open(sys.argv[3]).read()
m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded", text)
codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
lat = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", text)
ok = int(codes.group(1)) if codes else 0
if not m or ok == 0:
    sys.stderr.write(text)
print(json.dumps({"label": label, "requests_2xx": ok, "non_2xx": sum(map(int, codes.groups()[1:])) if codes else -1,
                  "records_per_s": ok * 500 / seconds, "mean_request": lat.group(3) if lat else "?"}))
EOF
}
rm -f "$data/put.jsonl"
run_h2load "HTTP/2, 1 connection x 64 streams" -c 1 -m 64
run_h2load "HTTP/1.1, 64 connections" --h1 -c 64 -m 1
run_h2load "HTTP/2, 8 connections x 8 streams" -c 8 -m 8
run_h2load "HTTP/1.1, 8 connections" --h1 -c 8 -m 1
python3 - "$data/put.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {r["label"]: r for r in rows}
for r in rows:
    print(f"  {r['label']:36s} {r['records_per_s']:9.0f} records/s  ({r['requests_2xx']} requests, "
          f"{r['non_2xx']} non-2xx, mean {r['mean_request']})")
def ratio(a, b):
    x, y = by[a]["records_per_s"], by[b]["records_per_s"]
    return x / y if y else float("nan")
print(f"  ratio HTTP/2 1x64 / HTTP/1.1 64 connections: {ratio('HTTP/2, 1 connection x 64 streams', 'HTTP/1.1, 64 connections'):.2f}")
print(f"  ratio HTTP/2 8x8  / HTTP/1.1 64 connections: {ratio('HTTP/2, 8 connections x 8 streams', 'HTTP/1.1, 64 connections'):.2f}")
print(f"  ratio HTTP/2 8x8  / HTTP/1.1 8 connections:  {ratio('HTTP/2, 8 connections x 8 streams', 'HTTP/1.1, 8 connections'):.2f}")
EOF

if [[ "${NODE_SDK:-1}" != 0 && -d tests/node/node_modules ]]; then
  echo "== what an SDK user sees: JS SDK v3 in one Node process (efo_bench.js; the producer is the bottleneck)"
  (cd tests/node && NODE_NO_WARNINGS=1 NODE_PATH="$PWD/node_modules" KINESIS_ENDPOINT="http://127.0.0.1:$port" SECONDS=$SECONDS_ \
    node ../../bench/efo/efo_bench.js) | sed 's/^/  /'
fi
echo "machine after: $(uptime | sed 's/.*load/load/')"
