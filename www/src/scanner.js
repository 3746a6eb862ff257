// Where scans run: on the main thread, inside the keystroke's own transaction, while they are
// fast; in a Web Worker for large documents, or while main-thread scans are slow (a loaded
// machine), so that typing never waits for a scan. The worker costs a round trip that usually
// misses the frame of the keystroke, so it is used only where a scan would take a good part of
// the frame itself.

/** Documents at least this long (UTF-16 code units) are scanned in the worker. */
export const WORKER_THRESHOLD = 100_000;
/**
 * Scans run on the main thread while they average under this many ms (half a 60 Hz frame,
 * leaving the other half to the editor and the browser); once they average a whole frame
 * (twice this), they move to the worker until they are fast again.
 */
export const SYNC_BUDGET_MS = 8;

/**
 * One compiled policy, applied on the main thread and mirrored in a lazily started worker.
 * `scan()` resolves to `{ report, ms, where }` or `{ error, ms, where }`; it never rejects.
 */
export class Scanner {
  /**
   * @param {typeof import('sendguard')} mod the loaded package
   * @param {{ workerThreshold?: number }} [options]
   */
  constructor(mod, { workerThreshold = WORKER_THRESHOLD } = {}) {
    this.mod = mod;
    this.engine = new mod.Engine();
    /** Policy source text, or null for the built-in default. */
    this.policyText = null;
    this.workerThreshold = workerThreshold;
    this.worker = null;
    this.workerBroken = false;
    this.nextId = 1;
    this.pending = new Map();
    /** Moving average of recent scan times (ms), wherever they ran. */
    this.averageMs = 0;
    this.slow = false;
    /**
     * Where the next scan is an engine's first: not counted, as it compiles the wasm code and
     * fills the lazy DFA caches (10–30 ms measured for 1 KB that then scans in 0.1 ms).
     */
    this.firstScans = new Set(['main thread', 'worker']);
  }

  /**
   * Compile `text` (null: the default policy) and use it from now on. Throws the engine's
   * error (with `.code`) when the policy is bad; the previous policy then stays in force.
   */
  setPolicy(text) {
    const engine = text == null ? new this.mod.Engine() : new this.mod.Engine(text);
    this.engine.free?.();
    this.engine = engine;
    this.policyText = text;
    this.firstScans = new Set(['main thread', 'worker']);
  }

  /** True when `text` is scanned off the main thread: long, or recent scans were slow. */
  offMainThread(text) {
    return (text.length >= this.workerThreshold || this.slow) && !this.workerBroken && typeof Worker !== 'undefined';
  }

  /** The result of scanning `text` with `{ context, kind, format }` now, or null when `offMainThread`. */
  scanNow(text, options) {
    return this.offMainThread(text) ? null : this.scanHere(text, options);
  }

  /** A promise of the result, from the worker when `offMainThread`; never rejects. */
  scan(text, options) {
    if (this.offMainThread(text)) return this.scanInWorker(text, options);
    return Promise.resolve(this.scanHere(text, options));
  }

  /**
   * Scan `text` on the main thread and forget the result: builds the regexes of the rules it
   * names (sendguard/codemirror prepares the policy's rules so in idle time). Not timed.
   */
  prepare(text) {
    try {
      this.engine.scan(text);
    } catch {
      // Nothing to show: the text is the policy's, not the author's.
    }
  }

  scanHere(text, options) {
    const t0 = performance.now();
    let result;
    try {
      result = { report: this.engine.scan(text, options), ms: performance.now() - t0, where: 'main thread' };
    } catch (e) {
      result = { error: describeError(e), ms: performance.now() - t0, where: 'main thread' };
    }
    return this.timed(result, text);
  }

  /**
   * Keep the moving average of the scans whose place depends on it (documents under the worker
   * threshold), with hysteresis, so that one slow scan (a GC pause) changes nothing.
   */
  timed(result, text) {
    if (this.firstScans.delete(result.where) || text.length >= this.workerThreshold) return result;
    this.averageMs = 0.7 * this.averageMs + 0.3 * result.ms;
    if (this.averageMs >= 2 * SYNC_BUDGET_MS) this.slow = true;
    else if (this.averageMs < SYNC_BUDGET_MS) this.slow = false;
    return result;
  }

  scanInWorker(text, options) {
    const worker = this.startWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, text, options });
      worker.postMessage({ id, policy: this.policyText, text, options });
    });
  }

  startWorker() {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { type: 'module', name: 'sendguard-scan' });
    worker.onmessage = ({ data }) => {
      const job = this.pending.get(data.id);
      if (!job) return;
      this.pending.delete(data.id);
      const result = data.error ? { error: data.error, ms: data.ms, where: 'worker' } : { report: data.report, ms: data.ms, where: 'worker' };
      job.resolve(this.timed(result, job.text));
    };
    // A worker that cannot start (or dies) must not leave scans hanging: finish them here.
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.workerBroken = true;
      this.worker = null;
      worker.terminate();
      for (const [id, job] of this.pending) {
        this.pending.delete(id);
        job.resolve(this.scanHere(job.text, job.options));
      }
    };
    this.worker = worker;
    return worker;
  }
}

/** `{ code, message }` of anything thrown across the wasm boundary. */
export function describeError(e) {
  if (e instanceof Error) return { code: e.code ?? 'error', message: e.message };
  return { code: 'error', message: String(e) };
}
