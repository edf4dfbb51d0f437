// Drives a running Kinesis endpoint (KINESIS_ENDPOINT) with the AWS SDK for
// JavaScript v3 over HTTP/1.1 (or HTTP/2, the SDK's default) and checks what a Node producer/consumer sees.
// Exits 1 on the first failed check. Run by tests/e2e/test_kinesis_sdk_js.py.
'use strict';
const assert = require('node:assert/strict');
const {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand, PutRecordsCommand,
  ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, ListStreamsCommand, DeleteStreamCommand,
  ResourceNotFoundException,
} = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

async function main() {
  const client = new KinesisClient({
    endpoint: process.env.KINESIS_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
    // KINESIS_DEFAULT_HANDLER=1 keeps the SDK's own default, HTTP/2
    // (NodeHttp2Handler), as an unmodified application would.
    ...(process.env.KINESIS_DEFAULT_HANDLER === '1' ? {} : { requestHandler: new NodeHttpHandler() }),
    maxAttempts: 1,
  });
  const name = process.env.KINESIS_STREAM || 'js-sdk';
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
  const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
  assert.equal(summary.StreamStatus, 'ACTIVE');
  assert.ok(summary.StreamCreationTimestamp instanceof Date);
  const arn = summary.StreamARN;

  const one = await client.send(new PutRecordCommand({
    StreamName: name, PartitionKey: 'pk', Data: new TextEncoder().encode('first'),
  }));
  const batch = await client.send(new PutRecordsCommand({
    StreamARN: arn,
    Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: 'pk', Data: Buffer.from(`rec-${i}`) })),
  }));
  assert.equal(batch.FailedRecordCount, 0);
  assert.ok(batch.Records.every((r) => r.ShardId === one.ShardId));

  const shards = (await client.send(new ListShardsCommand({ StreamARN: arn }))).Shards;
  assert.equal(shards.length, 2);
  const { ShardIterator } = await client.send(new GetShardIteratorCommand({
    StreamName: name, ShardId: one.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER',
    StartingSequenceNumber: one.SequenceNumber,
  }));
  const out = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 100 }));
  const data = out.Records.map((r) => Buffer.from(r.Data).toString());
  assert.deepEqual(data, ['first', ...Array.from({ length: 10 }, (_, i) => `rec-${i}`)]);
  assert.ok(out.Records[0].ApproximateArrivalTimestamp instanceof Date);
  assert.equal(typeof out.MillisBehindLatest, 'number');
  assert.ok(out.NextShardIterator);

  const streams = await client.send(new ListStreamsCommand({}));
  assert.ok(streams.StreamNames.includes(name));
  assert.ok(streams.StreamSummaries.some((s) => s.StreamARN === arn));

  await assert.rejects(
    client.send(new DescribeStreamSummaryCommand({ StreamName: 'missing' })),
    (err) => err instanceof ResourceNotFoundException && err.name === 'ResourceNotFoundException' &&
      err.message === 'Stream missing under account 000000000000 not found.');
  await client.send(new DeleteStreamCommand({ StreamName: name }));
  console.log('ok');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
