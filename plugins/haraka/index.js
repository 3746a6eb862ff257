'use strict';
// haraka-plugin-sendguard: every message relayed through Haraka is scanned as the raw message
// it is (sendguard's scanBytes, format eml) and its verdict goes through the RunGuard of its
// run. Only a message the guard answers `send` reaches the next hop:
//   block, halt      → 550 5.7.1, saying which rule and where (never the content) and what to do
//   hold             → quarantined and answered 250 (hold=quarantine) or 550 (hold=reject)
//   any error        → 451 4.3.0: the sender retries later, nothing is relayed unchecked
// Runs are keyed by a header the sender sets, the authenticated user, or the envelope sender
// within a time window (lib/runkey.js). Guard state is the webhook service's store: in process,
// or in Redis shared with every other relay and webhook instance (lib/guard.js).

const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { deny: DENY, denysoft: DENYSOFT, cont: CONT, ok: OK } = require('haraka-constants');
const DSN = require('haraka-dsn');
const { Engine } = require('sendguard');
const { parseLimits } = require('./lib/limits');
const { parseSources, runKey, SenderError } = require('./lib/runkey');
const { openStore, checkRun } = require('./lib/guard');
const reply = require('./lib/reply');
const { quarantine } = require('./lib/quarantine');

/** Headers the sending application may set; all `X-Sendguard*` headers are removed before relaying. */
const HEADERS = { context: 'X-Sendguard-Context', template: 'X-Sendguard-Template', triggeredAt: 'X-Sendguard-Triggered-At' };
/** The header the relay adds to what it relays: the verdict it was relayed on. */
const RESULT_HEADER = 'X-Sendguard';
const RANK = { send: 0, hold: 1, halt: 2 };

exports.register = function () {
  this.load_sendguard_ini();
  this.register_hook('data_post', 'sendguard_check');
  // before any queue plugin (smtp_forward, outbound): a held message is answered here
  this.register_hook('queue_outbound', 'sendguard_hold', -100);
  this.register_hook('queue', 'sendguard_hold', -100);
};

exports.load_sendguard_ini = function () {
  // read once: a reload would start a new store, and an in-process store would forget which
  // runs halted; a changed sendguard.ini takes effect when Haraka restarts
  const ini = this.config.get('sendguard.ini', { booleans: ['+main.strip_headers'] });
  const main = ini.main ?? {};
  const limits = parseLimits(ini.limits);
  const hold = main.hold ?? 'quarantine';
  if (!['quarantine', 'reject'].includes(hold)) throw new Error('sendguard.ini: main.hold must be quarantine or reject');
  const windowMinutes = Number(main.window_minutes ?? 60);
  if (!(Number.isInteger(windowMinutes) && windowMinutes > 0)) throw new Error('sendguard.ini: main.window_minutes must be a whole number of minutes');
  const store = ini.store ?? {};
  this.sg = {
    sources: parseSources(main.run_key ?? 'header,auth,sender'),
    runHeader: main.run_header ?? 'X-Sendguard-Run',
    windowMinutes,
    context: main.context ?? 'generic',
    hold,
    quarantineDir: path.resolve(process.env.HARAKA ?? process.cwd(), main.quarantine_dir ?? 'sendguard-quarantine'),
    stripHeaders: main.strip_headers !== false,
    policy: main.policy ? path.resolve(process.env.HARAKA ?? process.cwd(), main.policy) : null,
    limits,
    redisUrl: store.redis_url || null,
    prefix: store.prefix || null,
    ttlSeconds: store.ttl_seconds ? Number(store.ttl_seconds) : null,
  };
  // One engine and one store per Haraka process; a failure here answers every message 451.
  const cfg = this.sg;
  this.sg_ready = (async () => {
    const engine = cfg.policy ? new Engine(fs.readFileSync(cfg.policy, 'utf8')) : new Engine();
    const log = (entry) => this.lognotice(JSON.stringify(entry));
    const opened = await openStore({ redisUrl: cfg.redisUrl, limits: cfg.limits, prefix: cfg.prefix, ttlSeconds: cfg.ttlSeconds, log });
    // a relay that just started answers its first messages 451 until Redis is connected:
    // wait (briefly) for the connection so a restart costs the senders no retries
    for (const until = Date.now() + 3000; Date.now() < until;) {
      if ((await opened.store.health()).ok) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { engine, ...opened };
  })();
  this.sg_ready.catch((err) => this.logcrit(`sendguard cannot start (${err.code ?? err.message}); every message is answered 451`));
};

exports.shutdown = function () {
  this.sg_ready?.then(({ store }) => store.close()).catch(() => {});
};

function messageBytes(transaction) {
  return new Promise((resolve, reject) => {
    try {
      transaction.message_stream.get_data((data) => resolve(data));
    } catch (err) {
      reject(err);
    }
  });
}

/** `X-Sendguard-Triggered-At`: milliseconds since the epoch or an RFC 5322 date. */
function triggeredAt(value) {
  if (value == null) return undefined;
  const text = String(value).trim();
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new SenderError(`the ${HEADERS.triggeredAt} header must be milliseconds since the epoch or a date; fix the sending application's setting`);
  return ms;
}

function headerValue(transaction, name) {
  const v = transaction.header.get_decoded(name);
  return v === '' || v == null ? undefined : v.trim();
}

/** Findings as they may be logged: where and which rule, the value redacted. */
function loggedFindings(report) {
  return report.findings.slice(0, 20).map((f) => ({ ruleId: f.ruleId, action: f.action, part: f.part ?? null, line: f.line, column: f.column, redacted: f.redacted }));
}

exports.sendguard_check = function (next, connection) {
  const txn = connection.transaction;
  const started = process.hrtime.bigint();
  const entry = { event: 'check', uuid: txn.uuid };
  const done = (code, text) => {
    entry.ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.lognotice(JSON.stringify(entry), connection);
    next(code, text);
  };
  this.sendguard_decide(connection, entry).then(
    ([code, text]) => done(code, text),
    (err) => {
      entry.action = 'error';
      if (err instanceof SenderError) {
        entry.reason = err.message;
        return done(DENY, DSN.create(550, err.message, 7, 1));
      }
      // fail closed: a check that could not be done never relays the message
      const why = err?.name === 'StoreUnavailable' ? err.message : `${err?.name ?? 'error'}${err?.code ? ` ${err.code}` : ''}`;
      entry.reason = why;
      entry.level = 'error';
      // for the relay's operator: what failed in the code (messages of the engine and the
      // store name what failed, never message content); not sent to the client
      if (err?.name !== 'StoreUnavailable') entry.detail = String(err?.stack ?? err).split('\n').slice(0, 3).join(' | ').slice(0, 400);
      done(DENYSOFT, DSN.sys_unspecified(reply.unavailable(why), 451));
    },
  );
};

/** Scans the message and asks the guard; resolves `[Haraka code, reply]`. */
exports.sendguard_decide = async function (connection, entry) {
  const cfg = this.sg;
  const txn = connection.transaction;
  const { engine, store } = await this.sg_ready;
  const at = Date.now();
  const { key, source } = runKey({
    sources: cfg.sources,
    header: cfg.runHeader,
    headerValue: headerValue(txn, cfg.runHeader),
    authUser: connection.notes.auth_user,
    mailFrom: envelopeAddress(txn.mail_from),
    at,
    windowMinutes: cfg.windowMinutes,
  });
  entry.run = key;
  entry.runFrom = source;
  const context = headerValue(txn, HEADERS.context) ?? cfg.context;
  const template = headerValue(txn, HEADERS.template);
  const trigger = triggeredAt(headerValue(txn, HEADERS.triggeredAt));
  // what is scanned is what would be relayed: without the sender's X-Sendguard headers,
  // and a forged result header from the sender is never passed on
  for (const name of Object.keys(txn.header.headers)) {
    if (name === RESULT_HEADER.toLowerCase() || (cfg.stripHeaders && name.startsWith('x-sendguard'))) txn.remove_header(name);
  }
  const raw = await messageBytes(txn);
  let report;
  try {
    report = engine.scanBytes(raw, { format: 'eml', context });
  } catch (err) {
    // `input` is about the options the sender chose (an unknown context); anything else is ours
    if (err?.code === 'input') throw new SenderError(`sendguard cannot scan this message: ${err.message}`);
    throw err;
  }
  const verdict = report.verdict;
  entry.verdict = verdict;
  entry.findings = loggedFindings(report);
  if (report.skipped.length) entry.unscanned = report.skipped.map((s) => `${s.part}: ${s.reason}`).slice(0, 10);
  const fingerprint = createHash('sha256').update(raw.subarray(bodyStart(raw))).digest('hex').slice(0, 32);
  const recipients = txn.rcpt_to.map(envelopeAddress);
  let decision = null;
  for (const recipient of recipients) {
    const input = { recipient, at, verdict, fingerprint };
    if (trigger !== undefined) input.triggeredAt = trigger;
    if (template) input.template = template;
    const d = await checkRun(store, key, input);
    if (decision === null || RANK[d.action] > RANK[decision.action]) decision = d;
    if (d.action === 'halt') break; // the rest would only count as halted too
  }
  entry.action = decision.action;
  entry.reason = decision.reason;
  entry.counts = decision.counts;
  if (verdict === 'block') {
    // a message that leaks is refused whatever the run's limits say, and never quarantined
    entry.action = decision.action === 'halt' ? 'halt' : 'block';
    return [DENY, DSN.create(550, reply.blocked(key, report.findings, decision), 7, 1)];
  }
  if (decision.action === 'halt') return [DENY, DSN.create(550, reply.halted(key, decision), 7, 1)];
  if (decision.action === 'hold') {
    if (cfg.hold === 'reject') return [DENY, DSN.create(550, reply.heldRejected(key, decision), 7, 1)];
    const file = await quarantine(cfg.quarantineDir, txn.uuid, raw, {
      run: key, reason: decision.reason, verdict, mailFrom: envelopeAddress(txn.mail_from), recipients, findings: entry.findings,
    });
    entry.quarantined = path.basename(file);
    txn.notes.sendguard_held = reply.heldQuarantined(key, decision);
    return [CONT];
  }
  const unscanned = report.skipped.length ? `; unscanned=${report.skipped.length}` : '';
  txn.add_header(RESULT_HEADER, `${verdict}; run=${key}; findings=${report.findings.length}${unscanned}`);
  return [CONT];
};

/** Answers a quarantined message 250 before any queue plugin relays it. */
exports.sendguard_hold = function (next, connection) {
  const held = connection.transaction?.notes?.sendguard_held;
  if (held) return next(OK, held);
  next();
};

/** `user@host` of an envelope address (a getter in Haraka 3, a method before). */
function envelopeAddress(a) {
  if (!a) return '';
  return String(typeof a.address === 'function' ? a.address() : (a.address ?? ''));
}

/** Offset of the body: after the first empty line (the whole message when there is none). */
function bodyStart(raw) {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return 0;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return crlf < lf ? crlf + 4 : lf + 2;
}
