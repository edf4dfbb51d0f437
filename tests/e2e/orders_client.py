"""Small helpers for the order-system e2e tests: a signed-in shop client and
a WebSocket listener, both against a real rivulet on 127.0.0.1."""
import asyncio
import json
import secrets
import threading
import time
import queue

import boto3
import requests
import websockets

from rivulet_harness import AWS_ENV

ADMIN_EMAIL = "boss@example.com"
ADMIN_PASSWORD = "admin-password-1"
ADDRESS = {"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
           "postalCode": "SW1Y 4JH", "country": "GB"}


def aws_client(server, service):
    """A boto3 client of `service` ("dynamodb", "kinesis") on the server's AWS endpoint."""
    return boto3.client(service, endpoint_url=server.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])


def set_stock(server, product_id, stock):
    """Sets the stock through the DynamoDB API, as an operator would."""
    aws_client(server, "dynamodb").update_item(TableName="shop-products", Key={"id": {"S": product_id}},
                    UpdateExpression="SET stock = :s", ExpressionAttributeValues={":s": {"N": str(stock)}})


class Shop:
    def __init__(self, server):
        self.base = server.http_url
        self.s = requests.Session()
        self.user = None

    def url(self, path):
        return self.base + path

    @property
    def cookie(self):
        """The session cookie, for a WebSocket opened as this user."""
        return "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)

    def signup(self, name="Ada"):
        email = f"{name.lower()}-{secrets.token_hex(4)}@example.com"
        r = self.s.post(self.url("/api/auth/signup"), json={"email": email, "password": "s3cret-pass", "name": name})
        assert r.status_code == 201, r.text
        self.user = r.json()
        return self

    def login(self, email, password):
        r = self.s.post(self.url("/api/auth/login"), json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.user = r.json()
        return self

    def get(self, path, **kw):
        return self.s.get(self.url(path), **kw)

    def post(self, path, **kw):
        return self.s.post(self.url(path), **kw)

    def pages(self, path, **params):
        """Every page of a cursor-paged list (`params` as query), in order; each must be a 200."""
        pages, cursor = [], None
        while True:
            r = self.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            pages.append(r.json())
            cursor = pages[-1]["nextCursor"]
            if cursor is None:
                return pages

    def product(self, pid):
        r = self.get(f"/api/products/{pid}")
        assert r.status_code == 200, r.text
        return r.json()

    def place(self, items, headers=None):
        return self.post("/api/orders", json={"items": items, "shippingAddress": ADDRESS}, headers=headers or {})

    def wait_for_status(self, order_id, statuses, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.get(f"/api/orders/{order_id}")
            if r.status_code == 200 and r.json()["status"] in statuses:
                return r.json()
            time.sleep(0.02)
        raise AssertionError(f"order {order_id} did not reach {statuses}: {r.status_code} {r.text}")


class Listener:
    """Subscribes to topics on /ws in a background thread and queues every
    {"topic","data"} message it receives."""

    def __init__(self, server, topics, cookie=""):
        self.url = f"ws://127.0.0.1:{server.http_port}/ws"
        self.topics = topics
        self.cookie = cookie
        self.messages = queue.Queue()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "WebSocket subscription not confirmed"

    async def _run(self):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        async with websockets.connect(self.url, extra_headers=headers) as ws:
            for t in self.topics:
                await ws.send(json.dumps({"op": "subscribe", "topic": t}))
            pending = set(self.topics)
            while not self.stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.2)
                except asyncio.TimeoutError:
                    continue
                msg = json.loads(raw)
                if msg.get("op") == "subscribed":
                    pending.discard(msg.get("topic"))
                    if not pending:
                        self.ready.set()
                elif "topic" in msg:
                    self.messages.put(msg)

    def wait_for(self, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                msg = self.messages.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(msg)
            if predicate(msg):
                return msg
        raise AssertionError(f"no matching WebSocket message; saw {seen}")

    def close(self):
        self.stop.set()
        self.thread.join(5)
