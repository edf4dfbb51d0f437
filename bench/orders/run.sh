#!/usr/bin/env bash
# Order-path benchmark on 127.0.0.1: wrk drives POST /api/orders (closed loop,
# several connection counts) and GET /healthz in the same server run. For each
# order run it prints HTTP requests/s and latency (202 = durable in the stream
# + PLACED row written), then waits until order-processor has decided every
# order and prints the processing rate and the server-measured accept ->
# CONFIRMED latency percentiles (analytics summary). Bounded: DURATION per run.
#
#   bench/orders/run.sh                       # 10 s runs at 1, 8, 32 connections
#   DURATION=5s CONNS="4 16" bench/orders/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-"1 8 32"}
[[ -x $BIN ]] || { echo "no $BIN: build first"; exit 1; }
work=$(mktemp -d /tmp/rivulet-bench-orders.XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
  RIVULET_ADMIN_EMAIL=bench-admin@example.com RIVULET_ADMIN_PASSWORD=bench-admin-pw \
  "$BIN" serve --data-dir "$work/data" --bind 127.0.0.1 --http-port 0 --aws-port 0 --log-level warn \
  > "$work/rivulet.log" 2>&1 &
pid=$!
for _ in $(seq 200); do [[ -s $work/data/ports.json ]] && break; sleep 0.05; done
read -r port aws < <(/usr/bin/python3 -c "import json;d=json.load(open('$work/data/ports.json'));print(d['http'],d['aws'])")
base=http://127.0.0.1:$port

token_of() {  # email password [signup-name]
  local path=/api/auth/login body="{\"email\":\"$1\",\"password\":\"$2\"}"
  [[ $# -eq 3 ]] && path=/api/auth/signup body="{\"email\":\"$1\",\"password\":\"$2\",\"name\":\"$3\"}"
  curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" "$base$path" |
    sed -n 's/^Set-Cookie: rivulet_session=\([0-9a-f]*\);.*/\1/p'
}
TOKEN=$(token_of bench@example.com bench-password Bench)
ADMIN=$(token_of bench-admin@example.com bench-admin-pw)
export TOKEN
# Plenty of stock, so every order is confirmed.
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY /usr/bin/python3 - "$aws" <<'PY'
import sys, boto3
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
for i in range(1, 51):
    ddb.update_item(TableName="shop-products", Key={"id": {"S": f"p-{i:03d}"}},
                    UpdateExpression="SET stock = :s", ExpressionAttributeValues={":s": {"N": "1000000000"}})
PY

summary() { curl -s -H "Authorization: Bearer $ADMIN" "$base/api/analytics/summary?range=5m"; }
confirmed() { summary | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["byStatus"].get("CONFIRMED",0))'; }

echo "== GET /healthz (32 connections)"
wrk -t2 -c32 -d"$DURATION" --latency "$base/healthz" | grep -E 'Requests/sec|50%|99%'
total=0
for c in $CONNS; do
  before=$(confirmed)
  echo "== POST /api/orders, $c connection(s), $DURATION"
  out=$(wrk -t$(( c < 2 ? 1 : 2 )) -c"$c" -d"$DURATION" --latency -s bench/orders/post_order.lua "$base/api/orders")
  echo "$out" | grep -E 'Requests/sec|50%|99%|Non-2xx'
  sent=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  total=$(( total + sent ))
  start=$(date +%s.%N)
  for _ in $(seq 600); do [[ $(confirmed) -ge $(( before + sent )) ]] && break; sleep 0.1; done
  echo "   all $sent decided $(/usr/bin/python3 -c "print(round($(date +%s.%N)-$start,1))") s after the load stopped"
done
summary | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print("accept->confirmed over the whole run (ms):", s["latencyMs"], "confirmed:", s["byStatus"].get("CONFIRMED"))'
