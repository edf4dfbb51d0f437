"""200 concurrent orders for the last 50 items: exactly 50 are confirmed,
150 rejected for lack of stock, and the stock ends at 0, never below."""
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop, set_stock  # noqa: E402


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def test_200_concurrent_orders_for_50_items_never_oversell(server):
    customers = [Shop(server).signup(f"Buyer{i}") for i in range(20)]  # the first /api/ call creates the shop
    set_stock(server, "p-005", 50)
    assert customers[0].product("p-005")["stock"] == 50

    def order(i):
        shop = customers[i % len(customers)]
        r = shop.place([{"productId": "p-005", "quantity": 1}])
        assert r.status_code == 202, r.text
        return shop, r.json()["id"]

    with ThreadPoolExecutor(max_workers=40) as pool:
        placed = list(pool.map(order, range(200)))
    assert len({oid for _, oid in placed}) == 200

    final = {}
    deadline = time.monotonic() + 60
    while len(final) < 200 and time.monotonic() < deadline:
        for shop, oid in placed:
            if oid in final:
                continue
            status = shop.get(f"/api/orders/{oid}").json()
            if status["status"] != "PLACED":
                final[oid] = status
        time.sleep(0.05)
    assert len(final) == 200, f"only {len(final)} orders decided"
    statuses = [o["status"] for o in final.values()]
    assert statuses.count("CONFIRMED") == 50
    assert statuses.count("REJECTED") == 150
    rejected = next(o for o in final.values() if o["status"] == "REJECTED")
    assert "out of stock" in rejected["history"][-1]["reason"]
    assert customers[0].product("p-005")["stock"] == 0

    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    confirmed, cursor = 0, None
    while True:
        params = {"status": "CONFIRMED", "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = admin.get("/api/admin/orders", params=params).json()
        confirmed += len(page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert confirmed == 50
