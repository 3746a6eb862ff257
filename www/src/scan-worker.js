// The scan worker: the same package as the page, compiled once per policy text.
import { describeError } from './scanner.js';

// The package initialises with a top-level `await`; a module worker that awaited it before
// setting `onmessage` would drop the messages that arrive meanwhile. So: listen first, load after.
const loaded = import('sendguard');
let engine = null;
let policy = null;

self.onmessage = async ({ data }) => {
  const { id, text, options } = data;
  const t0 = performance.now();
  try {
    const { Engine } = await loaded;
    // The page validated this policy before applying it, so a throw here is a real error.
    if (!engine || data.policy !== policy) {
      const next = data.policy == null ? new Engine() : new Engine(data.policy);
      engine?.free?.();
      engine = next;
      policy = data.policy;
    }
    const s0 = performance.now();
    const report = engine.scan(text, options);
    self.postMessage({ id, report, ms: performance.now() - s0, compileMs: s0 - t0 });
  } catch (e) {
    self.postMessage({ id, error: describeError(e), ms: performance.now() - t0 });
  }
};
