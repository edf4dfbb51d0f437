// Put-to-delivery latency of enhanced fan-out (SubscribeToShard over HTTP/2)
// beside GetRecords polling at the KCL's default pace (one GetRecords per
// second per shard: PollingConfig.idleTimeBetweenReadsInMillis = 1000), both
// reading the same shard in the same run while a producer writes RATE
// records/s. Then PutRecords throughput from the JS SDK over HTTP/2 (its
// default handler) beside HTTP/1.1 (NodeHttpHandler).
// Env: KINESIS_ENDPOINT, RATE (10000), SECONDS (10), PUT_SECONDS (5),
// CONCURRENCY (8 PutRecords of 500 in flight).
'use strict';
const {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, ListShardsCommand,
  RegisterStreamConsumerCommand, SubscribeToShardCommand, GetShardIteratorCommand, GetRecordsCommand,
} = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const endpoint = process.env.KINESIS_ENDPOINT;
const RATE = Number(process.env.RATE || 10000);
const SECONDS = Number(process.env.SECONDS || 10);
const PUT_SECONDS = Number(process.env.PUT_SECONDS || 5);
const CONCURRENCY = Number(process.env.CONCURRENCY || 8);
const base = {
  endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
};
const h2 = new KinesisClient(base);
const subscriber = new KinesisClient(base);  // its own HTTP/2 connection
const h1 = new KinesisClient({ ...base, requestHandler: new NodeHttpHandler({ maxSockets: 64 }) });
const now = () => Number(process.hrtime.bigint()) / 1e6;  // ms, one clock for put and delivery

function pct(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN; }
function summary(lat) {
  const s = Float64Array.from(lat).sort();
  return { n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99), p999: pct(s, 0.999) };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function latency() {
  const name = 'efo-bench';
  await h2.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  const arn = (await h2.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary.StreamARN;
  const [shard] = (await h2.send(new ListShardsCommand({ StreamName: name }))).Shards;
  const { Consumer } = await h2.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'bench' }));
  const efo = [], poll = [];
  let stop = false;
  const decode = (r) => Number(Buffer.from(r.Data).toString().split(' ')[0]);

  const sub = await subscriber.send(new SubscribeToShardCommand({
    ConsumerARN: Consumer.ConsumerARN, ShardId: shard.ShardId, StartingPosition: { Type: 'LATEST' },
  }));
  const efoDone = (async () => {
    for await (const event of sub.EventStream) {
      const e = event.SubscribeToShardEvent;
      if (!e) continue;
      const t = now();
      for (const r of e.Records) efo.push(t - decode(r));
      if (stop) break;
    }
  })();
  let iterator = (await h2.send(new GetShardIteratorCommand({
    StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'LATEST',
  }))).ShardIterator;
  const pollDone = (async () => {
    while (!stop) {
      const started = now();
      const out = await h1.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10000 }));
      const t = now();
      for (const r of out.Records) poll.push(t - decode(r));
      iterator = out.NextShardIterator;
      await sleep(Math.max(0, 1000 - (now() - started)));
    }
  })();

  // The producer runs in a worker thread with its own HTTP/2 connection, so
  // that neither reader's decoding delays the writes (or the reverse).
  const { sent, seconds } = await new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { name } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  await sleep(1500);  // the poller's last round
  stop = true;
  await pollDone;
  await Promise.race([efoDone, sleep(6000)]);
  return { sent, seconds, efo: summary(efo), poll: summary(poll) };
}

async function throughput(client, label) {
  const name = `put-${label}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 4 }));
  const records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `p${i}`, Data: Buffer.alloc(100, 'x') }));
  let done = 0;
  const t0 = now();
  const worker = async () => {
    while (now() - t0 < PUT_SECONDS * 1000) {
      const out = await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
      done += records.length - out.FailedRecordCount;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / ((now() - t0) / 1000);
}

// Worker: a PutRecords of RATE/100 records every 10 ms, on schedule; each
// record carries its send time.
async function produce(name) {
  const client = new KinesisClient(base);
  const batch = Math.max(1, Math.round(RATE / 100));
  const t0 = now();
  let sent = 0;
  const pending = [];
  for (let tick = 0; now() - t0 < SECONDS * 1000; tick++) {
    const due = t0 + tick * 10;
    if (due > now()) await sleep(due - now());
    const stamp = now().toFixed(3);
    pending.push(client.send(new PutRecordsCommand({
      StreamName: name,
      Records: Array.from({ length: batch }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`${stamp} ${i}`) })),
    })));
    sent += batch;
  }
  await Promise.all(pending);
  const seconds = (now() - t0) / 1000;
  client.destroy();
  return { sent, seconds };
}

async function main() {
  const l = await latency();
  const f = (x) => x.toFixed(2);
  console.log(`put-to-delivery latency, ${l.sent} records in ${l.seconds.toFixed(1)} s (${Math.round(l.sent / l.seconds)} records/s), ms:`);
  console.log(`  SubscribeToShard (HTTP/2 push)         n=${l.efo.n} p50=${f(l.efo.p50)} p99=${f(l.efo.p99)} p99.9=${f(l.efo.p999)}`);
  console.log(`  GetRecords polling, 1 call/s (KCL)     n=${l.poll.n} p50=${f(l.poll.p50)} p99=${f(l.poll.p99)} p99.9=${f(l.poll.p999)}`);
  console.log(`  ratio poll/push: p50 ${(l.poll.p50 / l.efo.p50).toFixed(0)}x, p99 ${(l.poll.p99 / l.efo.p99).toFixed(0)}x`);
  const t2 = await throughput(h2, 'h2');
  const t1 = await throughput(h1, 'h1');
  console.log(`PutRecords throughput (500 x 100 B, ${CONCURRENCY} in flight, one Node process), records/s:`);
  console.log(`  HTTP/2 (SDK default)  ${Math.round(t2)}`);
  console.log(`  HTTP/1.1              ${Math.round(t1)}`);
  console.log(`  ratio HTTP/2 / HTTP/1.1: ${(t2 / t1).toFixed(2)}`);
  h1.destroy();
  h2.destroy();
  subscriber.destroy();
}

if (isMainThread) {
  // exit: the SDK keeps the ended event stream's connection open.
  main().then(() => process.exit(0)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  produce(workerData.name).then((r) => parentPort.postMessage(r));
}
