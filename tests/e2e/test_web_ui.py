"""The web UI in headless Chromium (playwright-core) against the real server:
the shop flow (sign up, cart, checkout, CONFIRMED live, another customer sees
nothing), the same at phone size, and the admin flow (dashboard moves, ship,
the customer sees SHIPPED live, a restock from a product page, then a tour of
the operations console: a stream's live tail, functions, a table query, a
bucket and a download, the outbox, IAM). Screenshots land in
build/e2e-screenshots/.
"""
import os
import subprocess
from pathlib import Path

import pytest

from rivulet_harness import AWS_ENV, ROOT, Rivulet

WEB = ROOT / "web"
ADMIN = {"RIVULET_ADMIN_EMAIL": "admin@rivulet.test", "RIVULET_ADMIN_PASSWORD": "admin-password-123"}

pytestmark = pytest.mark.skipif(not (WEB / "dist" / "index.html").exists(),
                                reason="web/dist is not built (scripts/build builds it)")


@pytest.fixture
def shop(tmp_path):
    server = Rivulet(data_dir=tmp_path / "data", env=ADMIN,
                     extra_args=["--static-dir", str(WEB / "dist")])
    server.data_dir.mkdir()
    server.start()
    yield server
    assert server.stop() == 0, server.log_text()


def run_script(name, server, **env):
    shots = ROOT / "build" / "e2e-screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["node", f"e2e/{name}"], cwd=WEB, capture_output=True, text=True, timeout=240,
        env=dict(os.environ, **AWS_ENV, RIVULET_URL=server.http_url, AWS_URL=server.aws_url, SCREENSHOT_DIR=str(shots),
                 ADMIN_EMAIL=ADMIN["RIVULET_ADMIN_EMAIL"], ADMIN_PASSWORD=ADMIN["RIVULET_ADMIN_PASSWORD"], **env))
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}\n{server.log_text()}"


def test_customer_orders_and_sees_confirmation_live(shop):
    run_script("shop.e2e.mjs", shop)


def test_shop_flow_at_phone_size(shop):
    run_script("shop.e2e.mjs", shop, PHONE="1")


def test_admin_ships_and_customer_sees_it_live(shop):
    run_script("admin.e2e.mjs", shop)
