#!/usr/bin/env node
'use strict';
// `runlens` command: a thin launcher for the built Node shell (out/main/cli.js).
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('runlens: the app is not built yet. Run `npm run build` first.\n');
  process.exit(1);
}
require(cli)
  .runCli(process.argv.slice(2))
  .catch((err) => {
    process.stderr.write(`runlens: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  });
