#!/usr/bin/env bash
# Where the order path's CPU goes at a real rate: perf samples the server
# (DWARF call graphs, 250 Hz) for SAMPLE_SECONDS (default 6) of an open-loop
# order load at RATE (default 1,500 orders/s), then prints the functions with
# the largest inclusive share of the samples, then each activity's share
# (activities.py: the POST, the processor, the notifier...). Shares from one
# run compare parts of the path with each other even on a machine whose speed
# drifts; unlike instructions.sh they include memory stalls and the kernel
# (fsyncs, thread switches).
#
#   bench/orders/profile.sh
#   RATE=2000 SERVER_ARGS="--set table.memtable_mb=16" bench/orders/profile.sh
#
# Needs perf (apt-get install linux-perf) and python3-boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
RATE=${RATE:-1500}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-6}
TOP=${TOP:-40}
command -v perf > /dev/null || { echo "needs perf: apt-get install linux-perf"; exit 1; }
source bench/orders/shop.sh
shop_workdir profile
shop_serve "$work"
shop_steady_load
perf record -F 250 --call-graph dwarf,16384 -o "$work/perf.data" -p "$pid" -- sleep "$SAMPLE_SECONDS" \
  > /dev/null 2>&1
kill "$loadgen" 2>/dev/null; wait "$loadgen" 2>/dev/null || true
echo "rate $RATE orders/s, $SAMPLE_SECONDS s sampled, machine: $(nproc) cores; inclusive share of the samples:"
perf report -i "$work/perf.data" --children --sort sym -g none 2>/dev/null |
  grep -E '\] (orders|notify|analytics|archiver|functions|logs|stream|gateway|table|roles)::|\] rocksdb::(DBImpl::(WriteImpl|GetImpl|WriteToWAL)|MemTable::Add|FlushJob::Run|CompactionJob::Run)$|\[k\] (pvm_irq_enable|ext4_sync_file|__schedule)$' |
  awk '!seen[$NF]++' | head -n "$TOP" | cut -c1-160 || true  # head closes the pipe early
perf script -i "$work/perf.data" 2>/dev/null | python3 bench/orders/activities.py
