"""`rivulet loadgen` against a real server: a short run at a small rate
completes, every accepted order is decided and matched to its push on /ws,
and the server's own records agree with the report."""
import json
import socket
import subprocess
import threading
from collections import Counter
import time
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import BIN, Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop, set_stock  # noqa: E402


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def loadgen(server, *args, timeout=120):
    return subprocess.run([BIN, "loadgen", "--url", server.http_url, "--admin-email", ADMIN_EMAIL,
                           "--admin-password", ADMIN_PASSWORD, "--json", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_short_run_reports_confirmed_orders_and_latency(server, tmp_path):
    latency_log = tmp_path / "latency.csv"
    run = loadgen(server, "--rate", "20", "--duration", "3s", "--customers", "5", "--cancel", "0.2",
                  "--progress", "lines", "--latency-log", str(latency_log))
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    orders = report["orders"]
    assert orders["accepted"] > 0
    assert orders["confirmationsMeasured"]
    assert orders["confirmed"] + orders["rejected"] == orders["accepted"]
    assert orders["undecided"] == 0
    assert orders["confirmed"] > 0
    lat = report["acceptToDecidedMs"]
    assert lat["count"] == orders["accepted"]
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"] <= lat["max"]
    assert report["requests"]["order"]["errors"] == 0
    assert report["requests"]["event"]["ok"] > 0
    assert report["errors"] == {}
    # Plain progress lines (stderr is not a terminal), one per second.
    assert "orders" in run.stderr and "\r" not in run.stderr

    # The latency log: one line per decided order, whose latencies are the report's.
    lines = latency_log.read_text().splitlines()
    assert lines[0] == "due_ms,accepted_ms,decided_ms,status"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == orders["accepted"]
    assert Counter(r[3] for r in rows) == +Counter({"CONFIRMED": orders["confirmed"], "REJECTED": orders["rejected"]})
    due, accepted, decided = ([float(r[i]) for r in rows] for i in range(3))
    assert all(0 <= d <= a for d, a in zip(due, accepted))
    assert max(x - d for d, x in zip(due, decided)) == pytest.approx(lat["max"], abs=0.01)

    # The server saw the same customers' orders.
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    listed = admin.get("/api/admin/orders", params={"limit": 100}).json()["items"]
    assert any(o.get("customerEmail", "").endswith("@loadgen.example") or o.get("customerId") for o in listed)


def test_a_second_run_signs_existing_customers_in(server):
    first = loadgen(server, "--rate", "5", "--duration", "1s", "--customers", "3", "--progress", "quiet")
    assert first.returncode == 0, first.stderr
    second = loadgen(server, "--rate", "5", "--duration", "1s", "--customers", "3", "--progress", "quiet")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["orders"]["accepted"] > 0


def test_unreachable_server_and_bad_options_fail_clearly(server):
    run = subprocess.run([BIN, "loadgen", "--url", "http://127.0.0.1:1", "--duration", "1s", "--progress", "quiet"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 1
    run = subprocess.run([BIN, "loadgen", "--duration", "soon"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "duration" in run.stderr
    run = subprocess.run([BIN, "loadgen", "--url", "https://example.com"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "https" in run.stderr
    run = subprocess.run([BIN, "loadgen", "--url", server.http_url, "--admin-email", ADMIN_EMAIL,
                          "--admin-password", "wrong-password", "--progress", "quiet"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 1 and "admin sign-in" in run.stderr
    run = subprocess.run([BIN, "loadgen", "--url", server.http_url, "--latency-log", "/nonexistent/dir/lat.csv",
                          "--progress", "quiet"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "/nonexistent/dir/lat.csv" in run.stderr


def test_visitors_who_leave_without_ordering_thin_out_the_funnel(server):
    run = loadgen(server, "--rate", "10", "--duration", "3s", "--customers", "5", "--visitors", "4",
                  "--cancel", "0", "--progress", "quiet")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    accepted, events = report["orders"]["accepted"], report["requests"]["event"]["ok"]
    assert accepted > 0 and report["requests"]["event"]["errors"] == 0
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    steps = ("pageViews", "productViews", "addToCart", "checkouts")
    deadline = time.monotonic() + 15
    while True:  # the analytics function counts what the streams delivered, a moment later
        funnel = admin.get("/api/analytics/summary", params={"range": "5m"}).json()["funnel"]
        if (funnel["orders"] == accepted and sum(funnel[s] for s in steps) == events) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert funnel["orders"] == accepted and sum(funnel[s] for s in steps) == events, (funnel, accepted, events)
    # Every visitor views a page, 1 in 4 orders (the others leave on the way).
    assert funnel["pageViews"] >= 2.5 * accepted, funnel
    assert funnel["pageViews"] > funnel["productViews"] > funnel["addToCart"] >= funnel["checkouts"] >= accepted


def test_restock_below_keeps_the_catalog_selling_as_the_admin(server):
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)  # the first /api/ call creates the shop
    set_stock(server, "p-001", 2)
    set_stock(server, "p-002", 0)
    run = loadgen(server, "--rate", "5", "--duration", "2s", "--customers", "3", "--cancel", "0",
                  "--restock-below", "3", "--restock-quantity", "25", "--progress", "quiet")
    assert run.returncode == 0, run.stderr
    # One check at the start of a 2 s run (they are 5 s apart): every other
    # demo product starts with 40 or more, so exactly these two are restocked.
    assert json.loads(run.stdout)["restocks"] == 2
    sold = Counter()
    for page in admin.pages("/api/admin/orders", limit=100, status="CONFIRMED"):
        for order in page["items"]:
            for line in order["items"]:
                sold[line["productId"]] += line["quantity"]
    assert admin.product("p-001")["stock"] == 2 + 25 - sold["p-001"]
    assert admin.product("p-002")["stock"] == 25 - sold["p-002"]
    assert "rivulet:RestockProduct resource=product/p-002 quantity=25" in server.log_text()

    # Restocking is the admin's job: without the admin's credentials the run
    # says so and goes on without it.
    run = subprocess.run([BIN, "loadgen", "--url", server.http_url, "--rate", "5", "--duration", "1s",
                          "--customers", "3", "--restock-below", "3", "--progress", "quiet", "--json"],
                         capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert "--restock-below needs the admin's credentials" in run.stderr
    assert "restocks" not in json.loads(run.stdout)


class FeedCutter:
    """A TCP proxy in front of the server that passes HTTP through, opens each
    /ws connection 0.3 s late and cuts it `after` seconds after it opened."""

    def __init__(self, port, after):
        self.port, self.after, self.cuts = port, after, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            first = client.recv(65536)
            if first.startswith(b"GET /ws"):
                time.sleep(0.3)  # the feed comes back late: decisions are made meanwhile
            upstream = socket.create_connection(("127.0.0.1", self.port))
            upstream.sendall(first)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()
            if first.startswith(b"GET /ws"):
                threading.Timer(self.after, self.cut, args=(client, upstream)).start()

    @staticmethod
    def pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self, *sockets):
        self.cuts += 1
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.listener.close()


def test_a_lost_feed_is_followed_again_and_its_decisions_looked_up(server):
    # Every /ws connection is cut after 0.7 s: the loadgen follows again each
    # time and reads the decisions it may have missed with GET
    # /api/orders/{id}; none is left undecided.
    cutter = FeedCutter(server.http_port, after=0.7)
    try:
        run = subprocess.run([BIN, "loadgen", "--url", cutter.url, "--admin-email", ADMIN_EMAIL,
                              "--admin-password", ADMIN_PASSWORD, "--json", "--rate", "30", "--duration", "4s",
                              "--customers", "5", "--cancel", "0", "--progress", "quiet"],
                             capture_output=True, text=True, timeout=120)
    finally:
        cutter.close()
    assert run.returncode == 0, run.stderr
    assert "WebSocket closed" in run.stderr and "reconnecting" in run.stderr
    orders = json.loads(run.stdout)["orders"]
    assert orders["accepted"] > 0
    assert orders["undecided"] == 0
    assert orders["confirmed"] + orders["rejected"] == orders["accepted"]
    assert 1 <= orders["feedLosses"] <= cutter.cuts
    # Each reconnect looks up every order still pending: some were decided.
    assert orders["decidedByLookup"] >= 1
