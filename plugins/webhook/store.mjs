// Guard stores: where a service keeps one RunGuard per run. The rules live only in the Rust
// RunGuard (from the sendguard package); a store keeps the guard's state and applies each
// check atomically, so that every check of a run sees the result of every earlier one, on
// this instance and (Redis) on every other. A check costs the same at the millionth message
// of a run as at the first: neither store moves or rebuilds anything that grows with the run.
//
// Interface (both stores; documented in docs/PLUGINS.md, "Guard stores"):
//   await store.check(runKey, check)  → GuardDecision {action, reason, counts}
//   await store.summary(runKey)       → GuardSummary, or null for a run never checked
//   await store.reset(runKey)         → GuardSummary after the reset, or null
//   await store.health()              → { ok, store, detail? };   await store.close()
//   await store.ready()               → (Redis) once connected; before that checks fail closed
// `check` is a GuardCheck ({recipient, at, verdict, triggeredAt?, template?, fingerprint?}).
// A check either applies fully (state and counts) or not at all. Errors that mean "the state
// cannot be reached" are StoreUnavailable: answer them with hold (fail closed). A check the
// guard refuses (a SendguardError with code `input`) changes nothing.
import { RunGuard } from 'sendguard';

/** The guard state cannot be read or written; the service holds the message. */
export class StoreUnavailable extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/**
 * In-process store: the default, no set-up; one instance only. Each run is a live RunGuard
 * in wasm memory that counts per recipient and per fingerprint itself (a map keyed by a
 * fixed-size digest), so a check is one call into the guard: no state round trip.
 */
export class MemoryStore {
  /** `limits` for new runs; runs idle longer than `ttlMs` are forgotten; at most `maxRuns`. */
  constructor({ limits = {}, ttlMs = 7 * 86_400_000, maxRuns = 10_000, now = Date.now } = {}) {
    this.limits = limits;
    this.ttlMs = ttlMs;
    this.maxRuns = maxRuns;
    this.now = now;
    this.runs = new Map(); // runKey → { guard, touched }
    new RunGuard(limits).free(); // refuse bad limits at start-up, not at the first check
  }

  #entry(runKey, create) {
    const now = this.now();
    let entry = this.runs.get(runKey);
    if (entry && now - entry.touched > this.ttlMs) {
      this.#forget(runKey, entry);
      entry = undefined;
    }
    if (!entry && create) {
      if (this.runs.size >= this.maxRuns) {
        for (const [key, e] of this.runs) if (now - e.touched > this.ttlMs) this.#forget(key, e);
        if (this.runs.size >= this.maxRuns) throw new StoreUnavailable(`too many runs in memory (${this.maxRuns}); use the Redis store`);
      }
      entry = { guard: new RunGuard(this.limits), touched: now };
      this.runs.set(runKey, entry);
    }
    if (entry) entry.touched = now;
    return entry;
  }

  #forget(runKey, entry) {
    this.runs.delete(runKey);
    entry.guard.free();
  }

  async check(runKey, check) {
    // One synchronous call: no other request interleaves, and a check the guard refuses
    // throws before it changes anything.
    return this.#entry(runKey, true).guard.check(check);
  }

  async summary(runKey) {
    return this.#entry(runKey, false)?.guard.summary() ?? null;
  }

  async reset(runKey) {
    const entry = this.#entry(runKey, false);
    if (!entry) return null;
    entry.guard.reset();
    return entry.guard.summary();
  }

  async health() {
    return { ok: true, store: 'memory', runs: this.runs.size };
  }

  async close() {
    for (const [key, entry] of this.runs) this.#forget(key, entry);
  }
}

/**
 * Redis store: per run, one key holding the guard's core state as JSON (the Rust RunGuard's
 * `state()`, a few hundred bytes however long the run) and one hash `<key>#counts` of the
 * per-recipient and per-fingerprint counts, keyed by digest (`RunGuard.countKeys`). A check
 * runs under an optimistic transaction: WATCH the state key; GET it and HMGET the check's
 * counts; `checkWith()` in the engine; MULTI / SET the state / HINCRBY the counts the guard
 * names / EXEC; retried when another instance wrote the run in between. So the steps of a
 * run are serialised across all instances, and no decision is returned unless its state and
 * counts were stored. Within one instance the checks of a run wait in a queue, and up to
 * `maxBatch` waiting checks share one transaction: one round trip for many checks under load.
 */
export class RedisStore {
  /**
   * `url` (redis://127.0.0.1:6379/0), `limits` for new runs, `ttlSeconds` a run is kept after
   * its last check, `pool` connections (a WATCH belongs to a connection), `prefix` of keys,
   * `maxBatch` checks of one run per transaction. `Redis` is the ioredis class (injected so
   * the in-process default needs no ioredis).
   */
  constructor({ Redis, url, limits = {}, ttlSeconds = 7 * 86_400, pool = 4, prefix = 'sendguard:run:', maxAttempts = 200, maxBatch = 64, log = () => {} }) {
    this.limits = limits;
    this.ttlSeconds = ttlSeconds;
    this.prefix = prefix;
    this.maxAttempts = maxAttempts;
    this.maxBatch = Math.max(1, maxBatch);
    this.log = log;
    this.pending = new Map(); // runKey → { ops: [], running }
    this.waiting = [];
    this.lastError = null;
    new RunGuard(limits).free();
    const options = {
      // fail fast instead of queueing while Redis is away: the request is answered `hold`
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: 2000,
      // keep reconnecting for ever, at most every 500 ms, so the service recovers by itself
      retryStrategy: (times) => Math.min(50 * times, 500),
    };
    this.free = [];
    this.clients = [];
    for (let i = 0; i < Math.max(1, pool); i++) {
      const c = new Redis(url, options);
      c.on('error', (err) => this.#down(err));
      c.on('ready', () => this.#up());
      this.clients.push(c);
      this.free.push(c);
    }
  }

  #down(err) {
    const msg = err?.code ?? err?.message ?? 'error';
    if (this.lastError !== msg) this.log({ level: 'warn', event: 'redis-down', error: msg });
    this.lastError = msg;
  }

  #up() {
    if (this.lastError !== null) this.log({ level: 'info', event: 'redis-up' });
    this.lastError = null;
  }

  /**
   * Resolves once every connection is up, or rejects with StoreUnavailable after `timeoutMs`.
   * Optional: until then checks fail closed (StoreUnavailable).
   */
  async ready(timeoutMs = 5_000) {
    await Promise.all(this.clients.map((c) => (c.status === 'ready' ? null : new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new StoreUnavailable(`redis not ready within ${timeoutMs} ms`)), timeoutMs);
      c.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    }))));
  }

  async #acquire() {
    if (this.free.length) return this.free.pop();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  #release(c) {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.free.push(c);
  }

  check(runKey, check) {
    // The count names also check the input: a check the guard refuses never reaches Redis.
    let keys;
    try {
      keys = RunGuard.countKeys(check);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#enqueue(runKey, { kind: 'check', check, keys });
  }

  reset(runKey) {
    return this.#enqueue(runKey, { kind: 'reset' });
  }

  async summary(runKey) {
    let raw;
    try {
      raw = await this.clients[0].get(this.prefix + runKey);
    } catch (err) {
      throw unavailable(err);
    }
    if (raw == null) return null;
    const guard = readState(raw);
    try {
      return guard.summary();
    } finally {
      guard.free();
    }
  }

  /** Queues `op` behind this instance's earlier steps of the run; resolves with its answer. */
  #enqueue(runKey, op) {
    return new Promise((resolve, reject) => {
      let q = this.pending.get(runKey);
      if (!q) {
        q = { ops: [], running: false };
        this.pending.set(runKey, q);
      }
      q.ops.push({ ...op, resolve, reject });
      if (!q.running) this.#drain(runKey, q);
    });
  }

  /** Runs the queued steps of one run, a batch of checks (or one reset) per transaction. */
  async #drain(runKey, q) {
    q.running = true;
    while (q.ops.length) {
      let batch;
      if (q.ops[0].kind === 'reset') batch = q.ops.splice(0, 1);
      else {
        let n = 0;
        while (n < q.ops.length && n < this.maxBatch && q.ops[n].kind === 'check') n++;
        batch = q.ops.splice(0, n);
      }
      try {
        const answers = await this.#transact(runKey, batch, q);
        batch.forEach((op, i) => (answers[i] instanceof Error ? op.reject(answers[i]) : op.resolve(answers[i])));
      } catch (err) {
        for (const op of batch) op.reject(err);
      }
    }
    q.running = false;
    if (this.pending.get(runKey) === q) this.pending.delete(runKey);
  }

  /**
   * One optimistic transaction for `batch`; the answers (or per-check errors), once stored.
   * A batch of checks that has to be tried again takes in the checks queued meanwhile (up to
   * `maxBatch`): under contention from other instances each attempt carries more checks.
   */
  async #transact(runId, batch, q) {
    const key = this.prefix + runId;
    const countsKey = `${key}#counts`;
    const c = await this.#acquire();
    try {
      for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
        if (attempt > 1 && batch[0].kind === 'check') {
          let n = 0;
          while (n < q.ops.length && batch.length + n < this.maxBatch && q.ops[n].kind === 'check') n++;
          batch.push(...q.ops.splice(0, n));
        }
        const fields = [...new Set(batch.flatMap((op) => (op.kind === 'check' ? [op.keys.recipient, op.keys.fingerprint].filter(Boolean) : [])))];
        let raw;
        let stored;
        try {
          const read = c.pipeline().watch(key).get(key);
          if (fields.length) read.hmget(countsKey, ...fields);
          const replies = await read.exec();
          const failed = replies.find(([err]) => err);
          if (failed) throw failed[0];
          raw = replies[1][1];
          stored = fields.length ? replies[2][1] : [];
        } catch (err) {
          throw unavailable(err);
        }
        const reset = batch[0].kind === 'reset';
        if (raw == null && reset) {
          await c.unwatch().catch(() => {});
          return [null];
        }
        let guard;
        try {
          guard = raw == null ? new RunGuard(this.limits) : readState(raw);
        } catch (err) {
          await c.unwatch().catch(() => {});
          throw err;
        }
        // The counts as read, and what this batch adds to them; a run without a state has none.
        const counts = new Map(raw == null ? [] : fields.map((f, i) => [f, Number(stored[i] ?? 0)]));
        const added = new Map();
        let answers;
        let state;
        try {
          if (reset) {
            guard.reset();
            answers = [guard.summary()];
          } else {
            answers = batch.map(({ check, keys }) => {
              try {
                const { decision, increments } = guard.checkWith(check, {
                  recipient: counts.get(keys.recipient) ?? 0,
                  fingerprint: keys.fingerprint ? (counts.get(keys.fingerprint) ?? 0) : 0,
                });
                for (const f of increments) {
                  counts.set(f, (counts.get(f) ?? 0) + 1);
                  added.set(f, (added.get(f) ?? 0) + 1);
                }
                return decision;
              } catch (err) {
                return err; // this check changed nothing; the others go on
              }
            });
          }
          state = JSON.stringify(guard.state());
        } catch (err) {
          await c.unwatch().catch(() => {});
          throw err;
        } finally {
          guard.free();
        }
        let exec;
        try {
          const write = c.multi().set(key, state, 'EX', this.ttlSeconds);
          if (reset || raw == null) write.del(countsKey);
          for (const [f, n] of added) write.hincrby(countsKey, f, n);
          if (added.size) write.expire(countsKey, this.ttlSeconds);
          exec = await write.exec();
        } catch (err) {
          throw unavailable(err);
        }
        if (exec !== null) {
          const failed = exec.find(([err]) => err);
          if (failed) throw unavailable(failed[0]);
          return answers; // stored: only now are the decisions real
        }
        // another instance wrote the run in between: judge again on its state
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(20, attempt * 2))));
      }
      throw new StoreUnavailable(`guard store busy: the run's state changed ${this.maxAttempts} times while checking`);
    } finally {
      this.#release(c);
    }
  }

  async health() {
    try {
      await this.clients[0].ping();
      return { ok: true, store: 'redis' };
    } catch (err) {
      return { ok: false, store: 'redis', detail: `redis unreachable (${err.code ?? err.message})` };
    }
  }

  async close() {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/** A guard from its stored JSON; an unreadable state is an error, never a fresh run. */
function readState(raw) {
  try {
    return RunGuard.fromState(JSON.parse(raw));
  } catch (err) {
    throw new Error(`stored state of the run is unreadable (${err.code ?? 'json'})`, { cause: err });
  }
}

function unavailable(err) {
  if (err instanceof StoreUnavailable) return err;
  const why = err?.code ?? err?.message ?? 'error';
  return new StoreUnavailable(`guard store unavailable (redis: ${why})`, { cause: err });
}
