#!/usr/bin/env bash
# Where the server's threads block: perf records every context switch
# (sched:sched_switch, DWARF call graphs) for SAMPLE_SECONDS (default 3) of
# an open-loop order load at RATE (default 1,000 orders/s), then prints, per
# thread name, the switches per order and the code paths that led to them:
# inside fdatasync the kernel frames (data writeback, cache flush, inode
# write), elsewhere the first frames of ours. This is how the group
# commits' fdatasyncs were found to write the inode at most commits
# (docs/formats/log.md). On a 2-core VM each switch also costs hypervisor
# time, so fewer switches per order is a gain that this machine's noisy
# clock cannot hide.
#
#   bench/orders/switches.sh
#   RATE=2000 RIVULET_BIN=/tmp/rivulet-before bench/orders/switches.sh
#
# Needs perf (apt-get install linux-perf) and python3-boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
RATE=${RATE:-1000}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-3}
command -v perf > /dev/null || { echo "needs perf: apt-get install linux-perf"; exit 1; }
source bench/orders/shop.sh
shop_workdir switches
shop_serve "$work"
shop_steady_load
perf record -e sched:sched_switch --call-graph dwarf,8192 -o "$work/perf.data" -p "$pid" -- sleep "$SAMPLE_SECONDS" \
  > /dev/null 2>&1
kill "$loadgen" 2>/dev/null; wait "$loadgen" 2>/dev/null || true
perf script -i "$work/perf.data" -F comm,ip,sym 2> /dev/null > "$work/switches.txt"
/usr/bin/python3 - "$work/switches.txt" "$RATE" "$SAMPLE_SECONDS" <<'PY'
import collections, sys
samples, current = [], None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line.strip():
        if current: samples.append(current)
        current = None
    elif not line.startswith((" ", "\t")):
        current = (line.strip(), [])
    elif current:
        parts = line.split(None, 1)
        if len(parts) == 2: current[1].append(parts[1])
if current: samples.append(current)
orders = float(sys.argv[2]) * float(sys.argv[3])
ours = ("orders::", "table::", "logs::", "stream::", "functions::", "notify::", "gateway::", "analytics::",
        "archiver::", "rocksdb::", "boost::asio::detail::epoll_reactor", "boost::beast::websocket")
# What an fdatasync waited for, by the first of these frames from the inside.
waits = {"file_write_and_wait_range": "the data", "blkdev_issue_flush": "the cache flush",
         "__sync_dirty_buffer": "the inode", "fsync_buffers_list": "metadata buffers"}
def path(stack):
    if any("fdatasync" in f for f in stack):
        for frame in stack:
            name = frame.split("(")[0].strip()
            if name in waits: return "fdatasync, waiting for " + waits[name]
        return "fdatasync, other"
    frames = [f.split("(")[0][:60] for f in stack if f.startswith(ours)]
    if frames: return " < ".join(frames[:3])
    return "(none of ours) " + stack[0].split("(")[0][:40] if stack else "?"
by_thread = collections.Counter(name for name, _ in samples)
print(f"rate {sys.argv[2]} orders/s, {sys.argv[3]} s recorded; switches per order by thread, and why:")
for name, count in by_thread.most_common(6):
    print(f"  {name:14} {count / orders:5.2f} per order")
    paths = collections.Counter(path(stack) for n, stack in samples if n == name)
    for p, c in paths.most_common(5):
        print(f"      {c / orders:5.2f}  {p[:150]}")
PY
