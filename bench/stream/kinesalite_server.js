// Starts kinesalite (the established Kinesis emulator, in memory) bound to
// 127.0.0.1 on the port given as argv[2] (0 = any free port) and prints the
// chosen port. Exits when stdin closes, so the benchmark cannot leak it.
'use strict';
const path = require('path');
const kinesalite = require(path.join(__dirname, '..', '..', 'tests', 'node', 'node_modules', 'kinesalite'));

const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(server.address().port);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
