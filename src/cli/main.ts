// The `knobe` command.
const [command] = process.argv.slice(2);
if (command === 'demo' || command === 'run') {
  console.log('knobe: nothing to run yet — cell execution arrives with the runtime and controller.');
} else {
  console.log('usage: knobe run <file.knobe> [--out <file>] [--report <file.html>] [--cells a,b] [--json]');
}
