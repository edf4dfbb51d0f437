"""Bad input against the real binary: each gets its 4xx or a closed
connection, and the server keeps serving everyone else."""
import socket
import struct
import time

import pytest
import requests

from rivulet_harness import wait_until
from test_gateway import gateway_server, make_static_dir


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    static = make_static_dir(tmp_path_factory.mktemp("static"))
    with gateway_server(tmp_path_factory.mktemp("gw"), static) as s:
        yield s


def assert_still_serving(server):
    r = requests.get(server.http_url + "/healthz", timeout=10)
    assert r.status_code == 200


def exchange(server, payload, timeout=10):
    """Sends raw bytes and returns everything the server sends back until it
    closes the connection."""
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=timeout) as s:
        s.sendall(payload)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)


def test_malformed_request_line_is_400_and_closed(server):
    reply = exchange(server, b"THIS IS NOT HTTP\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400")
    assert b"application/problem+json" in reply
    assert_still_serving(server)


def test_bad_http_version_is_400(server):
    reply = exchange(server, b"GET /healthz HTTP/7.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400")
    assert_still_serving(server)


def test_oversized_headers_are_431(server):
    big = b"X-Filler: " + b"a" * 10000 + b"\r\n"
    reply = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
    assert reply.startswith(b"HTTP/1.1 431")
    assert_still_serving(server)


def test_declared_oversized_body_is_413_before_upload(server):
    reply = exchange(server, b"POST /api/_debug/echo HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413")
    assert_still_serving(server)


def test_oversized_body_sent_anyway_gets_413(server):
    r = requests.post(server.http_url + "/api/_debug/echo", data=b"[" + b"1," * 50000 + b"1]",
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413
    assert r.json()["status"] == 413
    assert_still_serving(server)


def test_oversized_chunked_body_is_413(server):
    chunk = b"x" * 40000
    frame = hex(len(chunk))[2:].encode() + b"\r\n" + chunk + b"\r\n"
    reply = exchange(server, b"POST /api/_debug/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + frame + frame + b"0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413")
    assert_still_serving(server)


def test_slowloris_is_cut_off_and_others_are_served(server):
    # The read timeout is 1.5 s in these tests; the client would need 40 s.
    s = socket.create_connection(("127.0.0.1", server.http_port), timeout=10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    closed = False
    for _ in range(200):
        try:
            s.sendall(b"X")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        # Meanwhile, ordinary clients are served.
        assert_still_serving(server)
        s.settimeout(0.2)
        try:
            if s.recv(1024) == b"":
                closed = True
                break
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
            break
    s.close()
    assert closed, "the server kept a slowloris connection open for 40 s"
    metrics = requests.get(server.http_url + "/metrics").text
    assert 'rivulet_http_rejected_total{status="408"}' in metrics


def test_abrupt_disconnect_mid_headers(server):
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", server.http_port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        # RST instead of FIN.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    assert_still_serving(server)


def test_abrupt_disconnect_mid_body(server):
    s = socket.create_connection(("127.0.0.1", server.http_port))
    s.sendall(b"POST /api/_debug/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    assert_still_serving(server)


def test_client_gone_before_async_response(server):
    s = socket.create_connection(("127.0.0.1", server.http_port))
    s.sendall(b"GET /api/_debug/slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    # The handler answers into a closed connection; nothing breaks.
    r = requests.get(server.http_url + "/api/_debug/slow?ms=400", timeout=10)
    assert r.status_code == 200
    assert_still_serving(server)


def test_connect_and_say_nothing_does_not_block_others(server):
    idle = [socket.create_connection(("127.0.0.1", server.http_port)) for _ in range(50)]
    try:
        for _ in range(5):
            assert_still_serving(server)
    finally:
        for s in idle:
            s.close()


def test_pipelined_requests_are_answered_in_order(server):
    reply = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                             b"GET /api/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    first = reply.find(b"HTTP/1.1 200")
    second = reply.find(b"HTTP/1.1 404")
    assert 0 <= first < second


def test_unknown_method_on_api_is_405_or_404(server):
    r = requests.request("BREW", server.http_url + "/api/_debug/echo")
    assert r.status_code == 405
    assert r.headers["Content-Type"] == "application/problem+json"
    # The request is counted once its response is written, which the client
    # may see first: wait for the count.
    def metrics():
        return requests.get(server.http_url + "/metrics").text
    wait_until(lambda: 'method="OTHER"' in metrics(), 10, "the BREW request counted")
    assert 'method="BREW"' not in metrics()


def test_expect_100_continue_gets_interim_response(server):
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=10) as s:
        s.sendall(b"POST /api/_debug/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 7\r\nExpect: 100-continue\r\n\r\n")
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += s.recv(1)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(b'{"a":1}')
        reply = s.recv(65536)
        assert reply.startswith(b"HTTP/1.1 200")
        assert reply.endswith(b'{"a":1}')
