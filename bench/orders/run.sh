#!/usr/bin/env bash
# Order-path benchmark on 127.0.0.1, one server run:
#  1. wrk: GET /healthz (the foundation's cheapest answer) and POST /api/orders
#     (closed loop, 32 connections): the HTTP cost of accepting an order.
#  2. rivulet loadgen (open loop, orders only, Idempotency-Key like the web
#     UI): p50/p99 accept -> confirmed at 1,000 orders/s, then a rate ladder
#     to find the highest sustained rate with p99 under 50 ms (sustained:
#     >= 95 % of the offered rate accepted, every order decided).
# Latencies are from the intended send time to the CONFIRMED push on /ws.
#
#   bench/orders/run.sh                          # 10 s per step
#   DURATION=5s RATES="1000 3000 5000" bench/orders/run.sh
#   SERVER_ARGS="--set orders.shards=1" bench/orders/run.sh   # extra serve flags
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
DURATION=${DURATION:-10s}
RATES=${RATES:-"1000 2000 3000 4000 5000 6000"}
CUSTOMERS=${CUSTOMERS:-100}
[[ -x $BIN ]] || { echo "no $BIN: build first"; exit 1; }
source bench/orders/shop.sh
shop_workdir orders
shop_serve "$work"
TOKEN=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password","name":"Bench"}' "$base/api/auth/signup" |
  sed -n 's/^Set-Cookie: rivulet_session=\([0-9a-f]*\);.*/\1/p')
export TOKEN

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
wrk_line() {  # label, wrk output
  /usr/bin/python3 - "$1" "$2" <<'PY'
import re, sys
label, out = sys.argv[1], sys.argv[2]
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
def ms(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out)
    v = float(m.group(1)); return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"{label:<34} {rps:>10,.0f} req/s   p50 {ms(50):7.2f} ms   p99 {ms(99):7.2f} ms" +
      (f"   non-2xx {non2xx.group(1)}" if non2xx else ""))
PY
}
healthz=$(wrk -t2 -c32 -d"$DURATION" --latency "$base/healthz")
orders=$(wrk -t2 -c32 -d"$DURATION" --latency -s bench/orders/post_order.lua "$base/api/orders")
echo "== HTTP cost (wrk, closed loop, 32 connections, $DURATION each)"
wrk_line "GET /healthz (baseline)" "$healthz"
wrk_line "POST /api/orders (202 = durable)" "$orders"
/usr/bin/python3 - "$healthz" "$orders" <<'PY'
import re, sys
r = [float(re.search(r"Requests/sec:\s*([\d.]+)", o).group(1)) for o in sys.argv[1:]]
print(f"POST /api/orders runs at {r[1] / r[0]:.2f}x the requests/s of GET /healthz")
PY
# Each step starts on an idle server: the wrk orders (and their emails) and
# the previous step's backlog must not be measured as this step's latency.
wait_idle() {
  local ticks=$(( $(getconf CLK_TCK) / 10 )) i before after
  for i in $(seq 120); do
    before=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 0.5; after=$(awk '{print $14+$15}' /proc/$pid/stat)
    (( after - before <= ticks )) && return
  done
  echo "(the server was still busy after 60 s)"
}
wait_idle

echo "== rivulet loadgen, open loop, orders only, $DURATION per rate ($CUSTOMERS customers)"
echo "   cpu_us: the server's CPU time per accepted order, from the step's start until it is idle again"
echo "   (emails, flushes and compactions it caused included; the loadgen's sign-ins left out)"
echo "   post_p50/p99: from the intended send to the 202 (validated, fsynced), the first part of accept -> confirmed"
echo "   POST stages: the server's own clock (rivulet_order_accept_seconds): key = until the Idempotency-Key"
echo "   is queued, event = until OrderPlaced and the key are durable, row = until the PLACED row is written (the 202)"
printf "%-8s %10s %10s %9s %9s %9s %9s %9s %9s %7s  %s\n" offered accepted/s decided p50_ms p90_ms p99_ms p999_ms \
  post_p50 post_p99 cpu_us verdict
server_ticks() { awk '{print $14+$15}' /proc/$pid/stat; }
# Every loadgen run first signs its customers in (argon2, tens of ms each;
# the first run signs them up): the second of two one-order runs measures
# that, and each step's figure leaves it out.
for _ in 1 2; do
  wait_idle
  ticks=$(server_ticks)
  "$BIN" loadgen --url "$base" --rate 1 --duration 1s --customers "$CUSTOMERS" --connections 128 \
    --events 0 --browse 0 --cancel 0 --progress quiet --json --drain 15s > /dev/null
  wait_idle
  sign_in_ticks=$(( $(server_ticks) - ticks ))
done
best=0
for rate in $RATES; do
  wait_idle
  ticks=$(server_ticks)
  curl -s "$base/metrics" > "$work/stages-before"
  out=$("$BIN" loadgen --url "$base" --rate "$rate" --duration "$DURATION" --customers "$CUSTOMERS" \
          --connections 128 --events 0 --browse 0 --cancel 0 --progress quiet --json --drain 15s \
          --latency-log "$work/latency-$rate.csv")
  wait_idle
  cpu_seconds=$(( $(server_ticks) - ticks - sign_in_ticks ))/$(getconf CLK_TCK)
  verdict=$(/usr/bin/python3 - "$rate" "$out" "$cpu_seconds" <<'PY'
import json, sys
rate, r = float(sys.argv[1]), json.loads(sys.argv[2])
ticks, hz = map(int, sys.argv[3].split("/"))
o, l, post = r["orders"], r["acceptToDecidedMs"], r["requests"]["order"]["latencyMs"]
ok = o["acceptedPerSecond"] >= 0.95 * rate and o["undecided"] == 0 and l["p99"] < 50 and not r["errors"]
cpu_us = ticks / hz * 1e6 / max(1, o["accepted"])
print(f"{rate:<8.0f} {o['acceptedPerSecond']:>10.0f} {o['confirmed'] + o['rejected']:>10} {l['p50']:>9.2f} "
      f"{l['p90']:>9.2f} {l['p99']:>9.2f} {l['p999']:>9.2f} {post['p50']:>9.2f} {post['p99']:>9.2f} {cpu_us:>7.0f}  {'sustained' if ok else 'NOT sustained'}"
      f"{'' if not r['errors'] else ' errors: ' + json.dumps(r['errors'])}  (loadgen CPU {r['loadgenCpuSeconds']:.1f} s)")
PY
)
  echo "$verdict"
  curl -s "$base/metrics" > "$work/stages-after"
  /usr/bin/python3 bench/orders/stages.py "$work/stages-before" "$work/stages-after"
  printf '         '; /usr/bin/python3 bench/orders/timeline.py --brief "$work/latency-$rate.csv" || true
  cp "$work/latency-$rate.csv" "/tmp/rivulet-bench-orders-latency-$rate.csv"
  [[ $verdict == *" sustained"* && $verdict != *"NOT"* ]] && best=$rate
done
echo "highest sustained rate with p99 accept->confirmed under 50 ms: $best orders/s"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "the server's log (warnings and errors): $kept_log once the server has stopped"
echo "each rate's latency log: /tmp/rivulet-bench-orders-latency-<rate>.csv (bench/orders/timeline.py FILE)"
