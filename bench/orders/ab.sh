#!/usr/bin/env bash
# A/B of two server builds, or of two settings, on the order path: runs
# threads.sh for A and B alternately, PAIRS times, and prints each run's
# server CPU per order and accept -> confirmed p50/p99, then the medians and
# B's median over A's. This machine's speed drifts by +-10 % within minutes;
# alternating pairs cancel most of that drift, a ladder per build does not.
#
#   A_BIN=/tmp/rivulet-before bench/orders/ab.sh      # A: that build, B: build/rivulet
#   B_ARGS="--set orders.parallelization=2" bench/orders/ab.sh
#
# A_BIN, B_BIN (default build/rivulet), A_ARGS, B_ARGS (server flags),
# RATE (default 1500 orders/s), PAIRS (default 3). Needs python3-boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."
A_BIN=${A_BIN:-build/rivulet} B_BIN=${B_BIN:-build/rivulet}
RATE=${RATE:-1500} PAIRS=${PAIRS:-3}
runs=$(mktemp /tmp/rivulet-bench-ab.XXXXXX)
trap 'rm -f "$runs"' EXIT

echo "A: $A_BIN ${A_ARGS:-}"
echo "B: $B_BIN ${B_ARGS:-}"
echo "$PAIRS pairs at $RATE orders/s, alternating"
for pair in $(seq "$PAIRS"); do
  for side in A B; do
    bin=${side}_BIN args=${side}_ARGS
    # A failed run is reported and left out, not the end of the comparison.
    if ! out=$(RIVULET_BIN=${!bin} SERVER_ARGS=${!args:-} RATE=$RATE bench/orders/threads.sh); then
      echo "pair $pair $side: the run failed (its server log: /tmp/rivulet-bench-threads.log); left out"
      continue
    fi
    cpu=$(sed -n 's/^  total .* \([0-9.]*\) µs CPU$/\1/p' <<< "$out")
    p50="" p99=""
    read -r p50 p99 < <(sed -n 's/.*p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms$/\1 \2/p' <<< "$out") || true
    if [[ -z $cpu || -z $p50 ]]; then
      echo "pair $pair $side: no figures in the run's output; left out"
      continue
    fi
    printf "pair %d %s: %8.0f µs CPU per order, p50 %7.1f ms, p99 %7.1f ms\n" "$pair" "$side" "$cpu" "$p50" "$p99"
    echo "$side $cpu $p50 $p99" >> "$runs"
  done
done
/usr/bin/python3 - "$runs" <<'PY'
import statistics, sys
runs = {"A": [], "B": []}
for line in open(sys.argv[1]):
    side, *figures = line.split()
    runs[side].append([float(f) for f in figures])
if not runs["A"] or not runs["B"]:
    sys.exit("no figures for one side: nothing to compare")
medians = {side: [statistics.median(r[i] for r in rows) for i in range(3)] for side, rows in runs.items()}
for side in "AB":
    cpu, p50, p99 = medians[side]
    print(f"median {side}: {cpu:8.0f} µs CPU per order, p50 {p50:7.1f} ms, p99 {p99:7.1f} ms")
ratios = [b / a if a else float("nan") for a, b in zip(medians["A"], medians["B"])]
print(f"B / A: CPU {ratios[0]:.3f}, p50 {ratios[1]:.3f}, p99 {ratios[2]:.3f}")
PY
