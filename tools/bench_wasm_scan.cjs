#!/usr/bin/env node
// sendguard's wasm package under Node, scanning files and folders the way the native CLI does,
// so that `make bench-compare` can time both on the same files.
//
//   node tools/bench_wasm_scan.cjs [--pkg DIR] [--context CTX] PATH...
//
// Prints one JSON object a file, one a line ({path, verdict, findings}), like
// `sendguard scan --format json`; exit 1 when a document blocks, 2 on an error.
'use strict';
const fs = require('fs');
const path = require('path');

function usage(message) {
  process.stderr.write(`bench_wasm_scan: ${message}\nusage: node tools/bench_wasm_scan.cjs [--pkg DIR] [--context CTX] PATH...\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let pkgDir = path.join(__dirname, '..', 'pkg', 'node');
let context;
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--pkg') pkgDir = args[++i] ?? usage('--pkg needs a folder');
  else if (args[i] === '--context') context = args[++i] ?? usage('--context needs a value');
  else inputs.push(args[i]);
}
if (inputs.length === 0) usage('no PATH given');

let sendguard;
try {
  sendguard = require(path.resolve(pkgDir, 'sendguard.js'));
} catch (e) {
  usage(`cannot load the wasm package from ${pkgDir} (run make pkg): ${e.message}`);
}
const engine = new sendguard.Engine();
const options = context ? { context } : undefined;

function* walk(p) {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) yield* walk(path.join(p, name));
  } else if (st.isFile()) {
    yield p;
  }
}

let blocked = false;
const out = [];
for (const input of inputs) {
  for (const file of walk(input)) {
    const report = engine.scanBytes(fs.readFileSync(file), options);
    if (report.verdict === 'block') blocked = true;
    out.push(JSON.stringify({ path: file, verdict: report.verdict, findings: report.findings }));
    if (out.length >= 256) {
      fs.writeSync(1, out.join('\n') + '\n');
      out.length = 0;
    }
  }
}
if (out.length) fs.writeSync(1, out.join('\n') + '\n');
process.exit(blocked ? 1 : 0);
