# Sourced by the bench scripts here (run, instructions, profile, threads,
# switches): the bench's credentials, and the steps that start a server,
# ready its shop and load it.
export RIVULET_ADMIN_EMAIL=bench-admin@example.com RIVULET_ADMIN_PASSWORD=bench-admin-pw
# The AWS endpoint verifies SigV4: the root credentials the stock update signs with.
ROOT_KEY=AKIDEXAMPLE ROOT_SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export RIVULET_ROOT_ACCESS_KEY_ID=$ROOT_KEY RIVULET_ROOT_SECRET_ACCESS_KEY=$ROOT_SECRET

# shop_ready DATA_DIR [WAIT_SECONDS]: waits (default 10 s) for the server's
# ports.json, sets the shop up and gives every demo product plenty of stock,
# so that every order is confirmed. Sets $base, the web URL.
shop_ready() {
  local data=$1 polls=$(( ${2:-10} * 20 )) port aws
  for _ in $(seq "$polls"); do [[ -s $data/ports.json ]] && break; sleep 0.05; done
  read -r port aws < <(/usr/bin/python3 -c "import json;d=json.load(open('$data/ports.json'));print(d['http'],d['aws'])")
  base=http://127.0.0.1:$port
  curl -sf "$base/api/products?limit=1" > /dev/null  # sets the shop up
  AWS_ACCESS_KEY_ID=$ROOT_KEY AWS_SECRET_ACCESS_KEY=$ROOT_SECRET /usr/bin/python3 - "$aws" <<'PY'
import sys, boto3
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
for item in ddb.scan(TableName="shop-products", ProjectionExpression="id")["Items"]:
    ddb.update_item(TableName="shop-products", Key={"id": item["id"]},
                    UpdateExpression="SET stock = :s", ExpressionAttributeValues={":s": {"N": "1000000000"}})
PY
}

# shop_workdir NAME: a fresh directory in $work; on exit the server in $pid
# (set by shop_serve) is stopped, its log kept as /tmp/rivulet-bench-NAME.log
# (the last run's, to look into what a run printed) and the directory removed.
shop_workdir() {
  work=$(mktemp -d "/tmp/rivulet-bench-$1.XXXXXX")
  kept_log=/tmp/rivulet-bench-$1.log
  pid=""
  trap 'if [[ -n $pid ]]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; fi
        [[ -f $work/rivulet.log ]] && cp "$work/rivulet.log" "$kept_log"; rm -rf "$work"' EXIT
}

# shop_serve WORK_DIR: starts $BIN serve (plus $SERVER_ARGS) on free ports,
# with its data in WORK_DIR/data and its log in WORK_DIR/rivulet.log, sets
# $pid and readies the shop (shop_ready). shop_workdir's EXIT trap stops $pid.
shop_serve() {
  "$BIN" serve --data-dir "$1/data" --bind 127.0.0.1 --http-port 0 --aws-port 0 --log-level warn \
    ${SERVER_ARGS:-} > "$1/rivulet.log" 2>&1 < /dev/null &
  pid=$!
  shop_ready "$1/data"
}

# shop_steady_load: starts $BIN loadgen at $RATE orders/s (orders only, up to
# 10 minutes) in the background against $base, sets $loadgen, and returns
# once the order processor is busy (past the sign-ins' argon2) and 2 s more.
# The caller kills $loadgen when it has measured.
shop_steady_load() {
  "$BIN" loadgen --url "$base" --rate "$RATE" --duration 10m --customers 100 \
    --connections 64 --events 0 --browse 0 --cancel 0 --progress quiet --json > "$work/load.json" &
  loadgen=$!
  for _ in $(seq 600); do
    curl -s "$base/metrics" | grep -q '^rivulet_function_records_processed{function="order-processor".*} [1-9]' && break
    sleep 0.2
  done
  sleep 2
}
