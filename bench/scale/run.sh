#!/usr/bin/env bash
# Scale-out benchmark on 127.0.0.1: one services node (--role api, embedded
# engines) and 1, 2, 3 workers (--role worker) reaching it over the AWS
# protocols, sharing the order shards through leases; beside it, in the same
# run, a single --role all node (the baseline: no network hops between the
# order processor and the engines). For each setup `rivulet loadgen` offers
# RATE orders/s for DURATION; the table shows the orders/s decided and the
# accept -> decided latency (from the admin WebSocket). Then, with two
# workers under load, one is killed with SIGKILL and the script reports how
# long its shards stayed without an owner (failover, FAILOVER_MS).
#
#   bench/scale/run.sh                         # RATE=400 DURATION=15s
#   RATE=1000 DURATION=30s bench/scale/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
RATE=${RATE:-400}
DURATION=${DURATION:-15s}
FAILOVER_MS=${FAILOVER_MS:-3000}
SHARDS=${SHARDS:-6}
[[ -x $BIN ]] || { echo "no $BIN: build first"; exit 1; }
work=$(mktemp -d /tmp/rivulet-bench-scale.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
export RIVULET_ADMIN_EMAIL=bench-admin@example.com RIVULET_ADMIN_PASSWORD=bench-admin-pw

start() {  # name role extra-args... ; prints the data dir
  local dir=$work/$1; mkdir -p "$dir"
  "$BIN" serve --data-dir "$dir" --bind 127.0.0.1 --http-port 0 --aws-port 0 --log-level warn --role "$2" \
    --set orders.shards="$SHARDS" "${@:3}" > "$dir/log" 2>&1 &
  pids+=($!); echo $! > "$dir/pid"
  for _ in $(seq 400); do [[ -s $dir/ports.json ]] && break; sleep 0.05; done
}
port_of() { /usr/bin/python3 -c "import json;print(json.load(open('$work/$1/ports.json'))['$2'])"; }
stop() { local p; p=$(cat "$work/$1/pid"); kill "$p"; wait "$p" 2>/dev/null || true; }
loadgen() {  # url -> one JSON line
  "$BIN" loadgen --url "$1" --rate "$RATE" --duration "$DURATION" --customers 200 --progress quiet --json \
    --admin-email "$RIVULET_ADMIN_EMAIL" --admin-password "$RIVULET_ADMIN_PASSWORD"
}
row() {  # label json
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
r = json.loads(sys.argv[2]); o = r["orders"]; d = r.get("acceptToDecidedMs", {})
decided = o["confirmed"] + o["rejected"]
print(f"{sys.argv[1]:<22}{o['acceptedPerSecond']:>10.0f}{decided / r['seconds']:>10.0f}"
      f"{d.get('p50', float('nan')):>10.1f}{d.get('p99', float('nan')):>10.1f}{o['undecided']:>11}")
PY
}
printf '%-22s%10s%10s%10s%10s%11s\n' "setup" "accepted/s" "decided/s" "p50 ms" "p99 ms" "undecided"

start single all
row "one node (--role all)" "$(loadgen "http://127.0.0.1:$(port_of single http)")"
stop single

start api api
API_AWS=http://127.0.0.1:$(port_of api aws)
API_WEB=http://127.0.0.1:$(port_of api http)
remote=(--set stream.backend=kinesis --set stream.endpoint="$API_AWS" --set table.backend=dynamodb
        --set table.endpoint="$API_AWS" --set objects.backend=s3 --set objects.endpoint="$API_AWS"
        --set functions.lease_failover_ms="$FAILOVER_MS")
for n in 1 2 3; do
  start "w$n" worker "${remote[@]}" --set functions.worker_id="w$n"
  sleep $(( FAILOVER_MS / 1000 + 2 ))  # leases settle
  row "api + $n worker(s)" "$(loadgen "$API_WEB")"
done

# Failover: keep two workers, kill one under load, time until its shards are owned again.
stop w3
sleep $(( FAILOVER_MS / 1000 + 2 ))
loadgen "$API_WEB" > "$work/failover.json" &
lg=$!
sleep 3
kill -9 "$(cat "$work/w2/pid")"
killed=$(date +%s.%N)
/usr/bin/python3 - "$API_AWS" "$killed" <<'PY'
import sys, time, boto3
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1])
killed = float(sys.argv[2])
while True:
    items = ddb.query(TableName="rivulet-leases", KeyConditionExpression="mapping_id = :m",
                      ExpressionAttributeValues={":m": {"S": "order-processor-orders"}}, ConsistentRead=True)["Items"]
    if items and all(i.get("owner", {}).get("S") == "w1" for i in items):
        print(f"failover: the killed worker's shards were owned again {time.time() - killed:.1f} s after SIGKILL")
        break
    if time.time() - killed > 60:
        print("failover: not within 60 s"); break
    time.sleep(0.1)
PY
wait "$lg"
row "2 workers, 1 killed" "$(cat "$work/failover.json")"
