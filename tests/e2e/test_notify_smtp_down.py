"""The SMTP server goes away during a load and comes back: confirmation
emails wait in the outbox meanwhile and are delivered once it returns, none
lost and none doubled (one Message-ID per order, one email per Message-ID).

The outage lasts RIVULET_SMTP_DOWN_SECONDS (default 6, short for CI; set 60
for the full minute of the issue)."""
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import BIN, Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402
from smtp_sink import confirmations, free_port, start_sink  # noqa: E402

DOWN_SECONDS = float(os.environ.get("RIVULET_SMTP_DOWN_SECONDS", "6"))


def confirmed_orders(admin):
    ids, cursor = set(), None
    while True:
        params = {"limit": 100, "status": "CONFIRMED", **({"cursor": cursor} if cursor else {})}
        page = admin.get("/api/admin/orders", params=params, timeout=10).json()
        ids |= {o["id"] for o in page["items"]}
        cursor = page["nextCursor"]
        if not cursor:
            return ids


def test_emails_queue_while_smtp_is_down_and_go_out_once_it_returns(tmp_path):
    port, box = free_port(), tmp_path / "mail"
    sink = start_sink(port, box)
    data = tmp_path / "data"
    data.mkdir()
    server = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD,
                                         "RIVULET_SMTP_URL": f"smtp://127.0.0.1:{port}"})
    server.start()
    try:
        # A load over the whole outage: 2 s with the server up, the outage, 2 s after.
        load = subprocess.Popen([BIN, "loadgen", "--url", server.http_url, "--admin-email", ADMIN_EMAIL,
                                 "--admin-password", ADMIN_PASSWORD, "--rate", "15",
                                 "--duration", f"{DOWN_SECONDS + 4}s", "--customers", "4", "--cancel", "0",
                                 "--events", "0", "--browse", "0", "--progress", "quiet", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # customers signed in and the load running
        sink.terminate()
        sink.wait(10)
        down_since = time.monotonic()
        delivered_before = len(confirmations(box))
        time.sleep(DOWN_SECONDS)
        assert len(confirmations(box)) == delivered_before, "mail arrived while the server was down"
        admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        outbox = admin.get("/api/admin/outbox", params={"state": "QUEUED"}, timeout=10)
        assert outbox.status_code == 200, outbox.text
        assert outbox.json()["counts"]["QUEUED"] > 0, "nothing waited in the outbox during the outage"
        sink = start_sink(port, box)
        out, err = load.communicate(timeout=120)
        assert load.returncode == 0, err
        report = json.loads(out)
        assert report["orders"]["undecided"] == 0 and report["orders"]["confirmed"] > 0, report

        confirmed = confirmed_orders(admin)
        assert len(confirmed) == report["orders"]["confirmed"]
        # The breaker retries the server with backoff (at most 30 s apart).
        deadline = time.monotonic() + 60 + DOWN_SECONDS
        while time.monotonic() < deadline:
            got = confirmations(box)
            if {i for i, _ in got} >= confirmed:
                break
            time.sleep(0.25)
        time.sleep(1)  # room for a second copy to show up
        got = confirmations(box)
        missing = confirmed - {i for i, _ in got}
        assert not missing, f"{len(missing)} confirmed orders never got their email ({time.monotonic() - down_since:.0f} s)"
        per_message_id = Counter(m for _, m in got)
        assert all(n == 1 for n in per_message_id.values()), "an email was delivered twice"
        per_order = Counter(i for i, _ in got)
        assert all(n == 1 for n in per_order.values()), "an order got two confirmation emails"
        assert len(got) == len(confirmed)
        counts = admin.get("/api/admin/outbox", timeout=10).json()["counts"]
        assert counts["QUEUED"] == 0 and counts["FAILED"] == 0, counts
    finally:
        sink.terminate()
        sink.wait(10)
        assert server.stop() == 0, server.log_text()
