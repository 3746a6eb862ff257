// Guard stores: where the webhook service keeps one RunGuard per run. The rules live only in
// the Rust RunGuard (from the sendguard package); a store only loads a guard, lets the caller
// run one step on it, and saves it — atomically, so that every check of a run sees the result
// of every earlier one, on this instance and (Redis) on every other.
//
// Interface (both stores):
//   transact(runId, create, step) → step's result. `create` says whether a missing run is
//       started (checks) or reported as absent (reads, resets: the step gets `null`).
//   health() → { ok, store, detail? };  close().
// Errors that mean "the state cannot be reached" are StoreUnavailable; the service answers
// them with `hold` (fail closed).
import { RunGuard } from 'sendguard';

/** The guard state cannot be read or written; the service holds the message. */
export class StoreUnavailable extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

function withGuard(guard, step) {
  try {
    return step(guard);
  } finally {
    guard?.free();
  }
}

/** In-process store: the default, no set-up; one instance only. */
export class MemoryStore {
  /** `limits` for new runs; runs idle longer than `ttlMs` are forgotten; at most `maxRuns`. */
  constructor({ limits = {}, ttlMs = 7 * 86_400_000, maxRuns = 10_000 } = {}) {
    this.limits = limits;
    this.ttlMs = ttlMs;
    this.maxRuns = maxRuns;
    // runId → { state, touched }; states, not live guards, so a step that throws changes nothing
    this.runs = new Map();
    new RunGuard(limits).free(); // refuse bad limits at start-up, not at the first check
  }

  async transact(runId, create, step) {
    const now = Date.now();
    let entry = this.runs.get(runId);
    if (entry && now - entry.touched > this.ttlMs) {
      this.runs.delete(runId);
      entry = undefined;
    }
    if (!entry && !create) return step(null);
    if (!entry && this.runs.size >= this.maxRuns) {
      for (const [id, e] of this.runs) if (now - e.touched > this.ttlMs) this.runs.delete(id);
      if (this.runs.size >= this.maxRuns) throw new StoreUnavailable(`too many runs in memory (${this.maxRuns}); use the Redis store`);
    }
    // synchronous from here on: no other request can interleave
    const guard = entry ? RunGuard.fromState(entry.state) : new RunGuard(this.limits);
    return withGuard(guard, (g) => {
      const result = step(g);
      this.runs.set(runId, { state: g.state(), touched: now });
      return result;
    });
  }

  async health() {
    return { ok: true, store: 'memory', runs: this.runs.size };
  }

  async close() {}
}

/**
 * Redis store: one key per run holding the guard's `state()` as JSON. A step runs under an
 * optimistic transaction — WATCH the key, GET, run the step on the Rust guard, MULTI/SET/EXEC —
 * retried when another instance wrote the key in between, so the steps of a run are
 * serialised across all instances and no decision is returned unless its state was stored.
 * Within one instance the steps of a run are queued, so retries only come from other instances.
 */
export class RedisStore {
  /**
   * `url` (redis://127.0.0.1:6379/0), `limits` for new runs, `ttlSeconds` a run is kept after
   * its last check, `pool` connections (a WATCH belongs to a connection), `prefix` of keys.
   * `Redis` is the ioredis class (injected so the in-process default needs no ioredis).
   */
  constructor({ Redis, url, limits = {}, ttlSeconds = 7 * 86_400, pool = 4, prefix = 'sendguard:run:', maxAttempts = 200, log = () => {} }) {
    this.limits = limits;
    this.ttlSeconds = ttlSeconds;
    this.prefix = prefix;
    this.maxAttempts = maxAttempts;
    this.log = log;
    this.queues = new Map(); // runId → tail of this instance's queue for the run
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

  async #acquire() {
    if (this.free.length) return this.free.pop();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  #release(c) {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.free.push(c);
  }

  /** Runs `fn` after every earlier step of the same run on this instance. */
  #queued(runId, fn) {
    const prev = this.queues.get(runId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.queues.set(runId, tail);
    tail.then(() => {
      if (this.queues.get(runId) === tail) this.queues.delete(runId);
    });
    return run;
  }

  async transact(runId, create, step) {
    return this.#queued(runId, () => this.#transact(runId, create, step));
  }

  async #transact(runId, create, step) {
    const key = this.prefix + runId;
    const c = await this.#acquire();
    try {
      for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
        let raw;
        try {
          await c.watch(key);
          raw = await c.get(key);
        } catch (err) {
          throw unavailable(err);
        }
        if (raw == null && !create) {
          await c.unwatch().catch(() => {});
          return step(null);
        }
        let guard;
        try {
          guard = raw == null ? new RunGuard(this.limits) : RunGuard.fromState(JSON.parse(raw));
        } catch (err) {
          await c.unwatch().catch(() => {});
          throw new Error(`stored state of the run is unreadable (${err.code ?? 'json'})`, { cause: err });
        }
        let result;
        let state;
        try {
          result = step(guard);
          state = JSON.stringify(guard.state());
        } catch (err) {
          await c.unwatch().catch(() => {});
          throw err;
        } finally {
          guard.free();
        }
        let exec;
        try {
          exec = await c.multi().set(key, state, 'EX', this.ttlSeconds).exec();
        } catch (err) {
          throw unavailable(err);
        }
        if (exec !== null) {
          const failed = exec.find(([err]) => err);
          if (failed) throw unavailable(failed[0]);
          return result; // stored: only now is the decision real
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

function unavailable(err) {
  if (err instanceof StoreUnavailable) return err;
  const why = err?.code ?? err?.message ?? 'error';
  return new StoreUnavailable(`guard store unavailable (redis: ${why})`, { cause: err });
}
