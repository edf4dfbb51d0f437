"""Who may follow which /ws topic: a customer only their own orders, admins
everything of the shop's, anonymous connections none of it."""
import asyncio
import json
import sys
from pathlib import Path

import pytest
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("wsauth") / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def replies(server, cookie, topics):
    """Subscribes to each topic in turn; returns the hub's reply op per topic."""
    async def run():
        headers = {"Cookie": cookie} if cookie else {}
        out = {}
        async with websockets.connect(f"ws://127.0.0.1:{server.http_port}/ws", extra_headers=headers) as ws:
            for t in topics:
                await ws.send(json.dumps({"op": "subscribe", "topic": t}))
                out[t] = json.loads(await asyncio.wait_for(ws.recv(), 10))["op"]
        return out
    return asyncio.run(run())


def test_customer_follows_only_their_own_orders(server):
    ada, bob = Shop(server).signup("Ada"), Shop(server).signup("Bob")
    got = replies(server, ada.cookie, [f"orders/{ada.user['id']}", f"orders/{bob.user['id']}",
                                           "admin/orders", "analytics"])
    assert got == {f"orders/{ada.user['id']}": "subscribed", f"orders/{bob.user['id']}": "error",
                   "admin/orders": "error", "analytics": "error"}


def test_admin_follows_the_shop_topics(server):
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    ada = Shop(server).signup("Ada")
    got = replies(server, admin.cookie, ["admin/orders", "analytics", f"orders/{ada.user['id']}"])
    assert set(got.values()) == {"subscribed"}


def test_anonymous_connection_gets_no_shop_topic(server):
    ada = Shop(server).signup("Ada")
    got = replies(server, "", [f"orders/{ada.user['id']}", "analytics"])
    assert set(got.values()) == {"error"}
