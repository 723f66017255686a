#!/usr/bin/env node
// Entry point of the `knobe` command: the bundled CLI (npm run build writes dist/cli.cjs).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  console.error('knobe: dist/cli.cjs is missing; run `npm run build` first');
  process.exit(2);
}
require(bundle).cli(process.argv.slice(2));
