#!/usr/bin/env python3
"""When in a run the slow orders came: reads `rivulet loadgen --latency-log`
CSV and prints accept -> decided p50/p99 per second, the windows holding the
slowest orders, and the p99 without them. A p99 set by a few stalls drops
once their windows are left out; one set by the spread of every second's
latencies does not.

    bench/orders/timeline.py /tmp/latency.csv [WINDOW_MS]
    bench/orders/timeline.py --brief /tmp/latency.csv   # one line (run.sh)
"""
import csv
import sys
from collections import defaultdict


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def main(path, window_ms=200.0, brief=False):
    with open(path) as f:
        orders = [(float(r["due_ms"]), float(r["decided_ms"]) - float(r["due_ms"])) for r in csv.DictReader(f)]
    if not orders:
        sys.exit(f"{path}: no decided orders")
    latencies = [lat for _, lat in orders]
    windows = defaultdict(list)
    for due, lat in orders:
        windows[int(due // window_ms)].append(lat)
    worst = sorted(windows, key=lambda w: -max(windows[w]))[:3]
    without = [quantile([lat for due, lat in orders if int(due // window_ms) not in worst[:n]], .99) for n in (1, 3)]
    p99 = quantile(latencies, .99)
    spread = sum(1 for lats in windows.values() if max(lats) >= p99)
    if brief:
        print(f"timeline: p99 without the slowest {window_ms:.0f} ms window {without[0]:.2f} ms, without 3 "
              f"{without[1]:.2f} ms; {spread} of {len(windows)} windows hold an order at or over the p99")
        return
    print(f"{len(orders)} orders: p50 {quantile(latencies, .5):.2f} ms, p99 {p99:.2f} ms")
    by_second = defaultdict(list)
    for due, lat in orders:
        by_second[int(due // 1000)].append(lat)
    print("second  orders  p50_ms  p99_ms  max_ms")
    for second, lats in sorted(by_second.items()):
        print(f"{second:6d}  {len(lats):6d}  {quantile(lats, .5):6.2f}  {quantile(lats, .99):6.2f}  {max(lats):6.1f}")
    print(f"slowest {window_ms:.0f} ms windows: " +
          ", ".join(f"{w * window_ms / 1000:.1f} s (max {max(windows[w]):.1f} ms)" for w in worst))
    print(f"p99 without the slowest 1: {without[0]:.2f} ms; without the slowest 3: {without[1]:.2f} ms")
    print(f"windows holding an order at or over the p99: {spread} of {len(windows)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    brief = "--brief" in args
    args = [a for a in args if a != "--brief"]
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    main(args[0], float(args[1]) if len(args) == 2 else 200.0, brief)
