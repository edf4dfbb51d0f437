#!/usr/bin/env python3
"""When in a run the slow orders came: reads `rivulet loadgen --latency-log`
CSV and prints accept -> decided p50/p99 per second, the windows holding the
slowest orders, and the p99 without them. A p99 set by a few stalls drops
once their windows are left out; one set by the spread of every second's
latencies does not.

    bench/orders/timeline.py /tmp/latency.csv [WINDOW_MS]
"""
import csv
import sys
from collections import defaultdict


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def main(path, window_ms=200.0):
    with open(path) as f:
        orders = [(float(r["due_ms"]), float(r["decided_ms"]) - float(r["due_ms"])) for r in csv.DictReader(f)]
    if not orders:
        sys.exit(f"{path}: no decided orders")
    latencies = [lat for _, lat in orders]
    print(f"{len(orders)} orders: p50 {quantile(latencies, .5):.2f} ms, p99 {quantile(latencies, .99):.2f} ms")
    by_second = defaultdict(list)
    for due, lat in orders:
        by_second[int(due // 1000)].append(lat)
    print("second  orders  p50_ms  p99_ms  max_ms")
    for second, lats in sorted(by_second.items()):
        print(f"{second:6d}  {len(lats):6d}  {quantile(lats, .5):6.2f}  {quantile(lats, .99):6.2f}  {max(lats):6.1f}")
    windows = defaultdict(list)
    for due, lat in orders:
        windows[int(due // window_ms)].append(lat)
    worst = sorted(windows, key=lambda w: -max(windows[w]))[:3]
    print(f"slowest {window_ms:.0f} ms windows: " +
          ", ".join(f"{w * window_ms / 1000:.1f} s (max {max(windows[w]):.1f} ms)" for w in worst))
    for n in (1, 3):
        rest = [lat for due, lat in orders if int(due // window_ms) not in worst[:n]]
        print(f"p99 without the slowest {n}: {quantile(rest, .99):.2f} ms")
    slow = quantile(latencies, .99)
    spread = sum(1 for lats in windows.values() if max(lats) >= slow)
    print(f"windows holding an order at or over the p99: {spread} of {len(windows)}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) == 3 else 200.0)
