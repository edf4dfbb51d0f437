// Kinesis over CBOR (Content-Type application/x-amz-cbor-1.1, what the AWS
// SDK for Java and the KCL send), with requests built by cbor-x: PutRecords,
// GetRecords and DescribeStream answers are checked field by field against
// the JSON 1.1 answers for the same data, and errors come back as CBOR.
// Timestamps travel as the Java SDK writes them: tag 1 + epoch milliseconds.
// Run by tests/e2e/test_cbor.py; exits 1 on the first failed check.
'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { encode, decode, addExtension } = require('cbor-x');

class EpochMillis {
  constructor(millis) { this.millis = millis; }
}
// cbor-x reads tag 1 as epoch seconds; AWS CBOR carries milliseconds.
addExtension({
  Class: EpochMillis, tag: 1,
  encode(value, encodeInner) { return encodeInner(value.millis); },
  decode(value) { return new EpochMillis(value); },
});

const endpoint = new URL(process.env.KINESIS_ENDPOINT);
const { createHash, createHmac } = require('node:crypto');

// SigV4 as the SDKs sign (host, content-type, x-amz-date, x-amz-target and
// the payload's SHA-256) with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
function signed(headers, payload) {
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const all = { ...headers, host: endpoint.host, 'x-amz-date': date };
  const lower = Object.fromEntries(Object.entries(all).filter(([k]) => !/^content-length$/i.test(k))
    .map(([k, v]) => [k.toLowerCase(), String(v)]));
  const names = Object.keys(lower).sort();
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${lower[n]}`), '', names.join(';'),
    createHash('sha256').update(payload).digest('hex')].join('\n');
  const scope = `${date.slice(0, 8)}/us-east-1/kinesis/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (k, d) => createHmac('sha256', k).update(d).digest();
  let key = hmac(`AWS4${process.env.AWS_SECRET_ACCESS_KEY}`, date.slice(0, 8));
  for (const part of ['us-east-1', 'kinesis', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...headers, 'X-Amz-Date': date, Authorization: `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/` +
    `${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function call(op, body, cbor) {
  const payload = cbor ? encode(body) : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: endpoint.hostname, port: endpoint.port, method: 'POST', path: '/',
      headers: signed({
        'X-Amz-Target': `Kinesis_20131202.${op}`,
        'Content-Type': cbor ? 'application/x-amz-cbor-1.1' : 'application/x-amz-json-1.1',
        'Content-Length': payload.length,
      }, payload),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const type = res.headers['content-type'];
        assert.equal(type, cbor ? 'application/x-amz-cbor-1.1' : 'application/x-amz-json-1.1');
        resolve({ status: res.statusCode, body: cbor ? decode(raw) : JSON.parse(raw.toString()) });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function ok(op, body, cbor) {
  const res = await call(op, body, cbor);
  assert.equal(res.status, 200, `${op}: ${require("node:util").inspect(res.body)}`);
  return res.body;
}

// JSON seconds (with a millisecond fraction) vs CBOR tag-1 milliseconds.
function sameInstant(jsonSeconds, cborValue) {
  assert.ok(cborValue instanceof EpochMillis, `expected a tag-1 timestamp, got ${cborValue}`);
  // An integer (cbor-x gives a BigInt for the 8-byte form Jackson also writes).
  assert.ok(typeof cborValue.millis === 'bigint' || Number.isInteger(cborValue.millis));
  assert.equal(Number(cborValue.millis), Math.round(jsonSeconds * 1000));
}

async function main() {
  const name = process.env.KINESIS_STREAM || 'cbor-stream';
  await ok('CreateStream', { StreamName: name, ShardCount: 2 }, true);

  // DescribeStream: every field of the CBOR answer equals the JSON one.
  const dj = (await ok('DescribeStream', { StreamName: name }, false)).StreamDescription;
  const dc = (await ok('DescribeStream', { StreamName: name }, true)).StreamDescription;
  assert.deepEqual(Object.keys(dc).sort(), Object.keys(dj).sort());
  for (const key of Object.keys(dj)) {
    if (key === 'StreamCreationTimestamp') sameInstant(dj[key], dc[key]);
    else assert.deepEqual(dc[key], dj[key], key);
  }

  // PutRecords in CBOR with binary data (every byte value), then the same
  // shape in JSON.
  const blobs = Array.from({ length: 20 }, (_, i) => Buffer.from([i, 0, 255, 128, ...Buffer.from(`rec-${i}`)]));
  const pc = await ok('PutRecords', {
    StreamName: name, Records: blobs.map((b, i) => ({ Data: b, PartitionKey: `pk-${i % 3}` })),
  }, true);
  assert.equal(pc.FailedRecordCount, 0);
  assert.equal(pc.Records.length, blobs.length);
  const pj = await ok('PutRecords', {
    StreamName: name, Records: [{ Data: Buffer.from('json').toString('base64'), PartitionKey: 'pk-0' }],
  }, false);
  assert.deepEqual(Object.keys(pc).sort(), Object.keys(pj).sort());
  assert.deepEqual(Object.keys(pc.Records[0]).sort(), Object.keys(pj.Records[0]).sort());

  // GetRecords of every shard, in both formats, from the same iterators.
  const shards = (await ok('ListShards', { StreamName: name }, true)).Shards;
  assert.equal(shards.length, 2);
  const seen = [];
  for (const shard of shards) {
    const it = (await ok('GetShardIterator', {
      StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }, true)).ShardIterator;
    const gc = await ok('GetRecords', { ShardIterator: it, Limit: 100 }, true);
    const gj = await ok('GetRecords', { ShardIterator: it, Limit: 100 }, false);
    assert.deepEqual(Object.keys(gc).sort(), Object.keys(gj).sort());
    assert.equal(gc.Records.length, gj.Records.length);
    assert.equal(gc.MillisBehindLatest >= 0, true);
    gc.Records.forEach((rc, i) => {
      const rj = gj.Records[i];
      assert.equal(rc.SequenceNumber, rj.SequenceNumber);
      assert.equal(rc.PartitionKey, rj.PartitionKey);
      assert.ok(Buffer.isBuffer(rc.Data) || rc.Data instanceof Uint8Array, 'Data is a CBOR byte string');
      assert.deepEqual(Buffer.from(rc.Data), Buffer.from(rj.Data, 'base64'));
      sameInstant(rj.ApproximateArrivalTimestamp, rc.ApproximateArrivalTimestamp);
      seen.push(Buffer.from(rc.Data));
    });
    // AT_TIMESTAMP with a tag-1 millisecond timestamp reads the same records.
    if (gc.Records.length > 0) {
      const at = (await ok('GetShardIterator', {
        StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'AT_TIMESTAMP',
        // An integer, as Java writes it (a JS number this large would go out as a float).
        Timestamp: new EpochMillis(BigInt(gc.Records[0].ApproximateArrivalTimestamp.millis)),
      }, true)).ShardIterator;
      const ga = await ok('GetRecords', { ShardIterator: at }, true);
      assert.equal(ga.Records[0].SequenceNumber, gc.Records[0].SequenceNumber);
    }
  }
  for (const b of [...blobs, Buffer.from('json')]) assert.ok(seen.some((s) => s.equals(b)), `record ${b.toString('hex')}`);

  // Errors come back in CBOR, with AWS's exception names.
  const missing = await call('DescribeStream', { StreamName: 'missing' }, true);
  assert.equal(missing.status, 400);
  assert.equal(missing.body.__type, 'ResourceNotFoundException');
  assert.match(missing.body.message, /missing/);
  const invalid = await call('PutRecord', { StreamName: name, PartitionKey: 'k', Data: 'not bytes' }, true);
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.__type, 'SerializationException');
  const validation = await call('PutRecords', { StreamName: name, Records: [] }, true);
  assert.equal(validation.body.__type, 'ValidationException');
  const garbage = await new Promise((resolve, reject) => {
    const req = http.request({
      host: endpoint.hostname, port: endpoint.port, method: 'POST', path: '/',
      headers: signed({ 'X-Amz-Target': 'Kinesis_20131202.ListStreams', 'Content-Type': 'application/x-amz-cbor-1.1' },
        Buffer.from([0xbf, 0x61, 0x41])),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: decode(Buffer.concat(chunks)) }));
    });
    req.on('error', reject);
    req.end(Buffer.from([0xbf, 0x61, 0x41]));  // a map cut short
  });
  assert.equal(garbage.status, 400);
  assert.equal(garbage.body.__type, 'SerializationException');
  await ok('DeleteStream', { StreamName: name }, true);
  console.log('ok');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
