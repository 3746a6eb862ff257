// Memory (hardening): 10,000 scans in a row through pkg/node must not grow the wasm heap
// or the JS heap. The wasm heap never shrinks, so a leak per scan shows as growth here.
// Assertions compare numbers only; the secret is never printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Engine } = createRequire(import.meta.url)(resolve(root, 'pkg', 'node', 'sendguard.js'));

test('10,000 scans do not grow memory', () => {
  const engine = new Engine();
  const doc = '<p>Hello 😀 日本</p>\n'.repeat(50) + 'Password: Xq7#vB2m9L\n{{ user.password }}\n';
  const run = (n) => { for (let i = 0; i < n; i++) assert.equal(engine.scan(doc).verdict, 'block'); };
  run(1000); // warm up: the heap reaches its working size
  globalThis.gc?.();
  const before = process.memoryUsage();
  run(10_000);
  globalThis.gc?.();
  const after = process.memoryUsage();
  // arrayBuffers holds the wasm memory: it must not grow at all beyond one page of slack.
  const wasmGrowth = after.arrayBuffers - before.arrayBuffers;
  const rssGrowth = after.rss - before.rss;
  assert.ok(wasmGrowth <= 1 << 16, `wasm memory grew by ${wasmGrowth} bytes`);
  assert.ok(rssGrowth < 32 << 20, `rss grew by ${rssGrowth} bytes`);
  console.log(`memory: wasm/arrayBuffers +${wasmGrowth} B, rss +${rssGrowth} B, heapUsed ${before.heapUsed}→${after.heapUsed}`);
});
