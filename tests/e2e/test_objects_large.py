"""Objects of any size stream through the server: a 2 GB PUT and GET (and a
range of it) over the S3 API while the server's peak RSS stays bounded.

The body is a deterministic pattern made fast in Python (a 1 MiB block with
its index stamped in), hashed on the fly on both sides; the ETag is the MD5
the server computed while writing."""
import hashlib
import http.client
import os
import re

from rivulet_harness import chunk_signed_put, sign_headers

MiB = 1 << 20
SIZE = int(os.environ.get("RIVULET_LARGE_OBJECT_BYTES", str(2 * 1024 * MiB)))
RSS_LIMIT_KB = 200 * 1024

BASE = bytes(range(256)) * (MiB // 256)


def block(i):
    return i.to_bytes(8, "little") + BASE[8:]


def pattern(start, length):
    """The bytes [start, start + length) of the object, as 1 MiB-ish pieces."""
    end = start + length
    while start < end:
        i, off = divmod(start, MiB)
        piece = block(i)[off:off + min(MiB - off, end - start)]
        yield piece
        start += len(piece)


def peak_rss_kb(pid):
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def signed(rivulet, method, path, headers=None):
    """SigV4 headers (UNSIGNED-PAYLOAD: the body is not hashed up front)."""
    return sign_headers(method, rivulet.aws_url + path, headers=headers or {}, service="s3", unsigned_payload=True)


def test_two_gigabyte_object_streams_with_bounded_memory(rivulet):
    conn = http.client.HTTPConnection("127.0.0.1", rivulet.aws_port, timeout=120)
    conn.request("PUT", "/big", headers=signed(rivulet, "PUT", "/big"))
    created = conn.getresponse()
    assert created.status == 200, created.read()
    created.read()

    md5 = hashlib.md5()
    conn.putrequest("PUT", "/big/blob.bin")
    headers = signed(rivulet, "PUT", "/big/blob.bin", {"Content-Type": "application/octet-stream"})
    headers["Content-Length"] = str(SIZE)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    for piece in pattern(0, SIZE):
        md5.update(piece)
        conn.send(piece)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, body
    assert r.getheader("ETag") == f'"{md5.hexdigest()}"'

    conn.request("GET", "/big/blob.bin", headers=signed(rivulet, "GET", "/big/blob.bin"))
    r = conn.getresponse()
    assert r.status == 200 and int(r.getheader("Content-Length")) == SIZE
    got = hashlib.md5()
    n = 0
    while chunk := r.read(4 * MiB):
        got.update(chunk)
        n += len(chunk)
    assert n == SIZE and got.hexdigest() == md5.hexdigest()

    # A range deep inside the object.
    first, length = SIZE * 3 // 4 - 12345, min(100 * MiB, SIZE // 8) + 7
    conn.request("GET", "/big/blob.bin",
                 headers=signed(rivulet, "GET", "/big/blob.bin", {"Range": f"bytes={first}-{first + length - 1}"}))
    r = conn.getresponse()
    assert r.status == 206
    assert r.getheader("Content-Range") == f"bytes {first}-{first + length - 1}/{SIZE}"
    want = hashlib.md5()
    for piece in pattern(first, length):
        want.update(piece)
    assert hashlib.md5(r.read()).hexdigest() == want.hexdigest()

    rss = peak_rss_kb(rivulet.proc.pid)
    print(f"peak RSS {rss} kB after {SIZE} bytes up, down and a 100 MiB range")
    assert rss < RSS_LIMIT_KB, f"peak RSS {rss} kB while streaming {SIZE} bytes"


def test_answer_before_the_body_closes_cleanly(rivulet):
    """A PUT to a missing bucket is refused without reading its large body;
    the client still gets the S3 error, and the server stays usable."""
    conn = http.client.HTTPConnection("127.0.0.1", rivulet.aws_port, timeout=30)
    conn.putrequest("PUT", "/nobucket/k")
    headers = signed(rivulet, "PUT", "/nobucket/k")
    headers["Content-Length"] = str(64 * MiB)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    try:
        for piece in pattern(0, 4 * MiB):
            conn.send(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass
    r = conn.getresponse()
    assert r.status == 404 and b"<Code>NoSuchBucket</Code>" in r.read()
    again = http.client.HTTPConnection("127.0.0.1", rivulet.aws_port, timeout=30)
    again.request("GET", "/", headers=signed(rivulet, "GET", "/"))
    assert again.getresponse().status == 200


def test_streamed_body_must_match_its_signed_hash(rivulet):
    """Every S3 PUT body streams; the x-amz-content-sha256 it was signed with
    is checked as the body arrives, and a mismatch stores nothing."""
    import requests
    assert requests.put(f"{rivulet.aws_url}/hashes", headers=signed(rivulet, "PUT", "/hashes"), timeout=30).ok
    body = b"the body that was signed"
    declared = hashlib.sha256(body).hexdigest()
    url = f"{rivulet.aws_url}/hashes/k"
    good = sign_headers("PUT", url, body=body, service="s3", headers={"x-amz-content-sha256": declared})
    assert requests.put(url, data=body, headers=good, timeout=30).status_code == 200
    forged = b"a different body, same length!!"[:len(body)]
    r = requests.put(url, data=forged, headers=good, timeout=30)
    assert r.status_code == 400 and "<Code>XAmzContentSHA256Mismatch</Code>" in r.text, r.text
    got = requests.get(url, headers=signed(rivulet, "GET", "/hashes/k"), timeout=30)
    assert got.status_code == 200 and got.content == body



def test_chunk_signed_streaming_put_is_verified_chunk_by_chunk(rivulet):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk carries a signature
    chained from the request's; a body with a changed byte is refused with
    SignatureDoesNotMatch and stores nothing."""
    import requests
    assert requests.put(f"{rivulet.aws_url}/chunks", headers=signed(rivulet, "PUT", "/chunks"), timeout=30).ok
    data = bytes(range(256)) * 1000  # 256,000 bytes: four chunks and the final one
    url = f"{rivulet.aws_url}/chunks/k"
    headers, body = chunk_signed_put(url, data)
    r = requests.put(url, data=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    got = requests.get(url, headers=signed(rivulet, "GET", "/chunks/k"), timeout=30)
    assert got.status_code == 200 and got.content == data

    url2 = f"{rivulet.aws_url}/chunks/k2"
    headers2, body2 = chunk_signed_put(url2, data)
    tampered = bytearray(body2)
    tampered[70 * 1024] ^= 1  # a data byte of the second chunk
    r = requests.put(url2, data=bytes(tampered), headers=headers2, timeout=30)
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text, r.text
    missing = requests.get(url2, headers=signed(rivulet, "GET", "/chunks/k2"), timeout=30)
    assert missing.status_code == 404


def test_chunk_signed_put_with_signed_trailer(rivulet):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the x-amz-checksum-crc32
    trailer is signed by x-amz-trailer-signature. A changed trailer value or a
    missing signature is refused with SignatureDoesNotMatch; a signed but wrong
    checksum with BadDigest; none of them stores anything."""
    import base64
    import zlib

    import requests
    assert requests.put(f"{rivulet.aws_url}/trailers", headers=signed(rivulet, "PUT", "/trailers"), timeout=30).ok
    data = bytes(range(256)) * 600  # 153,600 bytes: three chunks and the final one
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    other = base64.b64encode((zlib.crc32(data) ^ 1).to_bytes(4, "big")).decode()

    def put(key, trailer, change=lambda body: body):
        url = f"{rivulet.aws_url}/trailers/{key}"
        headers, body = chunk_signed_put(url, data, trailer=trailer)
        return requests.put(url, data=change(body), headers=headers, timeout=30)

    def stored(key):
        return requests.get(f"{rivulet.aws_url}/trailers/{key}", headers=signed(rivulet, "GET", f"/trailers/{key}"),
                            timeout=30)

    good = put("good", {"x-amz-checksum-crc32": crc})
    assert good.status_code == 200, good.text
    assert good.headers["x-amz-checksum-crc32"] == crc
    got = stored("good")
    assert got.status_code == 200 and got.content == data

    tampered = put("tampered", {"x-amz-checksum-crc32": crc},
                   lambda body: body.replace(f"x-amz-checksum-crc32:{crc}".encode(),
                                             f"x-amz-checksum-crc32:{other}".encode()))
    assert tampered.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in tampered.text, tampered.text
    unsigned = put("unsigned", {"x-amz-checksum-crc32": crc},
                   lambda body: re.sub(rb"x-amz-trailer-signature:[0-9a-f]+\r\n", b"", body))
    assert unsigned.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in unsigned.text, unsigned.text
    wrong_sum = put("wrong-sum", {"x-amz-checksum-crc32": other})
    assert wrong_sum.status_code == 400 and "<Code>BadDigest</Code>" in wrong_sum.text, wrong_sum.text
    for key in ("tampered", "unsigned", "wrong-sum"):
        assert stored(key).status_code == 404, key
