// `make bench-guard` (after benches/guard.rs): the run guard at the size of a real billing run
// in Node. Checks per second at the 1,000th and at the 1,000,000th message of one run for
// a live RunGuard, the in-process MemoryStore and the RedisStore with 3 instances (worker
// threads, each its own store and connections) sharing one run in a real redis-server on a
// loopback port; then the webhook service (a child process, memory store) under a bounded
// loopback load, twice in a row.
//
// Usage: node benches/guard.mjs [--only live,memory,redis,webhook] [--late N]
//
// Every message goes to a new recipient (the worst case for maxPerRecipient) at 100 a second
// (6,000 a minute, under maxPerMinute); every answer must be `send`. "At message P" is the
// median of ROUNDS slices: early, each slice on a fresh run after P - 1 checks; late, the
// slices one after the other on one run from message P on. Early and late slices alternate,
// so that both see the same load on a shared machine, and the ratio is the median of the
// pairs' ratios. The Redis run is brought to
// message P by writing the state and the counts that P - 1 checks through checkWith()
// produce (the values the store would have written, one HSET per 10,000 counts),
// because a million checks through Redis would take minutes of a shared machine; the timed
// slices go through RedisStore.check like any caller.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, Agent } from 'node:http';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webhook = join(root, 'plugins', 'webhook');
const requireWebhook = createRequire(join(webhook, 'package.json'));
const { RunGuard } = requireWebhook('sendguard');
const Redis = requireWebhook('ioredis');
const { MemoryStore, RedisStore } = await import(join(webhook, 'store.mjs'));

const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
const LIMITS = { maxBlocked: 0, maxPerRecipient: 3, maxPerMinute: 10_000 };
const EARLY = 1_000;
const ROUNDS = 7;
const message = (i) => ({ recipient: `customer${i}@customers.example`, at: T0 + i * 10, verdict: 'pass', template: 'invoice-monthly' });
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function expectSend(d, i) {
  if (d.action !== 'send') throw new Error(`message ${i} answered ${d.action}: ${d.reason}`);
}

if (!isMainThread) {
  // A Redis instance: its own store and connections; checks the messages it is told to.
  const { url } = workerData;
  const store = new RedisStore({ Redis, url, limits: LIMITS, pool: 4 });
  await store.ready();
  parentPort.on('message', async ({ run, from, to, stride, offset, concurrency }) => {
    if (run === null) {
      await store.close();
      parentPort.close();
      return;
    }
    let next = from + offset;
    const lane = async () => {
      while (next < to) {
        const i = next;
        next += stride;
        expectSend(await store.check(run, message(i)), i);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    parentPort.postMessage('done');
  });
} else {
  const args = process.argv.slice(2);
  const only = new Set((args.includes('--only') ? args[args.indexOf('--only') + 1] : 'live,memory,redis,webhook').split(','));
  const LATE = Number(args.includes('--late') ? args[args.indexOf('--late') + 1] : 1_000_000);
  console.log(`Node ${process.version}; load average ${loadavg()[0].toFixed(2)}; limits ${JSON.stringify(LIMITS)}`);
  console.log(`checks/s, median of ${ROUNDS} slices; every message to a new recipient, 100 a second`);
  console.log(`${''.padEnd(36)} ${`at #${EARLY}`.padStart(10)} ${`at #${LATE}`.padStart(12)} ${'ratio'.padStart(8)}`);
  // medians of each side, and the median of the ratios of the alternating pairs
  const row = (name, early, late, note = '') => {
    const ratio = median(early.map((e, k) => e / late[k]));
    console.log(`${name.padEnd(36)} ${median(early).toFixed(0).padStart(10)} ${median(late).toFixed(0).padStart(12)} ${ratio.toFixed(2).padStart(7)}x ${note}`);
  };

  /**
   * `make()` → { step(i) (may return a promise), done() }. The late run is built first; then
   * early and late slices of `slice` checks alternate, so that both see the same load.
   */
  async function measure(name, make, slice) {
    const warmup = make();
    for (let i = 1; i < 20_000; i++) await warmup.step(i);
    warmup.done();
    const run = make();
    const built = process.hrtime.bigint();
    for (let i = 1; i < LATE; i++) await run.step(i);
    const build = seconds(built);
    const early = [];
    const late = [];
    for (let r = 0; r < ROUNDS; r++) {
      const fresh = make();
      for (let i = 1; i < EARLY; i++) await fresh.step(i);
      let t0 = process.hrtime.bigint();
      for (let i = EARLY; i < EARLY + slice; i++) expectSend(await fresh.step(i), i);
      early.push(slice / seconds(t0));
      fresh.done();
      const from = LATE + r * slice;
      t0 = process.hrtime.bigint();
      for (let i = from; i < from + slice; i++) expectSend(await run.step(i), i);
      late.push(slice / seconds(t0));
    }
    row(name, early, late, `(${LATE} messages in ${build.toFixed(1)} s, RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB)`);
    run.done();
  }

  if (only.has('live')) {
    await measure('Node RunGuard.check (live guard)', () => {
      const g = new RunGuard(LIMITS);
      return { step: (i) => g.check(message(i)), done: () => g.free() };
    }, 5_000);
  }
  if (only.has('memory')) {
    let n = 0;
    await measure('MemoryStore.check', () => {
      const store = new MemoryStore({ limits: LIMITS });
      const run = `run-${n++}`;
      return { step: (i) => store.check(run, message(i)), done: () => store.close() };
    }, 5_000);
  }
  if (only.has('redis')) await redisBench(LATE, row);
  if (only.has('webhook')) await webhookBench();
}

/** redis-server on a free loopback port, its files in a temporary folder. */
async function withRedis(appendfsync, fn) {
  const { startRedis, freePort } = await import(join(webhook, 'cluster.mjs'));
  const dir = mkdtempSync(join(tmpdir(), 'sendguard-bench-'));
  const port = await freePort();
  const child = await startRedis({ port, dir, appendfsync });
  try {
    return await fn(`redis://127.0.0.1:${port}/0`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The state and the counts of a run after `late - 1` checks, as the store would write them. */
function lateRun(late) {
  const g = new RunGuard(LIMITS);
  const fields = [];
  for (let i = 1; i < late; i++) {
    const step = g.checkWith(message(i), {});
    expectSend(step.decision, i);
    fields.push(...step.increments);
  }
  const state = JSON.stringify(g.state());
  g.free();
  return { state, fields };
}

async function redisBench(LATE, row) {
  const INSTANCES = 3;
  const CONCURRENCY = [16, 64]; // outstanding checks per instance
  const SLICE = 6_000;
  const built = process.hrtime.bigint();
  const late = lateRun(LATE);
  const computed = seconds(built);
  // `always` is the cluster test's setting; `everysec` Redis's own advice for AOF
  for (const appendfsync of ['always', 'everysec']) {
    await withRedis(appendfsync, async (url) => {
      const workers = await Promise.all(Array.from({ length: INSTANCES }, () => new Promise((res, rej) => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: { url } });
        w.once('online', () => res(w));
        w.on('error', (err) => {
          console.error(`redis bench instance: ${err.message}`);
          process.exit(1);
        });
        w.once('exit', (code) => code === 0 || rej(new Error(`instance exited with ${code}`)));
      })));
      await new Promise((r) => setTimeout(r, 500)); // the workers' connections
      const slice = (run, from, concurrency) => {
        const t0 = process.hrtime.bigint();
        return Promise.all(workers.map((w, k) => new Promise((res) => {
          w.once('message', res);
          w.postMessage({ run, from, to: from + SLICE, stride: INSTANCES, offset: k, concurrency });
        }))).then(() => SLICE / seconds(t0));
      };
      // a fresh run brought to message EARLY through one store, 16 checks at a time
      const bring = async (run) => {
        let next = 1;
        const lane = async () => {
          while (next < EARLY) {
            const i = next++;
            expectSend(await one.check(run, message(i)), i);
          }
        };
        await Promise.all(Array.from({ length: 16 }, lane));
      };
      const one = new RedisStore({ Redis, url, limits: LIMITS, pool: 2 });
      await one.ready();
      const c = new Redis(url);
      try {
        // warm-up, then early: fresh runs brought to message 1,000 through the store
        await bring('warm');
        for (let k = 0; k < 3; k++) await slice('warm', EARLY + k * SLICE, 16);
        const written = process.hrtime.bigint();
        for (let k = 0; k < late.fields.length; k += 10_000) {
          await c.hset('sendguard:run:late#counts', ...late.fields.slice(k, k + 10_000).flatMap((f) => [f, 1]));
        }
        await c.set('sendguard:run:late', late.state, 'EX', 86_400);
        await c.expire('sendguard:run:late#counts', 86_400);
        const hlen = await c.hlen('sendguard:run:late#counts');
        if (hlen !== LATE - 1) throw new Error(`counts hash has ${hlen} fields`);
        // the bulk load makes Redis rewrite its AOF; let it finish (a server that reached a
        // million checks one at a time would have rewritten it long before), so that the
        // rewrite's disk writes are not timed as part of the late slices
        await c.bgrewriteaof().catch(() => {});
        while (/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await c.info('persistence'))) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const write = seconds(written);
        let n = 0;
        let sent = LATE - 1;
        for (const concurrency of CONCURRENCY) {
          const early = [];
          const lateRates = [];
          for (let r = 0; r < ROUNDS; r++) {
            await bring(`early-${n}`);
            early.push(await slice(`early-${n++}`, EARLY, concurrency));
            lateRates.push(await slice('late', LATE + (sent - (LATE - 1)), concurrency));
            sent += SLICE;
          }
          const s = await one.summary('late');
          if (s.counts.sent !== sent) throw new Error(`late run sent ${s.counts.sent}, not ${sent}`);
          const mem = (await c.info('memory')).match(/used_memory_human:(\S+)/)[1];
          row(`RedisStore, ${INSTANCES}x${concurrency}, fsync ${appendfsync}`, early, lateRates,
            `(late run: ${LATE - 1} checks computed in ${computed.toFixed(1)} s, written in ${write.toFixed(1)} s; redis ${mem}; ${SLICE} checks a slice)`);
        }
      } finally {
        c.disconnect();
        await one.close();
        for (const w of workers) w.postMessage({ run: null });
        await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
      }
    });
  }
}

/** The webhook service under a bounded loopback load, twice in a row, as in issue 21. */
async function webhookBench() {
  const { freePort } = await import(join(webhook, 'cluster.mjs'));
  const { billingRun } = await import(join(root, 'plugins', 'testkit', 'generate.mjs'));
  const REQUESTS = 20_000;
  const CONCURRENT = 50;
  const RUNS = 20;
  const limits = { maxBlocked: 0, maxTriggerAgeDays: 7, maxPerMinute: 10_000, maxPerRecipient: 3, maxHeld: 200 };
  const port = await freePort();
  const child = spawn(process.execPath, [join(webhook, 'server.mjs')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SENDGUARD_LIMITS: JSON.stringify(limits), SENDGUARD_INSTANCE: 'bench' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT });
  const post = (body) => new Promise((res, rej) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request({ host: '127.0.0.1', port, path: '/v1/check', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, body: JSON.parse(Buffer.concat(chunks)) }));
    });
    req.on('error', rej);
    req.end(data);
  });
  try {
    for (let t = 0; ; t++) {
      try {
        await new Promise((res, rej) => request({ host: '127.0.0.1', port, path: '/healthz' }, (r) => { r.resume(); res(); }).on('error', rej).end());
        break;
      } catch (err) {
        if (t > 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const perRun = REQUESTS / RUNS;
    const items = Array.from({ length: RUNS }, (_, r) => billingRun({ count: perRun, seed: 100 + r }));
    const bodies = [];
    for (let k = 0; k < perRun; k++) {
      for (let r = 0; r < RUNS; r++) {
        const it = items[r][k];
        bodies.push({ run: `bench-run-${r}`, message: { to: it.to, subject: it.subject, html: it.html, context: 'invoice', template: it.template } });
      }
    }
    console.log(`\nwebhook service (memory store), ${REQUESTS} requests, ${CONCURRENT} concurrent, ${RUNS} runs, limits ${JSON.stringify(limits)}`);
    for (const pass of ['first', 'second']) {
      const before = rss();
      let next = 0;
      const tenths = Array(10).fill(0);
      const t0 = process.hrtime.bigint();
      const marks = [];
      const lane = async () => {
        while (next < bodies.length) {
          const k = next++;
          const r = await post(bodies[k]);
          if (r.status !== 200 || r.body.action !== 'send') throw new Error(`request ${k}: ${r.status} ${r.body.action} ${r.body.reason ?? r.body.error}`);
          marks.push(seconds(t0));
        }
      };
      await Promise.all(Array.from({ length: CONCURRENT }, lane));
      const total = seconds(t0);
      marks.sort((a, b) => a - b);
      for (let d = 0; d < 10; d++) {
        const a = d === 0 ? 0 : marks[(d * REQUESTS) / 10 - 1];
        tenths[d] = REQUESTS / 10 / (marks[((d + 1) * REQUESTS) / 10 - 1] - a);
      }
      console.log(`${pass} time: ${(REQUESTS / total).toFixed(0)} checks/s in all; first tenth ${tenths[0].toFixed(0)}/s, last tenth ${tenths[9].toFixed(0)}/s; RSS ${before.toFixed(0)} -> ${rss().toFixed(0)} MB`);
    }
  } finally {
    agent.destroy();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
