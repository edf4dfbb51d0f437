"""The operations console's admin API against a real server: streams with
their shards, consumers and a cursor-driven live tail; tables browsed and
queried (secrets redacted, internal tables such as shop-users refused); buckets browsed by prefix and objects downloaded;
the email outbox; IAM users, roles, policies and the simulator; admin-only access with problem+json."""
import time

import boto3
import pytest
import requests
from botocore.config import Config

from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop
from rivulet_harness import AWS_ENV, Rivulet

ROUTES = [("GET", "/api/admin/streams"), ("GET", "/api/admin/streams/orders"),
          ("GET", "/api/admin/streams/orders/records"), ("GET", "/api/admin/tables"),
          ("POST", "/api/admin/tables/shop-orders/query"), ("GET", "/api/admin/buckets"),
          ("GET", "/api/admin/buckets/b/objects"), ("GET", "/api/admin/buckets/b/download?key=k"),
          ("GET", "/api/admin/outbox"), ("POST", "/api/admin/outbox/requeue"), ("GET", "/api/admin/iam/users"),
          ("POST", "/api/admin/iam/simulate")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("console") / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


@pytest.fixture(scope="module")
def order(server):
    customer = Shop(server).signup("Ada")
    order_id = customer.place([{"productId": "p-001", "quantity": 1}]).json()["id"]
    customer.wait_for_status(order_id, {"CONFIRMED"})
    return customer, order_id


@pytest.fixture(scope="module")
def admin(server, order):
    return Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)


def problem(r, status, field=None):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["detail"] and body["requestId"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def test_only_admins_get_in(server, order):
    customer, _ = order
    for method, path in ROUTES:
        problem(requests.request(method, server.http_url + path, json={}, timeout=10), 401)
        problem(customer.s.request(method, server.http_url + path, json={}, timeout=10), 403)


def test_streams_show_shards_covering_the_hash_space_and_their_consumers(admin):
    names = [s["name"] for s in admin.get("/api/admin/streams").json()["items"]]
    assert {"orders", "activity"} <= set(names)

    r = admin.get("/api/admin/streams/orders")
    assert r.status_code == 200, r.text
    stream = r.json()
    shards = sorted((s for s in stream["shards"] if s["open"]), key=lambda s: int(s["startingHashKey"]))
    assert shards[0]["startingHashKey"] == "0" and shards[-1]["endingHashKey"] == str(2**128 - 1)
    for a, b in zip(shards, shards[1:]):
        assert int(b["startingHashKey"]) == int(a["endingHashKey"]) + 1
    assert all(s["recordsInPerSecond"] >= 0 for s in shards)
    processor = [c for c in stream["consumers"] if c["function"] == "order-processor"]
    assert processor and processor[0]["recordsProcessed"] >= 1 and processor[0]["millisBehindLatest"] >= 0

    problem(admin.get("/api/admin/streams/no-such-stream"), 404)


def test_the_tail_shows_recent_records_then_only_new_ones(server, admin, order):
    customer, order_id = order
    first = admin.get("/api/admin/streams/orders/records", params={"since": 600, "limit": 200}).json()
    assert any(order_id in r["data"] for r in first["records"] if r["encoding"] == "text"), first
    assert all({"shardId", "sequenceNumber", "partitionKey", "arrivedAt"} <= set(r) for r in first["records"])

    second_id = customer.place([{"productId": "p-002", "quantity": 1}]).json()["id"]
    cursor, seen = first["cursor"], []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(second_id in r["data"] for r in seen):
        page = admin.get("/api/admin/streams/orders/records", params={"cursor": cursor}).json()
        cursor = page["cursor"]
        seen += page["records"]
        time.sleep(0.2)
    assert any(second_id in r["data"] for r in seen), seen
    assert not any(order_id in r["data"] and "OrderPlaced" in r["data"] for r in seen), "old records came again"

    problem(admin.get("/api/admin/streams/orders/records", params={"cursor": "nonsense"}), 400, "cursor")
    problem(admin.get("/api/admin/streams/orders/records", params={"limit": 0}), 400, "limit")


def test_tables_are_listed_browsed_and_queried(server, admin, order):
    _, order_id = order
    tables = {t["name"]: t for t in admin.get("/api/admin/tables").json()["items"]}
    assert tables["shop-orders"]["keySchema"][0]["type"] == "HASH"
    key = tables["shop-orders"]["keySchema"][0]["name"]

    r = admin.post("/api/admin/tables/shop-orders/query",
                   json={"keyCondition": "#k = :v", "names": {"#k": key}, "values": {":v": {"S": order_id}}})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1 and r.json()["items"][0][key] == {"S": order_id}

    # The shop's users hold password hashes: an internal table, neither
    # listed nor readable here (customers are seen at /api/admin/customers).
    assert "shop-users" not in tables and "shop-sessions" not in tables
    assert "internal to Rivulet" in problem(admin.post("/api/admin/tables/shop-users/query", json={}), 403)["detail"]
    # Secret-looking attributes of other tables are redacted.
    ddb = boto3.client("dynamodb", endpoint_url=server.aws_url, region_name="us-east-1",
                       aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
    ddb.create_table(TableName="console-accounts", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.put_item(TableName="console-accounts", Item={"id": {"S": "a"}, "passwordHash": {"S": "$argon2id$x"},
                                                     "name": {"S": "Ada"}})
    accounts = admin.post("/api/admin/tables/console-accounts/query", json={"limit": 100}).json()
    assert accounts["items"] == [{"id": {"S": "a"}, "passwordHash": {"S": "[redacted]"}, "name": {"S": "Ada"}}]
    assert accounts["redacted"] == ["passwordHash"]

    page = admin.post("/api/admin/tables/shop-products/query", json={"limit": 5}).json()
    assert len(page["items"]) == 5 and page["lastKey"]
    after = admin.post("/api/admin/tables/shop-products/query", json={"limit": 5, "startKey": page["lastKey"]}).json()
    assert not {str(i) for i in after["items"]} & {str(i) for i in page["items"]}

    problem(admin.post("/api/admin/tables/shop-orders/query", json={"keyCondition": "id ="}), 400, "keyCondition")
    problem(admin.post("/api/admin/tables/shop-orders/query", json={"values": {":v": {"Q": "x"}}}), 400, "values")
    problem(admin.post("/api/admin/tables/shop-orders/query", json={"limit": 1000}), 400, "limit")
    problem(admin.post("/api/admin/tables/shop-orders/query", data="{", headers={"Content-Type": "application/json"}), 400)
    problem(admin.post("/api/admin/tables/no-such-table/query", json={}), 404)


def test_buckets_are_browsed_by_prefix_and_objects_downloaded(server, admin):
    s3 = boto3.client("s3", endpoint_url=server.aws_url, region_name="us-east-1",
                      aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                      config=Config(retries={"max_attempts": 1}))
    s3.create_bucket(Bucket="console-test")
    s3.put_object(Bucket="console-test", Key="archive/2026/a.jsonl", Body=b'{"a":1}\n', ContentType="application/x-ndjson")
    s3.put_object(Bucket="console-test", Key="archive/2026/b.jsonl", Body=b'{"b":2}\n')
    s3.put_object(Bucket="console-test", Key="top \u00e9t\u00e9.txt", Body=b"hello")

    assert "console-test" in [b["name"] for b in admin.get("/api/admin/buckets").json()["items"]]
    root = admin.get("/api/admin/buckets/console-test/objects").json()
    assert root["prefixes"] == ["archive/"] and [o["key"] for o in root["objects"]] == ["top \u00e9t\u00e9.txt"]
    inner = admin.get("/api/admin/buckets/console-test/objects", params={"prefix": "archive/2026/", "limit": 1}).json()
    assert [o["key"] for o in inner["objects"]] == ["archive/2026/a.jsonl"] and inner["nextCursor"]
    rest = admin.get("/api/admin/buckets/console-test/objects",
                     params={"prefix": "archive/2026/", "cursor": inner["nextCursor"]}).json()
    assert [o["key"] for o in rest["objects"]] == ["archive/2026/b.jsonl"] and rest["nextCursor"] is None

    r = admin.get("/api/admin/buckets/console-test/download", params={"key": "archive/2026/a.jsonl"})
    assert r.status_code == 200 and r.content == b'{"a":1}\n'
    assert r.headers["Content-Type"] == "application/x-ndjson"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="a.jsonl"')
    r = admin.get("/api/admin/buckets/console-test/download", params={"key": "top \u00e9t\u00e9.txt"})
    assert r.content == b"hello" and "filename*=UTF-8''top%20%C3%A9t%C3%A9.txt" in r.headers["Content-Disposition"]

    problem(admin.get("/api/admin/buckets/console-test/download", params={"key": "missing"}), 404)
    problem(admin.get("/api/admin/buckets/console-test/download"), 400, "key")
    problem(admin.get("/api/admin/buckets/no-such-bucket/objects"), 404)


def test_the_outbox_lists_emails_by_state(admin, order):
    deadline = time.monotonic() + 15
    while True:
        body = admin.get("/api/admin/outbox", params={"state": "SENT"}).json()
        if body["counts"]["SENT"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["counts"]["SENT"] >= 1 and set(body["counts"]) == {"QUEUED", "SENT", "FAILED"}
    assert body["countLimit"] == 10000 and body["counts"]["SENT"] < body["countLimit"]
    sent = body["items"][0]
    assert sent["state"] == "SENT" and sent["subject"] and sent["to"]

    problem(admin.get("/api/admin/outbox", params={"state": "LOST"}), 400, "state")
    problem(admin.post("/api/admin/outbox/requeue", json={"id": sent["id"]}), 409)
    problem(admin.post("/api/admin/outbox/requeue", json={"id": "no-such-email"}), 404)
    problem(admin.post("/api/admin/outbox/requeue", json={}), 400, "id")


def iam_cli(server, *args):
    import json
    import os
    import subprocess
    out = subprocess.run(["/usr/bin/aws", "--endpoint-url", server.aws_url, "--output", "json", "iam", *args],
                         capture_output=True, text=True, env={**os.environ, **AWS_ENV}, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_iam_lists_principals_and_policies_and_explains_decisions(server, admin):
    import json
    iam_cli(server, "create-user", "--user-name", "console-reader")
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "kinesis:Get*", "Resource": "*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "kinesis:Delete*", "Resource": "*"}]}
    arn = iam_cli(server, "create-policy", "--policy-name", "console-read",
                  "--policy-document", json.dumps(doc))["Policy"]["Arn"]
    iam_cli(server, "attach-user-policy", "--user-name", "console-reader", "--policy-arn", arn)
    key = iam_cli(server, "create-access-key", "--user-name", "console-reader")["AccessKey"]

    users = {u["name"]: u for u in admin.get("/api/admin/iam/users").json()["items"]}
    assert users["console-reader"]["attachedPolicies"] == ["console-read"]
    assert users["console-reader"]["arn"] == "arn:aws:iam::000000000000:user/console-reader"
    roles = {r["name"]: r for r in admin.get("/api/admin/iam/roles").json()["items"]}
    assert roles["rivulet-order-processor"]["inlinePolicies"] == ["least-privilege"]
    assert roles["rivulet-order-processor"]["trustPolicy"]["Statement"][0]["Action"] == "sts:AssumeRole"
    policies = {p["name"]: p for p in admin.get("/api/admin/iam/policies").json()["items"]}
    assert policies["console-read"]["document"] == doc and policies["console-read"]["attachments"] == 1
    assert policies["rivulet-order-processor/least-privilege"]["inline"] is True
    listing = admin.get("/api/admin/iam/users").text + admin.get("/api/admin/iam/policies").text
    assert key["SecretAccessKey"] not in listing and key["AccessKeyId"] not in listing

    stream = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
    sim = admin.post("/api/admin/iam/simulate", json={"principal": "console-reader", "action": "kinesis:GetRecords",
                                                      "resource": stream}).json()
    assert sim["decision"] == "allowed" and "Statement Read in console-read allows" in sim["reason"]
    assert [(m["policy"], m["sid"], m["effect"]) for m in sim["matched"]] == [("console-read", "Read", "Allow")]
    sim = admin.post("/api/admin/iam/simulate", json={"principal": "arn:aws:iam::000000000000:user/console-reader",
                                                      "action": "kinesis:DeleteStream", "resource": stream}).json()
    assert sim["decision"] == "explicitDeny" and sim["matched"][0]["statement"] == doc["Statement"][1]
    sim = admin.post("/api/admin/iam/simulate", json={"principal": "rivulet-order-processor",
                                                      "action": "dynamodb:DeleteTable",
                                                      "resource": "arn:aws:dynamodb:us-east-1:000000000000:table/shop-orders"}).json()
    assert sim["decision"] == "implicitDeny" and sim["matched"] == []
    problem(admin.post("/api/admin/iam/simulate", json={"principal": "nobody", "action": "s3:GetObject",
                                                        "resource": "*"}), 404, "principal")
    problem(admin.post("/api/admin/iam/simulate", json={"principal": "console-reader", "resource": "*"}), 400,
            "action")
    problem(admin.get("/api/admin/iam/groups"), 404)