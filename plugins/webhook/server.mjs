#!/usr/bin/env node
// sendguard webhook service: a small node:http server that PSA/ticketing and billing systems
// call before sending a message (an outbound webhook or a custom integration step).
//
//   POST /v1/check          {run, message: {to, subject?, html|text|raw, context?, triggeredAt?,
//                            template?, fingerprint?}}  → {action, verdict, reason, counts, findings}
//   GET  /v1/runs/:id       the run's summary (counts, halt reason)
//   POST /v1/runs/:id/reset after a person looked at a halted run
//   GET  /healthz           {ok, store}
//
// Send the message only when the answer is HTTP 200 with `action: "send"`. Everything else
// (hold, halt, 4xx, 5xx, a timeout) means do not send: the service fails closed.
//
// Environment: PORT (8787), HOST (127.0.0.1), SENDGUARD_TOKEN (bearer token, optional),
// SENDGUARD_LIMITS (RunGuard limits as JSON), SENDGUARD_POLICY (policy file), SENDGUARD_MAX_BODY
// (bytes, 1 MiB), SENDGUARD_REDIS_URL (share run guards between instances),
// SENDGUARD_CLIENT_CLOCK=1 (take `message.at` from the caller: replays), SENDGUARD_INSTANCE.
import { createServer } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Engine } from 'sendguard';
import { MemoryStore, RedisStore, StoreUnavailable } from './store.mjs';

/** Limits of a run when SENDGUARD_LIMITS is not set. */
export const DEFAULT_LIMITS = { maxBlocked: 0, maxTriggerAgeDays: 7, maxPerMinute: 300, maxHeld: 200 };
const RUN_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const RANK = { pass: 0, warn: 1, block: 2 };
const MESSAGE_KEYS = new Set(['to', 'subject', 'html', 'text', 'raw', 'context', 'triggeredAt', 'template', 'fingerprint', 'at']);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One JSON line per event on stdout; callers never pass message content. */
export function jsonLogger(instance, write = (line) => process.stdout.write(line + '\n')) {
  return (entry) => write(JSON.stringify({ time: new Date().toISOString(), level: 'info', instance, ...entry }));
}

function digest(s) {
  return createHash('sha256').update(s).digest();
}

function readBody(req, maxBody) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      return reject(new HttpError(413, `request body of ${declared} bytes is over the limit of ${maxBody} bytes`));
    }
    const chunks = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBody) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, `request body is over the limit of ${maxBody} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks)));
    req.on('error', (err) => failed || reject(new HttpError(400, `request body could not be read (${err.code ?? err.message})`)));
  });
}

function parseJson(body) {
  if (body.length === 0) throw new HttpError(400, 'malformed JSON: the request body is empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    // JSON.parse's message may quote the input: only its position is repeated
    const at = /position (\d+)/.exec(err.message);
    throw new HttpError(400, `malformed JSON: the request body is not valid JSON${at ? ` (error at byte ${at[1]})` : ''}`);
  }
}

function validateCheck(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object {run, message}');
  const { run, message } = body;
  if (typeof run !== 'string' || !RUN_ID.test(run)) throw new HttpError(400, '`run` must be a string of 1–128 characters A–Z a–z 0–9 . _ : @ -');
  if (!message || typeof message !== 'object' || Array.isArray(message)) throw new HttpError(400, '`message` must be an object');
  for (const k of Object.keys(message)) if (!MESSAGE_KEYS.has(k)) throw new HttpError(400, `unknown field message.${k.slice(0, 40)}`);
  if (typeof message.to !== 'string' || message.to.length === 0 || message.to.length > 512) throw new HttpError(400, '`message.to` must be a non-empty string');
  const bodies = ['html', 'text', 'raw'].filter((k) => message[k] != null);
  if (bodies.length !== 1) throw new HttpError(400, 'give exactly one of `message.html`, `message.text`, `message.raw`');
  if (typeof message[bodies[0]] !== 'string') throw new HttpError(400, `\`message.${bodies[0]}\` must be a string`);
  for (const k of ['subject', 'context', 'template', 'fingerprint']) {
    if (message[k] != null && typeof message[k] !== 'string') throw new HttpError(400, `\`message.${k}\` must be a string`);
  }
  for (const k of ['triggeredAt', 'at']) {
    if (message[k] != null && !(Number.isSafeInteger(message[k]) && message[k] >= 0)) throw new HttpError(400, `\`message.${k}\` must be milliseconds since the epoch`);
  }
  return { run, message };
}

function scan(engine, message) {
  const context = message.context ?? 'generic';
  const reports = [];
  try {
    if (message.raw != null) reports.push(engine.scanBytes(Buffer.from(message.raw, 'utf8'), { format: 'eml', context }));
    else reports.push(engine.scan(message.html ?? message.text, { format: message.html != null ? 'html' : 'text', context }));
    if (message.subject && message.raw == null) reports.push({ ...engine.scan(message.subject, { format: 'text', context }), part: 'subject' });
  } catch (err) {
    if (err?.code === 'input') throw new HttpError(400, `the message cannot be scanned: ${err.message}`);
    throw err;
  }
  let verdict = 'pass';
  const findings = [];
  const unscanned = reports.flatMap((r) => (r.unscanned ?? []).map((u) => u.part));
  for (const r of reports) {
    if (RANK[r.verdict] > RANK[verdict]) verdict = r.verdict;
    for (const f of r.findings) {
      findings.push({ ruleId: f.ruleId, category: f.category, action: f.action, part: r.part ?? f.part ?? null, line: f.line, column: f.column, redacted: f.redacted });
    }
  }
  return { verdict, findings, unscanned };
}

/**
 * Makes the service (not yet listening). Options: `engine`, `store` (MemoryStore by default),
 * `limits`, `token`, `maxBody`, `clientClock`, `log` (a function taking a log object),
 * `now` (ms clock), `holdUnscanned` (default true: a message with parts that could hold
 * text and were not read, `report.unscanned`, is answered `hold` whatever its verdict).
 */
export function createService({ engine = new Engine(), limits = DEFAULT_LIMITS, store = new MemoryStore({ limits }), token = null, maxBody = 1 << 20, clientClock = false, log = jsonLogger(String(process.pid)), now = Date.now, holdUnscanned = true } = {}) {
  const tokenDigest = token ? digest(token) : null;

  function authorized(req) {
    if (!tokenDigest) return true;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]), tokenDigest);
  }

  async function route(req, entry) {
    const url = new URL(req.url, 'http://service.invalid');
    const path = url.pathname;
    if (path === '/healthz') {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET');
      const h = await store.health();
      return [h.ok ? 200 : 503, h];
    }
    if (!path.startsWith('/v1/')) throw new HttpError(404, 'no such endpoint');
    if (!authorized(req)) throw new HttpError(401, 'missing or wrong bearer token');
    if (path === '/v1/check') {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      const { run, message } = validateCheck(parseJson(await readBody(req, maxBody)));
      entry.run = run;
      const { verdict, findings, unscanned } = scan(engine, message);
      entry.verdict = verdict;
      entry.rules = [...new Set(findings.map((f) => f.ruleId))];
      const check = { recipient: message.to, at: clientClock && message.at != null ? message.at : now(), verdict };
      if (message.triggeredAt != null) check.triggeredAt = message.triggeredAt;
      if (message.template) check.template = message.template;
      if (message.fingerprint) check.fingerprint = message.fingerprint;
      const d = await store.check(run, check);
      // belt and braces: a blocked message is never answered `send`
      let action = verdict === 'block' && d.action === 'send' ? 'hold' : d.action;
      let reason = d.reason;
      if (holdUnscanned && unscanned.length && action === 'send') {
        action = 'hold';
        reason = `${unscanned.length} part(s) could not be read (${unscanned.join(', ')})`;
      }
      entry.action = action;
      entry.reason = reason;
      return [200, { action, verdict, reason, counts: d.counts, findings, unscanned }];
    }
    const m = /^\/v1\/runs\/([^/]+)(\/reset)?$/.exec(path);
    if (m) {
      let run;
      try {
        run = decodeURIComponent(m[1]);
      } catch {
        throw new HttpError(400, 'bad run id');
      }
      if (!RUN_ID.test(run)) throw new HttpError(400, 'bad run id');
      entry.run = run;
      const reset = Boolean(m[2]);
      if (req.method !== (reset ? 'POST' : 'GET')) throw new HttpError(405, reset ? 'use POST' : 'use GET');
      const summary = reset ? await store.reset(run) : await store.summary(run);
      if (!summary) throw new HttpError(404, 'no such run');
      return [200, { run, ...summary }];
    }
    throw new HttpError(404, 'no such endpoint');
  }

  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const entry = { event: 'request', method: req.method, path: req.url.split('?')[0].slice(0, 200) };
    let status;
    let body;
    try {
      [status, body] = await route(req, entry);
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        body = { action: 'hold', error: err.message };
      } else if (err instanceof StoreUnavailable) {
        status = 503;
        body = { action: 'hold', reason: `${err.message}; not sending` };
        entry.level = 'warn';
      } else {
        // fail closed: whatever went wrong, the answer is hold, never send
        status = 500;
        body = { action: 'hold', reason: `internal error (${err?.code ?? err?.name ?? 'error'}); not sending` };
        entry.level = 'error';
        entry.error = String(err?.code ?? err?.name ?? 'error');
      }
      entry.action = 'hold';
      entry.reason = body.reason ?? body.error;
    }
    entry.status = status;
    entry.ms = Number(process.hrtime.bigint() - started) / 1e6;
    try {
      log(entry);
    } catch {
      /* logging must not change the answer */
    }
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...(status === 413 ? { connection: 'close' } : {}) });
    res.end(json);
    if (status === 413) req.resume(); // drain (and drop) the rest so the client reads the answer
  });
  server.requestTimeout = 30_000;
  server.sendguardStore = store;
  return server;
}

async function main() {
  const env = process.env;
  const limits = env.SENDGUARD_LIMITS ? JSON.parse(env.SENDGUARD_LIMITS) : DEFAULT_LIMITS;
  const instance = env.SENDGUARD_INSTANCE ?? String(process.pid);
  const log = jsonLogger(instance);
  const engine = env.SENDGUARD_POLICY ? new Engine(readFileSync(env.SENDGUARD_POLICY, 'utf8')) : new Engine();
  let store;
  if (env.SENDGUARD_REDIS_URL) {
    const { default: Redis } = await import('ioredis');
    store = new RedisStore({ Redis, url: env.SENDGUARD_REDIS_URL, limits, log });
  } else {
    store = new MemoryStore({ limits });
  }
  const server = createService({
    engine, limits, store, log,
    token: env.SENDGUARD_TOKEN || null,
    maxBody: env.SENDGUARD_MAX_BODY ? Number(env.SENDGUARD_MAX_BODY) : 1 << 20,
    clientClock: env.SENDGUARD_CLIENT_CLOCK === '1',
  });
  const host = env.HOST ?? '127.0.0.1';
  server.listen(Number(env.PORT ?? 8787), host, () => {
    log({ event: 'listening', host, port: server.address().port, store: env.SENDGUARD_REDIS_URL ? 'redis' : 'memory', limits, auth: Boolean(env.SENDGUARD_TOKEN) });
  });
  const stop = () => server.close(() => store.close().finally(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(JSON.stringify({ level: 'fatal', event: 'start', error: err.message }));
    process.exit(1);
  });
}
