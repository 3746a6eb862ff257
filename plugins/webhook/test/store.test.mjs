// The guard stores through their public API (`check`, `summary`, `reset`): the in-process
// store, and the Redis store against a real redis-server on a loopback port (fails, never
// skips, when redis-server is missing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { MemoryStore, RedisStore, StoreUnavailable } from '../store.mjs';
import { startRedis, freePort, requireRedisServer } from '../cluster.mjs';

const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
const pass = (recipient, at, extra = {}) => ({ recipient, at, verdict: 'pass', ...extra });

let redis;
let dir;
let url;
const stores = [];
async function redisStore(options = {}) {
  const s = new RedisStore({ Redis, url, pool: 2, ...options });
  stores.push(s);
  await s.ready();
  return s;
}

before(async () => {
  requireRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'sendguard-store-'));
  const port = await freePort();
  url = `redis://127.0.0.1:${port}/0`;
  redis = await startRedis({ port, dir });
});
after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  if (redis && redis.exitCode === null) {
    const exited = new Promise((r) => redis.once('exit', r));
    redis.kill('SIGKILL');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The same contract for both stores. */
async function contract(store, run) {
  assert.equal(await store.summary(run), null, 'a run never checked has no summary');
  assert.equal(await store.reset(run), null);
  const first = await store.check(run, pass('Jane <jane@customers.example>', T0));
  assert.deepEqual({ action: first.action, checked: first.counts.checked }, { action: 'send', checked: 1 });
  const again = await store.check(run, pass('jane@customers.example', T0 + 1));
  assert.equal(again.action, 'hold', 'maxPerRecipient 1 counts the normalised address');
  assert.match(again.reason, /^maxPerRecipient: j\*\*\*@customers\.example already received 1/);
  // a check the guard refuses changes nothing
  await assert.rejects(store.check(run, { recipient: 'x@y.example', at: T0, verdict: 'pass', triggerAt: 1 }), (e) => e.code === 'input');
  assert.equal((await store.summary(run)).counts.checked, 2);
  const leak = await store.check(run, { recipient: 'k@customers.example', at: T0 + 2, verdict: 'block' });
  assert.equal(leak.action, 'halt');
  assert.equal((await store.check(run, pass('l@customers.example', T0 + 3))).action, 'halt', 'sticky');
  const s = await store.summary(run);
  assert.deepEqual({ halted: s.halted, at: s.haltedAtCheck, checked: s.counts.checked }, { halted: true, at: 3, checked: 4 });
  const r = await store.reset(run);
  assert.deepEqual({ halted: r.halted, checked: r.counts.checked }, { halted: false, checked: 0 });
  assert.equal((await store.check(run, pass('jane@customers.example', T0 + 4))).action, 'send', 'the reset cleared the counts too');
}

const LIMITS = { maxBlocked: 0, maxPerRecipient: 1, maxPerMinute: 10_000 };

test('memory store: check, summary, reset', async () => {
  const store = new MemoryStore({ limits: LIMITS });
  await contract(store, 'm1');
  await store.close();
});

test('memory store: idle runs are forgotten after ttlMs, and at most maxRuns are kept', async () => {
  let now = 1_000;
  const store = new MemoryStore({ limits: LIMITS, ttlMs: 100, maxRuns: 2, now: () => now });
  await store.check('a', pass('a@x.example', T0));
  await store.check('b', pass('a@x.example', T0));
  await assert.rejects(store.check('c', pass('a@x.example', T0)), StoreUnavailable);
  now += 101;
  assert.equal((await store.check('c', pass('a@x.example', T0))).action, 'send');
  assert.equal(await store.summary('a'), null, 'idle run forgotten');
  assert.equal((await store.health()).runs, 1);
  assert.throws(() => new MemoryStore({ limits: { maxMessages: 0 } }), /maxMessages/);
  await store.close();
});

test('redis store: check, summary, reset', async () => {
  await contract(await redisStore({ limits: LIMITS }), 'r1');
});

test('redis store: the state stays small and the counts hash names no address', async () => {
  const store = await redisStore({ limits: { ...LIMITS, maxDuplicates: 3 } });
  const n = 2_000;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => store.check('big', pass(`customer${i}@customers.example`, T0 + i * 10, { fingerprint: `body-${i % 7}` }))));
  assert.equal(answers.filter((a) => a.action === 'send').length, 7 * 3, 'maxDuplicates 3 per fingerprint');
  assert.equal(new Set(answers.map((a) => a.counts.checked)).size, n, 'every check saw its own count');
  const c = new Redis(url);
  try {
    const state = await c.get('sendguard:run:big');
    assert.ok(state.length < 1_000, `state of ${state.length} bytes`);
    const counts = await c.hgetall('sendguard:run:big#counts');
    assert.equal(Object.keys(counts).length, 21 + 7, 'one count per recipient sent to, one per fingerprint');
    assert.ok(Object.keys(counts).every((k) => /^[rf]:[0-9a-f]{32}$/.test(k)));
    const dump = state + JSON.stringify(counts);
    assert.equal(/customers\.example|body-/.test(dump), false, 'an address or a fingerprint is stored');
    assert.ok((await c.ttl('sendguard:run:big#counts')) > 0);
  } finally {
    c.disconnect();
  }
});

test('redis store: two stores (instances) share one run exactly, batched or not', async () => {
  const a = await redisStore({ limits: LIMITS, maxBatch: 16 });
  const b = await redisStore({ limits: LIMITS, maxBatch: 1 });
  // 100 recipients, each checked 4 times, interleaved over both instances: each sent once
  const checks = Array.from({ length: 400 }, (_, i) => pass(`u${i % 100}@customers.example`, T0 + i));
  const answers = await Promise.all(checks.map((c, i) => (i % 2 ? a : b).check('shared', c)));
  assert.equal(answers.filter((x) => x.action === 'send').length, 100);
  const s = await a.summary('shared');
  assert.deepEqual({ checked: s.counts.checked, sent: s.counts.sent, held: s.counts.held }, { checked: 400, sent: 100, held: 300 });
  assert.deepEqual(await b.summary('shared'), s);
});

test('redis store: a version 1 state is read (a halted run stays halted); an unreadable one is an error', async () => {
  const c = new Redis(url);
  try {
    const v1 = {
      version: 1, limits: { maxBlocked: 0, maxPerRecipient: 2 }, clock: T0,
      counts: { checked: 3, sent: 2, held: 0, halted: 1, blocked: 1, warned: 0 },
      halt: { reason: 'maxBlocked: 1 blocked messages exceed the limit of 0 (check #3)', check: 3 },
      recipients: { 'a@customers.example': 2 },
    };
    await c.set('sendguard:run:old', JSON.stringify(v1));
    await c.set('sendguard:run:broken', '{"version":2,');
    const store = await redisStore({ limits: LIMITS });
    const d = await store.check('old', pass('b@customers.example', T0 + 5));
    assert.equal(d.action, 'halt');
    assert.match(d.reason, /^maxBlocked: 1 blocked/);
    assert.equal(JSON.parse(await c.get('sendguard:run:old')).version, 2, 'written back as version 2');
    await assert.rejects(store.check('broken', pass('b@customers.example', T0)), /stored state of the run is unreadable/);
    assert.equal(await c.get('sendguard:run:broken'), '{"version":2,', 'an unreadable state is never replaced by a fresh run');
  } finally {
    c.disconnect();
  }
});

test('redis store: unreachable Redis is StoreUnavailable, never a decision', async () => {
  const port = await freePort(); // nothing listens there
  const store = new RedisStore({ Redis, url: `redis://127.0.0.1:${port}/0`, limits: LIMITS, pool: 1 });
  try {
    await assert.rejects(store.ready(300), StoreUnavailable);
    await assert.rejects(store.check('r', pass('a@customers.example', T0)), StoreUnavailable);
    await assert.rejects(store.summary('r'), StoreUnavailable);
    assert.equal((await store.health()).ok, false);
  } finally {
    await store.close();
  }
});
