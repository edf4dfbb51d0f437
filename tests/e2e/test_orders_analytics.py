"""Live analytics: orders and activity events show up in the admin summary
and on the `analytics` WebSocket topic."""
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Listener, Shop  # noqa: E402


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def test_summary_counts_orders_funnel_and_latency(server):
    shop = Shop(server).signup()
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert shop.get("/api/analytics/summary").status_code == 403
    for kind in ("page_view", "product_view", "add_to_cart", "checkout_started"):
        assert shop.post("/api/events", json={"type": kind, "productId": "p-002"}).status_code == 202
    price = shop.product("p-002")["price"]
    ids = [shop.place([{"productId": "p-002", "quantity": 2}]).json()["id"] for _ in range(3)]
    for i in ids:
        shop.wait_for_status(i, {"CONFIRMED"})
    deadline = time.monotonic() + 15
    while True:
        s = admin.get("/api/analytics/summary", params={"range": "5m"}).json()
        if s["byStatus"].get("CONFIRMED", 0) == 3 and s["funnel"]["checkouts"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert s["ordersLastMinute"] == 3
    assert s["revenueLastMinute"] == 3 * 2 * price
    assert s["averageBasket"] == 2 * price
    assert s["byStatus"]["CONFIRMED"] == 3
    assert s["topProducts"][0]["productId"] == "p-002" and s["topProducts"][0]["units"] == 6
    assert s["funnel"]["pageViews"] == 1 and s["funnel"]["orders"] == 3
    assert s["latencyMs"]["p50"] > 0 and s["latencyMs"]["p99"] >= s["latencyMs"]["p50"]
    assert len(s["series"]) == 300 and sum(p["orders"] for p in s["series"]) == 3
    assert len(admin.get("/api/analytics/summary", params={"range": "1h"}).json()["series"]) == 60
    assert admin.get("/api/analytics/summary", params={"range": "7d"}).status_code == 400


def test_summary_is_pushed_on_the_analytics_topic(server):
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    listener = Listener(server, ["analytics"], cookie=admin.cookie)
    try:
        msg = listener.wait_for(lambda m: m["topic"] == "analytics", timeout=5)
        assert msg["data"]["range"] == "5m" and "series" in msg["data"]
    finally:
        listener.close()
