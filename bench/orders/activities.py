"""Reads `perf script` output (call graphs) on stdin and prints the share of
the samples each activity of the order path took. A sample belongs to the
innermost activity on its stack: a table group commit led by the order
processor's thread that runs a POST's callback counts for the POST, not for
the processor, which thread-based shares (threads.sh) cannot tell apart."""
import re
import sys
from collections import Counter

# Innermost match wins; the order within the list breaks ties in one frame.
ACTIVITIES = [
    ("POST /api/orders: PLACED row", r"orders::OrdersApi::PutPlacedOrder"),
    ("POST /api/orders", r"orders::OrdersApi::PlaceOrder"),
    ("order processor", r"orders::OrderProcessor::"),
    ("notifier (render, send, record)", r"orders::Notifier::|notify::Dispatcher::Deliver"),
    ("email dispatcher (queued: send, mark)", r"notify::Dispatcher::"),
    ("analytics", r"analytics::"),
    ("archiver", r"archiver::"),
    ("/ws pushes", r"gateway::Hub::Publish|.*WsSession"),
    ("other HTTP", r"gateway::"),
    ("stream log commits", r"logs::Committer"),
    ("functions runtime", r"functions::"),
    ("table commit thread", r"table::CommitQueue::CommitterLoop"),
    ("RocksDB flush, compaction", r"rocksdb::(FlushJob|CompactionJob|DBImpl::BG)"),
    ("Asio (reads, writes, timers)", r"boost::asio::"),
]
PATTERNS = [(name, re.compile(rx)) for name, rx in ACTIVITIES]
FRAME = re.compile(r"^\s+[0-9a-f]+ (.+?)(?:\+0x[0-9a-f]+)? \(")


def activity(frames):
    for frame in frames:  # leaf first
        for name, rx in PATTERNS:
            if rx.match(frame):
                return name
    return "other"


def main():
    counts, frames, total = Counter(), [], 0
    for line in sys.stdin:
        m = FRAME.match(line)
        if m:
            frames.append(m.group(1))
        elif not line.strip() and frames:
            counts[activity(frames)] += 1
            total += 1
            frames = []
    if frames:
        counts[activity(frames)] += 1
        total += 1
    print(f"share of {total} samples by activity (innermost on the stack):")
    for name, n in counts.most_common():
        print(f"  {100 * n / max(total, 1):5.1f} %  {name}")


if __name__ == "__main__":
    main()
