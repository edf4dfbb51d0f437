"""Starts and stops the real rivulet binary for end-to-end and crash tests.

The server is started on free ports (port 0) with a private data directory;
the ports it chose are read from <data-dir>/ports.json.
"""
import json
import os
import signal
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("RIVULET_BIN", str(ROOT / "build" / "rivulet"))

# The root credentials every test server starts with (RIVULET_ROOT_* below)
# and every AWS client signs with: the AWS documentation's example key pair.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_PAGER": "",
}
SERVER_ENV = {
    "RIVULET_ROOT_ACCESS_KEY_ID": AWS_ENV["AWS_ACCESS_KEY_ID"],
    "RIVULET_ROOT_SECRET_ACCESS_KEY": AWS_ENV["AWS_SECRET_ACCESS_KEY"],
}


def wait_until(predicate, timeout, what):
    """predicate()'s first truthy value, polled every 0.2 s for `timeout`
    seconds; an AssertionError naming `what` when there is none."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def curl_sigv4(service="kinesis"):
    """curl arguments that SigV4-sign the request with the root key (curl's
    own signer, so the test does not share our signing code)."""
    return ["--aws-sigv4", f"aws:amz:{AWS_ENV['AWS_DEFAULT_REGION']}:{service}",
            "--user", f"{AWS_ENV['AWS_ACCESS_KEY_ID']}:{AWS_ENV['AWS_SECRET_ACCESS_KEY']}"]


def sign_headers(method, url, body=b"", headers=None, service=None, key_id=None, secret=None,
                 unsigned_payload=False):
    """SigV4-signed headers for a hand-made request (requests.post(url,
    data=body, headers=sign_headers(...))), signed as botocore signs. The
    service comes from X-Amz-Target (kinesis, dynamodb) unless given; S3
    requests also get x-amz-content-sha256 (UNSIGNED-PAYLOAD when asked, which
    spares hashing large bodies)."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = dict(headers or {})
    if service is None:
        target = headers.get("X-Amz-Target", "")
        service = "kinesis" if target.startswith("Kinesis") else "dynamodb" if target.startswith("DynamoDB") else "s3"
    if isinstance(body, str):
        body = body.encode()
    credentials = Credentials(key_id or AWS_ENV["AWS_ACCESS_KEY_ID"], secret or AWS_ENV["AWS_SECRET_ACCESS_KEY"])
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    # S3: keep an x-amz-content-sha256 the caller chose (STREAMING-*), or
    # send UNSIGNED-PAYLOAD when asked; otherwise botocore hashes the body.
    given = next((v for k, v in headers.items() if k.lower() == "x-amz-content-sha256"), None)
    if service == "s3" and (given or unsigned_payload):
        fixed = given or "UNSIGNED-PAYLOAD"

        class Fixed(S3SigV4Auth):
            def payload(self, request):
                return fixed
        signer = Fixed
    signer(credentials, service, AWS_ENV["AWS_DEFAULT_REGION"]).add_auth(request)
    return dict(request.headers.items())


def chunk_signed_put(url, data, chunk=64 * 1024, trailer=None):
    """Headers and body of an S3 PUT sent as STREAMING-AWS4-HMAC-SHA256-PAYLOAD:
    aws-chunked framing, each chunk signed over the one before it, starting
    from the request's own signature, as the S3 API reference describes
    (sigv4-streaming). With `trailer` ({"x-amz-checksum-crc32": value}) it is
    sent as STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailing headers
    follow the final 0-size chunk, then x-amz-trailer-signature, signed over
    "AWS4-HMAC-SHA256-TRAILER", the date, the scope, the final chunk's
    signature and the SHA-256 of the lines "name:value\\n" (sigv4-streaming-
    trailers). Written here from the documentation, not with our code."""
    import hashlib
    import hmac
    extra = {"x-amz-trailer": ",".join(sorted(trailer))} if trailer else {}
    headers = sign_headers("PUT", url, service="s3", headers={
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else ""),
        "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)), **extra})
    amz_date, region = headers["X-Amz-Date"], AWS_ENV["AWS_DEFAULT_REGION"]
    key = ("AWS4" + AWS_ENV["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in (amz_date[:8], region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    previous = headers["Authorization"].rsplit("Signature=", 1)[1]
    body = b""
    for piece in [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]:
        to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                             hashlib.sha256(b"").hexdigest(), hashlib.sha256(piece).hexdigest()])
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        body += f"{len(piece):x};chunk-signature={previous}\r\n".encode() + piece
        body += b"\r\n" if piece or not trailer else b""
    if trailer:
        lines = "".join(f"{name}:{trailer[name]}\n" for name in sorted(trailer))
        to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                             hashlib.sha256(lines.encode()).hexdigest()])
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        body += lines.replace("\n", "\r\n").encode() + f"x-amz-trailer-signature:{signature}\r\n\r\n".encode()
    return headers, body


class AwsAuth:
    """requests auth hook that SigV4-signs each request with the root key, for
    hand-made AWS calls: requests.put(url, data=b, auth=AwsAuth("s3")) or
    session.auth = AwsAuth("kinesis"). Signs host, content-type, range,
    if-* and x-amz-* headers; S3 bodies are sent as UNSIGNED-PAYLOAD."""

    SIGNED = ("host", "content-type", "content-md5", "range")

    def __init__(self, service=None):
        self.service = service

    def __call__(self, r):
        keep = {k: v for k, v in r.headers.items()
                if k.lower() in self.SIGNED or k.lower().startswith(("x-amz-", "if-"))}
        body = r.body or b""
        signed = sign_headers(r.method, r.url, body, keep, service=self.service,
                              unsigned_payload=(self.service or "s3") == "s3" and "X-Amz-Target" not in keep)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
            if name in signed:
                r.headers[name] = signed[name]
        return r


class Rivulet:
    # Every server made, so that one a failed crash test left running is
    # killed at its teardown (kill_leftover_servers) instead of outliving it.
    instances = weakref.WeakSet()

    def __init__(self, data_dir=None, extra_args=(), env=None, tls=None):
        """tls=(cert_pem_path, key_pem_path) turns TLS on for both listeners
        (gateway.tls_cert/tls_key); http_url and aws_url then say https."""
        Rivulet.instances.add(self)
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="rivulet-e2e-"))
        self.extra_args = list(extra_args)
        self.scheme = "https" if tls else "http"
        if tls:
            self.extra_args += ["--set", f"gateway.tls_cert={tls[0]}", "--set", f"gateway.tls_key={tls[1]}"]
        self.env = {**os.environ, **SERVER_ENV, **(env or {})}
        self.proc = None
        self.http_port = self.aws_port = None

    @property
    def http_url(self):
        return f"{self.scheme}://127.0.0.1:{self.http_port}"

    @property
    def aws_url(self):
        return f"{self.scheme}://127.0.0.1:{self.aws_port}"

    def start(self, timeout=20):
        ports = self.data_dir / "ports.json"
        if ports.exists():
            ports.unlink()
        self.log = open(self.data_dir / "server.log", "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data-dir", str(self.data_dir), "--bind", "127.0.0.1",
             "--http-port", "0", "--aws-port", "0", *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rivulet exited with {self.proc.returncode}: {self.log_text()}")
            try:
                data = json.loads(ports.read_text())
                self.http_port, self.aws_port = data["http"], data["aws"]
                return self
            except (FileNotFoundError, ValueError, KeyError):
                time.sleep(0.02)
        self.kill()
        raise TimeoutError("rivulet did not write ports.json in time")

    def stop(self, timeout=20):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self.proc = None
        return code

    def kill(self):
        """SIGKILL, as a crash would."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def log_text(self):
        try:
            return (self.data_dir / "server.log").read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc is not None:
            self.stop()


@pytest.fixture(autouse=True)
def kill_leftover_servers():
    """Autouse where imported (tests/crash): servers outlive no test."""
    yield
    for server in list(Rivulet.instances):
        server.kill()


@pytest.fixture
def rivulet(tmp_path):
    """A running rivulet on free ports with its own data dir; stopped with
    SIGTERM afterwards, which must exit 0. conftest.py files re-export it."""
    server = Rivulet(data_dir=tmp_path / "data")
    server.data_dir.mkdir()
    server.start()
    yield server
    if server.proc is not None:
        code = server.stop()
        assert code == 0, f"rivulet exited {code} on SIGTERM:\n{server.log_text()}"
