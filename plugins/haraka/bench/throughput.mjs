#!/usr/bin/env node
// Relay throughput: the same clean billing run sent through Haraka with haraka-plugin-sendguard
// and through the same Haraka without it, in one run, to the same sink. Prints messages/s of
// each and the ratio.
//   node bench/throughput.mjs [messages=1000] [connections=16] [redis|memory] [forward|discard]
// `discard` ends each message in Haraka (queue/discard) instead of forwarding it to the sink:
// the relay's own rate, without the next hop's latency.
import { loadavg } from 'node:os';
import { billingRun } from '../../testkit/generate.mjs';
import { startRedis } from '../../testkit/redis.mjs';
import { startRelay, startSink, transportTo } from '../local.mjs';

const count = Number(process.argv[2] ?? 1000);
const connections = Number(process.argv[3] ?? 16);
const storeKind = process.argv[4] ?? 'redis';
const next = process.argv[5] ?? 'forward';
const queue = next === 'discard' ? 'queue/discard' : 'queue/smtp_forward';
const items = billingRun({ count, seed: 5 });

async function rate(relay, run) {
  const transport = transportTo(relay.port, { pool: true, maxConnections: connections });
  // warm up: connections open, engine and JIT warm
  await Promise.all(items.slice(0, 20).map((item) => transport.sendMail(mail(item, `${run}-warm`))));
  const started = process.hrtime.bigint();
  await Promise.all(items.map((item) => transport.sendMail(mail(item, run))));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  transport.close();
  return count / seconds;
}

function mail(item, run) {
  return { from: 'billing@acme.example', to: item.to, subject: item.subject, html: item.html, headers: { 'X-Sendguard-Run': run, 'X-Sendguard-Context': 'invoice' } };
}

const sink = await startSink();
const redis = storeKind === 'redis' ? await startRedis() : null;
const limits = { maxBlocked: 0 };
const results = {};
try {
  for (const [name, plugin] of [['without', false], ['with', true], ['without', false], ['with', true]]) {
    const relay = await startRelay({ sinkPort: sink.port, plugin, queue, sendguard: { limits, store: redis ? { redis_url: redis.url } : {} } });
    try {
      const r = await rate(relay, `bench-${name}-${Date.now()}`);
      (results[name] ??= []).push(r);
    } finally {
      await relay.stop();
    }
  }
} finally {
  await sink.close();
  await redis?.stop();
}
const best = (xs) => Math.max(...xs);
console.log(`${count} clean invoices (${Math.round(items.reduce((n, i) => n + i.html.length, 0) / count)} bytes of HTML each), ${connections} pooled connections, store ${storeKind}, ${next === 'discard' ? 'discarded in Haraka' : 'forwarded to the sink'}, best of 2:`);
console.log(`  Haraka without the plugin: ${best(results.without).toFixed(0)} messages/s (${results.without.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`  Haraka with sendguard:     ${best(results.with).toFixed(0)} messages/s (${results.with.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`  load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`  ratio: ${(best(results.with) / best(results.without)).toFixed(2)}`);
