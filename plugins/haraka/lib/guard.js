'use strict';
// The run guards live in the webhook service's store module (plugins/webhook/store.mjs), so a
// run's state is one record whichever of relay or webhook checks it, and a halt seen by one is
// seen by both. The relay uses that module's public API only, through the two functions below.

const path = require('node:path');
const { pathToFileURL } = require('node:url');

/** Where the shared store module is; `SENDGUARD_STORE_MODULE` points elsewhere (a packaged copy). */
const STORE_MODULE = process.env.SENDGUARD_STORE_MODULE
  ?? path.resolve(__dirname, '..', '..', 'webhook', 'store.mjs');

/**
 * Opens the guard store: Redis when `redisUrl` is set (one guard per run across every relay
 * and webhook instance), else in process. `limits` apply to runs this store starts.
 */
async function openStore({ redisUrl, limits, prefix, ttlSeconds, log }) {
  const store = await import(pathToFileURL(STORE_MODULE).href);
  if (!redisUrl) return { store: new store.MemoryStore({ limits }), StoreUnavailable: store.StoreUnavailable };
  const { default: Redis } = await import('ioredis');
  const options = { Redis, url: redisUrl, limits, log };
  if (prefix) options.prefix = prefix;
  if (ttlSeconds) options.ttlSeconds = ttlSeconds;
  return { store: new store.RedisStore(options), StoreUnavailable: store.StoreUnavailable };
}

/**
 * One guard check of run `runKey`: `input` is RunGuard.check's `{recipient, at, verdict,
 * triggeredAt?, template?, fingerprint?}`; resolves its decision `{action, reason, counts}` once
 * the run's new state is stored. The only place that knows how the store is called.
 */
async function checkRun(store, runKey, input) {
  if (typeof store.check === 'function') return store.check(runKey, input);
  return store.transact(runKey, true, (guard) => guard.check(input));
}

module.exports = { STORE_MODULE, openStore, checkRun };
