#!/usr/bin/env bash
# Web UI benchmark on 127.0.0.1 against a real Rivulet serving web/dist:
#  - bundle sizes (gzip) of the shop's first load and of the admin chunks;
#  - cold-load time to interactive of the shop and of the dashboard in
#    Debian's chromium (fresh profile per run), beside the cold load of a
#    one-line page from the same server (the floor);
#  - the dashboard's frame times while it gets its 1-second updates under
#    order load, beside a blank page measured under the same load.
# The load is wrk with bench/web/paced_orders.lua at $RATE orders/s (target),
# or `rivulet loadgen --rate $RATE $LOADGEN_ARGS` with LOAD=loadgen.
#
#   bench/web/run.sh                    # 7 cold loads each, 20 s of frames, RATE=2000
#   RUNS=3 SECONDS_UNDER_LOAD=10 RATE=500 bench/web/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
[[ -x $BIN ]] || { echo "no $BIN: build first (scripts/build)"; exit 1; }
[[ -f web/dist/index.html ]] || { echo "no web/dist: build the web UI first (scripts/build)"; exit 1; }
work=$(mktemp -d /tmp/rivulet-bench-web.XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

export ADMIN_EMAIL=bench-admin@example.com ADMIN_PASSWORD=bench-admin-pw
RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
  RIVULET_ADMIN_EMAIL=$ADMIN_EMAIL RIVULET_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  "$BIN" serve --data-dir "$work/data" --bind 127.0.0.1 --http-port 0 --aws-port 0 --log-level warn \
  --static-dir web/dist > "$work/rivulet.log" 2>&1 &
pid=$!
for _ in $(seq 200); do [[ -s $work/data/ports.json ]] && break; sleep 0.05; done
read -r port aws < <(/usr/bin/python3 -c "import json;d=json.load(open('$work/data/ports.json'));print(d['http'],d['aws'])")
export RIVULET_URL=http://127.0.0.1:$port

TOKEN=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"bench-web@example.com","password":"bench-password","name":"Bench"}' "$RIVULET_URL/api/auth/signup" |
  sed -n 's/^Set-Cookie: rivulet_session=\([0-9a-f]*\);.*/\1/p')
export TOKEN
# Plenty of stock, so orders keep being confirmed during the load.
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY /usr/bin/python3 - "$aws" <<'PY'
import sys, boto3
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
for i in range(1, 51):
    ddb.update_item(TableName="shop-products", Key={"id": {"S": f"p-{i:03d}"}},
                    UpdateExpression="SET stock = :s", ExpressionAttributeValues={":s": {"N": "1000000000"}})
PY

export RATE=${RATE:-2000} RUNS=${RUNS:-7} SECONDS_UNDER_LOAD=${SECONDS_UNDER_LOAD:-20}
if [[ ${LOAD:-wrk} == loadgen ]]; then  # LOAD=loadgen LOADGEN_ARGS="..." once `rivulet loadgen` exists
  export LOAD_CMD="$BIN loadgen --rate $RATE ${LOADGEN_ARGS:-}"
else
  export LOAD_CMD="wrk -t1 -c${CONNS:-64} -d3600s -s bench/web/paced_orders.lua $RIVULET_URL/api/orders"
fi
node bench/web/bench.mjs
