// The run key of a message (lib/runkey.js): which source wins, what a sender must fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { parseSources, runKey, SenderError, RUN_ID } = createRequire(import.meta.url)('../lib/runkey.js');
const at = Date.UTC(2026, 2, 1, 2, 17, 0);
const base = { sources: ['header', 'auth', 'sender'], header: 'X-Sendguard-Run', at, windowMinutes: 60, mailFrom: 'billing@acme.example' };

test('the first source that applies gives the key', () => {
  assert.deepEqual(runKey({ ...base, headerValue: 'billing-2026-03', authUser: 'app' }), { key: 'billing-2026-03', source: 'header' });
  assert.deepEqual(runKey({ ...base, authUser: 'Billing App' }), { key: 'auth:billing_app', source: 'auth' });
  assert.deepEqual(runKey(base), { key: 'sender:billing@acme.example:20260301T0200', source: 'sender' });
  assert.deepEqual(runKey({ ...base, sources: ['sender'], headerValue: 'ignored' }), { key: 'sender:billing@acme.example:20260301T0200', source: 'sender' });
});

test('sender keys: one per window, null sender included, always a valid run id', () => {
  assert.equal(runKey({ ...base, windowMinutes: 15 }).key, 'sender:billing@acme.example:20260301T0215');
  assert.equal(runKey({ ...base, mailFrom: '' }).key, 'sender:__:20260301T0200');
  const long = runKey({ ...base, mailFrom: `${'x'.repeat(200)}+tag@acme.example` }).key;
  assert.ok(RUN_ID.test(long), long);
  assert.notEqual(long, runKey({ ...base, mailFrom: `${'x'.repeat(200)}+other@acme.example` }).key);
});

test('what the sender must fix is a SenderError that names it', () => {
  assert.throws(() => runKey({ ...base, headerValue: 'a b' }), (e) => e instanceof SenderError && /X-Sendguard-Run header must be/.test(e.message));
  assert.throws(() => runKey({ ...base, sources: ['header', 'auth'] }), (e) => e instanceof SenderError && /set the X-Sendguard-Run header, or authenticate/.test(e.message));
  assert.throws(() => parseSources('header,dkim'), /unknown source "dkim"/);
  assert.throws(() => parseSources(''), /run_key is empty/);
});
