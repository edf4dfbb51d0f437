"""kill -9 during S3 uploads: after a restart no partial object is ever
visible, every acknowledged upload is intact, and overwritten keys hold one
whole version (the last acknowledged one or a later one)."""
import hashlib
import threading
import time

import requests

from rivulet_harness import AwsAuth, Rivulet

ARGS = []  # the defaults must carry the CLI's 8 MiB parts


def body_for(key, version, size):
    seed = hashlib.sha256(f"{key}/{version}".encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def writer(url, key_prefix, stop, acked, overwrite_key, sizes):
    session = requests.Session()
    session.auth = AwsAuth("s3")
    i = 0
    while not stop.is_set():
        size = sizes[i % len(sizes)]
        key = f"{key_prefix}{i:05d}"
        try:
            r = session.put(f"{url}/crash/{key}", data=body_for(key, 0, size), timeout=10)
            if r.status_code == 200:
                acked[key] = (0, size)
            v = i + 1
            r = session.put(f"{url}/crash/{overwrite_key}", data=body_for(overwrite_key, v, size), timeout=10)
            if r.status_code == 200:
                acked[overwrite_key] = max(acked.get(overwrite_key, (0, 0)), (v, size))
        except requests.RequestException:
            return  # the server died under us
        i += 1


def multipart_writer(url, stop, acked):
    session = requests.Session()
    session.auth = AwsAuth("s3")
    part = b"p" * (5 * 1024 * 1024)
    i = 0
    while not stop.is_set():
        key = f"mpu{i:04d}"
        try:
            r = session.post(f"{url}/crash/{key}?uploads", timeout=10)
            uid = r.text.split("<UploadId>")[1].split("</UploadId>")[0]
            etags = []
            for n in (1, 2):
                r = session.put(f"{url}/crash/{key}?partNumber={n}&uploadId={uid}", data=part, timeout=10)
                etags.append(r.headers["ETag"])
            xml = "<CompleteMultipartUpload>" + "".join(
                f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in zip((1, 2), etags)
            ) + "</CompleteMultipartUpload>"
            r = session.post(f"{url}/crash/{key}?uploadId={uid}", data=xml, timeout=10)
            if r.status_code == 200:
                acked[key] = "mpu"
        except (requests.RequestException, IndexError, KeyError):
            return
        i += 1


def test_kill_during_uploads_leaves_only_whole_objects(tmp_path):
    srv = Rivulet(data_dir=tmp_path / "data", extra_args=ARGS)
    srv.data_dir.mkdir()
    srv.start()
    try:
        assert requests.put(f"{srv.aws_url}/crash", timeout=10, auth=AwsAuth("s3")).status_code == 200
        stop = threading.Event()
        acked = {}
        threads = [threading.Thread(target=writer, args=(srv.aws_url, f"w{n}-", stop, acked, f"hot{n}",
                                                          [1000, 300_000, 2_000_000]))
                   for n in range(3)]
        threads.append(threading.Thread(target=multipart_writer, args=(srv.aws_url, stop, acked)))
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(acked) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        srv.kill()  # SIGKILL mid-upload
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(acked) >= 10, "too few uploads finished before the kill to test anything"
        snapshot = dict(acked)

        srv.start()
        listed = []
        token = None
        while True:
            params = {"list-type": "2"}
            if token:
                params["continuation-token"] = token
            page = requests.get(f"{srv.aws_url}/crash", params=params, timeout=10, auth=AwsAuth("s3")).text
            listed += [k.split("</Key>")[0] for k in page.split("<Key>")[1:]]
            if "<NextContinuationToken>" not in page:
                break
            token = page.split("<NextContinuationToken>")[1].split("</NextContinuationToken>")[0]

        for key in listed:
            got = requests.get(f"{srv.aws_url}/crash/{key}", timeout=30, auth=AwsAuth("s3"))
            assert got.status_code == 200, key
            etag = got.headers["ETag"].strip('"')
            if key.startswith("mpu"):
                assert got.content == b"p" * (10 * 1024 * 1024), key
                continue
            assert hashlib.md5(got.content).hexdigest() == etag, f"{key}: bytes do not match their ETag"
            if key.startswith("hot"):
                prefix = got.content[:32]
                version = next((v for v in range(0, 100000) if body_for(key, v, 32) == prefix), None)
                assert version is not None and got.content == body_for(key, version, len(got.content)), \
                    f"{key} holds no whole version"
                assert version >= snapshot.get(key, (0, 0))[0], f"{key} went back to version {version}"
            else:
                assert got.content == body_for(key, 0, len(got.content)), f"{key} is partial"
        print(f"{len(snapshot)} uploads acknowledged before the kill, {len(listed)} objects after restart")
        for key in snapshot:
            assert key in listed, f"acknowledged {key} is missing after the crash"
        # Nothing a crash left behind survives the restart's cleanup.
        leftovers = [p for p in (srv.data_dir / "objects").rglob("*.tmp")]
        assert leftovers == []
    finally:
        if srv.proc is not None:
            assert srv.stop() == 0, srv.log_text()
