"""IAM on the AWS endpoint with the real AWS CLI and botocore: users, access
keys and policies created through `aws iam`, then enforced on Kinesis and
DynamoDB calls; SigV4 tampering of every kind is refused before any handler
runs."""
import json
import os
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from orders_client import Shop
from rivulet_harness import AWS_ENV, Rivulet, sign_headers

AWS = "/usr/bin/aws"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Rivulet(data_dir=tmp_path_factory.mktemp("iam") / "data")
    s.data_dir.mkdir()
    s.start()
    yield s
    assert s.stop() == 0, s.log_text()


def cli(server, *args, env=None, check=True):
    out = subprocess.run([AWS, "--endpoint-url", server.aws_url, "--output", "json", *args],
                         capture_output=True, text=True, env={**os.environ, **AWS_ENV, **(env or {})}, timeout=60)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def user_env(key):
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


PRODUCER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Produce", "Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:PutRecords",
                                                          "kinesis:DescribeStream*"],
         "Resource": "arn:aws:kinesis:*:*:stream/iam-orders"},
        {"Sid": "ReadTables", "Effect": "Allow", "Action": "dynamodb:Describe*", "Resource": "*"},
        {"Sid": "NeverDelete", "Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "*"},
    ],
}


def test_cli_user_with_policy_is_allowed_and_denied_as_written(server):
    cli(server, "kinesis", "create-stream", "--stream-name", "iam-orders", "--shard-count", "1")
    cli(server, "dynamodb", "create-table", "--table-name", "iam-table", "--billing-mode", "PAY_PER_REQUEST",
        "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH")
    user = json.loads(cli(server, "iam", "create-user", "--user-name", "producer").stdout)["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/producer"
    key = json.loads(cli(server, "iam", "create-access-key", "--user-name", "producer").stdout)["AccessKey"]
    cli(server, "iam", "put-user-policy", "--user-name", "producer", "--policy-name", "produce",
        "--policy-document", json.dumps(PRODUCER_POLICY))
    stored = json.loads(cli(server, "iam", "get-user-policy", "--user-name", "producer",
                            "--policy-name", "produce").stdout)
    assert stored["PolicyDocument"] == PRODUCER_POLICY

    env = user_env(key)
    put = cli(server, "kinesis", "put-record", "--stream-name", "iam-orders", "--partition-key", "p",
              "--data", "aGk=", env=env)
    assert json.loads(put.stdout)["ShardId"] == "shardId-000000000000"
    denied = cli(server, "dynamodb", "delete-table", "--table-name", "iam-table", env=env, check=False)
    assert denied.returncode != 0
    assert "AccessDeniedException" in denied.stderr and "explicit deny" in denied.stderr
    other = cli(server, "kinesis", "put-record", "--stream-name", "elsewhere", "--partition-key", "p",
                "--data", "aGk=", env=env, check=False)
    assert "AccessDeniedException" in other.stderr and "no identity-based policy allows" in other.stderr
    assert json.loads(cli(server, "sts", "get-caller-identity", env=env).stdout)["Arn"] == user["Arn"]
    # The table is still there: the denial happened before the handler.
    cli(server, "dynamodb", "describe-table", "--table-name", "iam-table", env=env)
    # The audit log names who was refused what, never a secret.
    log = server.log_text()
    assert "principal=arn:aws:iam::000000000000:user/producer action=dynamodb:DeleteTable" in log
    assert key["SecretAccessKey"] not in log


def test_iam_listing_simulation_and_errors(server):
    cli(server, "iam", "create-user", "--user-name", "lister")
    users = [u["UserName"] for u in json.loads(cli(server, "iam", "list-users").stdout)["Users"]]
    assert "lister" in users
    key = json.loads(cli(server, "iam", "create-access-key", "--user-name", "lister").stdout)["AccessKey"]
    keys = json.loads(cli(server, "iam", "list-access-keys", "--user-name", "lister").stdout)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in keys[0]

    dup = cli(server, "iam", "create-user", "--user-name", "lister", check=False)
    assert "EntityAlreadyExists" in dup.stderr
    bad = cli(server, "iam", "put-user-policy", "--user-name", "lister", "--policy-name", "bad",
              "--policy-document", '{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"*",'
                                   '"Resource":"*"}]}', check=False)
    assert "MalformedPolicyDocument" in bad.stderr and "Statement[0].Effect" in bad.stderr
    conflict = cli(server, "iam", "delete-user", "--user-name", "lister", check=False)
    assert "DeleteConflict" in conflict.stderr

    policy = json.loads(cli(server, "iam", "create-policy", "--policy-name", "read-orders", "--policy-document",
                            json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]})).stdout)
    cli(server, "iam", "attach-user-policy", "--user-name", "lister", "--policy-arn", policy["Policy"]["Arn"])
    sim = json.loads(cli(server, "iam", "simulate-principal-policy", "--policy-source-arn",
                         "arn:aws:iam::000000000000:user/lister", "--action-names", "dynamodb:GetItem",
                         "dynamodb:PutItem").stdout)
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in sim["EvaluationResults"]}
    assert decisions == {"dynamodb:GetItem": "allowed", "dynamodb:PutItem": "implicitDeny"}

    # A user without IAM permissions cannot manage IAM.
    refused = cli(server, "iam", "create-user", "--user-name", "sneaky", env=user_env(key), check=False)
    assert "AccessDenied" in refused.stderr

    cli(server, "iam", "delete-access-key", "--user-name", "lister", "--access-key-id", key["AccessKeyId"])
    gone = cli(server, "sts", "get-caller-identity", env=user_env(key), check=False)
    assert "InvalidClientTokenId" in gone.stderr


def kinesis_call(server, body, **sign):
    url = server.aws_url + "/"
    data = json.dumps(body)
    headers = sign_headers("POST", url, data, {"X-Amz-Target": "Kinesis_20131202.ListStreams",
                                               "Content-Type": "application/x-amz-json-1.1"}, **sign)
    return url, data, headers


def test_tampered_requests_are_refused(server):
    url, data, headers = kinesis_call(server, {})
    assert requests.post(url, data=data, headers=headers, timeout=10).status_code == 200

    def refused(response, error_type):
        assert response.status_code == 400, response.text
        assert response.json()["__type"] == error_type, response.text

    _, _, wrong = kinesis_call(server, {}, secret="not-the-secret")
    refused(requests.post(url, data=data, headers=wrong, timeout=10), "InvalidSignatureException")
    changed_header = dict(headers, **{"X-Amz-Target": "Kinesis_20131202.DeleteStream"})
    refused(requests.post(url, data=data, headers=changed_header, timeout=10), "InvalidSignatureException")
    refused(requests.post(url, data='{"Limit": 1}', headers=headers, timeout=10), "InvalidSignatureException")
    _, _, unknown = kinesis_call(server, {}, key_id="AKIANOSUCHKEY0000000")
    refused(requests.post(url, data=data, headers=unknown, timeout=10), "UnrecognizedClientException")
    unsigned = {"X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1"}
    refused(requests.post(url, data=data, headers=unsigned, timeout=10), "MissingAuthenticationTokenException")
    garbage = dict(unsigned, Authorization="AWS4-HMAC-SHA256 " + "x" * 5000)
    refused(requests.post(url, data=data, headers=garbage, timeout=10), "IncompleteSignatureException")

    # A request signed 20 minutes ago: same signature, stale date.
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method="POST", url=url, data=data, headers=unsigned)
    stale = time.gmtime(time.time() - 20 * 60)
    signer = SigV4Auth(Credentials(AWS_ENV["AWS_ACCESS_KEY_ID"], AWS_ENV["AWS_SECRET_ACCESS_KEY"]), "kinesis",
                       "us-east-1")
    request.context["timestamp"] = time.strftime("%Y%m%dT%H%M%SZ", stale)
    signer._modify_request_before_signing(request)
    request.headers["X-Amz-Date"] = request.context["timestamp"]
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    auth = signer.signature(string_to_sign, request)
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={AWS_ENV['AWS_ACCESS_KEY_ID']}/{request.context['timestamp'][:8]}/us-east-1/"
        f"kinesis/aws4_request, SignedHeaders={signer.signed_headers(signer.headers_to_sign(request))}, "
        f"Signature={auth}")
    response = requests.post(url, data=data, headers=dict(request.headers.items()), timeout=10)
    refused(response, "InvalidSignatureException")
    assert "Signature expired" in response.json()["message"]


def test_s3_presigned_urls_expire_and_errors_are_s3_xml(server):
    s3 = boto3.client("s3", endpoint_url=server.aws_url, region_name="us-east-1",
                      aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
    s3.create_bucket(Bucket="iam-presign")
    s3.put_object(Bucket="iam-presign", Key="k.txt", Body=b"secret-ish")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "iam-presign", "Key": "k.txt"}, ExpiresIn=1)
    assert requests.get(url, timeout=10).content == b"secret-ish"
    time.sleep(2.1)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403 and "<Code>AccessDenied</Code>" in expired.text
    assert "expired" in expired.text
    tampered = requests.get(url.replace("k.txt", "l.txt"), timeout=10)
    assert tampered.status_code == 403
    wrong = boto3.client("s3", endpoint_url=server.aws_url, region_name="us-east-1",
                         aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"], aws_secret_access_key="wrong")
    with pytest.raises(ClientError) as e:
        wrong.get_object(Bucket="iam-presign", Key="k.txt")
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    anonymous = requests.get(server.aws_url + "/iam-presign/k.txt", timeout=10)
    assert anonymous.status_code == 403 and "<Code>AccessDenied</Code>" in anonymous.text


def test_auth_off_is_a_setting_and_root_key_is_printed_once(tmp_path):
    env = {"RIVULET_ROOT_ACCESS_KEY_ID": "", "RIVULET_ROOT_SECRET_ACCESS_KEY": ""}
    (tmp_path / "data").mkdir()
    with Rivulet(data_dir=tmp_path / "data", env=env) as s:
        pass
    first = s.log_text()
    assert "root credentials (shown once" in first
    secret = first.split("AWS_SECRET_ACCESS_KEY=")[1].split()[0]
    with Rivulet(data_dir=tmp_path / "data", env=env, extra_args=["--set", "iam.auth=off"]) as s:
        # Anything goes, as root.
        r = requests.post(s.aws_url + "/", data="{}", timeout=10, headers={
            "X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1"})
        assert r.status_code == 200, r.text
    assert s.log_text().count(secret) == 1  # printed on the first start only


def test_internal_tables_are_refused_to_every_principal_including_root(server):
    ddb = boto3.client("dynamodb", endpoint_url=server.aws_url, region_name="us-east-1",
                       aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
    # The identity table holds every user's secret key (one exists now).
    cli(server, "iam", "create-user", "--user-name", "keyholder")
    key = json.loads(cli(server, "iam", "create-access-key", "--user-name", "keyholder").stdout)["AccessKey"]

    def refused(call, **kwargs):
        with pytest.raises(ClientError) as e:
            call(**kwargs)
        error = e.value.response["Error"]
        assert error["Code"] == "AccessDeniedException", error
        assert key["SecretAccessKey"] not in str(e.value.response)
        return error["Message"]

    assert "internal to Rivulet" in refused(ddb.scan, TableName="rivulet-iam")
    refused(ddb.scan, TableName="arn:aws:dynamodb:us-east-1:000000000000:table/rivulet-iam")
    refused(ddb.get_item, TableName="rivulet-iam", Key={"id": {"S": "key/" + key["AccessKeyId"]}})
    refused(ddb.query, TableName="rivulet-iam", KeyConditionExpression="id = :k",
            ExpressionAttributeValues={":k": {"S": "user/keyholder"}})
    refused(ddb.batch_get_item, RequestItems={"rivulet-iam": {"Keys": [{"id": {"S": "user/keyholder"}}]}})
    refused(ddb.transact_get_items, TransactItems=[{"Get": {"TableName": "rivulet-iam",
                                                            "Key": {"id": {"S": "user/keyholder"}}}}])
    refused(ddb.describe_table, TableName="rivulet-iam")
    refused(ddb.put_item, TableName="rivulet-iam", Item={"id": {"S": "user/evil"}, "doc": {"S": "{}"}})
    refused(ddb.delete_table, TableName="rivulet-iam")
    refused(ddb.delete_table, TableName="shop-sessions")
    names = []
    for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1}):
        names += page["TableNames"]
    assert not [n for n in names if n.startswith("rivulet-iam") or n.endswith("sessions")], names
    # Still intact and in use: the key signs requests, and IAM reads the table.
    assert json.loads(cli(server, "sts", "get-caller-identity", env=user_env(key)).stdout)["Arn"].endswith(
        "user/keyholder")
    assert cli(server, "iam", "get-user", "--user-name", "keyholder").returncode == 0


def test_shop_users_table_is_refused_to_admins_and_root(server):
    """shop-users holds the customers' password hashes: over :4566 an IAM
    user allowed everything and root (on this `all` node) both get
    AccessDeniedException for reads, and ListTables leaves it out."""
    customer = Shop(server).signup("Hashed")  # also creates the shop's tables
    admin_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    cli(server, "iam", "create-user", "--user-name", "table-admin")
    cli(server, "iam", "put-user-policy", "--user-name", "table-admin", "--policy-name", "everything",
        "--policy-document", json.dumps(admin_policy))
    key = json.loads(cli(server, "iam", "create-access-key", "--user-name", "table-admin").stdout)["AccessKey"]
    user_id = customer.user["id"]
    for key_id, secret in ((key["AccessKeyId"], key["SecretAccessKey"]),
                           (AWS_ENV["AWS_ACCESS_KEY_ID"], AWS_ENV["AWS_SECRET_ACCESS_KEY"])):
        ddb = boto3.client("dynamodb", endpoint_url=server.aws_url, region_name="us-east-1",
                           aws_access_key_id=key_id, aws_secret_access_key=secret)
        for call, kwargs in ((ddb.get_item, {"Key": {"id": {"S": user_id}}}), (ddb.scan, {}),
                             (ddb.query, {"KeyConditionExpression": "id = :i",
                                          "ExpressionAttributeValues": {":i": {"S": user_id}}})):
            with pytest.raises(ClientError) as e:
                call(TableName="shop-users", **kwargs)
            error = e.value.response["Error"]
            assert error["Code"] == "AccessDeniedException", (key_id, error)
            assert "shop-users" in error["Message"] and "internal to Rivulet" in error["Message"], error
            assert "argon2" not in str(e.value.response)
        names = ddb.list_tables()["TableNames"]
        assert "shop-orders" in names and "shop-users" not in names, names
        # Everything else stays open to them.
        assert ddb.scan(TableName="shop-products", Limit=1)["Items"]


def test_roles_managed_policies_and_detaching_through_the_cli(server):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = json.loads(cli(server, "iam", "create-role", "--role-name", "worker",
                          "--assume-role-policy-document", json.dumps(trust)).stdout)["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/worker"
    assert json.loads(cli(server, "iam", "get-role", "--role-name", "worker").stdout)["Role"][
        "AssumeRolePolicyDocument"] == trust
    assert "worker" in [r["RoleName"] for r in json.loads(cli(server, "iam", "list-roles").stdout)["Roles"]]
    assert "EntityAlreadyExists" in cli(server, "iam", "create-role", "--role-name", "worker",
                                        "--assume-role-policy-document", json.dumps(trust), check=False).stderr

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:Get*", "Resource": "*"}]}
    cli(server, "iam", "put-role-policy", "--role-name", "worker", "--policy-name", "read",
        "--policy-document", json.dumps(doc))
    assert json.loads(cli(server, "iam", "list-role-policies", "--role-name", "worker").stdout)[
        "PolicyNames"] == ["read"]
    assert json.loads(cli(server, "iam", "get-role-policy", "--role-name", "worker",
                          "--policy-name", "read").stdout)["PolicyDocument"] == doc
    arn = json.loads(cli(server, "iam", "create-policy", "--policy-name", "write-tables", "--policy-document",
                         json.dumps(doc)).stdout)["Policy"]["Arn"]
    cli(server, "iam", "attach-role-policy", "--role-name", "worker", "--policy-arn", arn)
    cli(server, "iam", "create-user", "--user-name", "attached")
    cli(server, "iam", "attach-user-policy", "--user-name", "attached", "--policy-arn", arn)
    attached = json.loads(cli(server, "iam", "list-attached-role-policies", "--role-name", "worker").stdout)
    assert attached["AttachedPolicies"] == [{"PolicyName": "write-tables", "PolicyArn": arn}]
    assert json.loads(cli(server, "iam", "list-attached-user-policies", "--user-name", "attached").stdout)[
        "AttachedPolicies"][0]["PolicyArn"] == arn
    assert json.loads(cli(server, "iam", "list-user-policies", "--user-name", "attached").stdout)["PolicyNames"] == []
    got = json.loads(cli(server, "iam", "get-policy", "--policy-arn", arn).stdout)["Policy"]
    assert got["AttachmentCount"] == 2 and got["DefaultVersionId"] == "v1"
    assert json.loads(cli(server, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1").stdout)[
        "PolicyVersion"]["Document"] == doc
    listed = json.loads(cli(server, "iam", "list-policies", "--scope", "Local").stdout)["Policies"]
    assert arn in [p["Arn"] for p in listed]

    # Deleting what is still in use is a DeleteConflict; unknown names are NoSuchEntity.
    assert "DeleteConflict" in cli(server, "iam", "delete-policy", "--policy-arn", arn, check=False).stderr
    assert "DeleteConflict" in cli(server, "iam", "delete-role", "--role-name", "worker", check=False).stderr
    assert "NoSuchEntity" in cli(server, "iam", "get-role", "--role-name", "nobody", check=False).stderr
    assert "NoSuchEntity" in cli(server, "iam", "detach-user-policy", "--user-name", "lister-none",
                                 "--policy-arn", arn, check=False).stderr
    assert "MalformedPolicyDocument" in cli(server, "iam", "put-role-policy", "--role-name", "worker",
                                            "--policy-name", "bad", "--policy-document", '{"Statement": 3}',
                                            check=False).stderr
    cli(server, "iam", "detach-role-policy", "--role-name", "worker", "--policy-arn", arn)
    assert "NoSuchEntity" in cli(server, "iam", "detach-role-policy", "--role-name", "worker",
                                 "--policy-arn", arn, check=False).stderr
    cli(server, "iam", "detach-user-policy", "--user-name", "attached", "--policy-arn", arn)
    cli(server, "iam", "delete-policy", "--policy-arn", arn)
    assert "NoSuchEntity" in cli(server, "iam", "get-policy", "--policy-arn", arn, check=False).stderr
    cli(server, "iam", "delete-role-policy", "--role-name", "worker", "--policy-name", "read")
    cli(server, "iam", "delete-role", "--role-name", "worker")
    assert "NoSuchEntity" in cli(server, "iam", "get-role", "--role-name", "worker", check=False).stderr
    me = json.loads(cli(server, "iam", "get-user", "--user-name", "attached").stdout)["User"]
    assert me["Arn"] == "arn:aws:iam::000000000000:user/attached"
