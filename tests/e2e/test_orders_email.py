"""Confirmation emails: a real SMTP server (aiosmtpd, Maildir) receives
exactly one email per order and status, with the customer's name, the items
and the total."""
import email
import email.policy
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop  # noqa: E402
from smtp_sink import free_port, start_sink  # noqa: E402


@pytest.fixture
def smtp(tmp_path):
    port, box = free_port(), tmp_path / "mail"
    proc = start_sink(port, box)
    yield port, box
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def server(tmp_path, smtp):
    data = tmp_path / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD,
                                    "RIVULET_SMTP_URL": f"smtp://127.0.0.1:{smtp[0]}"})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def mails_to(box, address):
    out = []
    for f in sorted((box / "new").glob("*")) if (box / "new").exists() else []:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        if address in msg["To"]:
            out.append(msg)
    return out


def wait_mails(box, address, count, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = mails_to(box, address)
        if len(got) >= count:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{len(mails_to(box, address))} emails to {address}, expected {count}")


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_one_confirmation_and_one_shipping_email_per_order(server, smtp):
    box = smtp[1]
    shop = Shop(server).signup("Grace")
    product = shop.product("p-021")
    order_id = shop.place([{"productId": "p-021", "quantity": 3}]).json()["id"]
    shop.wait_for_status(order_id, {"CONFIRMED"})
    [confirmation] = wait_mails(box, shop.user["email"], 1)
    body = text_of(confirmation)
    assert "Grace" in body and product["name"] in body
    total = product["price"] * 3
    assert f"{total // 100}.{total % 100:02d}" in body
    assert confirmation["Message-ID"]
    # The order's number, as the site shows it beside the id (web/src/lib/format.ts).
    assert f"order {order_id[-8:].upper()} is confirmed" in confirmation["Subject"]

    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert admin.post(f"/api/admin/orders/{order_id}/status", json={"status": "SHIPPED"}).status_code == 202
    mails = wait_mails(box, shop.user["email"], 2)
    time.sleep(1.5)  # a duplicate would arrive within the dispatcher's next rounds
    mails = mails_to(box, shop.user["email"])
    assert len(mails) == 2
    assert len({m["Message-ID"] for m in mails}) == 2
