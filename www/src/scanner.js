// Where scans run: on the main thread for ordinary documents, in a Web Worker for large ones
// so that typing never waits for a scan. The worker costs a round trip that usually misses the
// frame (measured: key → diagnostics about 25 ms through the worker against 12 ms on the main
// thread for 50 KB, whose scan takes about 2 ms), so it pays only where a scan would take a
// good part of a frame itself.

/** Documents at least this long (UTF-16 code units) are scanned in the worker. */
export const WORKER_THRESHOLD = 100_000;

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
  }

  /** Scan `text` with `{ context, kind, format }`. */
  scan(text, options) {
    if (text.length >= this.workerThreshold && !this.workerBroken && typeof Worker !== 'undefined') {
      return this.scanInWorker(text, options);
    }
    return Promise.resolve(this.scanHere(text, options));
  }

  scanHere(text, options) {
    const t0 = performance.now();
    try {
      const report = this.engine.scan(text, options);
      return { report, ms: performance.now() - t0, where: 'main thread' };
    } catch (e) {
      return { error: describeError(e), ms: performance.now() - t0, where: 'main thread' };
    }
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
      job.resolve(data.error ? { error: data.error, ms: data.ms, where: 'worker' } : { report: data.report, ms: data.ms, where: 'worker' });
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
