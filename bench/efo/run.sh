#!/usr/bin/env bash
# Enhanced fan-out benchmark: starts build/rivulet on free ports with a fresh
# data dir (fsync durability, as shipped) and runs efo_bench.js against it.
# RATE (records/s, default 10000), SECONDS (10), PUT_SECONDS (5), CONCURRENCY (8).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${RIVULET_BIN:-build/rivulet}
data=$(mktemp -d /tmp/rivulet-efo-bench.XXXXXX)
# The server's root key (AWS's documentation example pair); the SDK signs with it.
export RIVULET_ROOT_ACCESS_KEY_ID=AKIDEXAMPLE RIVULET_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_ACCESS_KEY_ID=$RIVULET_ROOT_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$RIVULET_ROOT_SECRET_ACCESS_KEY
"$bin" serve --data-dir "$data" --bind 127.0.0.1 --http-port 0 --aws-port 0 >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 200); do [[ -f "$data/ports.json" ]] && break; sleep 0.05; done
port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['aws'])" "$data/ports.json")
cd tests/node
NODE_PATH="$PWD/node_modules" KINESIS_ENDPOINT="http://127.0.0.1:$port" node "../../bench/efo/efo_bench.js"
