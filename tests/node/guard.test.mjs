// The RunGuard of the package as a third party uses it: a live guard, a guard kept in the
// caller's store (state v2, and v1 still read), and counts kept beside it (checkWith).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { RunGuard } = createRequire(import.meta.url)(join(root, 'pkg'));
const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
const pass = (recipient, at, extra = {}) => ({ recipient, at, verdict: 'pass', ...extra });

test('the state is version 2: 60 bucket counters per window, digests instead of addresses', () => {
  const g = new RunGuard({ maxPerMinute: 1_000, maxPerHour: 10_000, maxPerRecipient: 10 });
  for (let i = 0; i < 500; i++) assert.equal(g.check(pass(`u${i % 50}@customers.example`, T0 + i * 100)).action, 'send');
  const s = g.state();
  assert.equal(s.version, 2);
  assert.equal(s.minute.length, 60);
  assert.equal(s.hour.length, 60);
  assert.equal(s.minute.reduce((a, b) => a + b), 500);
  assert.equal(Object.keys(s.recipients).length, 50);
  assert.ok(Object.keys(s.recipients).every((k) => /^[0-9a-f]{32}$/.test(k)));
  assert.equal(JSON.stringify(s).includes('customers.example'), false);
  const back = RunGuard.fromState(JSON.parse(JSON.stringify(s)));
  assert.match(back.check(pass('U7@customers.example', T0 + 60_000)).reason, /^maxPerRecipient: u\*\*\*@customers\.example already received 10/);
  g.free();
  back.free();
});

test('a version 1 state is read, and a halted one stays halted', () => {
  const v1 = {
    version: 1, limits: { maxBlocked: 0, maxPerMinute: 5 }, clock: T0,
    counts: { checked: 3, sent: 2, held: 0, halted: 1, blocked: 1, warned: 0 },
    halt: { reason: 'maxBlocked: 1 blocked messages exceed the limit of 0 (check #3)', check: 3 },
    window: [T0 - 2_000, T0 - 1_000, T0],
  };
  const g = RunGuard.fromState(v1);
  const d = g.check(pass('a@customers.example', T0 + 1));
  assert.equal(d.action, 'halt');
  assert.equal(d.reason, v1.halt.reason);
  assert.equal(g.state().version, 2);
  assert.throws(() => RunGuard.fromState({ ...v1, version: 7 }), (e) => e.code === 'input' && /version 7/.test(e.message));
});

test('checkWith: counts kept by the caller, increments named by countKeys', () => {
  const g = new RunGuard({ maxPerRecipient: 1, maxDuplicates: 2 });
  const c = pass('Jane <jane@customers.example>', T0, { fingerprint: 'invoice-body-1' });
  const keys = RunGuard.countKeys(c);
  assert.match(keys.recipient, /^r:[0-9a-f]{32}$/);
  assert.match(keys.fingerprint, /^f:[0-9a-f]{32}$/);
  assert.equal(RunGuard.countKeys(pass('jane@customers.example', 1)).recipient, keys.recipient);
  assert.equal(RunGuard.countKeys(pass('a@b.example', 1)).fingerprint, null);
  const counts = new Map();
  const step = (check) => {
    const k = RunGuard.countKeys(check);
    const s = g.checkWith(check, { recipient: counts.get(k.recipient) ?? 0, fingerprint: k.fingerprint ? counts.get(k.fingerprint) ?? 0 : 0 });
    for (const f of s.increments) counts.set(f, (counts.get(f) ?? 0) + 1);
    return s;
  };
  const first = step(c);
  assert.equal(first.decision.action, 'send');
  assert.deepEqual(first.increments, [keys.recipient, keys.fingerprint]);
  const second = step(c);
  assert.equal(second.decision.action, 'hold');
  assert.deepEqual(second.increments, []);
  assert.equal(step(pass('b@customers.example', T0, { fingerprint: 'invoice-body-1' })).decision.action, 'send');
  assert.equal(step(pass('c@customers.example', T0, { fingerprint: 'invoice-body-1' })).decision.action, 'hold');
  assert.deepEqual(g.state().recipients, undefined, 'counts kept by the caller stay out of the state');
  // a refused input changes nothing
  assert.throws(() => g.checkWith(c, { recipient: 1, extra: 2 }), (e) => e.code === 'input' && /unknown field `extra`/.test(e.message));
  assert.throws(() => g.checkWith(c, { recipient: -1 }), (e) => e.code === 'input');
  assert.throws(() => RunGuard.countKeys({ recipient: 'a' }), (e) => e.code === 'input');
  assert.equal(g.summary().counts.checked, 4);
});
