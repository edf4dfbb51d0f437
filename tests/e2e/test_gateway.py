"""End-to-end tests of the HTTP gateway against the real binary: routing,
problem JSON, static files (ETag, gzip, SPA fallback), metrics, CORS,
throttling and the AWS endpoint's catch-all. Bad input and WebSocket tests
live in test_gateway_bad_input.py and test_gateway_ws.py."""
import contextlib
import gzip
import http.client
import socket

import pytest
import requests

from rivulet_harness import Rivulet, sign_headers


# ---- helpers shared with the other test_gateway_*.py files ----------------

def make_static_dir(root):
    """A small built-UI folder: index.html, app.js (gzip-worthy), a hashed
    asset, and data.txt with a precompressed data.txt.gz beside it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>shop</title></head>"
        "<body><div id=\"root\"></div><script src=\"/app.js\"></script></body></html>\n")
    (root / "app.js").write_text("console.log('rivulet web ui');\n" * 300)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "style.css").write_text("body { color: red; }\n" * 40)
    (root / "data.txt").write_text("a" * 2000)
    (root / "data.txt.gz").write_bytes(gzip.compress(b"a" * 2000, mtime=0) + b"")
    (root.parent / "gw_secret.txt").write_text("secret outside the static root")
    return root


GATEWAY_ENV = {
    "RIVULET_GATEWAY_DEBUG_ENDPOINTS": "true",
    "RIVULET_GATEWAY_THREADS": "2",
    "RIVULET_GATEWAY_READ_TIMEOUT_MS": "1500",
    "RIVULET_GATEWAY_MAX_HEADER_BYTES": "8192",
    "RIVULET_GATEWAY_MAX_BODY_BYTES": "65536",
    "RIVULET_GATEWAY_WS_MAX_QUEUE_BYTES": "262144",
    "RIVULET_GATEWAY_CORS_ORIGINS": "http://shop.example",
}


@contextlib.contextmanager
def gateway_server(data_dir, static_dir, env=None, extra_args=()):
    """A rivulet with debug endpoints and small limits; must exit 0 on SIGTERM."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server = Rivulet(data_dir=data_dir, extra_args=extra_args,
                     env=dict(GATEWAY_ENV, RIVULET_GATEWAY_STATIC_DIR=str(static_dir), **(env or {})))
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None:
            code = server.stop()
            assert code == 0, f"rivulet exited {code}:\n{server.log_text()}"


# ---- tests ------------------------------------------------------------------


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory):
    return make_static_dir(tmp_path_factory.mktemp("static"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, static_dir):
    with gateway_server(tmp_path_factory.mktemp("gw"), static_dir) as s:
        yield s


def raw_get(server, path, headers=None):
    """GET without client-side path normalisation (requests collapses '..')."""
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def test_healthz_answers_ok_with_request_id(server):
    r = requests.get(server.http_url + "/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert len(r.headers["X-Request-Id"]) == 16


def test_request_ids_differ_and_client_id_is_echoed(server):
    a = requests.get(server.http_url + "/healthz").headers["X-Request-Id"]
    b = requests.get(server.http_url + "/healthz").headers["X-Request-Id"]
    assert a != b
    r = requests.get(server.http_url + "/healthz", headers={"X-Request-Id": "trace-123"})
    assert r.headers["X-Request-Id"] == "trace-123"


def test_readyz_is_ready_without_components(server):
    r = requests.get(server.http_url + "/readyz")
    assert r.status_code == 200


def test_unknown_api_path_is_problem_json(server):
    r = requests.get(server.http_url + "/api/does-not-exist")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert "/api/does-not-exist" in body["detail"]
    assert body["requestId"] == r.headers["X-Request-Id"]


def test_wrong_method_is_405_with_allow(server):
    r = requests.delete(server.http_url + "/api/_debug/echo")
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"
    assert r.json()["status"] == 405


def test_keep_alive_serves_many_requests_on_one_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10)
    for _ in range(20):
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
    conn.close()


def test_invalid_json_body_is_400_problem(server):
    r = requests.post(server.http_url + "/api/_debug/echo", data='{"a": 1,', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "not valid JSON" in r.json()["detail"]
    ok = requests.post(server.http_url + "/api/_debug/echo", json={"a": [1, 2]})
    assert ok.status_code == 200 and ok.json() == {"a": [1, 2]}


def test_static_file_has_content_type_and_etag(server):
    r = requests.get(server.http_url + "/assets/style.css", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert r.headers["ETag"].startswith('"')
    assert "immutable" in r.headers["Cache-Control"]
    assert "body { color: red; }" in r.text


def test_index_served_at_root(server):
    r = requests.get(server.http_url + "/")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<div id=\"root\">" in r.text


def test_if_none_match_gives_304(server):
    first = requests.get(server.http_url + "/app.js", headers={"Accept-Encoding": "identity"})
    etag = first.headers["ETag"]
    again = requests.get(server.http_url + "/app.js", headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    stale = requests.get(server.http_url + "/app.js", headers={"If-None-Match": '"nope"', "Accept-Encoding": "identity"})
    assert stale.status_code == 200


def test_gzip_when_accepted(server, static_dir):
    resp, body = raw_get(server, "/app.js", {"Accept-Encoding": "gzip, deflate"})
    assert resp.status == 200
    assert resp.getheader("Content-Encoding") == "gzip"
    assert resp.getheader("Vary") == "Accept-Encoding"
    assert gzip.decompress(body) == (static_dir / "app.js").read_bytes()
    assert len(body) < (static_dir / "app.js").stat().st_size
    plain, plain_body = raw_get(server, "/app.js")
    assert plain.getheader("Content-Encoding") is None
    assert plain_body == (static_dir / "app.js").read_bytes()
    assert plain.getheader("ETag") != resp.getheader("ETag")


def test_precompressed_file_is_preferred(server, static_dir):
    resp, body = raw_get(server, "/data.txt", {"Accept-Encoding": "gzip"})
    assert resp.getheader("Content-Encoding") == "gzip"
    assert body == (static_dir / "data.txt.gz").read_bytes()


def test_spa_fallback_serves_index_for_client_routes(server, static_dir):
    r = requests.get(server.http_url + "/orders/42")
    assert r.status_code == 200
    assert r.text == (static_dir / "index.html").read_text()


def test_missing_asset_is_404_not_index(server):
    r = requests.get(server.http_url + "/missing.js")
    assert r.status_code == 404


def test_path_traversal_is_refused(server):
    resp, body = raw_get(server, "/../../etc/passwd")
    assert resp.status == 404
    assert b"root:" not in body
    resp, body = raw_get(server, "/assets/%2e%2e/%2e%2e/gw_secret.txt")
    assert resp.status == 404


def test_head_has_length_but_no_body(server, static_dir):
    r = requests.head(server.http_url + "/app.js", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == (static_dir / "app.js").stat().st_size
    assert r.content == b""


def test_post_to_static_path_is_405(server):
    r = requests.post(server.http_url + "/app.js", data="x")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"


def test_metrics_report_routes_status_latency_and_build(server):
    requests.get(server.http_url + "/healthz")
    requests.get(server.http_url + "/api/nothing-here")
    text = requests.get(server.http_url + "/metrics").text
    assert 'rivulet_http_requests_total{listener="http",route="/healthz",method="GET",status="200"}' in text
    assert 'route="unmatched",method="GET",status="404"' in text
    assert 'rivulet_http_request_duration_seconds_bucket{listener="http",route="/healthz",le="+Inf"}' in text
    assert "# TYPE rivulet_http_in_flight_requests gauge" in text
    assert 'rivulet_build_info{version="' in text


def test_throttled_route_answers_429_with_retry_after(server):
    codes = []
    for _ in range(4):
        r = requests.get(server.http_url + "/api/_debug/throttled")
        codes.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["status"] == 429
    assert codes[:2] == [200, 200]
    assert 429 in codes[2:]
    # Another client address has its own bucket (all of 127/8 is loopback).
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10, source_address=("127.0.0.2", 0))
    conn.request("GET", "/api/_debug/throttled")
    assert conn.getresponse().status == 200
    conn.close()
    # An X-Api-Key that is not a key is refused, not given a fresh bucket.
    forged = requests.get(server.http_url + "/api/_debug/throttled", headers={"X-Api-Key": "someone-else"})
    assert forged.status_code == 403 and forged.json()["status"] == 403


def test_cors_preflight_and_origin_header(server):
    pre = requests.options(server.http_url + "/api/_debug/echo",
                           headers={"Origin": "http://shop.example", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "http://shop.example"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    r = requests.get(server.http_url + "/healthz", headers={"Origin": "http://shop.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "http://shop.example"
    foreign = requests.get(server.http_url + "/healthz", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_aws_endpoint_answers_unknown_operation(server):
    # A service no component registers (Kinesis, DynamoDB, S3 register their own).
    r = requests.post(server.aws_url + "/", data="{}",
                      headers=sign_headers("POST", server.aws_url + "/", "{}", {
                          "X-Amz-Target": "NoSuchService_20000101.DoThing",
                          "Content-Type": "application/x-amz-json-1.1"}, service="kinesis"))
    assert r.status_code == 400
    assert r.json()["__type"] == "UnknownOperationException"
    assert r.headers["x-amzn-RequestId"] == r.headers["X-Request-Id"]


def test_aws_endpoint_listens_on_loopback_only_by_default(server):
    # The harness binds the web listener to 127.0.0.1 itself; the AWS one must
    # be on loopback without being told.
    assert socket.create_connection(("127.0.0.1", server.aws_port), timeout=5)


def test_landing_page_when_no_static_dir(tmp_path):
    with gateway_server(tmp_path / "d", tmp_path / "no-such-dir") as s:
        r = requests.get(s.http_url + "/")
        assert r.status_code == 200
        assert "Rivulet" in r.text
        assert 'href="/metrics"' in r.text and 'href="/healthz"' in r.text
        # No SPA fallback without a UI: unknown pages are 404.
        assert requests.get(s.http_url + "/orders/1").status_code == 404
