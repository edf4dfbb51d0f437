// Runs dynalite (in memory, no artificial table-creation delay) on 127.0.0.1
// and prints the port it got. Exits when stdin closes so the benchmark script
// can never leave it running.
const dynalite = require('dynalite');
const port = Number(process.argv[2] || 0);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(String(server.address().port) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
