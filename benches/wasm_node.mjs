// `make bench-wasm`: scan throughput of the wasm build in Node against the native build,
// on the same files in the same run. Usage: node benches/wasm_node.mjs DIR [SECONDS] [PAIRS]
//
// The two sides alternate in PAIRS short slices (native, wasm, native, wasm, ...), SECONDS
// per side in all, and the ratio is the median of the slices' ratios: on a shared machine
// the load changes from second to second, and two long runs one after the other measured
// anything from 1.9x to 2.5x for the same build. Each slice is wall time of whole rounds
// over the files; the best slice of each side is shown too.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.argv[2] ?? join(root, '../shared/corpus/dev/docs'));
const seconds = Number(process.argv[3] ?? 3);
const pairs = Number(process.argv[4] ?? 8);
const slice = seconds / pairs;
const files = readdirSync(dir).sort().map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
if (files.length === 0) throw new Error(`no files in ${dir}`);

const nativeExe = join(root, 'target', 'release', 'examples', 'scan_throughput');
const native = () =>
  JSON.parse(execFileSync(nativeExe, ['--seconds', String(slice), ...files], { encoding: 'utf8' })).mbPerSecond;

const { Engine } = createRequire(import.meta.url)(join(root, 'pkg'));
const engine = new Engine();
const texts = files.map((f) => readFileSync(f, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
for (const t of texts) engine.scan(t); // warm-up
function wasm() {
  let rounds = 0;
  let elapsed = 0;
  const start = process.hrtime.bigint();
  while (rounds === 0 || elapsed < slice) {
    for (const t of texts) engine.scan(t);
    rounds += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return (bytes * rounds) / elapsed / 1e6;
}

const load = loadavg()[0];
const runs = [];
for (let i = 0; i < pairs; i++) runs.push({ native: native(), wasm: wasm() });
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const best = (xs) => Math.max(...xs);
const n = runs.map((r) => r.native);
const w = runs.map((r) => r.wasm);

const fmt = (x) => x.toFixed(1).padStart(8);
console.log(`files: ${files.length} (${(bytes / 1e6).toFixed(2)} MB) from ${dir}`);
console.log(`${pairs} alternating slices of ${slice.toFixed(2)} s per side; load average ${load.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`);
console.log(`native  ${fmt(median(n))} MB/s median, ${fmt(best(n))} best`);
console.log(`wasm    ${fmt(median(w))} MB/s median, ${fmt(best(w))} best  (Node ${process.version})`);
console.log(`ratio   native / wasm = ${median(runs.map((r) => r.native / r.wasm)).toFixed(2)}x median of slices, ${(best(n) / best(w)).toFixed(2)}x best / best  (target <= 2x)`);
