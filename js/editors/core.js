// What the editor integrations (sendguard/codemirror, sendguard/monaco) share and neither editor
// knows about: where scans run, the labels of findings, the allow-with-reason comment, and the
// preparation of the rules in idle time. No editor import here, and no offset arithmetic: every
// position is the engine's UTF-16 offset (`utf16Start`, `utf16End`), which is what both editors
// count in.

/** A readable name for each finding category; unknown categories show as they are. */
const CATEGORY_LABELS = {
  password: 'Password',
  token: 'Token / API key',
  private_key: 'Private key',
  connection_string: 'Credentials in a URL',
  payment_card: 'Card number',
  card_security: 'Card security code',
  pin: 'PIN',
  one_time_code: 'One-time code',
  reset_link: 'Reset / sign-in link',
  limit: 'Scan limit',
  suppression: 'Suppression',
};

/** A readable name for a finding category. */
export function categoryLabel(category) {
  return CATEGORY_LABELS[category] ?? String(category);
}

/** The editor severity for a policy action: `error` (block), `warning` (warn) or `info`. */
export function severityOf(action) {
  return action === 'block' ? 'error' : action === 'warn' ? 'warning' : 'info';
}

/** One line that says what was found, by which rule, and what to do: the rule's advice. */
export function findingMessage(f) {
  return `${categoryLabel(f.category)} (${f.ruleId}, ${f.redacted}): ${f.message}`;
}

/** `{ code, message }` of anything thrown across the wasm boundary. */
export function describeError(e) {
  if (e instanceof Error) return { code: e.code ?? 'error', message: e.message };
  return { code: 'error', message: String(e) };
}

// ---- the allow-with-reason quick fix ----------------------------------------------------------

/** True when the document reads as HTML, so the suppression goes into an HTML comment. */
export function looksLikeHtml(text, format = 'auto') {
  if (format === 'html') return true;
  if (format === 'text') return false;
  return /<(?:!doctype|html|head|body|p|div|table|tr|td|br|a|span|h[1-6]|ul|ol|li)\b[^>]*>/i.test(text.slice(0, 20_000));
}

/**
 * The reason on one line, without anything that would end the comment early: the engine
 * stops reading a directive at `-->`, `*\/`, `}}`, `%}` or `#}`, and so does HTML at `--!>`.
 */
export function cleanReason(reason) {
  return String(reason).replace(/\s+/g, ' ').replace(/--+!?>|\*\/|\}\}|%\}|#\}/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** The suppression comment the engine reads on the line above a finding. */
export function allowComment(ruleId, reason, html) {
  const body = `sendguard:allow ${ruleId} -- ${cleanReason(reason)}`;
  return html ? `<!-- ${body} -->` : body;
}

/** The line to insert above `lineText` (the finding's line): its indentation, the comment, `\n`. */
export function allowLine(lineText, ruleId, reason, html) {
  return `${/^[ \t]*/.exec(lineText)[0]}${allowComment(ruleId, reason, html)}\n`;
}

/** The default way to ask for a reason: the browser's prompt. Null when cancelled or empty. */
export async function promptReason(finding) {
  const answer = globalThis.prompt?.(`Reason for allowing ${finding.ruleId}:`);
  return answer && answer.trim() ? answer : null;
}

// ---- where scans run --------------------------------------------------------------------------

/**
 * The scanner an integration uses: `scanNow(text, options)` gives `{ report | error, ms, where }`
 * now or null (not loaded yet, or this text must be scanned elsewhere), `scan(text, options)` a
 * promise of one (never rejects), `prepare(text)` builds what scanning `text` builds (optional).
 *
 * From the options of an integration: `scanner` as given (an application's own, with a worker);
 * else `engine` (an Engine, or a promise of one); else an Engine of `policy` (text or object;
 * absent: the default policy), loaded from this package when first needed.
 */
export function scannerFrom({ scanner, engine, policy } = {}) {
  if (scanner) return scanner;
  let loaded = null;
  let failure = null;
  const ready = Promise.resolve(engine ?? import('../web/index.js').then(({ Engine }) => new Engine(policy ?? null))).then(
    (e) => (loaded = e),
    (e) => {
      failure = describeError(e);
      return null;
    },
  );
  const scanHere = (text, options) => {
    const t0 = performance.now();
    try {
      return { report: loaded.scan(text, options), ms: performance.now() - t0, where: 'main thread' };
    } catch (e) {
      return { error: describeError(e), ms: performance.now() - t0, where: 'main thread' };
    }
  };
  return {
    ready,
    get engine() {
      return loaded;
    },
    scanNow: (text, options) => (loaded ? scanHere(text, options) : null),
    async scan(text, options) {
      await ready;
      return loaded ? scanHere(text, options) : { error: failure, ms: 0, where: '' };
    },
    prepare(text, options) {
      if (loaded) loaded.scan(text, options);
    },
    /**
     * The text whose scan builds every rule (see `prepareRules`): the policy's own (its rules)
     * and the default policy's (the rules an `extends = "default"` brings). Null until loaded.
     */
    policyText() {
      if (!loaded) return null;
      const own = typeof policy === 'string' ? policy : policy != null ? JSON.stringify(policy) : '';
      return [own, loaded.constructor?.defaultPolicy?.() ?? ''].filter(Boolean).join('\n') || null;
    },
  };
}

/** `{ context, kind, format }` for the next scan: `options` as given, or what it returns. */
export function optionsOf(options) {
  return (typeof options === 'function' ? options() : options) ?? undefined;
}

/** A policy text is cut into pieces of about this many UTF-16 units, at line ends. */
const PREPARE_PIECE = 1500;
/** A piece runs only while the idle period has at least this long left (ms). */
const PREPARE_MARGIN_MS = 4;

/**
 * Builds the rules before the author types: the engine builds a rule's regex the first time a
 * document has one of the rule's keywords, and a policy's text names every rule's keywords. So
 * its pieces are scanned, one per idle period while there is time, and the author's first
 * keystroke costs what the later ones cost (`make bench-www`, "First scans"). `prepare(piece)`
 * scans a piece; `text` is the policy. Returns a function that cancels what has not run yet.
 */
export function prepareRules(prepare, text) {
  if (!prepare || !text) return () => {};
  const pieces = [];
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf('\n', Math.min(at + PREPARE_PIECE, text.length));
    const next = end < 0 ? text.length : end + 1;
    pieces.push(text.slice(at, next));
    at = next;
  }
  const idle = globalThis.requestIdleCallback
    ? (f) => globalThis.requestIdleCallback(f, { timeout: 2000 })
    : (f) => setTimeout(() => {
      // Without requestIdleCallback (Safari, Node): a timer task, cut at ~10 ms like an idle period.
      const end = performance.now() + 10;
      f({ timeRemaining: () => Math.max(0, end - performance.now()), didTimeout: false });
    }, 0);
  const cancelIdle = globalThis.cancelIdleCallback ?? clearTimeout;
  let handle = null;
  let cancelled = false;
  const step = (deadline) => {
    handle = null;
    // At least one piece per call: an idle callback called for its timeout has no time left.
    do {
      try {
        prepare(pieces.shift());
      } catch {
        // A scan error here is the policy text's, never the author's: nothing to show.
      }
    } while (pieces.length && deadline.timeRemaining() > PREPARE_MARGIN_MS);
    if (pieces.length && !cancelled) handle = idle(step);
  };
  handle = idle(step);
  return () => {
    cancelled = true;
    if (handle != null) cancelIdle(handle);
  };
}
