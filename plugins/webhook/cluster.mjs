#!/usr/bin/env node
// A local cluster on loopback: one redis-server (Debian's) and N webhook instances sharing
// run guards through it. Used by the cluster test and by `make demo-cluster`, which replays a
// billing run round-robin across three instances and prints what each one answered.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'node:http';
import { billingRun } from '../testkit/generate.mjs';
import { freePort, requireRedisServer, startRedis as startRedisServer } from '../testkit/redis.mjs';

// Re-exported so that the store test and benches/guard.mjs keep one import for the cluster.
export { freePort, requireRedisServer, REDIS_SERVER } from '../testkit/redis.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

function waitForLine(child, pattern, what, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${buffered.slice(-2000)}`)), timeoutMs);
    const onData = (chunk) => {
      buffered += chunk;
      const m = pattern.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { buffered += c; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}:\n${buffered.slice(-2000)}`)); });
  });
}

/**
 * Starts redis-server on 127.0.0.1:`port` with an append-only file in `dir` (testkit's
 * starter; `appendfsync` is `always` unless told otherwise) and resolves its child process:
 * the cluster kills and restarts it on the same port and folder, so it keeps the folder.
 */
export async function startRedis({ port, dir, appendfsync = 'always' }) {
  return (await startRedisServer({ port, dir, appendfsync })).child;
}

/** Starts one service instance (a child process) on a free loopback port; resolves its base URL. */
export async function startInstance({ name, redisUrl, limits, env = {}, logs = [] }) {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SENDGUARD_INSTANCE: name, SENDGUARD_REDIS_URL: redisUrl, SENDGUARD_LIMITS: JSON.stringify(limits), SENDGUARD_CLIENT_CLOCK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c) => logs.push(...c.split('\n').filter(Boolean)));
  await waitForLine(child, /"event":"listening"/, `instance ${name}`);
  return { name, child, base: `http://127.0.0.1:${port}` };
}

/** POSTs/GETs JSON; resolves `{ status, body }`. */
export function call(base, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(`${base}${path}`, { method, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try { resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }); } catch (err) { reject(err); }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Polls until every instance's /healthz reports Redis reachable. */
export async function waitHealthy(instances, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (const i of instances) {
    for (;;) {
      const r = await call(i.base, 'GET', '/healthz').catch(() => ({ status: 0 }));
      if (r.status === 200) break;
      if (Date.now() > until) throw new Error(`instance ${i.name} did not reach Redis within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

/** Starts Redis and `count` instances; `stop()` ends every process this started. */
export async function startCluster({ count = 3, limits }) {
  const dir = mkdtempSync(join(tmpdir(), 'sendguard-redis-'));
  const redisPort = await freePort();
  const cluster = { dir, redisPort, redisUrl: `redis://127.0.0.1:${redisPort}/0`, instances: [], logs: [] };
  cluster.redis = await startRedis({ port: redisPort, dir });
  cluster.restartRedis = async () => { cluster.redis = await startRedis({ port: redisPort, dir }); };
  cluster.killRedis = async () => {
    const r = cluster.redis;
    const exited = new Promise((res) => r.once('exit', res));
    r.kill('SIGKILL');
    await exited;
  };
  cluster.stop = async () => {
    for (const p of [...cluster.instances.map((i) => i.child), cluster.redis]) {
      if (p && p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((res) => p.once('exit', res));
        p.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let k = 1; k <= count; k++) cluster.instances.push(await startInstance({ name: `i${k}`, redisUrl: cluster.redisUrl, limits, logs: cluster.logs }));
    await waitHealthy(cluster.instances);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** The check body for one generated invoice. */
export function checkBody(run, item) {
  return { run, message: { to: item.to, subject: item.subject, html: item.html, context: item.context, template: item.template, at: item.at } };
}

async function demo() {
  const limits = { maxBlocked: 0, maxTriggerAgeDays: 7, maxPerMinute: 300 };
  console.log(`starting ${requireRedisServer().split(' ')[2] ?? 'redis-server'} and 3 instances on 127.0.0.1 …`);
  const cluster = await startCluster({ count: 3, limits });
  try {
    console.log(`redis ${cluster.redisUrl}; instances ${cluster.instances.map((i) => `${i.name}=${i.base}`).join(', ')}`);
    const items = billingRun({ count: 240, leakFrom: 161, seed: 2026 });
    console.log(`replaying a billing run of ${items.length} invoices round-robin; the template starts leaking passwords at #161\n`);
    const tally = {};
    let firstHaltShown = false;
    for (const [k, item] of items.entries()) {
      const inst = cluster.instances[k % cluster.instances.length];
      const r = await call(inst.base, 'POST', '/v1/check', checkBody('billing-2026-03', item));
      const a = r.body.action;
      tally[inst.name] ??= { send: 0, hold: 0, halt: 0 };
      tally[inst.name][a]++;
      if (a !== 'send' && !firstHaltShown) {
        firstHaltShown = true;
        console.log(`#${item.index} on ${inst.name}: ${a} (${r.body.findings.map((f) => `${f.ruleId} line ${f.line}`).join(', ')}) — ${r.body.reason}`);
      }
    }
    for (const [name, t] of Object.entries(tally)) console.log(`${name}: sent ${t.send}, held ${t.hold}, halted ${t.halt}`);
    const s = (await call(cluster.instances[0].base, 'GET', '/v1/runs/billing-2026-03')).body;
    console.log(`\nrun billing-2026-03 (one guard in Redis): checked ${s.counts.checked}, sent ${s.counts.sent}, halted ${s.counts.halted}; halted at check ${s.haltedAtCheck}: ${s.haltReason}`);
  } finally {
    await cluster.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  demo().catch((err) => {
    console.error(`demo-cluster: ${err.message}`);
    process.exitCode = 1;
  });
}
