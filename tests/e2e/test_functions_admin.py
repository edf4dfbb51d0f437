"""The functions runtime seen from outside: GET /api/admin/functions and the
per-shard gauges in /metrics move when orders flow through order-processor."""
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("fnadmin") / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def test_admin_sees_mappings_progress_and_metrics(server):
    customer = Shop(server).signup("Ada")
    order_id = customer.place([{"productId": "p-001", "quantity": 1}]).json()["id"]
    customer.wait_for_status(order_id, {"CONFIRMED"})

    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    r = admin.get("/api/admin/functions")
    assert r.status_code == 200, r.text
    body = r.json()
    assert "order-processor" in body["functions"]
    processor = [m for m in body["mappings"] if m["function"] == "order-processor"]
    assert processor and processor[0]["stream"] == "orders" and processor[0]["state"] == "Enabled"
    assert sum(s["recordsProcessed"] for s in processor[0]["shards"]) >= 1

    metrics = requests.get(server.http_url + "/metrics", timeout=10).text
    lines = [l for l in metrics.splitlines()
             if l.startswith("rivulet_function_records_processed{") and 'function="order-processor"' in l]
    assert lines and sum(float(l.rsplit(" ", 1)[1]) for l in lines) >= 1


def test_customers_and_strangers_are_refused(server):
    assert Shop(server).signup("Bob").get("/api/admin/functions").status_code == 403
    r = requests.get(server.http_url + "/api/admin/functions", timeout=10)
    assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json")
