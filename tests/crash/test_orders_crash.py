"""kill -9 while customers place orders: after a restart every order that was
answered 202 exists and reaches a final state exactly once (one decision in
its history), no order appears twice, and the stock moved by exactly the
confirmed quantities (no reservation lost or applied twice)."""
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402

ROUNDS = int(os.environ.get("RIVULET_CRASH_ROUNDS", "2"))
PRODUCTS = [f"p-{i:03d}" for i in range(1, 21)]
ENV = {"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD}


def all_orders(admin):
    out, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = admin.get("/api/admin/orders", params=params, timeout=10).json()
        out += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            return out


def load(shop, stop, accepted, lock):
    rng = random.Random()
    while not stop.is_set():
        items = [{"productId": p, "quantity": rng.randint(1, 3)} for p in rng.sample(PRODUCTS, rng.randint(1, 3))]
        try:
            r = shop.place(items)
        except Exception:  # the server died mid-request: not acknowledged
            return
        if r.status_code == 202:
            with lock:
                accepted[r.json()["id"]] = shop


def kill_under_load(server, customers, load_one):
    """Runs load_one(customer, stop) in a thread per customer, kills the
    server with -9 after 1.5-2.5 s and starts it again."""
    stop = threading.Event()
    threads = [threading.Thread(target=load_one, args=(c, stop)) for c in customers]
    for t in threads:
        t.start()
    time.sleep(1.5 + random.random())
    server.kill()
    stop.set()
    for t in threads:
        t.join(30)
    server.start()
    for c in customers:
        c.base = server.http_url


def test_kill_9_during_orders_loses_and_duplicates_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    server = Rivulet(data_dir=data, env=ENV).start()
    customers = [Shop(server).signup(f"C{i}") for i in range(6)]
    initial = {p: customers[0].product(p)["stock"] for p in PRODUCTS}
    accepted, lock = {}, threading.Lock()
    try:
        for _ in range(ROUNDS):
            kill_under_load(server, customers, lambda c, stop: load(c, stop, accepted, lock))
        assert len(accepted) > 20, "the load placed too few orders to mean anything"

        deadline = time.monotonic() + 90
        admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        while time.monotonic() < deadline:
            orders = all_orders(admin)
            if all(o["status"] != "PLACED" for o in orders):
                break
            time.sleep(0.2)
        ids = [o["id"] for o in orders]
        assert len(ids) == len(set(ids)), "an order is listed twice"
        by_id = {o["id"]: o for o in orders}
        missing = set(accepted) - set(by_id)
        assert not missing, f"{len(missing)} acknowledged orders were lost"
        for o in orders:
            assert o["status"] in ("CONFIRMED", "REJECTED"), (o["id"], o["status"])
            decisions = [h["status"] for h in o["history"] if h["status"] in ("CONFIRMED", "REJECTED")]
            assert decisions == [o["status"]], (o["id"], o["history"])
        for oid, shop in accepted.items():
            assert shop.get(f"/api/orders/{oid}").status_code == 200

        reserved = {p: 0 for p in PRODUCTS}
        for o in orders:
            if o["status"] == "CONFIRMED":
                for line in o["items"]:
                    reserved[line["productId"]] += line["quantity"]
        final = {p: admin.product(p)["stock"] for p in PRODUCTS}
        assert all(v >= 0 for v in final.values())
        assert {p: initial[p] - final[p] for p in PRODUCTS} == reserved
    finally:
        if server.proc is not None:
            assert server.stop() == 0, server.log_text()


def keyed_load(shop, stop, answered, unanswered, lock):
    rng = random.Random()
    while not stop.is_set():
        key = f"k-{rng.getrandbits(64):016x}"
        items = [{"productId": p, "quantity": 1} for p in rng.sample(PRODUCTS, rng.randint(1, 2))]
        try:
            r = shop.place(items, headers={"Idempotency-Key": key})
        except Exception:  # the server died mid-request: the client retries
            with lock:
                unanswered.append((shop, key, items))
            return
        assert r.status_code == 202, r.text
        with lock:
            answered[key] = (shop, items, r.json()["id"])


def test_retries_with_an_idempotency_key_after_kill_9_place_each_order_once(tmp_path):
    """A client that lost its answer to a kill -9 retries with the same
    Idempotency-Key and body: it gets an order that exists and is decided
    (never the id of an order whose event was lost), an answered key gives
    its order again, and there is one order per key."""
    data = tmp_path / "data"
    data.mkdir()
    server = Rivulet(data_dir=data, env=ENV).start()
    customers = [Shop(server).signup(f"K{i}") for i in range(6)]
    answered, unanswered, lock = {}, [], threading.Lock()
    retried = {}
    try:
        for _ in range(ROUNDS):
            kill_under_load(server, customers, lambda c, stop: keyed_load(c, stop, answered, unanswered, lock))
            for shop, key, items in unanswered:
                r = shop.place(items, headers={"Idempotency-Key": key})
                assert r.status_code == 202, r.text
                retried[key] = (shop, r.json()["id"])
            unanswered.clear()
        assert len(answered) > 20, "the load placed too few orders to mean anything"
        assert retried, "no request was cut off by a kill"

        for key, (shop, items, oid) in list(answered.items())[:20]:
            r = shop.place(items, headers={"Idempotency-Key": key})
            assert (r.status_code, r.json()["id"]) == (202, oid), r.text
        for shop, oid in [(s, o) for s, _, o in answered.values()] + list(retried.values()):
            assert shop.wait_for_status(oid, ("CONFIRMED", "REJECTED"), timeout=60), f"order {oid} never decided"
        admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        ids = {o["id"] for o in all_orders(admin) if o["customerId"] in {c.user["id"] for c in customers}}
        expected = {o for _, _, o in answered.values()} | {o for _, o in retried.values()}
        assert ids == expected, f"orders without a key: {ids - expected}, keys without an order: {expected - ids}"
    finally:
        if server.proc is not None:
            assert server.stop() == 0, server.log_text()
