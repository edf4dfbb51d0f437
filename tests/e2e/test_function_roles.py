"""Execution roles of the built-in functions: order-processor acts under the
role rivulet-order-processor, created at the first start with a least-privilege
policy. Replacing that policy through `aws iam` with one that lacks
dynamodb:PutItem on shop-orders stops the function's writes (an audit line,
rivulet_iam_denials_total, the order stays PLACED); restoring it lets the
retried batch through."""
import json
import os
import subprocess
import time

import pytest
import requests

from rivulet_harness import AWS_ENV, Rivulet
from orders_client import ADMIN_EMAIL, ADMIN_PASSWORD, Shop

AWS = "/usr/bin/aws"
ROLE = "rivulet-order-processor"
ARN = "arn:aws:iam::000000000000:role/" + ROLE


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("roles") / "data"
    data.mkdir()
    s = Rivulet(data_dir=data, env={"RIVULET_ADMIN_EMAIL": ADMIN_EMAIL, "RIVULET_ADMIN_PASSWORD": ADMIN_PASSWORD})
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def iam(server, *args):
    out = subprocess.run([AWS, "--endpoint-url", server.aws_url, "--output", "json", "iam", *args],
                         capture_output=True, text=True, env={**os.environ, **AWS_ENV}, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


def wait_until(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def denials(server, principal=ARN, action="dynamodb:PutItem"):
    text = requests.get(server.http_url + "/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith("rivulet_iam_denials_total{") and f'principal="{principal}"' in line and \
                f'action="{action}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_order_processor_writes_only_what_its_role_allows(server):
    shop = Shop(server).signup()
    first = shop.place([{"productId": "p-001", "quantity": 1}])
    assert first.status_code == 202, first.text
    shop.wait_for_status(first.json()["id"], {"CONFIRMED"})  # the default policy is enough

    roles = {r["RoleName"]: r for r in iam(server, "list-roles")["Roles"]}
    assert {"rivulet-order-processor", "rivulet-archiver", "rivulet-notifier", "rivulet-analytics"} <= set(roles)
    original = iam(server, "get-role-policy", "--role-name", ROLE, "--policy-name", "least-privilege")[
        "PolicyDocument"]
    # The same policy without PutItem on the orders table.
    narrowed = json.loads(json.dumps(original))
    for statement in narrowed["Statement"]:
        if statement["Sid"] == "DecideOrders":
            statement["Action"] = [a for a in statement["Action"] if a != "dynamodb:PutItem"]
    iam(server, "put-role-policy", "--role-name", ROLE, "--policy-name", "least-privilege",
        "--policy-document", json.dumps(narrowed))

    second = shop.place([{"productId": "p-002", "quantity": 1}])
    assert second.status_code == 202, second.text
    order_id = second.json()["id"]
    audit = f"principal={ARN} action=dynamodb:PutItem resource=arn:aws:dynamodb:us-east-1:000000000000:table/shop-orders"
    wait_until(lambda: audit in server.log_text(), "the denial in the log")
    assert denials(server) >= 1
    # The denied write never happened: the order is still as the API wrote it.
    assert shop.get(f"/api/orders/{order_id}").json()["status"] == "PLACED"

    iam(server, "put-role-policy", "--role-name", ROLE, "--policy-name", "least-privilege",
        "--policy-document", json.dumps(original))
    shop.wait_for_status(order_id, {"CONFIRMED"}, timeout=30)  # the retried batch goes through


def test_notifier_enqueues_emails_only_as_its_role_allows(server):
    """The notifier writes outbox entries through its role's client: without
    dynamodb:PutItem on rivulet-outbox no email is queued (an audit line);
    with the policy back, the retried batch queues it (here the email is
    logged: the test server has no SMTP server)."""
    role, arn = "rivulet-notifier", "arn:aws:iam::000000000000:role/rivulet-notifier"
    original = iam(server, "get-role-policy", "--role-name", role, "--policy-name", "least-privilege")[
        "PolicyDocument"]
    narrowed = json.loads(json.dumps(original))
    for statement in narrowed["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != "dynamodb:PutItem"]
    iam(server, "put-role-policy", "--role-name", role, "--policy-name", "least-privilege",
        "--policy-document", json.dumps(narrowed))

    shop = Shop(server).signup()
    placed = shop.place([{"productId": "p-003", "quantity": 1}])
    assert placed.status_code == 202, placed.text
    shop.wait_for_status(placed.json()["id"], {"CONFIRMED"})  # the order-processor is not affected
    audit = f"principal={arn} action=dynamodb:PutItem resource=arn:aws:dynamodb:us-east-1:000000000000:table/rivulet-outbox"
    wait_until(lambda: audit in server.log_text(), "the notifier's denial in the log")
    sent = f"email not sent (no smtp.url configured): to={shop.user['email']}"
    assert sent not in server.log_text()

    iam(server, "put-role-policy", "--role-name", role, "--policy-name", "least-privilege",
        "--policy-document", json.dumps(original))
    wait_until(lambda: sent in server.log_text(), "the email once the notifier may write the outbox")


def activity_mapping(admin):
    body = admin.get("/api/admin/functions").json()
    return next(m for m in body["mappings"] if m["id"] == "analytics-activity")


def records_processed(mapping):
    return sum(s["recordsProcessed"] for s in mapping["shards"])


def post_events(server, count):
    for _ in range(count):
        r = requests.post(server.http_url + "/api/events", json={"type": "page_view"}, timeout=10)
        assert r.status_code == 202, r.text


def test_runtime_reads_a_mapping_source_with_the_function_role(server):
    """The runtime reads each mapping's stream with its function's role, as
    Lambda's poller does: analytics without kinesis:GetRecords on the activity
    stream stops receiving its records (an audit line, a denial metric, the
    mapping's LastProcessingResult says why); with the policy back it resumes
    where it stopped, nothing skipped."""
    role, arn = "rivulet-analytics", "arn:aws:iam::000000000000:role/rivulet-analytics"
    stream_arn = "arn:aws:kinesis:*:000000000000:stream/"
    admin = Shop(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    before = records_processed(activity_mapping(admin))
    post_events(server, 1)
    wait_until(lambda: records_processed(activity_mapping(admin)) == before + 1, "analytics to read an event")
    assert activity_mapping(admin)["lastProcessingResult"] == "OK"

    original = iam(server, "get-role-policy", "--role-name", role, "--policy-name", "least-privilege")[
        "PolicyDocument"]
    # Reading orders as before; on activity everything but GetRecords.
    narrowed = json.loads(json.dumps(original))
    for statement in narrowed["Statement"]:
        statement["Resource"] = [stream_arn + "orders"]
    narrowed["Statement"].append({"Sid": "ActivityWithoutRecords", "Effect": "Allow",
                                  "Action": ["kinesis:DescribeStream", "kinesis:GetShardIterator",
                                             "kinesis:ListShards"],
                                  "Resource": [stream_arn + "activity"]})
    iam(server, "put-role-policy", "--role-name", role, "--policy-name", "least-privilege",
        "--policy-document", json.dumps(narrowed))
    denied_before = denials(server, arn, "kinesis:GetRecords")
    post_events(server, 3)

    audit = f"principal={arn} action=kinesis:GetRecords resource=arn:aws:kinesis:us-east-1:000000000000:stream/activity"
    wait_until(lambda: audit in server.log_text(), "the denied read in the log")
    assert denials(server, arn, "kinesis:GetRecords") > denied_before
    problem = "PROBLEM: Function execution role does not have permissions to read the stream: "
    wait_until(lambda: activity_mapping(admin)["lastProcessingResult"].startswith(problem), "the mapping's problem")
    assert "kinesis:GetRecords" in activity_mapping(admin)["lastProcessingResult"]
    out = subprocess.run([AWS, "--endpoint-url", server.aws_url, "--output", "json", "lambda",
                          "get-event-source-mapping", "--uuid", "analytics-activity"],
                         capture_output=True, text=True, env={**os.environ, **AWS_ENV}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["LastProcessingResult"].startswith(problem)
    assert records_processed(activity_mapping(admin)) == before + 1  # nothing read past the denial

    iam(server, "put-role-policy", "--role-name", role, "--policy-name", "least-privilege",
        "--policy-document", json.dumps(original))
    wait_until(lambda: records_processed(activity_mapping(admin)) >= before + 4, "analytics to resume")
    assert records_processed(activity_mapping(admin)) == before + 4  # each event once, none skipped
    wait_until(lambda: activity_mapping(admin)["lastProcessingResult"] == "OK", "the problem to clear")
