// The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb and the
// DocumentClient of @aws-sdk/lib-dynamodb) against a running Rivulet at
// $DYNAMODB_ENDPOINT: an orders table with a GSI on the customer id,
// conditional puts, optimistic locking with a version attribute, pagination
// through a 10,000-item query, transactions and error cases. Exits non-zero
// on the first failed check; prints "ok" at the end.
'use strict';
const assert = require('node:assert/strict');
const { DynamoDBClient, CreateTableCommand, DescribeTableCommand } = require('@aws-sdk/client-dynamodb');
const {
  DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand, BatchWriteCommand,
  TransactWriteCommand, TransactGetCommand, paginateQuery, QueryCommand,
} = require('@aws-sdk/lib-dynamodb');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const TABLE = 'js_orders';
const STOCK = 'js_stock';

const client = new DynamoDBClient({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  requestHandler: new NodeHttpHandler(),
  maxAttempts: 1,
});
const doc = DynamoDBDocumentClient.from(client);

// The error a call fails with (it must fail).
async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('the call succeeded but should have failed');
}

async function createTables() {
  await client.send(new CreateTableCommand({
    TableName: TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'orderId', AttributeType: 'S' },
      { AttributeName: 'customerId', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'N' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: 'by_customer',
      KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    }],
  }));
  await client.send(new CreateTableCommand({
    TableName: STOCK,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
  }));
  const d = await client.send(new DescribeTableCommand({ TableName: TABLE }));
  assert.equal(d.Table.TableStatus, 'ACTIVE');
  assert.equal(d.Table.GlobalSecondaryIndexes[0].IndexName, 'by_customer');
}

async function conditionalPuts() {
  const order = { orderId: 'o-1', customerId: 'c-1', createdAt: 1, status: 'PLACED', version: 1,
                  lines: [{ sku: 'p-1', qty: 2 }], tags: new Set(['new']) };
  await doc.send(new PutCommand({ TableName: TABLE, Item: order, ConditionExpression: 'attribute_not_exists(orderId)' }));
  const again = await failure(doc.send(new PutCommand({
    TableName: TABLE, Item: { ...order, status: 'OVERWRITTEN' }, ConditionExpression: 'attribute_not_exists(orderId)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  })));
  assert.equal(again.name, 'ConditionalCheckFailedException');
  assert.equal(again.$metadata.httpStatusCode, 400);
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: { orderId: 'o-1' }, ConsistentRead: true }));
  assert.equal(got.Item.status, 'PLACED');
  assert.deepEqual(got.Item.lines, [{ sku: 'p-1', qty: 2 }]);
  assert.deepEqual(got.Item.tags, new Set(['new']));
}

async function optimisticLocking() {
  // Two writers read version 1; the first to write wins, the second is refused.
  const update = (status, expected) => doc.send(new UpdateCommand({
    TableName: TABLE, Key: { orderId: 'o-1' },
    UpdateExpression: 'SET #s = :s, version = version + :one',
    ConditionExpression: 'version = :v',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':s': status, ':one': 1, ':v': expected },
    ReturnValues: 'ALL_NEW',
  }));
  const first = await update('CONFIRMED', 1);
  assert.equal(first.Attributes.version, 2);
  assert.equal(first.Attributes.status, 'CONFIRMED');
  const stale = await failure(update('CANCELLED', 1));
  assert.equal(stale.name, 'ConditionalCheckFailedException');
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: { orderId: 'o-1' } }));
  assert.equal(got.Item.status, 'CONFIRMED');
  assert.equal(got.Item.version, 2);
}

async function paginationThrough10000() {
  const total = 10000;
  const batches = [];
  for (let base = 0; base < total; base += 25) {
    const items = [];
    for (let i = base; i < base + 25; ++i) {
      items.push({ PutRequest: { Item: { orderId: `big-${i}`, customerId: 'c-big', createdAt: i, total: i * 10 } } });
    }
    batches.push(items);
  }
  // Eight writers at a time; every batch must be processed in full.
  for (let i = 0; i < batches.length; i += 8) {
    const results = await Promise.all(batches.slice(i, i + 8).map(
      (items) => doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items } }))));
    for (const r of results) assert.deepEqual(r.UnprocessedItems ?? {}, {});
  }
  let seen = 0;
  let pages = 0;
  let last = -1;
  for await (const page of paginateQuery({ client: doc, pageSize: 700 }, {
    TableName: TABLE, IndexName: 'by_customer',
    KeyConditionExpression: 'customerId = :c', ExpressionAttributeValues: { ':c': 'c-big' },
  })) {
    pages += 1;
    for (const item of page.Items) {
      assert.ok(item.createdAt > last, `sort order: ${item.createdAt} after ${last}`);
      last = item.createdAt;
      seen += 1;
    }
  }
  assert.equal(seen, total);
  assert.equal(pages, Math.ceil(total / 700) + (total % 700 === 0 ? 1 : 0));
  // Backwards, with a filter, counted only.
  const counted = await doc.send(new QueryCommand({
    TableName: TABLE, IndexName: 'by_customer', Select: 'COUNT', ScanIndexForward: false,
    KeyConditionExpression: 'customerId = :c AND createdAt BETWEEN :a AND :b',
    FilterExpression: '#t >= :min',
    ExpressionAttributeNames: { '#t': 'total' },
    ExpressionAttributeValues: { ':c': 'c-big', ':a': 100, ':b': 199, ':min': 1500 },
  }));
  assert.equal(counted.Count, 50);
  assert.equal(counted.ScannedCount, 100);
}

async function transactions() {
  await doc.send(new PutCommand({ TableName: STOCK, Item: { sku: 'p-1', left: 3 } }));
  const order = (id, qty) => new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: TABLE, Item: { orderId: id, customerId: 'c-2', createdAt: 5, qty },
               ConditionExpression: 'attribute_not_exists(orderId)' } },
      { Update: { TableName: STOCK, Key: { sku: 'p-1' }, UpdateExpression: 'SET #l = #l - :q',
                  ConditionExpression: '#l >= :q', ExpressionAttributeNames: { '#l': 'left' },
                  ExpressionAttributeValues: { ':q': qty } } },
    ],
  });
  await doc.send(order('o-tx-1', 2));
  const refused = await failure(doc.send(order('o-tx-2', 2)));  // only 1 left
  assert.equal(refused.name, 'TransactionCanceledException');
  assert.deepEqual(refused.CancellationReasons.map((r) => r.Code), ['None', 'ConditionalCheckFailed']);
  const got = await doc.send(new TransactGetCommand({
    TransactItems: [{ Get: { TableName: STOCK, Key: { sku: 'p-1' } } },
                    { Get: { TableName: TABLE, Key: { orderId: 'o-tx-2' } } },
                    { Get: { TableName: TABLE, Key: { orderId: 'o-tx-1' } } }],
  }));
  assert.equal(got.Responses[0].Item.left, 1);
  assert.equal(got.Responses[1].Item, undefined);  // all or nothing: the order was not written
  assert.equal(got.Responses[2].Item.qty, 2);
}

async function errors() {
  const missing = await failure(doc.send(new GetCommand({ TableName: 'js_no_such_table', Key: { orderId: 'x' } })));
  assert.equal(missing.name, 'ResourceNotFoundException');
  const syntax = await failure(doc.send(new UpdateCommand({
    TableName: TABLE, Key: { orderId: 'o-1' }, UpdateExpression: 'SET version = = :v',
    ExpressionAttributeValues: { ':v': 1 },
  })));
  assert.equal(syntax.name, 'ValidationException');
  assert.match(syntax.message, /Syntax error/);
  const reserved = await failure(doc.send(new UpdateCommand({
    TableName: TABLE, Key: { orderId: 'o-1' }, UpdateExpression: 'SET status = :s', ExpressionAttributeValues: { ':s': 'X' },
  })));
  assert.equal(reserved.name, 'ValidationException');
  assert.match(reserved.message, /reserved keyword/);
  const unused = await failure(doc.send(new DeleteCommand({
    TableName: TABLE, Key: { orderId: 'o-1' }, ExpressionAttributeValues: { ':never': 1 },
  })));
  assert.equal(unused.name, 'ValidationException');
  const wrongKey = await failure(doc.send(new GetCommand({ TableName: TABLE, Key: { orderId: 42 } })));
  assert.equal(wrongKey.name, 'ValidationException');
  const tooBig = await failure(doc.send(new PutCommand({
    TableName: TABLE, Item: { orderId: 'o-big', blob: 'x'.repeat(401 * 1024) },
  })));
  assert.equal(tooBig.name, 'ValidationException');
  // None of the refused calls changed the item.
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: { orderId: 'o-1' } }));
  assert.equal(got.Item.status, 'CONFIRMED');
  assert.equal(got.Item.version, 2);
}

(async () => {
  await createTables();
  await conditionalPuts();
  await optimisticLocking();
  await paginationThrough10000();
  await transactions();
  await errors();
  console.log('ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
