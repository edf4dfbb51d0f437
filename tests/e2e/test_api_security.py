"""Security of the web API (/api/) end to end: CSRF (Sec-Fetch-Site and
Origin checks), JSON-only bodies, sign-in throttling per account and per IP,
sign-up throttling per IP, the authorization matrix (anonymous, customer A,
customer B, admin over every /api/ endpoint) and API keys with usage plans
(a daily quota that survives a restart). docs/api.md, "Security"."""
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import AWS_ENV, Rivulet  # noqa: E402
from orders_client import ADDRESS, ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402

MAX_FAILURES = 3
MAX_FAILURES_PER_IP = 5
SIGNUPS_PER_IP = 2
SIGNUP_REFILL_SECONDS = 3
PROXY = "127.0.0.31"  # a reverse proxy in front of the shop (gateway.trusted_proxies)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("apisec") / "data"
    data.mkdir()
    # Sign-ups: only 127.0.0.1 (the other tests' customers) is exempt, so
    # the throttling test signs up from other loopback addresses.
    s = Rivulet(data_dir=data, extra_args=[
        "--set", f"api.signup_max_per_ip={SIGNUPS_PER_IP}",
        "--set", f"api.signup_refill_seconds={SIGNUP_REFILL_SECONDS}",
        "--set", "api.signup_exempt_addresses=127.0.0.1",
        "--set", f"gateway.trusted_proxies={PROXY}",
    ], env={
        "RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "RIVULET_API_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
        "RIVULET_API_LOGIN_MAX_FAILURES_PER_IP": str(MAX_FAILURES_PER_IP),
        "RIVULET_API_LOGIN_LOCKOUT_SECONDS": "60",
        "RIVULET_API_TRUSTED_ORIGINS": "http://localhost:5173",
        "RIVULET_API_REQUIRE_KEY_ROUTES": "POST /api/events",
        "RIVULET_API_SESSION_TTL_SECONDS": "3600",
    })
    s.start()
    yield s
    code = s.stop()
    assert code == 0, s.log_text()


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, ip):
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.ip, 0)
        super().init_poolmanager(*args, **kwargs)


def from_ip(ip):
    """A requests session whose connections come from `ip` (any 127/8 address
    is loopback), so each throttling test is its own client address."""
    s = requests.Session()
    s.mount("http://", SourceAddressAdapter(ip))
    return s


def problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status
    return body


# ---- CSRF and JSON-only bodies ----------------------------------------------

def test_cross_site_fetch_is_forbidden(server):
    shop = Shop(server).signup("Csrf")
    pid = shop.get("/api/products", params={"limit": 1}).json()["items"][0]["id"]
    body = {"items": [{"productId": pid, "quantity": 1}], "shippingAddress": ADDRESS}
    r = shop.post("/api/orders", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert problem(r, 403)["type"] == "urn:rivulet:problem:cross-site"
    r = shop.post("/api/orders", json=body, headers={"Origin": "https://evil.example"})
    problem(r, 403)
    r = shop.post("/api/auth/logout", headers={"Origin": "null"})
    problem(r, 403)
    assert shop.get("/api/auth/me").status_code == 200  # the forged logout did nothing
    assert shop.get("/api/orders").json()["items"] == []  # and no order was placed


def test_same_origin_trusted_and_headerless_requests_pass(server):
    shop = Shop(server).signup("Same")
    pid = shop.get("/api/products", params={"limit": 1}).json()["items"][0]["id"]
    body = {"items": [{"productId": pid, "quantity": 1}], "shippingAddress": ADDRESS}
    own = f"http://127.0.0.1:{server.http_port}"
    assert shop.post("/api/orders", json=body, headers={"Origin": own, "Sec-Fetch-Site": "same-origin"}).status_code == 202
    assert shop.post("/api/orders", json=body, headers={"Origin": "http://localhost:5173"}).status_code == 202
    assert shop.post("/api/orders", json=body).status_code == 202  # curl, SDKs: no browser headers
    # Reads are not checked: a cross-site GET changes nothing.
    assert shop.get("/api/products", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_non_json_bodies_are_415(server):
    shop = Shop(server).signup("Form")
    r = shop.post("/api/auth/login", data="email=a@b.c&password=x",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    problem(r, 415)
    r = shop.post("/api/orders", data='{"items": []}', headers={"Content-Type": "text/plain"})
    problem(r, 415)
    # A POST without a body (logout, cancel) needs no Content-Type.
    assert shop.post("/api/auth/logout").status_code == 204


def test_session_cookie_flags(server):
    r = requests.post(server.http_url + "/api/auth/signup",
                      json={"email": "flags@example.com", "password": "long-password", "name": "F"})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=3600" in cookie
    assert "Secure" not in cookie  # api.secure_cookie is off
    token = cookie.split(";")[0].split("=", 1)[1]
    out = requests.post(server.http_url + "/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204 and "Max-Age=0" in out.headers["Set-Cookie"]
    # Revoked on the server: the old token no longer works anywhere.
    assert requests.get(server.http_url + "/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# ---- sign-in throttling ------------------------------------------------------

def login(session, server, email, password):
    return session.post(server.http_url + "/api/auth/login", json={"email": email, "password": password})


def test_account_is_locked_after_max_failures_with_retry_after(server):
    shop = Shop(server).signup("Locked")
    email = shop.user["email"]
    s = from_ip("127.0.0.11")
    for _ in range(MAX_FAILURES):
        problem(login(s, server, email, "wrong-password"), 401)
    r = login(s, server, email, "s3cret-pass")  # even the right password now
    body = problem(r, 429)
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "try again" in body["detail"]
    # From another address too: the lock is the account's.
    problem(login(from_ip("127.0.0.12"), server, email, "s3cret-pass"), 429)
    # Other accounts are not affected.
    other = Shop(server).signup("Free")
    assert login(s, server, other.user["email"], "s3cret-pass").status_code == 200


def test_unknown_emails_lock_the_same_way(server):
    s = from_ip("127.0.0.13")
    for _ in range(MAX_FAILURES):
        problem(login(s, server, "nobody-here@example.com", "whatever-1"), 401)
    problem(login(s, server, "nobody-here@example.com", "whatever-1"), 429)


def test_successful_sign_in_resets_the_account_count(server):
    shop = Shop(server).signup("Reset")
    email = shop.user["email"]
    s = from_ip("127.0.0.14")
    for _ in range(MAX_FAILURES - 1):
        problem(login(s, server, email, "wrong-password"), 401)
    assert login(s, server, email, "s3cret-pass").status_code == 200
    for _ in range(MAX_FAILURES - 1):
        problem(login(s, server, email, "wrong-password"), 401)
    assert login(s, server, email, "s3cret-pass").status_code == 200


def test_one_address_guessing_many_accounts_is_locked(server):
    s = from_ip("127.0.0.15")
    for i in range(MAX_FAILURES_PER_IP):
        problem(login(s, server, f"spray-{i}@example.com", "guess-123"), 401)
    r = login(s, server, "spray-new@example.com", "guess-123")
    problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1
    # Another address still gets answers.
    problem(login(from_ip("127.0.0.16"), server, "spray-new@example.com", "guess-123"), 401)


# ---- sign-up throttling -------------------------------------------------------

def signup_from(server, ip, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return from_ip(ip).post(server.http_url + "/api/auth/signup", headers=headers, json={
        "email": f"new-{secrets.token_hex(4)}@example.com", "password": "s3cret-pass", "name": "New"})


def test_sign_ups_from_one_address_are_throttled(server):
    # Sent together: each is counted when it arrives, before any hashing.
    with ThreadPoolExecutor(SIGNUPS_PER_IP + 1) as pool:
        answers = list(pool.map(lambda _: signup_from(server, "127.0.0.21"), range(SIGNUPS_PER_IP + 1)))
    assert sorted(r.status_code for r in answers) == [201] * SIGNUPS_PER_IP + [429], [r.text for r in answers]
    refused = next(r for r in answers if r.status_code == 429)
    assert "sign-ups from this address" in problem(refused, 429)["detail"]
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= SIGNUP_REFILL_SECONDS
    # Other addresses are not affected, and exempt ones are never throttled.
    assert signup_from(server, "127.0.0.22").status_code == 201
    assert [signup_from(server, "127.0.0.1").status_code for _ in range(SIGNUPS_PER_IP + 1)] == \
        [201] * (SIGNUPS_PER_IP + 1)
    # A malformed body is refused as such and costs the address nothing.
    problem(from_ip("127.0.0.22").post(server.http_url + "/api/auth/signup", json={"email": "x"}), 400)
    assert signup_from(server, "127.0.0.22").status_code == 201
    # Once Retry-After has passed, the address may sign up again.
    time.sleep(wait)
    assert signup_from(server, "127.0.0.21").status_code == 201


def test_behind_a_trusted_proxy_each_forwarded_client_is_throttled_on_its_own(server):
    """Through the proxy, X-Forwarded-For names the client; from anyone else
    the header is ignored, so writing a fresh address per request does not
    escape the throttle."""
    statuses = [signup_from(server, PROXY, "198.51.100.1").status_code for _ in range(SIGNUPS_PER_IP + 1)]
    assert statuses == [201] * SIGNUPS_PER_IP + [429]
    assert signup_from(server, PROXY, "198.51.100.2").status_code == 201  # another customer, same proxy
    # Only the rightmost hop the proxy saw counts; what the client wrote left of it proves nothing.
    assert signup_from(server, PROXY, "203.0.113.9, 198.51.100.1").status_code == 429
    spoofed = [signup_from(server, "127.0.0.32", f"192.0.2.{i}").status_code for i in range(SIGNUPS_PER_IP + 1)]
    assert spoofed == [201] * SIGNUPS_PER_IP + [429]


# ---- authorization matrix ----------------------------------------------------

@pytest.fixture(scope="module")
def people(server):
    """Anonymous, customers A and B, the admin; A has two orders (one to
    read, one to cancel), B has one."""
    anon = Shop(server)
    a, b = Shop(server).signup("Alice"), Shop(server).signup("Bob")
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    pid = a.get("/api/products", params={"limit": 1}).json()["items"][0]["id"]
    orders = {}
    for name, who in (("a", a), ("a2", a), ("b", b)):
        r = who.place([{"productId": pid, "quantity": 1}])
        assert r.status_code == 202, r.text
        orders[name] = r.json()["id"]
    return {"anon": anon, "a": a, "b": b, "admin": admin, "orders": orders, "pid": pid}


ROLES = ("anon", "a", "b", "admin")
ADMIN_ONLY = (401, 403, 403, 200)


def matrix(people):
    """(method, path, json body or None, expected status per role in ROLES).
    A tuple of statuses in a cell means any of them."""
    o, pid = people["orders"], people["pid"]
    a_id, b_id = people["a"].user["id"], people["b"].user["id"]
    return [
        ("GET", "/api/products", None, (200, 200, 200, 200)),
        ("GET", f"/api/products/{pid}", None, (200, 200, 200, 200)),
        ("GET", "/api/categories", None, (200, 200, 200, 200)),
        ("GET", "/api/openapi.json", None, (200, 200, 200, 200)),
        # api.require_key_routes lists it here: no x-api-key, no entry (test_api_keys).
        ("POST", "/api/events", {"type": "page_view"}, (403, 403, 403, 403)),
        ("GET", "/api/auth/me", None, (401, 200, 200, 200)),
        ("GET", "/api/orders", None, (401, 200, 200, 200)),
        ("POST", "/api/orders", {"items": [{"productId": pid, "quantity": 1}], "shippingAddress": ADDRESS},
         (401, 202, 202, 202)),
        ("GET", f"/api/orders/{o['a']}", None, (401, 200, 404, 200)),
        ("GET", f"/api/orders/{o['b']}", None, (401, 404, 200, 200)),
        ("GET", "/api/orders/o-00000000000000000000", None, (401, 404, 404, 404)),
        ("POST", f"/api/orders/{o['b']}/cancel", None, (401, 404, None, None)),  # A may not cancel B's
        ("GET", "/api/admin/orders", None, ADMIN_ONLY),
        ("GET", f"/api/admin/customers/{a_id}", None, ADMIN_ONLY),
        ("GET", f"/api/admin/customers/{b_id}", None, ADMIN_ONLY),
        ("GET", "/api/analytics/summary", None, (401, 403, 403, (200, 503))),
        ("GET", "/api/admin/functions", None, ADMIN_ONLY),
        ("GET", "/api/admin/streams", None, ADMIN_ONLY),
        ("GET", "/api/admin/streams/orders", None, ADMIN_ONLY),
        ("GET", "/api/admin/streams/orders/records", None, ADMIN_ONLY),
        ("GET", "/api/admin/tables", None, ADMIN_ONLY),
        ("POST", "/api/admin/tables/shop-orders/query", {}, ADMIN_ONLY),
        ("GET", "/api/admin/buckets", None, ADMIN_ONLY),
        ("GET", "/api/admin/buckets/archive/objects", None, (401, 403, 403, (200, 404))),
        ("GET", "/api/admin/buckets/archive/download?key=none", None, (401, 403, 403, 404)),
        ("GET", "/api/admin/outbox", None, (401, 403, 403, (200, 503))),
        ("POST", "/api/admin/outbox/requeue", {"id": "none"}, (401, 403, 403, (400, 404, 503))),
        ("GET", "/api/admin/iam/users", None, (401, 403, 403, (200, 503))),
        ("POST", f"/api/admin/orders/{o['a']}/status", {"status": "SHIPPED"}, (401, 403, 403, None)),
        ("GET", "/api/admin/api-keys", None, ADMIN_ONLY),
        ("POST", "/api/admin/api-keys", {"name": "matrix"}, (401, 403, 403, 201)),
        ("DELETE", "/api/admin/api-keys/0000000000000000", None, (401, 403, 403, 404)),
    ]


def test_authorization_matrix(people):
    failures = []
    for method, path, body, expected in matrix(people):
        for role, want in zip(ROLES, expected):
            if want is None:
                continue
            r = people[role].s.request(method, people[role].url(path), json=body)
            ok = r.status_code in (want if isinstance(want, tuple) else (want,))
            if not ok:
                failures.append(f"{role} {method} {path}: {r.status_code}, expected {want}: {r.text[:200]}")
            if r.status_code >= 400:
                assert r.headers["Content-Type"].startswith("application/problem+json"), (role, path)
    assert not failures, "\n".join(failures)


def test_guessing_another_customers_order_reveals_nothing(people):
    b = people["b"]
    theirs = b.get(f"/api/orders/{people['orders']['a']}")
    missing = b.get("/api/orders/o-ffffffffffffffffffff")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["title"] == missing.json()["title"]
    assert people["a"].user["id"] not in theirs.text
    # B's cancel of A's order changed nothing.
    r = b.post(f"/api/orders/{people['orders']['a']}/cancel")
    assert r.status_code == 404
    assert people["a"].get(f"/api/orders/{people['orders']['a']}").json()["status"] != "CANCELLED"
    # B's listing holds only B's orders.
    mine = b.get("/api/orders").json()["items"]
    assert people["orders"]["b"] in {x["id"] for x in mine}
    assert all(x["customerId"] == b.user["id"] for x in mine)


def test_owner_and_admin_may_cancel(people):
    r = people["a"].post(f"/api/orders/{people['orders']['a2']}/cancel")
    assert r.status_code in (200, 202), r.text
    assert people["admin"].get(f"/api/orders/{people['orders']['a2']}").status_code == 200


# ---- API keys and usage plans --------------------------------------------------

def create_key(admin, name, plan):
    r = admin.post("/api/admin/api-keys", json={"name": name, "usagePlan": plan})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["key"].startswith("rvk_") and body["usagePlan"] == plan
    return body


def test_api_keys_create_use_throttle_and_delete(server, people):
    admin = people["admin"]
    # One request per 100 s after a burst of 2: the third is always over.
    created = create_key(admin, "robot", {"rateLimit": 0.01, "burstLimit": 2, "quotaPerDay": 1000})
    key, key_id = created["key"], created["id"]
    listed = admin.get("/api/admin/api-keys")
    assert listed.status_code == 200
    assert key_id in {k["id"] for k in listed.json()["items"]}
    assert key not in listed.text and key[21:] not in listed.text  # shown once, never again

    events = server.http_url + "/api/events"
    problem(requests.post(events, json={"type": "page_view"}), 403)  # this route needs a key
    wrong = key[:-1] + ("1" if key.endswith("0") else "0")  # a key that ended in "0" stayed valid
    problem(requests.post(events, json={"type": "page_view"}, headers={"x-api-key": wrong}), 403)
    problem(requests.post(events, json={"type": "page_view"}, headers={"x-api-key": "nonsense"}), 403)
    for _ in range(2):
        assert requests.post(events, json={"type": "page_view"}, headers={"x-api-key": key}).status_code == 202
    r = requests.post(events, json={"type": "page_view"}, headers={"x-api-key": key})
    problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1
    used = {k["id"]: k["usedToday"] for k in admin.get("/api/admin/api-keys").json()["items"]}
    assert used[key_id] == 2

    assert admin.s.delete(admin.url(f"/api/admin/api-keys/{key_id}")).status_code == 204
    problem(requests.post(events, json={"type": "page_view"}, headers={"x-api-key": key}), 403)
    problem(admin.s.delete(admin.url(f"/api/admin/api-keys/{key_id}")), 404)
    assert key[21:] not in server.log_text()  # never logged


def test_api_key_daily_quota(server, people):
    key = create_key(people["admin"], "quota", {"rateLimit": 1000, "burstLimit": 1000, "quotaPerDay": 2})["key"]
    url = server.http_url + "/api/products"
    assert [requests.get(url, headers={"x-api-key": key}).status_code for _ in range(2)] == [200, 200]
    r = requests.get(url, headers={"x-api-key": key})
    assert "quota" in problem(r, 429)["detail"]
    assert 1 <= int(r.headers["Retry-After"]) <= 86400
    # Without the key the same client is not bound by the key's plan.
    assert requests.get(url).status_code == 200


def test_api_key_daily_quota_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    node = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    node.start()
    try:
        admin = Shop(node).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        created = create_key(admin, "restart", {"rateLimit": 1000, "burstLimit": 1000, "quotaPerDay": 2})
        key = created["key"]
        url = node.http_url + "/api/products"
        assert [requests.get(url, headers={"x-api-key": key}).status_code for _ in range(2)] == [200, 200]
        # Stopped at once: the counts reach the table at shutdown, not only
        # at the once-a-second flush.
        assert node.stop() == 0, node.log_text()
        node.start()
        r = requests.get(node.http_url + "/api/products", headers={"x-api-key": key})
        assert "quota" in problem(r, 429)["detail"]
        assert 1 <= int(r.headers["Retry-After"]) <= 86400
        admin = Shop(node).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        used = {k["id"]: k["usedToday"] for k in admin.get("/api/admin/api-keys").json()["items"]}
        assert used == {created["id"]: 2}
    finally:
        if node.proc is not None:
            assert node.stop() == 0, node.log_text()


def test_api_key_daily_quota_is_shared_by_nodes(tmp_path):
    """An API node with the embedded services and a second node that serves
    /api/ too, using the first one's tables over :4566."""
    env = {**AWS_ENV, "RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD}
    nodes = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            args = ["--role", "api"] if name == "a" else [
                "--role", "all", *[arg for k in (
                    "stream.backend=kinesis", f"stream.endpoint={nodes[0].aws_url}",
                    "table.backend=dynamodb", f"table.endpoint={nodes[0].aws_url}",
                    "objects.backend=s3", f"objects.endpoint={nodes[0].aws_url}") for arg in ("--set", k)]]
            nodes.append(Rivulet(data_dir=tmp_path / name, extra_args=args, env=env).start())
        a, b = nodes
        admin_a = Shop(a).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        created = create_key(admin_a, "shared", {"rateLimit": 1000, "burstLimit": 1000, "quotaPerDay": 3})
        key = created["key"]
        assert [requests.get(a.http_url + "/api/products", headers={"x-api-key": key}).status_code
                for _ in range(2)] == [200, 200]
        # Node a's flusher adds its 2 to the table within about a second.
        admin_b = Shop(b).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            used = {k["id"]: k["usedToday"] for k in admin_b.get("/api/admin/api-keys").json()["items"]}
            if used.get(created["id"]) == 2:
                break
            time.sleep(0.2)
        assert used.get(created["id"]) == 2, used
        # Node b starts from the shared total: one request left, then 429.
        url_b = b.http_url + "/api/products"
        assert requests.get(url_b, headers={"x-api-key": key}).status_code == 200
        r = requests.get(url_b, headers={"x-api-key": key})
        assert "quota" in problem(r, 429)["detail"]
    finally:
        for node in reversed(nodes):
            if node.proc is not None:
                node.stop()


def test_api_key_admin_input_is_validated(people):
    admin = people["admin"]
    assert problem(admin.post("/api/admin/api-keys", json={"name": ""}), 400)["field"] == "name"
    r = admin.post("/api/admin/api-keys", json={"name": "x", "usagePlan": {"rateLimit": -1}})
    assert problem(r, 400)["field"] == "usagePlan.rateLimit"
    problem(admin.post("/api/admin/api-keys", json={"name": "x", "extra": 1}), 400)


# ---- WebSocket from another site ---------------------------------------------

def test_websocket_from_a_foreign_origin_is_anonymous(server, people):
    import asyncio
    import json
    import websockets

    a = people["a"]
    topic = f"orders/{a.user['id']}"

    async def subscribe(origin):
        async with websockets.connect(f"ws://127.0.0.1:{server.http_port}/ws", origin=origin,
                                      extra_headers={"Cookie": a.cookie}) as ws:
            await ws.send(json.dumps({"op": "subscribe", "topic": topic}))
            return json.loads(await asyncio.wait_for(ws.recv(), 10))["op"]

    assert asyncio.run(subscribe(f"http://127.0.0.1:{server.http_port}")) == "subscribed"
    assert asyncio.run(subscribe("http://evil.example")) == "error"
