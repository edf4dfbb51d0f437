"""HTTP/2 with prior knowledge on both listeners: curl --http2-prior-knowledge,
the AWS SDK for JavaScript v3 Kinesis client with its default (HTTP/2)
handler, the gateway's limits over HTTP/2, and clients that break the
protocol, which must lose only their own connection."""
import os
import shutil
import socket
import struct
import subprocess
import threading
from pathlib import Path

import pytest

from rivulet_harness import AWS_ENV, Rivulet, curl_sigv4

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY = 0, 1, 3, 4, 6, 7
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1


def curl(*args):
    p = subprocess.run(["curl", "-sS", "--max-time", "20", "-w", "\n%{http_version} %{http_code}", *args],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    body, _, tail = p.stdout.rpartition("\n")
    version, code = tail.split()
    return version, int(code), body


def frame(ftype, flags, stream_id, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream_id) + payload


def get_headers(path):
    """HPACK for GET <path> over http: static-table :method GET and
    :scheme http, :path and :authority as literals without indexing (name
    indexes 4 and 1)."""
    raw = path.encode()
    assert len(raw) < 127
    return b"\x82\x86\x04" + bytes([len(raw)]) + raw + b"\x01\x09localhost"


class RawH2:
    """A hand-driven HTTP/2 client connection, for frames no real client sends."""

    def __init__(self, port, settings=b""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, 0, settings))
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def frames(self):
        """Yields (type, flags, stream, payload) until the server closes."""
        while True:
            while len(self.buf) >= 9:
                length = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) < 9 + length:
                    break
                ftype, flags = self.buf[3], self.buf[4]
                stream = int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
                payload = self.buf[9:9 + length]
                self.buf = self.buf[9 + length:]
                yield ftype, flags, stream, payload
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return
            if not chunk:
                return
            self.buf += chunk

    def close(self):
        self.sock.close()


def healthy(port):
    version, code, body = curl("--http2-prior-knowledge", f"http://127.0.0.1:{port}/healthz")
    return version == "2" and code == 200


def test_curl_prior_knowledge_on_both_listeners(rivulet):
    version, code, body = curl("--http2-prior-knowledge", f"{rivulet.http_url}/healthz")
    assert (version, code) == ("2", 200) and '"ok"' in body
    version, code, body = curl("--http2-prior-knowledge", f"{rivulet.http_url}/api/products")
    assert (version, code) == ("2", 200) and '"items"' in body
    version, code, body = curl("--http2-prior-knowledge", "-X", "POST", f"{rivulet.aws_url}/",
                               "-H", "X-Amz-Target: Kinesis_20131202.ListStreams",
                               "-H", "Content-Type: application/x-amz-json-1.1", *curl_sigv4(),
                               "-d", "{}")
    assert (version, code) == ("2", 200) and '"StreamNames"' in body
    version, code, body = curl("--http2-prior-knowledge", f"{rivulet.aws_url}/healthz")
    assert version == "2"
    # HTTP/1.1 keeps working on the same ports.
    version, code, body = curl("--http1.1", f"{rivulet.http_url}/healthz")
    assert (version, code) == ("1.1", 200)
    version, code, body = curl("--http1.1", "-X", "POST", f"{rivulet.aws_url}/",
                               "-H", "X-Amz-Target: Kinesis_20131202.ListStreams",
                               "-H", "Content-Type: application/x-amz-json-1.1", *curl_sigv4(),
                               "-d", "{}")
    assert (version, code) == ("1.1", 200)


def test_request_ids_and_errors_keep_their_shape(rivulet):
    p = subprocess.run(["curl", "-sS", "-i", "--http2-prior-knowledge", "-H", "X-Request-Id: trace-42",
                        f"{rivulet.http_url}/api/products/nope"], capture_output=True, text=True, timeout=30)
    assert p.stdout.startswith("HTTP/2 404")
    assert "x-request-id: trace-42" in p.stdout
    assert "application/problem+json" in p.stdout
    version, code, body = curl("--http2-prior-knowledge", "-X", "POST", f"{rivulet.aws_url}/",
                               "-H", "X-Amz-Target: Kinesis_20131202.DescribeStream",
                               "-H", "Content-Type: application/x-amz-json-1.1", *curl_sigv4(),
                               "-d", '{"StreamName": "missing"}')
    assert code == 400 and "ResourceNotFoundException" in body


def test_js_sdk_v3_default_handler_speaks_http2(rivulet):
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").exists():
        pytest.fail("node and tests/node/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, KINESIS_ENDPOINT=rivulet.aws_url, KINESIS_DEFAULT_HANDLER="1",
               KINESIS_STREAM="js-sdk-h2")
    p = subprocess.run([node, str(NODE_DIR / "kinesis_sdk_test.js")], env=env, cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout
    # The requests really came over HTTP/2.
    metrics = subprocess.run(["curl", "-sS", f"{rivulet.http_url}/metrics"], capture_output=True, text=True).stdout
    assert 'listener="aws"' in metrics


def test_header_and_body_limits(tmp_path):
    (tmp_path / "d").mkdir()
    with Rivulet(data_dir=tmp_path / "d", extra_args=["--set", "gateway.max_body_bytes=4096"]) as server:
        version, code, body = curl("--http2-prior-knowledge", "-H", "X-Big: " + "a" * 20000,
                                   f"{server.http_url}/healthz")
        assert (version, code) == ("2", 431)
        version, code, body = curl("--http2-prior-knowledge", "-X", "POST", "-H", "Content-Type: application/json",
                                   "--data-binary", "x" * 10000, f"{server.http_url}/api/orders")
        assert (version, code) == ("2", 413) and "4096" in body
        assert healthy(server.http_port)


def test_garbage_frames_get_goaway_and_others_are_served(rivulet):
    c = RawH2(rivulet.http_port)
    # A DATA frame on stream 0 is a connection error (PROTOCOL_ERROR).
    c.send(frame(DATA, 0, 0, b"junk"))
    types = [f[0] for f in c.frames()]
    c.close()
    assert GOAWAY in types
    assert healthy(rivulet.http_port)


def test_stream_flood_is_refused_beyond_the_limit(rivulet):
    c = RawH2(rivulet.http_port)
    block = get_headers("/healthz")
    n = 300
    c.send(b"".join(frame(HEADERS, END_STREAM | END_HEADERS, 2 * i + 1, block) for i in range(n)))
    answered, refused = set(), set()
    for ftype, flags, stream, payload in c.frames():
        if ftype == HEADERS:
            answered.add(stream)
        elif ftype == RST_STREAM:
            refused.add(stream)
        if len(answered | refused) == n:
            break
    c.close()
    # Every stream is either answered or refused; the limit is 100 at once.
    assert len(answered | refused) == n
    assert len(answered) >= 100
    assert healthy(rivulet.http_port)


def test_settings_flood_is_cut_off(rivulet):
    c = RawH2(rivulet.http_port)
    flood = frame(SETTINGS, 0, 0) * 5000 + frame(PING, 0, 0, b"12345678") * 5000

    def pump():
        try:
            c.send(flood)
        except OSError:
            pass  # the server may close before taking it all

    sender = threading.Thread(target=pump)
    sender.start()
    # Read nothing back until the flood is sent: the server's acks pile up.
    sender.join(30)
    # frames() ends when the server closes the connection (a timeout here
    # would mean it never did). nghttp2 stops at 1000 unsent acks.
    acks = sum(1 for f in c.frames() if f[0] in (SETTINGS, PING) and f[1] & ACK)
    c.close()
    assert acks < 10000, "the flood was answered in full instead of cut off"
    assert healthy(rivulet.http_port)


def test_stream_that_never_reads_harms_no_one(rivulet):
    # Initial window 0: the server may send headers but no body bytes.
    c = RawH2(rivulet.http_port, settings=struct.pack(">HI", 4, 0))
    c.send(frame(HEADERS, END_STREAM | END_HEADERS, 1, get_headers("/api/products")))
    got = None
    for ftype, flags, stream, payload in c.frames():
        if ftype == HEADERS and stream == 1:
            got = ftype
            break
    assert got == HEADERS
    # The stalled stream holds nothing of anyone else's.
    for _ in range(5):
        assert healthy(rivulet.http_port)
    c.close()


def test_shutdown_sends_goaway(tmp_path):
    (tmp_path / "d").mkdir()
    server = Rivulet(data_dir=tmp_path / "d").start()
    c = RawH2(server.http_port)
    frames = c.frames()
    assert next(frames)[0] == SETTINGS
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    goaway = [f for f in frames if f[0] == GOAWAY]
    stopper.join(30)
    c.close()
    assert goaway
    error_code = struct.unpack(">I", goaway[0][3][4:8])[0]
    assert error_code == 0  # NO_ERROR: a graceful drain
