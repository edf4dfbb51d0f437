// A Node.js Lambda handler for Rivulet's tests, run by aws-lambda-ric. It
// appends one JSON line per record to $HANDLER_LOG (fsync'd before it
// answers, so a line is an effect that happened), throws for data "error"
// and reports data "item" in batchItemFailures.
const fs = require('fs');

exports.handler = async (event) => {
  const failures = [];
  const lines = [];
  for (const r of event.Records) {
    const data = Buffer.from(r.kinesis.data, 'base64').toString();
    lines.push(JSON.stringify({ seq: r.kinesis.sequenceNumber, key: r.kinesis.partitionKey, data,
                                shard: r.eventID.split(':')[0], arn: r.eventSourceARN }));
    if (data === 'error') throw new Error('asked to fail');
    if (data === 'item') failures.push({ itemIdentifier: r.kinesis.sequenceNumber });
  }
  if (process.env.HANDLER_LOG && lines.length) {
    const fd = fs.openSync(process.env.HANDLER_LOG, 'a');
    fs.writeSync(fd, lines.join('\n') + '\n');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  return { batchItemFailures: failures };
};
