"""Scale-out: API nodes and workers (--role) that reach the stream, table and
object services over the AWS protocols (remote backends), against a Rivulet
services node and against independent implementations (kinesalite, dynalite),
with a fault-injecting proxy in between."""
import http.server
import json
import os
import random
import re
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import boto3
import pytest
import requests

from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Listener, Shop
from rivulet_harness import AWS_ENV, BIN, ROOT, Rivulet, wait_until
from test_orders_email import mails_to, smtp  # noqa: F401  (smtp: the aiosmtpd fixture)

CONTRACT_TEST = Path(BIN).parent / "src" / "aws" / "remote" / "aws_remote_test"
ADMIN = {"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD}


class NodeServer:
    """kinesalite or dynalite on a free port (the bench/ launcher scripts);
    they exit when their stdin closes."""

    def __init__(self, script):
        self.proc = subprocess.Popen(["node", str(ROOT / script), "0"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT / Path(script).parent)
        port = self.proc.stdout.readline().decode().strip()
        assert port.isdigit(), f"{script} did not start (run scripts/install-deps for its node_modules)"
        self.url = "http://127.0.0.1:" + port

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(10)


@pytest.fixture
def kinesalite():
    server = NodeServer("bench/stream/kinesalite_server.js")
    yield server.url
    server.stop()


@pytest.fixture
def dynalite():
    server = NodeServer("bench/table/dynalite_server.js")
    yield server.url
    server.stop()


def remote_args(stream=None, table=None, objects=None):
    args = []
    for section, backend, url in (("stream", "kinesis", stream), ("table", "dynamodb", table),
                                  ("objects", "s3", objects)):
        if url:
            args += ["--set", f"{section}.backend={backend}", "--set", f"{section}.endpoint={url}"]
    return args


def start(tmp_path, name, role, *args):
    (tmp_path / name).mkdir()
    server = Rivulet(data_dir=tmp_path / name, extra_args=["--role", role, *args], env={**AWS_ENV, **ADMIN})
    return server.start()


def run_contract_tests(**endpoints):
    env = dict(os.environ, **AWS_ENV, **{f"RIVULET_TEST_{k.upper()}": v for k, v in endpoints.items()})
    result = subprocess.run([str(CONTRACT_TEST), "--gtest_filter=Remote*"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:]
    return result.stdout


def place_and_watch(api):
    """A customer on the API node orders and sees CONFIRMED live over the API
    node's WebSocket; returns the order."""
    shop = Shop(api).signup("Grace")
    listener = Listener(api, [f"orders/{shop.user['id']}"], cookie=shop.cookie)
    try:
        r = shop.place([{"productId": "p-001", "quantity": 1}])
        assert r.status_code == 202, r.text
        order_id = r.json()["id"]
        listener.wait_for(lambda m: m["data"].get("orderId", m["data"].get("id")) == order_id
                          and m["data"].get("status") == "CONFIRMED", timeout=30)
        return shop.wait_for_status(order_id, {"CONFIRMED"})
    finally:
        listener.close()


def test_remote_clients_pass_their_contract_against_rivulet(rivulet):
    out = run_contract_tests(kinesis_endpoint=rivulet.aws_url, dynamodb_endpoint=rivulet.aws_url,
                             s3_endpoint=rivulet.aws_url)
    assert "SKIPPED" not in out


def test_remote_clients_pass_their_contract_against_kinesalite_and_dynalite(kinesalite, dynalite):
    out = run_contract_tests(kinesis_endpoint=kinesalite, dynamodb_endpoint=dynalite, no_transactions="1")
    assert "[  PASSED  ] 5 tests" in out, out[-2000:]  # dynalite has no transactions; no S3 here


def external_function_config(tmp_path, node):
    """A config with an external function whose processes leave a file
    `<node>.started` behind when they start."""
    handler = ROOT / "tests" / "functions" / "runtime_api_handler.py"
    config = tmp_path / f"{node}.toml"
    config.write_text(f"""
[[functions.external]]
name = "py-ext"
command = "touch {tmp_path / (node + '.started')} && exec /usr/bin/python3 {handler}"
""")
    return ["--config", str(config)]


def test_worker_processes_orders_placed_on_an_api_node(tmp_path):
    api = start(tmp_path, "api", "api", *external_function_config(tmp_path, "api"))
    worker = start(tmp_path, "worker", "worker", *remote_args(api.aws_url, api.aws_url, api.aws_url),
                   *external_function_config(tmp_path, "worker"))
    try:
        order = place_and_watch(api)
        assert [h["status"] for h in order["history"]] == ["PLACED", "CONFIRMED"]
        # External functions run on the worker only; the API node knows them
        # (mappings to them can be made there) but starts no process.
        assert (tmp_path / "worker.started").exists(), worker.log_text()
        assert not (tmp_path / "api.started").exists(), api.log_text()
        assert "AWS_LAMBDA_RUNTIME_API" not in api.log_text()
        lam = boto3.client("lambda", endpoint_url=api.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                           aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
        assert lam.get_function(FunctionName="py-ext")["Configuration"]["Handler"] == "index.handler"
        # The worker serves no shop; the API node processes nothing itself.
        assert requests.get(worker.http_url + "/api/products").status_code == 404
        metrics = requests.get(worker.http_url + "/metrics").text
        calls = re.search(r'rivulet_remote_calls\{service="kinesis"\} (\d+)', metrics)
        assert calls and int(calls.group(1)) > 0, metrics[-2000:]
        assert re.search(r'rivulet_function_invocations\{function="order-processor"[^}]*\} [1-9]', metrics), metrics
        assert 'function="order-processor"' not in requests.get(api.http_url + "/metrics").text
    finally:
        worker.stop()
        api.stop()


def test_worker_checks_its_functions_roles_against_the_api_nodes_iam(tmp_path):
    """A worker opens IAM over the API node's tables and re-reads it when it
    changes there: once rivulet-order-processor loses dynamodb:PutItem on
    shop-orders (with `aws iam` on the API node), the worker's order-processor
    stops confirming orders (the denial in the worker's log); with the policy
    back, the retried batch confirms the order."""
    api = start(tmp_path, "api", "api")
    worker = start(tmp_path, "worker", "worker", *remote_args(api.aws_url, api.aws_url, api.aws_url))
    role = "rivulet-order-processor"
    iam = boto3.client("iam", endpoint_url=api.aws_url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
                       aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
    reread = "iam: re-read identities and policies changed on another node"

    def put_policy(document):
        # The whole log (log_text() is its tail): how often the worker re-read IAM.
        count = lambda: (worker.data_dir / "server.log").read_text(errors="replace").count(reread)  # noqa: E731
        seen = count()
        iam.put_role_policy(RoleName=role, PolicyName="least-privilege", PolicyDocument=json.dumps(document))
        wait_until(lambda: count() > seen, 10, "the worker to re-read IAM")

    try:
        place_and_watch(api)
        original = iam.get_role_policy(RoleName=role, PolicyName="least-privilege")["PolicyDocument"]
        if isinstance(original, str):
            original = json.loads(urllib.parse.unquote(original))
        narrowed = json.loads(json.dumps(original))
        for statement in narrowed["Statement"]:
            if statement["Sid"] == "DecideOrders":
                statement["Action"] = [a for a in statement["Action"] if a != "dynamodb:PutItem"]
        put_policy(narrowed)

        shop = Shop(api).signup("Hopper")
        placed = shop.place([{"productId": "p-002", "quantity": 1}])
        assert placed.status_code == 202, placed.text
        order_id = placed.json()["id"]
        audit = (f"principal=arn:aws:iam::000000000000:role/{role} action=dynamodb:PutItem "
                 "resource=arn:aws:dynamodb:us-east-1:000000000000:table/shop-orders")
        wait_until(lambda: audit in worker.log_text(), 30, "the worker's denial in its log")
        assert shop.get(f"/api/orders/{order_id}").json()["status"] == "PLACED"

        put_policy(original)
        shop.wait_for_status(order_id, {"CONFIRMED"}, timeout=30)
    finally:
        worker.stop()
        api.stop()


def test_a_serving_node_over_remote_tables_follows_iam_changes(tmp_path):
    """A --role all node that keeps its tables (IAM included) on an API node
    re-reads IAM when it changes there: a key created with `aws iam` on the
    API node signs requests to the second node's :4566 within about a second
    (before, only after that node restarted)."""
    api = start(tmp_path, "api", "api")
    other = start(tmp_path, "other", "all", *remote_args(api.aws_url, api.aws_url, api.aws_url))
    try:
        client = lambda service, url, **keys: boto3.client(  # noqa: E731
            service, endpoint_url=url, region_name=AWS_ENV["AWS_DEFAULT_REGION"],
            aws_access_key_id=keys.get("id", AWS_ENV["AWS_ACCESS_KEY_ID"]),
            aws_secret_access_key=keys.get("secret", AWS_ENV["AWS_SECRET_ACCESS_KEY"]))
        iam = client("iam", api.aws_url)
        iam.create_user(UserName="late")
        key = iam.create_access_key(UserName="late")["AccessKey"]
        sts = client("sts", other.aws_url, id=key["AccessKeyId"], secret=key["SecretAccessKey"])

        def accepted():
            try:
                return sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/late"
            except sts.exceptions.ClientError as e:
                assert e.response["Error"]["Code"] in ("InvalidClientTokenId", "UnrecognizedClientException"), \
                    e.response
                return False
        wait_until(accepted, 10, "the other node to know the new key")
    finally:
        other.stop()
        api.stop()


def test_orders_flow_through_kinesalite(tmp_path, kinesalite):
    """The stream is kinesalite (not ours); tables and objects stay on the API
    node, which the worker reaches over DynamoDB and S3."""
    api = start(tmp_path, "api", "api", *remote_args(stream=kinesalite))
    worker = start(tmp_path, "worker", "worker", *remote_args(kinesalite, api.aws_url, api.aws_url))
    try:
        place_and_watch(api)
    finally:
        worker.stop()
        api.stop()


class FaultProxy:
    """Forwards HTTP to `upstream`, answering a share of requests with a 500,
    a throttling error or a dropped connection instead."""

    def __init__(self, upstream, fault_rate):
        self.fault_rate = fault_rate
        self.faults = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                roll = random.random()
                if roll < proxy.fault_rate:
                    proxy.faults += 1
                    kind = random.choice(["500", "throttle", "drop"])
                    if kind == "drop":
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    status, text = ((500, '{"__type":"InternalFailure","message":"injected"}') if kind == "500" else
                                    (400, '{"__type":"ThrottlingException","message":"injected"}'))
                    self.send_response(status)
                    self.send_header("content-type", "application/x-amz-json-1.1")
                    self.send_header("content-length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text.encode())
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
                r = requests.request(self.command, upstream + self.path, data=body, headers=headers, timeout=30)
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("content-length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_worker_retries_through_faults_and_says_clearly_when_it_gives_up(tmp_path):
    api = start(tmp_path, "api", "api")
    proxy = FaultProxy(api.aws_url, fault_rate=0.3)
    worker = start(tmp_path, "worker", "worker", *remote_args(proxy.url, proxy.url, proxy.url))
    try:
        for _ in range(3):
            place_and_watch(api)
        assert proxy.faults > 0
        metrics = requests.get(worker.http_url + "/metrics").text
        retries = sum(int(n) for n in re.findall(r"rivulet_remote_retries\{[^}]*\} (\d+)", metrics))
        assert retries > 0, metrics[-2000:]

        proxy.fault_rate = 1.0  # the services node is unreachable now
        deadline = time.monotonic() + 30
        while "giving up after" not in worker.log_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert re.search(r"remote \w+: giving up after 5 attempts", worker.log_text()), worker.log_text()
        proxy.fault_rate = 0.0  # and back: processing resumes
        place_and_watch(api)
    finally:
        worker.stop()
        proxy.close()
        api.stop()


def test_worker_started_before_its_services_waits_for_them(tmp_path):
    api = start(tmp_path, "api", "api")
    proxy = FaultProxy(api.aws_url, fault_rate=1.0)  # the services node is unreachable at first
    threading.Timer(3.0, lambda: setattr(proxy, "fault_rate", 0.0)).start()
    worker = start(tmp_path, "worker", "worker", *remote_args(proxy.url, proxy.url, proxy.url))
    try:
        assert "trying again in 1 s" in worker.log_text(), worker.log_text()
        place_and_watch(api)
    finally:
        worker.stop()
        proxy.close()
        api.stop()


def leases_of(api, mapping):
    """{shard: owner} of a mapping's live leases, read over the DynamoDB API."""
    client = boto3.client("dynamodb", endpoint_url=api.aws_url, region_name="us-east-1",
                          aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
    items = client.query(TableName="rivulet-leases", KeyConditionExpression="mapping_id = :m",
                         ExpressionAttributeValues={":m": {"S": mapping}}, ConsistentRead=True)["Items"]
    now = time.time() * 1000
    return {i["shard_id"]["S"]: i["owner"]["S"] for i in items
            if i.get("owner", {}).get("S") and int(i["expires"]["N"]) > now}


def test_workers_share_shards_and_take_over_from_a_killed_one(tmp_path, smtp):
    mapping = "order-processor-orders"
    api = start(tmp_path, "api", "api", "--set", "orders.shards=4")
    workers = {}

    def start_worker(name):
        (tmp_path / name).mkdir(exist_ok=True)
        server = Rivulet(data_dir=tmp_path / name, env={**AWS_ENV, **ADMIN, "RIVULET_SMTP_URL": f"smtp://127.0.0.1:{smtp[0]}"},
                         extra_args=["--role", "worker", *remote_args(api.aws_url, api.aws_url, api.aws_url),
                                     "--set", "functions.lease_failover_ms=3000", "--set", f"functions.worker_id={name}",
                                     # An email the killed worker was sending goes out from another after 2 x 2 s.
                                     "--set", "smtp.timeout_ms=2000",
                                     "--set", "orders.shards=4"])
        workers[name] = server.start()

    try:
        for name in ("w1", "w2", "w3"):
            start_worker(name)
        # Four shards over three workers: nobody holds more than two, each holds one.
        spread = wait_until(lambda: (lambda l: l if len(l) == 4 and set(l.values()) == set(workers) else None)(
            leases_of(api, mapping)), 30, "the shards to spread over three workers")
        assert max(list(spread.values()).count(w) for w in workers) <= 2, spread

        shop = Shop(api).signup("Ada")
        placed = [shop.place([{"productId": "p-002", "quantity": 1}]).json()["id"] for _ in range(8)]
        busiest = max(workers, key=lambda w: list(spread.values()).count(w))
        workers.pop(busiest).kill()
        placed += [shop.place([{"productId": "p-002", "quantity": 1}]).json()["id"] for _ in range(8)]

        # Its shards move to the others within the failover time (3 s) and a few rounds.
        moved = wait_until(lambda: (lambda l: l if len(l) == 4 and busiest not in l.values() else None)(
            leases_of(api, mapping)), 20, "the killed worker's shards to move")
        assert set(moved.values()) <= set(workers), moved
        for order_id in placed:
            shop.wait_for_status(order_id, {"CONFIRMED"}, timeout=30)
        # One confirmation email per order, none doubled by the takeover.
        mails = wait_until(lambda: (lambda m: m if len(m) >= len(placed) else None)(
            mails_to(smtp[1], shop.user["email"])), 30, "the confirmation emails")
        time.sleep(1)
        ids = [m["Message-ID"] for m in mails_to(smtp[1], shop.user["email"])]
        assert len(ids) == len(placed) and len(set(ids)) == len(ids), ids
        # The api node shares the outbox but never delivers from it (it has no
        # SMTP server: it would only log them, and the customer get nothing).
        assert "email not sent" not in (api.data_dir / "server.log").read_text(errors="replace")

        start_worker(busiest)  # back again: the shards rebalance to include it
        wait_until(lambda: busiest in leases_of(api, mapping).values(), 30, "the restarted worker to get a shard")
    finally:
        for server in workers.values():
            server.stop()
        api.stop()
