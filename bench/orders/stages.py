"""Prints POST /api/orders's stages at one rate: p50/p99 of each
rivulet_order_accept_seconds{stage} over the orders between two /metrics
dumps (the files given), interpolated within the histogram's buckets."""
import re
import sys

BUCKET = re.compile(r'^rivulet_order_accept_seconds_bucket\{stage="(\w+)",le="([^"]+)"\} (\d+)', re.M)


def buckets(path):
    out = {}
    for stage, le, count in BUCKET.findall(open(path).read()):
        out.setdefault(stage, []).append((float("inf") if le == "+Inf" else float(le), int(count)))
    return out


def quantile(cumulative, q):
    """cumulative: [(upper bound, count <= bound)], ascending."""
    total = cumulative[-1][1]
    want, lower, below = q * total, 0.0, 0
    for bound, count in cumulative:
        if count >= want:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (want - below) / max(1, count - below)
        lower, below = bound, count
    return lower


before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
parts = []
for stage in ("key", "event", "row"):
    if stage not in after:
        continue
    old = dict(before.get(stage, []))
    diff = [(bound, count - old.get(bound, 0)) for bound, count in after[stage]]
    if diff[-1][1] == 0:
        continue
    parts.append(f"{stage} {1000 * quantile(diff, 0.5):.2f} / {1000 * quantile(diff, 0.99):.2f}")
print("         POST stages p50 / p99 (ms): " + ("  ".join(parts) if parts else "none observed"))
