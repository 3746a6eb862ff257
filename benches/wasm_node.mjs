// `make bench-wasm`: scan throughput of the wasm build in Node against the native build,
// on the same files in the same run. Usage: node benches/wasm_node.mjs DIR [SECONDS]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.argv[2] ?? join(root, '../shared/corpus/dev/docs'));
const seconds = Number(process.argv[3] ?? 3);
const files = readdirSync(dir).sort().map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
if (files.length === 0) throw new Error(`no files in ${dir}`);

const nativeExe = join(root, 'target', 'release', 'examples', 'scan_throughput');
const native = JSON.parse(execFileSync(nativeExe, ['--seconds', String(seconds), ...files], { encoding: 'utf8' }));

const { Engine } = createRequire(import.meta.url)(join(root, 'pkg'));
const engine = new Engine();
const texts = files.map((f) => readFileSync(f, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
for (const t of texts) engine.scan(t); // warm-up
let rounds = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
while (rounds === 0 || elapsed < seconds) {
  for (const t of texts) engine.scan(t);
  rounds += 1;
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
}
const wasm = (bytes * rounds) / elapsed / 1e6;

const fmt = (x) => x.toFixed(1).padStart(8);
console.log(`files: ${files.length} (${(bytes / 1e6).toFixed(2)} MB) from ${dir}`);
console.log(`native  ${fmt(native.mbPerSecond)} MB/s  (${native.rounds} rounds)`);
console.log(`wasm    ${fmt(wasm)} MB/s  (${rounds} rounds, Node ${process.version})`);
console.log(`ratio   native / wasm = ${(native.mbPerSecond / wasm).toFixed(2)}x  (target <= 2x)`);
