// Native and wasm give identical reports on every document of the dev corpus
// (../shared/corpus/dev, or SENDGUARD_CORPUS): the same rules, the same offsets, the
// same redactions, through `scan` (text) and `scanBytes` (raw bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeReports } from './native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = resolve(root, process.env.SENDGUARD_CORPUS ?? '../shared/corpus/dev');
const { Engine } = createRequire(import.meta.url)(join(root, 'pkg'));

test('wasm reports equal native reports on the whole dev corpus', () => {
  const docs = join(corpus, 'docs');
  assert.ok(existsSync(docs), `no corpus at ${docs} (set SENDGUARD_CORPUS)`);
  const files = readdirSync(docs).sort().map((f) => join(docs, f));
  assert.ok(files.length > 0, 'the corpus has documents');
  const native = nativeReports(files);
  assert.equal(native.length, files.length);
  const engine = new Engine();
  let findings = 0;
  for (const expected of native) {
    const bytes = readFileSync(expected.path);
    let text = null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {}
    const viaText = text === null ? null : engine.scan(text);
    let viaBytes;
    try {
      viaBytes = engine.scanBytes(bytes);
    } catch (e) {
      viaBytes = { error: e.code };
    }
    // Reports hold redacted values only, so a diff here never shows a secret.
    assert.deepEqual(viaText, expected.text, `scan() differs on ${expected.path}`);
    assert.deepEqual(viaBytes, expected.bytes, `scanBytes() differs on ${expected.path}`);
    findings += viaText?.findings.length ?? 0;
  }
  console.log(`${native.length} documents, ${findings} findings: native == wasm`);
});
