// The preparation of a policy's rules in idle time (sendguard/codemirror, sendguard/monaco), in
// Node: no requestIdleCallback there, so each piece runs in a timer task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { prepareRules } from 'sendguard/monaco';

const { Engine } = createRequire(import.meta.url)('sendguard');
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

test('the whole policy is scanned, in pieces that end at line ends', async () => {
  const policy = Engine.defaultPolicy();
  const pieces = [];
  prepareRules((piece) => pieces.push(piece), policy);
  await settle();
  assert.equal(pieces.join(''), policy);
  assert.ok(pieces.length > 10, `${pieces.length} pieces`);
  for (const piece of pieces.slice(0, -1)) assert.ok(piece.endsWith('\n') && piece.length < 4000);
});

test('a failing scan does not stop the rest; cancelling stops what has not run', async () => {
  const text = 'a\n'.repeat(5000);
  let calls = 0;
  prepareRules(() => {
    calls++;
    throw new Error('refused');
  }, text);
  await settle();
  assert.ok(calls > 1);
  let after = 0;
  const cancel = prepareRules(() => after++, text);
  cancel();
  await settle();
  assert.ok(after <= 1, `${after} pieces after cancel`);
});

test('preparing with the default policy leaves an engine that scans as before', async () => {
  const engine = new Engine();
  prepareRules((piece) => engine.scan(piece), Engine.defaultPolicy());
  await settle();
  const report = engine.scan('Password: Xq7#vB2m9L', { context: 'welcome' });
  assert.equal(report.verdict, 'block');
  assert.equal(report.findings[0].redacted, 'Xq******9L');
});
