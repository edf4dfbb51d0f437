#!/usr/bin/python3
"""Object store throughput over the S3 API on 127.0.0.1, beside the raw disk.

Starts build/rivulet (or $RIVULET_BIN) on free ports with a fresh data dir
next to --dir, then measures in one run:
  raw disk   sequential write (+fsync) and read (cache dropped with fadvise)
  S3 PUT/GET MB/s for 1 MiB and 64 MiB objects
  S3 PUT/GET requests/s for 4 KiB objects
Every phase is bounded by --seconds; the script stops the server itself.
and, with --s3rver PATH, the npm s3rver emulator's 1 MiB and 4 KiB rates.
Usage: bench/objects/run.py [--dir /tmp] [--seconds 5] [--threads 4] [--s3rver PATH]
"""
import argparse
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "e2e"))
from rivulet_harness import Rivulet, sign_headers  # noqa: E402

MiB = 1024 * 1024


def raw_disk(directory, total=512 * MiB):
    path = os.path.join(directory, "rawdisk.bin")
    block = os.urandom(MiB)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    start = time.monotonic()
    for _ in range(total // MiB):
        os.write(fd, block)
    os.fsync(fd)
    write = total / MiB / (time.monotonic() - start)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    start = time.monotonic()
    while os.read(fd, 4 * MiB):
        pass
    read = total / MiB / (time.monotonic() - start)
    os.close(fd)
    os.unlink(path)
    return write, read


def run_clients(port, threads, seconds, fn):
    """Runs fn(conn, thread_index, i) in `threads` threads until `seconds`
    pass; returns (operations, bytes, elapsed)."""
    stop = time.monotonic() + seconds
    counts = [[0, 0] for _ in range(threads)]

    def loop(t):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = 0
        while time.monotonic() < stop:
            counts[t][1] += fn(conn, t, i)
            counts[t][0] += 1
            i += 1
        conn.close()

    start = time.monotonic()
    ts = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - start
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed


# s3rver checks signatures too, with its own fixed key pair.
CREDENTIALS = {}


def request(conn, method, path, body=None):
    # Signed with the harness's root key; UNSIGNED-PAYLOAD, as SDKs may for
    # large bodies, keeps hashing out of the client. (s3rver ignores it.)
    url = f"http://{conn.host}:{conn.port}{path}"
    key = CREDENTIALS.get(conn.port, (None, None))
    headers = sign_headers(method, url, b"", {"Content-Length": str(len(body or b""))}, service="s3",
                           unsigned_payload=True, key_id=key[0], secret=key[1])
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status not in (200, 204):
        raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
    return data


def bench_size(port, label, size, threads, seconds):
    body = os.urandom(size)
    written = {}

    def put(conn, t, i):
        request(conn, "PUT", f"/bench/{label}/{t}/{i}", body)
        written[t] = max(written.get(t, -1), i)
        return size

    def get(conn, t, i):
        n = written.get(t, -1) + 1
        return len(request(conn, "GET", f"/bench/{label}/{t}/{i % max(n, 1)}"))

    p = run_clients(port, threads, seconds, put)
    g = run_clients(port, threads, seconds, get)
    return p, g


def measure(name, port, args, big):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    request(conn, "PUT", "/bench")
    sizes = (("1m", MiB, args.threads), ("64m", 64 * MiB, 2)) if big else (("1m", MiB, args.threads),)
    for label, size, threads in sizes:
        (pn, pb, pt), (gn, gb, gt) = bench_size(port, label, size, threads, args.seconds)
        print(f"{name:8} {label:>4} objects  PUT {pb / MiB / pt:8.1f} MB/s ({pn} in {pt:.1f}s)   "
              f"GET {gb / MiB / gt:8.1f} MB/s ({gn} in {gt:.1f}s)")
    (pn, _, pt), (gn, _, gt) = bench_size(port, "4k", 4096, 8, args.seconds)
    print(f"{name:8}   4k objects  PUT {pn / pt:8.0f} req/s                GET {gn / gt:8.0f} req/s   (8 clients)")


def measure_s3rver(args, work):
    """The npm s3rver emulator, bound to 127.0.0.1, for comparison."""
    import socket
    import subprocess
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (work / "s3rver").mkdir()
    proc = subprocess.Popen([args.s3rver, "--address", "127.0.0.1", "--port", str(port), "--silent",
                             "--directory", str(work / "s3rver")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        CREDENTIALS[port] = ("S3RVER", "S3RVER")
        measure("s3rver", port, args, big=False)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=tempfile.gettempdir())
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--s3rver", help="path to the s3rver CLI (npm s3rver) to measure beside rivulet")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rivulet-bench-objects-", dir=args.dir))
    try:
        w, r = raw_disk(str(work))
        print(f"raw disk            write {w:8.1f} MB/s (fsync)   read {r:8.1f} MB/s (cache dropped)")
        srv = Rivulet(data_dir=work / "data", extra_args=["--set", "gateway.max_body_bytes=134217728"])
        (work / "data").mkdir()
        srv.start()
        try:
            measure("rivulet", srv.aws_port, args, big=True)
        finally:
            srv.stop()
        if args.s3rver:
            measure_s3rver(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
