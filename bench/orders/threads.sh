#!/usr/bin/env bash
# CPU time and context switches per order, by server thread, over 10 s of
# steady open-loop load at RATE orders/s (default 1,500), from /proc; then
# the loadgen's accept -> confirmed percentiles. To compare two builds or
# settings, ab.sh runs it for each alternately (the machine's speed drifts).
#
#   bench/orders/threads.sh
#   RIVULET_BIN=/tmp/rivulet-before RATE=2000 bench/orders/threads.sh
#
# Needs python3-boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
RATE=${RATE:-1500}
source bench/orders/shop.sh
shop_workdir threads
shop_serve "$work"
"$BIN" loadgen --url "$base" --rate "$RATE" --duration 20s --customers 100 --connections 64 --events 0 \
  --browse 0 --cancel 0 --progress quiet --json --drain 20s > "$work/load.json" &
loadgen=$!
# Each line: thread name, voluntary + involuntary switches, user + system ticks.
snapshot() {
  for t in /proc/$pid/task/*; do
    # A thread that ends meanwhile (the processor's helpers come and go) is
    # skipped: its reads fail, and so does the assignment (hence || true).
    line="$(cat "$t/comm" 2>/dev/null) $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)" || true
    if [[ $line =~ ^[^\ ].*\ [0-9]+\ [0-9]+$ ]]; then echo "$line"; fi
  done
}
sleep 6  # past the sign-ins
snapshot > "$work/before"
sleep 10
snapshot > "$work/after"
wait "$loadgen" || { echo "threads.sh: the loadgen failed (exit status $?)" >&2; exit 1; }
/usr/bin/python3 - "$work/before" "$work/after" "$RATE" "$work/load.json" "$(getconf CLK_TCK)" <<'PY'
import collections, json, sys
def load(path):
    by_name = collections.defaultdict(lambda: [0, 0])
    for line in open(path):
        name, switches, ticks = line.rsplit(None, 2)
        by_name[name][0] += int(switches); by_name[name][1] += int(ticks)
    return by_name
before, after, rate, hz = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3]), int(sys.argv[5])
orders = rate * 10
print(f"rate {rate:.0f} orders/s, 10 s measured; per order, by thread:")
total = [0, 0]
for name in sorted(after, key=lambda n: before[n][1] - after[n][1]):
    switches, ticks = after[name][0] - before[name][0], after[name][1] - before[name][1]
    total[0] += switches; total[1] += ticks
    if ticks or switches > orders * 0.05:
        print(f"  {name:16} {switches / orders:6.2f} switches  {ticks * 1e6 / hz / orders:7.1f} µs CPU")
print(f"  {'total':16} {total[0] / orders:6.2f} switches  {total[1] * 1e6 / hz / orders:7.1f} µs CPU")
d = json.load(open(sys.argv[4]))
l = d["acceptToDecidedMs"]
print(f"accepted {d['orders']['acceptedPerSecond']:.0f}/s; accept -> confirmed p50 {l['p50']:.1f} ms, "
      f"p99 {l['p99']:.1f} ms")
PY
