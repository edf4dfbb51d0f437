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
import json
import os
import shutil
import subprocess
import sys
import tempfile
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


BUILD = Path(os.environ.get("RIVULET_BIN", Path(__file__).resolve().parents[2] / "build" / "rivulet")).parent
# The C++ client (bench/objects/s3_load.cc): Python threads could not keep up
# with the server they measured.
LOAD = BUILD / "bench" / "s3_load"
# s3rver checks signatures too, with its own fixed key pair.
CREDENTIALS = {}


def create_bucket(port):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    key = CREDENTIALS.get(port, (None, None))
    headers = sign_headers("PUT", f"http://127.0.0.1:{port}/bench", b"", {"Content-Length": "0"}, service="s3",
                           unsigned_payload=True, key_id=key[0], secret=key[1])
    conn.request("PUT", "/bench", headers=headers)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        raise RuntimeError(f"creating the bucket: {r.status}")


def load(port, name, label, size, connections, seconds):
    """PUT then GET phases of s3_load; returns {phase: row}."""
    args = [str(LOAD), "--port", str(port), "--label", name, "--prefix", label, "--size", str(size),
            "--connections", str(connections), "--seconds", str(seconds)]
    if port in CREDENTIALS:
        args += ["--access-key", CREDENTIALS[port][0], "--secret", CREDENTIALS[port][1]]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rows = {row["phase"]: row for row in map(json.loads, out.splitlines())}
    for row in rows.values():
        if row["errors"]:
            print(f"  {name} {label} {row['phase']}: {row['errors']} errors", file=sys.stderr)
    return rows


def measure(name, port, args, big):
    create_bucket(port)
    sizes = (("1m", MiB, args.threads), ("64m", 64 * MiB, 2)) if big else (("1m", MiB, args.threads),)
    for label, size, connections in sizes:
        r = load(port, name, label, size, connections, args.seconds)
        print(f"{name:8} {label:>4} objects  PUT {r['put']['mb_per_s']:8.1f} MB/s (p50 {r['put']['p50_us'] / 1000:.1f} ms, "
              f"p99 {r['put']['p99_us'] / 1000:.1f} ms)   GET {r['get']['mb_per_s']:8.1f} MB/s "
              f"(p50 {r['get']['p50_us'] / 1000:.1f} ms, p99 {r['get']['p99_us'] / 1000:.1f} ms)   ({connections} clients)")
    r = load(port, name, "4k", 4096, 8, args.seconds)
    print(f"{name:8}   4k objects  PUT {r['put']['ops_per_s']:8.0f} req/s (p50 {r['put']['p50_us'] / 1000:.1f} ms, "
          f"p99 {r['put']['p99_us'] / 1000:.1f} ms)   GET {r['get']['ops_per_s']:8.0f} req/s "
          f"(p50 {r['get']['p50_us'] / 1000:.1f} ms, p99 {r['get']['p99_us'] / 1000:.1f} ms)   (8 clients)")


def measure_s3rver(args, work):
    """The npm s3rver emulator, bound to 127.0.0.1, for comparison."""
    import socket
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
