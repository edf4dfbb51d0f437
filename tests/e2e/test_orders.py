"""The order system end to end: sign up, browse, order, see CONFIRMED over
the WebSocket, idempotent retries, privacy of orders, cancel, admin status
changes, and bad input that changes nothing."""
import copy
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADDRESS, ADMIN_EMAIL, ADMIN_PASSWORD, Listener, Shop, aws_client, set_stock  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("orders") / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    code = s.stop()
    assert code == 0, s.log_text()


@pytest.fixture
def shop(server):
    return Shop(server).signup()


@pytest.fixture
def admin(server):
    return Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)


def test_catalog_lists_seeded_products_with_paging_search_and_categories(shop):
    seen = [p for page in shop.pages("/api/products", limit=20) for p in page["items"]]
    assert len(seen) >= 50
    assert len({p["id"] for p in seen}) == len(seen)
    p = seen[0]
    assert {"id", "name", "description", "price", "currency", "stock", "category"} <= set(p)
    assert isinstance(p["price"], int) and p["currency"] == "EUR"
    cats = shop.get("/api/categories").json()["items"]
    assert sum(c["count"] for c in cats) == len(seen)
    coffee = shop.get("/api/products", params={"category": "coffee", "limit": 100}).json()["items"]
    assert coffee and all(x["category"] == "Coffee" for x in coffee)
    found = shop.get("/api/products", params={"search": "ESPRESSO"}).json()["items"]
    assert any("Espresso" in x["name"] for x in found)
    assert [x["id"] for x in seen] == sorted(x["id"] for x in seen)  # the local engine scans in id order
    # Filtered lists page the same way: small pages add up to the whole list, in order.
    for params in ({"category": "coffee"}, {"search": "a"}):
        whole = shop.get("/api/products", params={**params, "limit": 100}).json()
        assert whole["nextCursor"] is None and len(whole["items"]) > 2
        pages = shop.pages("/api/products", limit=2, **params)
        assert all(len(page["items"]) <= 2 for page in pages)
        assert [x["id"] for page in pages for x in page["items"]] == [x["id"] for x in whole["items"]], params


def test_me_reflects_session_and_logout_ends_it(shop):
    assert shop.get("/api/auth/me").json()["email"] == shop.user["email"]
    assert shop.user["role"] == "customer"
    r = shop.post("/api/auth/logout")
    assert r.status_code == 204
    assert shop.get("/api/auth/me").status_code == 401


def test_session_cookie_is_httponly_and_lax(server):
    import requests
    r = requests.post(server.http_url + "/api/auth/signup",
                      json={"email": "cookie@example.com", "password": "long-password", "name": "C"})
    assert r.status_code == 201
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("rivulet_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    again = requests.post(server.http_url + "/api/auth/signup",
                          json={"email": "COOKIE@example.com", "password": "long-password", "name": "C"})
    assert again.status_code == 409 and again.json()["field"] == "email"
    bad = requests.post(server.http_url + "/api/auth/login", json={"email": "cookie@example.com", "password": "nope"})
    assert bad.status_code == 401


def test_order_is_accepted_then_confirmed_over_websocket(server, shop):
    product = shop.product("p-003")
    listener = Listener(server, [f"orders/{shop.user['id']}"], cookie=shop.cookie)
    try:
        r = shop.place([{"productId": "p-003", "quantity": 2}])
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["status"] == "PLACED"
        assert r.headers["Location"] == f"/api/orders/{body['id']}"
        msg = listener.wait_for(lambda m: m["data"]["orderId"] == body["id"] and m["data"]["status"] == "CONFIRMED")
        assert msg["topic"] == f"orders/{shop.user['id']}"
        assert msg["data"]["at"].endswith("Z")
    finally:
        listener.close()
    order = shop.get(r.headers["Location"]).json()
    assert order["status"] == "CONFIRMED"
    assert [h["status"] for h in order["history"]] == ["PLACED", "CONFIRMED"]
    assert order["items"] == [{"productId": "p-003", "name": product["name"], "quantity": 2,
                               "unitPrice": product["price"], "lineTotal": 2 * product["price"]}]
    assert order["total"] == 2 * product["price"] and order["currency"] == "EUR"
    assert order["shippingAddress"] == ADDRESS
    assert shop.product("p-003")["stock"] == product["stock"] - 2
    mine = shop.get("/api/orders").json()
    assert [o["id"] for o in mine["items"]] == [body["id"]]


def test_order_is_readable_right_after_202(shop):
    r = shop.place([{"productId": "p-010", "quantity": 1}])
    assert r.status_code == 202
    got = shop.get(r.headers["Location"])
    assert got.status_code == 200
    assert got.json()["status"] in ("PLACED", "CONFIRMED")


def test_idempotency_key_makes_retries_return_the_same_order(shop):
    stock = shop.product("p-011")["stock"]
    headers = {"Idempotency-Key": "retry-42"}
    first = shop.place([{"productId": "p-011", "quantity": 1}], headers)
    second = shop.place([{"productId": "p-011", "quantity": 1}], headers)
    assert first.status_code == 202 and second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    other = shop.place([{"productId": "p-011", "quantity": 3}], headers)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    shop.wait_for_status(first.json()["id"], {"CONFIRMED"})
    assert len(shop.get("/api/orders").json()["items"]) == 1
    assert shop.product("p-011")["stock"] == stock - 1


def test_concurrent_requests_with_one_idempotency_key_place_one_order(shop):
    # A double click, or a client retrying before the first answer came: the
    # requests race, and every one of them gets the same single order.
    stock = shop.product("p-016")["stock"]
    headers = {"Idempotency-Key": "race-1"}
    body = {"items": [{"productId": "p-016", "quantity": 2}], "shippingAddress": ADDRESS}

    def place(_):
        return requests.post(shop.url("/api/orders"), json=body, headers=headers, cookies=shop.s.cookies, timeout=30)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(place, range(32)))
    assert [r.status_code for r in answers] == [202] * 32, [r.text for r in answers if r.status_code != 202]
    ids = {r.json()["id"] for r in answers}
    assert len(ids) == 1
    order_id = ids.pop()
    shop.wait_for_status(order_id, {"CONFIRMED"})
    assert [o["id"] for o in shop.get("/api/orders").json()["items"]] == [order_id]
    assert shop.product("p-016")["stock"] == stock - 2


def placed_event(server, order_id):
    """The OrderPlaced event of `order_id`, read back from the `orders` stream."""
    kinesis = aws_client(server, "kinesis")
    for shard in kinesis.list_shards(StreamName="orders")["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName="orders", ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            got = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            for record in got["Records"]:
                event = json.loads(record["Data"])
                if event.get("type") == "OrderPlaced" and event["eventId"] == order_id:
                    return event
            if not got["Records"]:
                break
            iterator = got.get("NextShardIterator")
    raise AssertionError(f"no OrderPlaced event for {order_id}")


def test_an_event_whose_idempotency_key_was_lost_restores_it_or_yields_to_the_retry(server, shop):
    # The key is written beside the OrderPlaced event, so a crash may keep the
    # event and lose the key. Such events are forged here, as copies of a
    # real one put back through the Kinesis API: one whose key a retry took
    # after the restart (it names another order), one whose key is missing.
    item = [{"productId": "p-012", "quantity": 1}]
    first = shop.place(item, {"Idempotency-Key": "lost-0"})
    assert first.status_code == 202, first.text
    first_id = first.json()["id"]
    event = placed_event(server, first_id)
    assert event["idempotency"]["key"].endswith("#lost-0")

    def forged(suffix, key):
        copied = copy.deepcopy(event)
        copied["eventId"] = copied["order"]["id"] = first_id + suffix
        copied["idempotency"]["key"] = event["idempotency"]["key"][: -len("lost-0")] + key
        return copied

    taken, lost = forged("-taken", "lost-0"), forged("-lost", "lost-1")
    kinesis = aws_client(server, "kinesis")
    for forgery in (taken, lost):  # one partition key, one shard: processed in this order
        kinesis.put_record(StreamName="orders", PartitionKey="forged", Data=json.dumps(forgery).encode())
    shop.wait_for_status(lost["eventId"], {"CONFIRMED"})
    assert shop.get(f"/api/orders/{taken['eventId']}").status_code == 404
    log = (server.data_dir / "server.log").read_text(errors="replace")
    assert f"dropping order {taken['eventId']}: its Idempotency-Key now names another order" in log
    # The lost key was written back: a retry of that request gets that order.
    retry = shop.place(item, {"Idempotency-Key": "lost-1"})
    assert retry.status_code == 202 and retry.json()["id"] == lost["eventId"], retry.text
    assert {o["id"] for o in shop.get("/api/orders").json()["items"]} == {first_id, lost["eventId"]}


def test_another_customers_order_is_404(server, shop):
    order_id = shop.place([{"productId": "p-012", "quantity": 1}]).json()["id"]
    stranger = Shop(server).signup("Eve")
    r = stranger.get(f"/api/orders/{order_id}")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/problem+json")
    assert stranger.post(f"/api/orders/{order_id}/cancel").status_code == 404
    assert stranger.get("/api/orders").json()["items"] == []
    assert shop.get(f"/api/orders/{order_id}").status_code == 200


def test_cancel_before_shipping_restores_stock(shop):
    stock = shop.product("p-013")["stock"]
    order_id = shop.place([{"productId": "p-013", "quantity": 5}]).json()["id"]
    shop.wait_for_status(order_id, {"CONFIRMED"})
    assert shop.product("p-013")["stock"] == stock - 5
    r = shop.post(f"/api/orders/{order_id}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "CANCELLED"
    assert [h["status"] for h in r.json()["history"]] == ["PLACED", "CONFIRMED", "CANCELLED"]
    assert shop.product("p-013")["stock"] == stock
    again = shop.post(f"/api/orders/{order_id}/cancel")
    assert again.status_code == 200 and again.json()["status"] == "CANCELLED"
    assert shop.product("p-013")["stock"] == stock


def test_admin_ships_and_delivers_and_customer_sees_it_live(server, shop, admin):
    order_id = shop.place([{"productId": "p-014", "quantity": 1}]).json()["id"]
    shop.wait_for_status(order_id, {"CONFIRMED"})
    assert shop.post(f"/api/admin/orders/{order_id}/status", json={"status": "SHIPPED"}).status_code == 403
    listener = Listener(server, [f"orders/{shop.user['id']}", "admin/orders"], cookie=admin.cookie)
    try:
        r = admin.post(f"/api/admin/orders/{order_id}/status", json={"status": "SHIPPED"})
        assert r.status_code == 202 and r.json() == {"id": order_id, "status": "SHIPPED"}
        listener.wait_for(lambda m: m["topic"].startswith("orders/") and m["data"]["status"] == "SHIPPED")
        listener.wait_for(lambda m: m["topic"] == "admin/orders" and m["data"]["orderId"] == order_id)
    finally:
        listener.close()
    shop.wait_for_status(order_id, {"SHIPPED"})
    late = shop.post(f"/api/orders/{order_id}/cancel")
    assert late.status_code == 409 and late.headers["Content-Type"].startswith("application/problem+json")
    assert admin.post(f"/api/admin/orders/{order_id}/status", json={"status": "DELIVERED"}).status_code == 202
    order = shop.wait_for_status(order_id, {"DELIVERED"})
    assert [h["status"] for h in order["history"]] == ["PLACED", "CONFIRMED", "SHIPPED", "DELIVERED"]
    bad = admin.post(f"/api/admin/orders/{order_id}/status", json={"status": "SHIPPED"})
    assert bad.status_code == 409
    listed = {o["id"]: o for o in admin.get("/api/admin/orders", params={"status": "DELIVERED"}).json()["items"]}
    assert listed[order_id]["customerId"] == shop.user["id"]
    assert listed[order_id]["customerName"] == shop.user["name"]
    assert listed[order_id]["customerEmail"] == shop.user["email"]
    by_email = admin.get("/api/admin/orders", params={"customerEmail": shop.user["email"].upper()}).json()["items"]
    assert order_id in [o["id"] for o in by_email] and {o["customerId"] for o in by_email} == {shop.user["id"]}
    assert admin.get("/api/admin/orders", params={"customerEmail": "nobody@example.com"}).json() == \
        {"items": [], "nextCursor": None}
    both = admin.get("/api/admin/orders", params={"customerEmail": shop.user["email"], "customerId": shop.user["id"]})
    assert both.status_code == 400 and both.json()["field"] == "customerEmail"
    # By the number in the order's emails, any case; it matches the id's end only.
    number = order_id[-8:]
    for given in (number.upper(), number.lower()):
        found = admin.get("/api/admin/orders", params={"orderNumber": given}).json()
        assert [o["id"] for o in found["items"]] == [order_id] and found["nextCursor"] is None
    assert admin.get("/api/admin/orders", params={"orderNumber": order_id[2:10]}).json()["items"] == []
    for bad, params in (("too short", {"orderNumber": number[:7]}), ("not hex", {"orderNumber": "ZZZZZZZZ"}),
                        ("with a filter", {"orderNumber": number, "status": "DELIVERED"})):
        r = admin.get("/api/admin/orders", params=params)
        assert r.status_code == 400 and r.json()["field"] == "orderNumber", bad
    assert shop.get("/api/admin/orders", params={"orderNumber": number}).status_code == 403
    customer = admin.get(f"/api/admin/customers/{shop.user['id']}").json()
    assert customer["customer"]["email"] == shop.user["email"]
    assert order_id in [o["id"] for o in customer["orders"]]
    mine = [o for page in shop.pages("/api/orders", limit=100) for o in page["items"]]
    assert customer["orderCount"] == len(mine) == len(customer["orders"])
    assert shop.get("/api/admin/orders").status_code == 403


def test_customer_view_counts_every_order_and_lists_the_latest_100(shop, admin):
    ids = [shop.place([{"productId": "p-021", "quantity": 1}]).json()["id"] for _ in range(103)]
    customer = admin.get(f"/api/admin/customers/{shop.user['id']}").json()
    assert customer["orderCount"] == 103
    listed = [o["id"] for o in customer["orders"]]
    # The latest 100: the oldest are left out (orders placed in the same millisecond sort by id).
    assert len(listed) == 100 and set(listed) <= set(ids) and set(ids[10:]) <= set(listed)


def test_my_orders_paginate_newest_first_and_filter_by_status(shop):
    ids = [shop.place([{"productId": "p-020", "quantity": 1}]).json()["id"] for _ in range(5)]
    for i in ids:
        shop.wait_for_status(i, {"CONFIRMED"})
    seen = [o["id"] for page in shop.pages("/api/orders", limit=2) for o in page["items"]]
    assert sorted(seen) == sorted(ids)
    created = [shop.get(f"/api/orders/{i}").json()["createdAt"] for i in seen]
    assert created == sorted(created, reverse=True)
    assert shop.get("/api/orders", params={"status": "CANCELLED"}).json()["items"] == []
    assert shop.post(f"/api/orders/{ids[1]}/cancel").status_code in (200, 202)
    shop.wait_for_status(ids[1], {"CANCELLED"})
    cancelled = shop.get("/api/orders", params={"status": "CANCELLED"}).json()["items"]
    assert [o["id"] for o in cancelled] == [ids[1]]
    confirmed = shop.get("/api/orders", params={"status": "CONFIRMED", "limit": 100}).json()["items"]
    assert sorted(o["id"] for o in confirmed) == sorted(ids[:1] + ids[2:])
    assert shop.get("/api/orders", params={"status": "LOST"}).status_code == 400
    assert shop.get("/api/orders", params={"cursor": "zz"}).status_code == 400


def test_activity_events_are_accepted_and_validated(shop):
    assert shop.post("/api/events", json={"type": "product_view", "productId": "p-001"}).status_code == 202
    r = shop.post("/api/events", json={"type": "buy_now"})
    assert r.status_code == 400 and r.json()["field"] == "type"


LONG = "x" * 5000
BAD_ORDERS = [
    ("{not json", ""),
    ('"just a string"', ""),
    ('{"items": "p-001", "shippingAddress": {}}', "items"),
    ('{"items": [], "shippingAddress": {}}', "items"),
    ('{"items": [{"productId": "p-001", "quantity": -1}]}', "items[0].quantity"),
    ('{"items": [{"productId": "p-001", "quantity": 0}]}', "items[0].quantity"),
    ('{"items": [{"productId": "p-001", "quantity": 101}]}', "items[0].quantity"),
    ('{"items": [{"productId": "p-001", "quantity": "2"}]}', "items[0].quantity"),
    ('{"items": [{"productId": "p-001", "quantity": 1e3}]}', "items[0].quantity"),
    ('{"items": [{"productId": 17, "quantity": 1}]}', "items[0].productId"),
    ('{"items": [{"productId": "p-001", "quantity": 1, "price": 1}]}', "items[0].price"),
    ('{"items": [{"productId": "p-001", "quantity": 1}], "total": 1}', "total"),
    ('{"items": [{"productId": "p-001", "quantity": 1}]}', "shippingAddress"),
]


@pytest.mark.parametrize("body,field", BAD_ORDERS)
def test_bad_order_bodies_are_400_naming_the_field(shop, body, field):
    r = shop.post("/api/orders", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 400 and problem["detail"] and problem["requestId"]
    assert problem.get("field", "") == field


def test_admin_restocks_a_product_and_an_order_it_could_not_fill_is_confirmed(server, shop, admin):
    stock = shop.product("p-015")["stock"]
    short = shop.place([{"productId": "p-015", "quantity": stock + 1}]).json()["id"]
    rejected = shop.wait_for_status(short, {"REJECTED"})
    assert "stock" in rejected["history"][-1]["reason"]
    assert shop.post("/api/admin/products/p-015/restock", json={"quantity": 5}).status_code == 403
    r = admin.post("/api/admin/products/p-015/restock", json={"quantity": 5})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "p-015" and r.json()["stock"] == stock + 5
    assert shop.product("p-015")["stock"] == stock + 5
    order_id = shop.place([{"productId": "p-015", "quantity": stock + 1}]).json()["id"]
    shop.wait_for_status(order_id, {"CONFIRMED"})
    assert shop.product("p-015")["stock"] == 4
    missing = admin.post("/api/admin/products/p-999/restock", json={"quantity": 1})
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("application/problem+json")
    set_stock(server, "p-015", 999999990)
    full = admin.post("/api/admin/products/p-015/restock", json={"quantity": 10})
    assert full.status_code == 200 and full.json()["stock"] == 1000000000
    over = admin.post("/api/admin/products/p-015/restock", json={"quantity": 1})
    assert over.status_code == 409 and over.json()["field"] == "quantity", over.text
    assert shop.product("p-015")["stock"] == 1000000000


def accept_stage_counts(server):
    text = Shop(server).get("/metrics").text
    return {stage: int(float(n)) for stage, n in
            re.findall(r'^rivulet_order_accept_seconds_count\{stage="(\w+)"\} (\S+)$', text, re.M)}


def test_metrics_time_each_stage_of_accepting_an_order(server, shop):
    before = accept_stage_counts(server)
    item = [{"productId": "p-002", "quantity": 1}]
    assert shop.place(item, {"Idempotency-Key": "stages-1"}).status_code == 202
    assert shop.place(item).status_code == 202
    assert shop.place(item, {"Idempotency-Key": "stages-1"}).status_code == 202  # a retry: no new order
    after = accept_stage_counts(server)
    assert {s: after.get(s, 0) - before.get(s, 0) for s in ("key", "event", "row")} == {"key": 1, "event": 2, "row": 2}


def test_admin_lists_low_stock_fewest_first_across_the_whole_catalog(server, shop, admin):
    for pid, stock in (("p-031", 0), ("p-032", 2), ("p-033", 1), ("p-034", 2)):
        set_stock(server, pid, stock)
    catalog = [p for page in shop.pages("/api/products", limit=7) for p in page["items"]]
    for threshold, limit in ((2, 3), (2, 100), (10, 10), (1000000000, 100)):
        low = sorted((p for p in catalog if p["stock"] <= threshold), key=lambda p: (p["stock"], p["name"], p["id"]))
        r = admin.get("/api/admin/products/low-stock", params={"threshold": threshold, "limit": limit})
        assert r.status_code == 200, r.text
        assert r.json()["total"] == len(low) and r.json()["threshold"] == threshold
        assert r.json()["items"] == low[:limit]
    ids = [p["id"] for p in admin.get("/api/admin/products/low-stock", params={"threshold": 2}).json()["items"]]
    assert ids.index("p-031") < ids.index("p-033") < min(ids.index("p-032"), ids.index("p-034"))
    assert admin.get("/api/admin/products/low-stock").json()["threshold"] == 10
    assert shop.get("/api/admin/products/low-stock").status_code == 403
    assert Shop(server).get("/api/admin/products/low-stock").status_code == 401
    for params, field in (({"threshold": "-1"}, "threshold"), ({"threshold": "ten"}, "threshold"),
                          ({"threshold": "1000000001"}, "threshold"), ({"limit": "0"}, "limit"),
                          ({"limit": "101"}, "limit")):
        bad = admin.get("/api/admin/products/low-stock", params=params)
        assert bad.status_code == 400 and bad.json()["field"] == field, bad.text


def test_bad_input_on_every_endpoint_changes_nothing(server, shop, admin):
    before_stock = {p: shop.product(p)["stock"] for p in ("p-001", "p-002")}
    huge = [{"productId": f"p-{i:03d}", "quantity": 1} for i in range(1, 53)]
    cases = [
        shop.place(huge),
        shop.place([{"productId": "p-999", "quantity": 1}]),
        shop.place([{"productId": "p-001", "quantity": 1}, {"productId": "p-001", "quantity": 1}]),
        shop.post("/api/orders", json={"items": [{"productId": "p-001", "quantity": 1}],
                                       "shippingAddress": dict(ADDRESS, city=LONG)}),
        shop.post("/api/orders", json={"items": [{"productId": "p-001", "quantity": 1}],
                                       "shippingAddress": dict(ADDRESS, country=7)}),
        shop.place([{"productId": "p-001", "quantity": 1}], {"Idempotency-Key": "k" * 200}),
        shop.post("/api/auth/signup", json={"email": "x@example.com", "password": "short", "name": "X"}),
        shop.post("/api/auth/signup", json={"email": "y@example.com", "password": "long enough", "name": LONG}),
        shop.post("/api/auth/signup", data="[]", headers={"Content-Type": "application/json"}),
        shop.post("/api/auth/login", json={"email": 5, "password": "x"}),
        shop.post("/api/events", data="{", headers={"Content-Type": "application/json"}),
        shop.get("/api/products", params={"limit": "-3"}),
        shop.get("/api/products", params={"limit": "abc"}),
        admin.post("/api/admin/orders/o-none/status", json={"status": "PAID"}),
        admin.post("/api/admin/orders/o-none/status", json={"status": "SHIPPED", "extra": 1}),
        admin.get("/api/admin/orders", params={"limit": "1000"}),
        admin.post("/api/admin/products/p-001/restock", json={"quantity": 0}),
        admin.post("/api/admin/products/p-001/restock", json={"quantity": -5}),
        admin.post("/api/admin/products/p-001/restock", json={"quantity": "7"}),
        admin.post("/api/admin/products/p-001/restock", json={"quantity": 1.5}),
        admin.post("/api/admin/products/p-001/restock", json={"quantity": 1000001}),
        admin.post("/api/admin/products/p-001/restock", json={"quantity": 1, "stock": 5}),
        admin.post("/api/admin/products/p-001/restock", data="{", headers={"Content-Type": "application/json"}),
        admin.post("/api/admin/products/p-001/restock", json={}),
    ]
    for r in cases:
        assert 400 <= r.status_code < 500, (r.request.method, r.request.url, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/problem+json"), r.text
        assert r.json()["detail"]
    assert shop.place(huge).json()["field"] == "items"
    assert shop.place([{"productId": "p-999", "quantity": 1}]).json()["field"] == "items[0].productId"
    assert shop.get("/api/orders").json()["items"] == []
    assert {p: shop.product(p)["stock"] for p in before_stock} == before_stock
    assert Shop(server).get("/api/orders").status_code == 401
    assert Shop(server).place([{"productId": "p-001", "quantity": 1}]).status_code == 401
    assert admin.post("/api/admin/orders/o-none/status", json={"status": "SHIPPED"}).status_code == 404


def test_openapi_document_describes_the_api(server):
    import requests
    doc = requests.get(server.http_url + "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/orders" in doc["paths"] and "post" in doc["paths"]["/api/orders"]
