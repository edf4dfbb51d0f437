#!/usr/bin/env bash
# Instructions per order: the server under callgrind, with a gentle open-loop
# load (RATE orders/s, default 40) that is instrumented for MEASURE_SECONDS
# (default 20) of steady state. Prints all instructions in that window divided
# by the orders placed in it, and the functions that took the most.
#
# CPU time per order drifts by +-10 % between identical runs on this shared
# machine; the instruction count usually moves by ~2 %, at times ~5 % (the
# batches differ from run to run), so run it twice to judge a change of a few
# per cent. It does not see memory stalls: a change that saves
# instructions may save no time. At 40 orders/s batches are small, so per-poll
# costs weigh more than at thousands of orders/s.
#
#   bench/orders/instructions.sh                             # build/rivulet
#   BASELINE=/tmp/rivulet-before bench/orders/instructions.sh  # and another build, same settings
#
# Needs valgrind (apt-get install valgrind) and python3-boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
RATE=${RATE:-40}
MEASURE_SECONDS=${MEASURE_SECONDS:-20}
command -v valgrind > /dev/null || { echo "needs valgrind: apt-get install valgrind"; exit 1; }
work=$(mktemp -d /tmp/rivulet-bench-instructions.XXXXXX)
vpid=""
cleanup() { [[ -n $vpid ]] && kill "$vpid" 2>/dev/null && wait "$vpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

source bench/orders/shop.sh

# measure BINARY LABEL: one server run; prints "LABEL <instructions> <orders>"
# and keeps the top functions in $work/LABEL.top.
measure() {
  local bin=$1 label=$2 data=$work/$2
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$label.out" \
    "$bin" serve --data-dir "$data" --bind 127.0.0.1 --http-port 0 --aws-port 0 --log-level warn \
    > "$work/$label.log" 2>&1 < /dev/null &
  vpid=$!
  shop_ready "$data" 60  # valgrind starts slowly
  # The loadgen signs its customers in first: instrument only after that.
  "$BIN" loadgen --url "$base" --rate "$RATE" --duration "$((MEASURE_SECONDS + 8))s" --customers 20 \
    --connections 16 --events 0 --browse 0 --cancel 0 --progress quiet --json --drain 30s > "$work/$label.json" &
  local lg=$!
  sleep 6
  callgrind_control -i on "$vpid" > /dev/null
  sleep "$MEASURE_SECONDS"
  callgrind_control -i off "$vpid" > /dev/null
  wait "$lg"
  callgrind_control -d "$vpid" > /dev/null
  sleep 1
  kill "$vpid"; wait "$vpid" 2>/dev/null || true
  vpid=""
  # The dump holds the window (the file at exit holds nothing more: instrumentation is off).
  /usr/bin/python3 - "$label" "$work" <<'PY'
import glob, re, subprocess, sys
label, work = sys.argv[1], sys.argv[2]
best = (0, None)
for f in glob.glob(f"{work}/{label}.out*"):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=caller", f], capture_output=True, text=True).stdout
    m = re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", out)
    total = int(m.group(1).replace(",", "")) if m else 0
    if total > best[0]: best = (total, out)
total, out = best
orders, callers, top = 0, [], {}
for line in (out or "").splitlines():
    m = re.match(r"\s*([\d,]+) \(.*?\)\s+(<|\*)\s+(.*)", line)
    if not m: callers = []; continue
    ir, name = int(m.group(1).replace(",", "")), m.group(3)
    if m.group(2) == "<":
        c = re.search(r"\(([\d,]+)x\)", name); callers.append(int(c.group(1).replace(",", "")) if c else 0)
        continue
    if "OrdersApi::PlaceOrder(gateway::Request" in name: orders = max(orders, sum(callers))
    fn = re.sub(r"\(.*", "", re.sub(r"^\S*?:", "", name.split(" [")[0]))
    if re.match(r"(orders|notify|analytics|archiver|table|stream|logs|functions|gateway)::", fn):
        top[fn] = max(top.get(fn, 0), ir)
    callers = []
with open(f"{work}/{label}.top", "w") as f:
    for fn, ir in sorted(top.items(), key=lambda x: -x[1])[:25]:
        f.write(f"{ir / max(1, orders):12,.0f}  {fn}\n")
print(label, total, orders)
PY
}

echo "rate $RATE orders/s, $MEASURE_SECONDS s instrumented, machine: $(nproc) cores"
results=$(measure "$BIN" ours)
[[ -n ${BASELINE:-} ]] && results+=$'\n'$(measure "$BASELINE" baseline)
/usr/bin/python3 - "$results" <<'PY'
import sys
rows = [l.split() for l in sys.argv[1].splitlines() if l.strip()]
per = {label: int(total) / max(1, int(orders)) for label, total, orders in rows}
for label, total, orders in rows:
    print(f"{label:<9} {int(orders):6d} orders  {int(total):>15,d} instructions  {per[label]:>12,.0f} per order")
if "baseline" in per:
    print(f"ours / baseline: {per['ours'] / per['baseline']:.3f}")
PY
echo "== ours: instructions per order, inclusive, by function (top 25)"
cat "$work/ours.top"
