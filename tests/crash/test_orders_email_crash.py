"""kill -9 while orders are confirmed and their emails sent: after a restart
every confirmed order has exactly one confirmation email (one Message-ID) in
the mailbox. A kill between the SMTP server's 250 and the outbox's SENT mark
may deliver a second copy with the same Message-ID, which mail clients
collapse (notify/README.md, "the one window left"); a second Message-ID
would be a real duplicate."""
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402
from smtp_sink import confirmations, free_port, start_sink  # noqa: E402
from test_orders_crash import all_orders  # noqa: E402


def test_kill_9_during_order_emails_sends_each_exactly_once(tmp_path):
    port, box = free_port(), tmp_path / "mail"
    sink = start_sink(port, box)
    data = tmp_path / "data"
    data.mkdir()
    server = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD,
                                         "RIVULET_SMTP_URL": f"smtp://127.0.0.1:{port}"}).start()
    try:
        shops = [Shop(server).signup(f"M{i}") for i in range(4)]
        stop = threading.Event()

        def load(shop):
            while not stop.is_set():
                try:
                    shop.place([{"productId": "p-030", "quantity": 1}])
                except Exception:
                    return

        threads = [threading.Thread(target=load, args=(s,)) for s in shops]
        for t in threads:
            t.start()
        time.sleep(2.0)
        server.kill()
        stop.set()
        for t in threads:
            t.join(30)
        server.start()
        admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            orders = all_orders(admin)
            confirmed = {o["id"] for o in orders if o["status"] == "CONFIRMED"}
            if all(o["status"] != "PLACED" for o in orders) and {i for i, _ in confirmations(box)} >= confirmed:
                break
            time.sleep(0.3)
        time.sleep(2)  # room for a duplicate to show up
        mails = confirmations(box)
        assert len(confirmed) > 10
        assert {i for i, _ in mails} == confirmed
        message_ids = {}
        for order_id, message_id in mails:
            message_ids.setdefault(order_id, set()).add(message_id)
        duplicates = {i: m for i, m in message_ids.items() if len(m) > 1}
        assert not duplicates, f"orders with more than one distinct confirmation: {duplicates}"
    finally:
        if server.proc is not None:
            assert server.stop() == 0, server.log_text()
        sink.terminate()
        sink.wait(10)
