"""TLS on both listeners (gateway.tls_cert / gateway.tls_key) with a throwaway
self-signed certificate: ALPN h2 and http/1.1 with curl, the AWS SDK for
JavaScript v3 Kinesis client with its default HTTP/2 handler (requests and
SubscribeToShard's event stream), boto3, wss,
Secure session cookies over TLS only, a plain-HTTP client and a client that
stalls in the handshake, and startup refusing unusable certificates."""
import asyncio
import json
import os
import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import boto3
import pytest
import requests
import websockets
from botocore.config import Config

from rivulet_harness import AWS_ENV, Rivulet, curl_sigv4

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
HANDSHAKE_TIMEOUT_MS = 1000


def make_cert(directory, name="server"):
    """A self-signed certificate for 127.0.0.1 and localhost; returns (cert, key)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=30)
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, certs):
    s = Rivulet(data_dir=tmp_path_factory.mktemp("data"), tls=certs,
                extra_args=["--set", f"gateway.tls_handshake_timeout_ms={HANDSHAKE_TIMEOUT_MS}"])
    s.start()
    yield s
    code = s.stop()
    assert code == 0, f"rivulet exited {code} on SIGTERM:\n{s.log_text()}"


def curl(cert, *args):
    p = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", str(cert),
                        "-w", "\n%{http_version} %{http_code}", *args],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    body, _, tail = p.stdout.rpartition("\n")
    version, code = tail.split()
    return version, int(code), body


def list_streams_args(url):
    return ["-X", "POST", f"{url}/", "-H", "X-Amz-Target: Kinesis_20131202.ListStreams",
            "-H", "Content-Type: application/x-amz-json-1.1", *curl_sigv4(), "-d", "{}"]


def test_alpn_negotiates_h2_and_http11_on_both_listeners(server, certs):
    cert = certs[0]
    assert server.http_url.startswith("https://") and server.aws_url.startswith("https://")
    assert curl(cert, "--http2", f"{server.http_url}/healthz")[:2] == ("2", 200)
    version, code, body = curl(cert, "--http2", f"{server.http_url}/api/products")
    assert (version, code) == ("2", 200) and '"items"' in body
    version, code, body = curl(cert, "--http2", *list_streams_args(server.aws_url))
    assert (version, code) == ("2", 200) and '"StreamNames"' in body
    assert curl(cert, "--http1.1", f"{server.http_url}/healthz")[:2] == ("1.1", 200)
    version, code, body = curl(cert, "--http1.1", *list_streams_args(server.aws_url))
    assert (version, code) == ("1.1", 200) and '"StreamNames"' in body
    # A client offering only http/1.1 by ALPN gets it from Python's ssl too.
    context = ssl.create_default_context(cafile=str(cert))
    context.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=20) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "http/1.1"
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_js_sdk_v3_default_http2_handler_over_https(server, certs):
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").exists():
        pytest.fail("node and tests/node/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, KINESIS_ENDPOINT=server.aws_url, KINESIS_DEFAULT_HANDLER="1",
               KINESIS_STREAM="js-sdk-tls", NODE_EXTRA_CA_CERTS=str(certs[0]))
    p = subprocess.run([node, str(NODE_DIR / "kinesis_sdk_test.js")], env=env, cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout


def test_boto3_verifies_the_certificate(server, certs):
    kinesis = boto3.client("kinesis", endpoint_url=server.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                           aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                           verify=str(certs[0]), config=Config(retries={"max_attempts": 1}))
    kinesis.create_stream(StreamName="boto3-tls", ShardCount=1)
    put = kinesis.put_record(StreamName="boto3-tls", PartitionKey="pk", Data=b"over tls")
    iterator = kinesis.get_shard_iterator(StreamName="boto3-tls", ShardId=put["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [r["Data"] for r in records] == [b"over tls"]
    assert "boto3-tls" in kinesis.list_streams()["StreamNames"]
    # S3: a PUT whose body streams to disk and a GET read in chunks, over TLS.
    s3 = boto3.client("s3", endpoint_url=server.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                      aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                      verify=str(certs[0]), config=Config(retries={"max_attempts": 1}))
    s3.create_bucket(Bucket="tls-bucket")
    blob = os.urandom(3 << 20)
    s3.put_object(Bucket="tls-bucket", Key="blob", Body=blob)
    assert s3.get_object(Bucket="tls-bucket", Key="blob")["Body"].read() == blob


def test_session_cookie_is_secure_over_tls_only(server, certs, rivulet):
    body = {"email": "tls@example.com", "password": "long-password", "name": "T"}
    r = requests.post(server.http_url + "/api/auth/signup", json=body, verify=str(certs[0]), timeout=30)
    assert r.status_code == 201, r.text
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "; Secure" in cookie
    r = requests.post(server.http_url + "/api/auth/login", json={"email": body["email"], "password": body["password"]},
                      verify=str(certs[0]), timeout=30)
    assert r.status_code == 200 and "; Secure" in r.headers["Set-Cookie"]
    # Over HTTP/2 (ALPN) too.
    p = subprocess.run(["curl", "-sS", "-i", "--http2", "--cacert", str(certs[0]), "-H", "Content-Type: application/json",
                        "-d", json.dumps({"email": body["email"], "password": body["password"]}),
                        f"{server.http_url}/api/auth/login"], capture_output=True, text=True, timeout=30)
    assert p.stdout.startswith("HTTP/2 200"), p.stdout + p.stderr
    assert any(line.lower().startswith("set-cookie:") and "; Secure" in line for line in p.stdout.splitlines())
    # The plain listener of another server: no Secure (browsers would drop it).
    r = requests.post(rivulet.http_url + "/api/auth/signup", json=body, timeout=30)
    assert r.status_code == 201, r.text
    assert "Secure" not in r.headers["Set-Cookie"]


def test_websocket_over_tls(server, certs):
    async def run():
        context = ssl.create_default_context(cafile=str(certs[0]))
        async with websockets.connect(f"wss://127.0.0.1:{server.http_port}/ws", ssl=context) as ws:
            await ws.send(json.dumps({"op": "ping"}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            assert reply.get("op") == "pong", reply
    asyncio.run(run())


def healthy(server, cert):
    return curl(cert, "--http2", f"{server.http_url}/healthz")[:2] == ("2", 200)


def test_plain_http_to_a_tls_port_gets_a_clear_400(server, certs):
    for port in (server.http_port, server.aws_port):
        p = subprocess.run(["curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}", f"http://127.0.0.1:{port}/healthz"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        body, _, code = p.stdout.rpartition("\n")
        assert code == "400" and "https://" in body
    # HTTP/2 prior knowledge on a TLS port: the same answer, then close.
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=20) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        assert data.startswith(b"HTTP/1.1 400")
    assert healthy(server, certs[0])


def test_stalled_handshake_is_cut_off(server, certs):
    # One client sends nothing, one half a ClientHello, one garbage after the
    # record type byte. Each must be closed by the server (a hang would hit
    # the socket timeout and fail), and others keep being served meanwhile.
    clients = []
    for first in (b"", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"\x16" + b"\xff" * 64):
        s = socket.create_connection(("127.0.0.1", server.http_port), timeout=30)
        if first:
            s.sendall(first)
        clients.append(s)
    assert healthy(server, certs[0])
    for s in clients:
        try:
            while s.recv(4096):
                pass  # a TLS alert may come before the close
        except ConnectionResetError:
            pass
        s.close()
    metrics = requests.get(server.http_url + "/metrics", verify=str(certs[0]), timeout=30).text
    assert 'rivulet_http_rejected_total{status="408"}' in metrics
    assert healthy(server, certs[0])


def start_fails(tmp_path, name, settings):
    d = tmp_path / name
    d.mkdir()
    args = [a for k, v in settings.items() for a in ("--set", f"{k}={v}")]
    with pytest.raises(RuntimeError) as failed:
        Rivulet(data_dir=d, extra_args=args).start()
    return str(failed.value)


def test_unusable_certificates_fail_startup_clearly(tmp_path, certs):
    cert, key = certs
    other_cert, other_key = make_cert(tmp_path, "other")
    message = start_fails(tmp_path, "missing", {"gateway.tls_cert": tmp_path / "nope.pem", "gateway.tls_key": key})
    assert "cannot read TLS certificate" in message and "nope.pem" in message
    message = start_fails(tmp_path, "mismatch", {"gateway.tls_cert": cert, "gateway.tls_key": other_key})
    assert "does not match the certificate" in message
    message = start_fails(tmp_path, "half", {"gateway.tls_cert": cert})
    assert "gateway.tls_key" in message
    message = start_fails(tmp_path, "not-pem", {"gateway.aws_tls_cert": key, "gateway.aws_tls_key": key})
    assert "not a PEM certificate" in message


def test_aws_endpoint_can_have_its_own_certificate_or_none(tmp_path, certs):
    other_cert, other_key = make_cert(tmp_path, "aws")
    d = tmp_path / "own"
    d.mkdir()
    args = ["--set", f"gateway.aws_tls_cert={other_cert}", "--set", f"gateway.aws_tls_key={other_key}"]
    with Rivulet(data_dir=d, tls=certs, extra_args=args) as s:
        assert curl(other_cert, "--http2", f"{s.aws_url}/healthz")[0] == "2"
        assert curl(certs[0], "--http2", f"{s.http_url}/healthz")[:2] == ("2", 200)
    d = tmp_path / "plain-aws"
    d.mkdir()
    with Rivulet(data_dir=d, tls=certs, extra_args=["--set", "gateway.aws_tls=false"]) as s:
        p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                            f"http://127.0.0.1:{s.aws_port}/healthz"], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0 and p.stdout != "400", p.stdout


def test_js_sdk_subscribe_to_shard_over_https(server, certs):
    # Enhanced fan-out's event stream (a response body produced over time)
    # through HTTP/2 over TLS.
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").exists():
        pytest.fail("node and tests/node/node_modules are required: run scripts/install-deps")
    env = dict(os.environ, **AWS_ENV, KINESIS_ENDPOINT=server.aws_url, NODE_EXTRA_CA_CERTS=str(certs[0]))
    p = subprocess.run([node, str(NODE_DIR / "kinesis_efo_test.js")], env=env, cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "ok" in p.stdout
