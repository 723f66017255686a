#!/usr/bin/env node
// Entry point of the `knobe` command: the bundled CLI.
require('../dist/cli.cjs');
