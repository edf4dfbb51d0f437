// Enhanced fan-out with the AWS SDK for JavaScript v3 in its default
// configuration (HTTP/2): consumers, then SubscribeToShard's async event
// stream receiving every record once and in order while a producer writes,
// across a shard split (ChildShards followed), plus the errors Kinesis gives
// (a second subscription within 5 s, unknown consumers, a deleted stream).
// Run by tests/e2e/test_efo.py; exits 1 on the first failed check.
'use strict';
const assert = require('node:assert/strict');
const {
  KinesisClient, CreateStreamCommand, PutRecordsCommand, ListShardsCommand, SplitShardCommand,
  RegisterStreamConsumerCommand, DescribeStreamConsumerCommand, ListStreamConsumersCommand,
  DeregisterStreamConsumerCommand, SubscribeToShardCommand, DeleteStreamCommand, DescribeStreamSummaryCommand,
} = require('@aws-sdk/client-kinesis');

const client = new KinesisClient({
  endpoint: process.env.KINESIS_ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});

// Reads events until `want` records arrived or the shard ended; returns the
// records and the last event.
async function consume(consumerARN, shardId, want) {
  const out = await client.send(new SubscribeToShardCommand({
    ConsumerARN: consumerARN, ShardId: shardId, StartingPosition: { Type: 'TRIM_HORIZON' },
  }));
  const records = [];
  let last = null;
  for await (const event of out.EventStream) {
    const e = event.SubscribeToShardEvent;
    if (!e) continue;  // the initial-response
    last = e;
    for (const r of e.Records) records.push(r);
    const ended = e.ChildShards && e.ChildShards.length > 0;
    if (e.Records.length > 0 && !ended) assert.equal(e.ContinuationSequenceNumber, e.Records.at(-1).SequenceNumber);
    if (e.ChildShards && e.ChildShards.length) break;
    if (want !== undefined && records.length >= want) break;
  }
  return { records, last, stream: out.EventStream };
}

function texts(records) { return records.map((r) => Buffer.from(r.Data).toString()); }

async function put(name, from, count) {
  for (let i = from; i < from + count; i += 25) {
    const n = Math.min(25, from + count - i);
    const res = await client.send(new PutRecordsCommand({
      StreamName: name,
      Records: Array.from({ length: n }, (_, k) => ({ PartitionKey: 'pk', Data: Buffer.from(`r-${i + k}`) })),
    }));
    assert.equal(res.FailedRecordCount, 0);
  }
}

async function main() {
  const name = 'efo';
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  const streamARN = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
    .StreamDescriptionSummary.StreamARN;
  const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: 'app' }));
  assert.ok(Consumer.ConsumerARN.startsWith(`${streamARN}/consumer/app:`));
  assert.ok(Consumer.ConsumerCreationTimestamp instanceof Date);
  const described = (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN })))
    .ConsumerDescription;
  assert.equal(described.ConsumerStatus, 'ACTIVE');
  assert.equal(described.StreamARN, streamARN);
  const listed = (await client.send(new ListStreamConsumersCommand({ StreamARN: streamARN }))).Consumers;
  assert.deepEqual(listed.map((c) => c.ConsumerName), ['app']);

  // Records written while the subscription is open arrive pushed, once, in order.
  const [parent] = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards;
  const total = 300;
  const reading = consume(Consumer.ConsumerARN, parent.ShardId, total);
  // A second subscription for the same consumer and shard within 5 s is refused.
  await new Promise((r) => setTimeout(r, 200));
  await assert.rejects(client.send(new SubscribeToShardCommand({
    ConsumerARN: Consumer.ConsumerARN, ShardId: parent.ShardId, StartingPosition: { Type: 'LATEST' },
  })), (err) => err.name === 'ResourceInUseException');
  await put(name, 0, total);
  const first = await reading;
  assert.deepEqual(texts(first.records), Array.from({ length: total }, (_, i) => `r-${i}`));
  assert.equal(typeof first.last.MillisBehindLatest, 'number');

  // Split the shard: the parent's subscription ends with ChildShards; the
  // children's subscriptions get what is written afterwards.
  const middle = (BigInt(parent.HashKeyRange.EndingHashKey) / 2n).toString();
  await client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: parent.ShardId, NewStartingHashKey: middle }));
  await put(name, total, 50);
  // The parent read from its start again (a new consumer ARN would do as well:
  // the takeover of the same consumer and shard is allowed after 5 s).
  const { Consumer: second } = await client.send(new RegisterStreamConsumerCommand({
    StreamARN: streamARN, ConsumerName: 'after-split',
  }));
  const ended = await consume(second.ConsumerARN, parent.ShardId);
  assert.deepEqual(texts(ended.records), Array.from({ length: total }, (_, i) => `r-${i}`));
  const children = ended.last.ChildShards.map((c) => c.ShardId).sort();
  assert.equal(children.length, 2);
  assert.ok(ended.last.ChildShards.every((c) => c.ParentShards.includes(parent.ShardId)));
  const after = [];
  for (const child of children) {
    // The first event carries what the child holds (all 50 records share a
    // partition key, so one child has them and the other sends a heartbeat).
    const got = await consume(second.ConsumerARN, child, 0);
    after.push(...got.records);
  }
  const afterTexts = texts(after);
  assert.equal(new Set(afterTexts).size, afterTexts.length, 'no record twice');
  assert.deepEqual(afterTexts.slice().sort(), Array.from({ length: 50 }, (_, i) => `r-${total + i}`).sort());

  // Errors in Kinesis's names.
  await assert.rejects(client.send(new SubscribeToShardCommand({
    ConsumerARN: `${streamARN}/consumer/nobody:1`, ShardId: parent.ShardId, StartingPosition: { Type: 'LATEST' },
  })), (err) => err.name === 'ResourceNotFoundException');
  await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }));
  await assert.rejects(client.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN })),
    (err) => err.name === 'ResourceNotFoundException');
  await client.send(new DeleteStreamCommand({ StreamName: name }));
  await assert.rejects(client.send(new SubscribeToShardCommand({
    ConsumerARN: second.ConsumerARN, ShardId: children[0], StartingPosition: { Type: 'LATEST' },
  })), (err) => err.name === 'ResourceNotFoundException');
  console.log('ok');
  client.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
