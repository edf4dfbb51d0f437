"""DynamoDB API end to end: the real binary driven by boto3 and the AWS CLI.

An orders-like table (partition key order id, GSI on customer id), conditional
writes, optimistic locking, pagination through 10,000 items, transactions and
bad input that must be rejected with ValidationException and change nothing.
"""
import json
import os
import subprocess

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

from rivulet_harness import AWS_ENV

# Names of our own: the application creates its tables (orders, users, ...) at startup.
ORDERS = "e2e_orders"
STOCK = "e2e_stock"


def client(rivulet):
    return boto3.client(
        "dynamodb", endpoint_url=rivulet.aws_url, region_name="us-east-1",
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}))


def resource(rivulet):
    return boto3.resource(
        "dynamodb", endpoint_url=rivulet.aws_url, region_name="us-east-1",
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])


def cli(rivulet, *args):
    env = dict(os.environ, **AWS_ENV)
    out = subprocess.run(["/usr/bin/aws", "dynamodb", *args, "--endpoint-url", rivulet.aws_url,
                          "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    return out


def create_orders(ddb, name=None):
    ddb.create_table(
        TableName=name or ORDERS,
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"},
                              {"AttributeName": "customer_id", "AttributeType": "S"},
                              {"AttributeName": "created", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_customer",
            "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"},
                          {"AttributeName": "created", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def test_cli_creates_table_puts_gets_and_queries_the_index(rivulet):
    out = cli(rivulet, "create-table", "--table-name", ORDERS,
              "--attribute-definitions", "AttributeName=order_id,AttributeType=S",
              "AttributeName=customer_id,AttributeType=S",
              "--key-schema", "AttributeName=order_id,KeyType=HASH",
              "--global-secondary-indexes",
              json.dumps([{"IndexName": "by_customer",
                           "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"}],
                           "Projection": {"ProjectionType": "ALL"}}]),
              "--billing-mode", "PAY_PER_REQUEST")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["TableDescription"]["TableStatus"] == "ACTIVE"
    out = cli(rivulet, "wait", "table-exists", "--table-name", ORDERS)
    assert out.returncode == 0, out.stderr
    for i in range(3):
        out = cli(rivulet, "put-item", "--table-name", ORDERS, "--item",
                  json.dumps({"order_id": {"S": f"o{i}"}, "customer_id": {"S": "alice"},
                              "total": {"N": "12.50"}}))
        assert out.returncode == 0, out.stderr
    out = cli(rivulet, "get-item", "--table-name", ORDERS, "--key", '{"order_id":{"S":"o1"}}')
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Item"]["total"] == {"N": "12.5"}
    out = cli(rivulet, "query", "--table-name", ORDERS, "--index-name", "by_customer",
              "--key-condition-expression", "customer_id = :c",
              "--expression-attribute-values", '{":c":{"S":"alice"}}')
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Count"] == 3
    out = cli(rivulet, "list-tables")
    assert ORDERS in json.loads(out.stdout)["TableNames"]
    out = cli(rivulet, "describe-table", "--table-name", "nope")
    assert out.returncode != 0 and "ResourceNotFoundException" in out.stderr


def test_conditional_put_and_optimistic_locking(rivulet):
    ddb = client(rivulet)
    create_orders(ddb)
    item = {"order_id": {"S": "o1"}, "customer_id": {"S": "c1"}, "created": {"N": "1"},
            "version": {"N": "1"}, "status": {"S": "NEW"}}
    ddb.put_item(TableName=ORDERS, Item=item, ConditionExpression="attribute_not_exists(order_id)")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=ORDERS, Item=item, ConditionExpression="attribute_not_exists(order_id)")
    assert error_of(e)[0] == "ConditionalCheckFailedException"

    def bump(expected):
        return ddb.update_item(
            TableName=ORDERS, Key={"order_id": {"S": "o1"}},
            UpdateExpression="SET #s = :s, version = version + :one",
            ConditionExpression="version = :v",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "PAID"}, ":one": {"N": "1"}, ":v": {"N": str(expected)}},
            ReturnValues="ALL_NEW")

    assert bump(1)["Attributes"]["version"] == {"N": "2"}
    with pytest.raises(ClientError) as e:
        bump(1)  # a stale writer loses
    assert error_of(e)[0] == "ConditionalCheckFailedException"
    got = ddb.get_item(TableName=ORDERS, Key={"order_id": {"S": "o1"}}, ConsistentRead=True)["Item"]
    assert got["version"] == {"N": "2"} and got["status"] == {"S": "PAID"}


def test_pagination_through_ten_thousand_items(rivulet):
    ddb = client(rivulet)
    create_orders(ddb)
    table = resource(rivulet).Table(ORDERS)
    with table.batch_writer() as batch:
        for i in range(10_000):
            batch.put_item(Item={"order_id": f"o{i:05d}", "customer_id": "big", "created": i,
                                 "note": "x" * 20})
    paginator = ddb.get_paginator("query")
    seen = []
    pages = 0
    for page in paginator.paginate(TableName=ORDERS, IndexName="by_customer",
                                   KeyConditionExpression="customer_id = :c",
                                   ExpressionAttributeValues={":c": {"S": "big"}},
                                   ScanIndexForward=False, PaginationConfig={"PageSize": 700}):
        pages += 1
        seen.extend(int(item["created"]["N"]) for item in page["Items"])
    assert seen == list(range(9_999, -1, -1))
    assert pages >= 15
    # The same through the resource API with its condition builder, in a key range.
    resp = table.query(IndexName="by_customer",
                       KeyConditionExpression=Key("customer_id").eq("big") & Key("created").between(100, 199),
                       FilterExpression=Attr("order_id").begins_with("o001"))
    assert [int(i["created"]) for i in resp["Items"]] == list(range(100, 200))
    count = ddb.scan(TableName=ORDERS, Select="COUNT", Segment=0, TotalSegments=1)
    assert count["Count"] == 10_000


def test_transactions_are_all_or_nothing(rivulet):
    ddb = client(rivulet)
    ddb.create_table(TableName=STOCK, KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    create_orders(ddb)
    ddb.put_item(TableName=STOCK, Item={"sku": {"S": "apple"}, "left": {"N": "1"}})

    def order(order_id):
        return [
            {"Update": {"TableName": STOCK, "Key": {"sku": {"S": "apple"}},
                        "UpdateExpression": "SET #l = #l - :one", "ConditionExpression": "#l >= :one",
                        "ExpressionAttributeNames": {"#l": "left"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": ORDERS, "Item": {"order_id": {"S": order_id}, "customer_id": {"S": "c"},
                                                     "created": {"N": "1"}},
                     "ConditionExpression": "attribute_not_exists(order_id)"}},
        ]

    ddb.transact_write_items(TransactItems=order("o1"), ClientRequestToken="t-1")
    ddb.transact_write_items(TransactItems=order("o1"), ClientRequestToken="t-1")  # idempotent retry
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=order("o2"))
    assert error_of(e)[0] == "TransactionCanceledException"
    reasons = [r["Code"] for r in e.value.response["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed", "None"]
    assert "Item" not in ddb.get_item(TableName=ORDERS, Key={"order_id": {"S": "o2"}})
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": STOCK, "Key": {"sku": {"S": "apple"}}}},
        {"Get": {"TableName": ORDERS, "Key": {"order_id": {"S": "o1"}}}},
        {"Get": {"TableName": ORDERS, "Key": {"order_id": {"S": "o2"}}}}])["Responses"]
    assert got[0]["Item"]["left"] == {"N": "0"}
    assert got[1]["Item"]["customer_id"] == {"S": "c"}
    assert got[2] == {}


@pytest.mark.parametrize("kwargs, message", [
    ({"UpdateExpression": "SET amount = "}, "Syntax error"),
    ({"UpdateExpression": "SET status = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "reserved keyword: status"),
    ({"UpdateExpression": "SET #nope = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "attribute name used in the document path is not defined; attribute name: #nope"),
    ({"UpdateExpression": "SET amount = :nope"}, "attribute value used in expression is not defined"),
    ({"UpdateExpression": "SET amount = :v", "ExpressionAttributeValues": {":v": {"N": "1"}, ":x": {"N": "2"}}},
     "unused in expressions: keys: {:x}"),
    ({"UpdateExpression": "SET amount = amount + :v", "ExpressionAttributeValues": {":v": {"S": "a"}}},
     "Incorrect operand type"),
    ({"UpdateExpression": "SET customer_id = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}},
     "Type mismatch for Index Key customer_id"),
    ({"UpdateExpression": "SET amount = :v", "ExpressionAttributeValues": {":v": {"N": "1e400"}}},
     "Number overflow"),
    ({"UpdateExpression": "SET big = :v", "ExpressionAttributeValues": {":v": {"S": "x" * (401 * 1024)}}},
     "Item size has exceeded the maximum allowed size"),
    ({"UpdateExpression": "SET order_id = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "This attribute is part of the key"),
])
def test_bad_updates_are_rejected_and_change_nothing(rivulet, kwargs, message):
    ddb = client(rivulet)
    create_orders(ddb)
    item = {"order_id": {"S": "o1"}, "customer_id": {"S": "c1"}, "created": {"N": "1"}, "amount": {"N": "10"}}
    ddb.put_item(TableName=ORDERS, Item=item)
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=ORDERS, Key={"order_id": {"S": "o1"}}, **kwargs)
    code, text = error_of(e)
    assert code == "ValidationException"
    assert message in text
    assert ddb.get_item(TableName=ORDERS, Key={"order_id": {"S": "o1"}})["Item"] == item


def test_invalid_keys_and_items_are_rejected(rivulet):
    ddb = client(rivulet)
    create_orders(ddb)
    cases = [
        (lambda: ddb.get_item(TableName=ORDERS, Key={"order_id": {"N": "1"}}),
         "The provided key element does not match the schema"),
        (lambda: ddb.get_item(TableName=ORDERS, Key={"order_id": {"S": "a"}, "x": {"S": "b"}}),
         "The provided key element does not match the schema"),
        (lambda: ddb.put_item(TableName=ORDERS, Item={"customer_id": {"S": "c"}}),
         "Missing the key order_id in the item"),
        (lambda: ddb.put_item(TableName=ORDERS, Item={"order_id": {"S": ""}}),
         "cannot contain an empty string value"),
        (lambda: ddb.put_item(TableName=ORDERS, Item={"order_id": {"S": "a"}, "n": {"N": "abc"}}),
         "cannot be converted into a number"),
        (lambda: ddb.put_item(TableName=ORDERS, Item={"order_id": {"S": "a"}, "s": {"SS": []}}),
         "may not be empty"),
        (lambda: ddb.query(TableName=ORDERS, KeyConditionExpression="customer_id = :c",
                           ExpressionAttributeValues={":c": {"S": "c"}}),
         "Query condition missed key schema element: order_id"),
        (lambda: ddb.query(TableName=ORDERS, IndexName="nope", KeyConditionExpression="order_id = :c",
                           ExpressionAttributeValues={":c": {"S": "c"}}),
         "The table does not have the specified index: nope"),
    ]
    for call, message in cases:
        with pytest.raises(ClientError) as e:
            call()
        code, text = error_of(e)
        assert code == "ValidationException", text
        assert message in text
    assert ddb.scan(TableName=ORDERS)["Count"] == 0
    with pytest.raises(ClientError) as e:
        create_orders(ddb)
    assert error_of(e)[0] == "ResourceInUseException"
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="missing", Item={"order_id": {"S": "a"}})
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_tables_and_items_survive_restart(rivulet):
    ddb = client(rivulet)
    create_orders(ddb)
    ddb.put_item(TableName=ORDERS, Item={"order_id": {"S": "o1"}, "customer_id": {"S": "c1"},
                                           "created": {"N": "5"}})
    assert rivulet.stop() == 0
    rivulet.start()
    ddb = client(rivulet)
    assert ddb.get_item(TableName=ORDERS, Key={"order_id": {"S": "o1"}})["Item"]["created"] == {"N": "5"}
    resp = ddb.query(TableName=ORDERS, IndexName="by_customer", KeyConditionExpression="customer_id = :c",
                     ExpressionAttributeValues={":c": {"S": "c1"}})
    assert resp["Count"] == 1


def test_update_table_backfills_a_new_index_and_ttl_is_reported(rivulet):
    ddb = client(rivulet)
    create_orders(ddb)
    for i in range(20):
        ddb.put_item(TableName=ORDERS, Item={"order_id": {"S": f"o{i}"}, "customer_id": {"S": "c"},
                                               "created": {"N": str(i)}, "sku": {"S": f"s{i % 2}"}})
    ddb.update_table(TableName=ORDERS,
                     AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "by_sku", "Projection": {"ProjectionType": "KEYS_ONLY"},
                         "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}]}}])
    resp = ddb.query(TableName=ORDERS, IndexName="by_sku", KeyConditionExpression="sku = :s",
                     ExpressionAttributeValues={":s": {"S": "s1"}})
    assert resp["Count"] == 10
    assert set(resp["Items"][0]) == {"order_id", "sku"}  # KEYS_ONLY
    names = [g["IndexName"] for g in ddb.describe_table(TableName=ORDERS)["Table"]["GlobalSecondaryIndexes"]]
    assert sorted(names) == ["by_customer", "by_sku"]

    assert ddb.describe_time_to_live(TableName=ORDERS)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    ddb.update_time_to_live(TableName=ORDERS,
                            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    ttl = ddb.describe_time_to_live(TableName=ORDERS)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}

    got = ddb.batch_get_item(RequestItems={ORDERS: {"Keys": [{"order_id": {"S": "o1"}}, {"order_id": {"S": "zz"}}],
                                                      "ProjectionExpression": "order_id, sku"}})
    assert got["Responses"][ORDERS] == [{"order_id": {"S": "o1"}, "sku": {"S": "s1"}}]
