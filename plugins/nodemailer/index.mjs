// sendguard for nodemailer: a `compile` plugin that scans every message before it is built
// and sent, and feeds a RunGuard shared by the whole run (a billing run, a sync job).
//
//   import nodemailer from 'nodemailer';
//   import { Engine, RunGuard } from 'sendguard';
//   import { sendguard } from 'sendguard-example-nodemailer';
//   const guard = new RunGuard({ maxBlocked: 0, maxPerMinute: 120 });
//   transporter.use('compile', sendguard({ engine: new Engine(), guard, context: 'invoice' }));
//   await transporter.sendMail({ ..., sendguard: { triggeredAt, template } });  // rejects unless `send`
//
// The whole message (HTML, text, attachments, recipient-visible headers) is composed with
// nodemailer's own MailComposer and scanned as raw bytes (`scanBytes`, format `eml`), so what is
// scanned is what would be sent. A rejected message fails `sendMail` with a SendguardRejected
// error naming the rules, parts and lines of the findings and the guard's reason — never the
// secret (findings only carry their redacted form, and this error does not even include that).
import MailComposer from 'nodemailer/lib/mail-composer';
import addressparser from 'nodemailer/lib/addressparser';
import { Engine } from 'sendguard';

/** The error `sendMail` rejects with when sendguard stops a message. */
export class SendguardRejected extends Error {
  constructor(message, { action, verdict, findings, reason, counts, unscanned = [] }) {
    super(message);
    this.name = 'SendguardRejected';
    /** `ESENDGUARD_BLOCKED` (the message itself), `ESENDGUARD_HOLD` or `ESENDGUARD_HALT` (the run). */
    this.code = action === 'halt' ? 'ESENDGUARD_HALT' : verdict === 'block' ? 'ESENDGUARD_BLOCKED' : 'ESENDGUARD_HOLD';
    this.action = action;
    this.verdict = verdict;
    /** `{ ruleId, part, line, column }` per finding: where to look, not what was found. */
    this.findings = findings;
    this.reason = reason;
    this.counts = counts;
    /** The parts that could hold text and were not read (`attachment:export.zip`). */
    this.unscanned = unscanned;
  }
}

function firstRecipient(data) {
  for (const field of [data.to, data.cc, data.bcc]) {
    if (!field) continue;
    const list = Array.isArray(field) ? field : [field];
    for (const entry of list) {
      const parsed = typeof entry === 'object' && entry.address ? [entry] : addressparser(String(entry), { flatten: true });
      const found = parsed.find((a) => a.address);
      if (found) return found.address;
    }
  }
  return '';
}

function where(f) {
  const part = f.part ? `${f.part} ` : '';
  return `${f.ruleId} (${part}line ${f.line}, column ${f.column})`;
}

/**
 * Makes the plugin. Options:
 * - `engine`: a sendguard Engine (default: the default policy);
 * - `guard`: a RunGuard shared by the run (optional; without one only blocked messages fail);
 * - `context`: the scan context, or a function `(mailData) => context` (default `generic`);
 * - `now`: the clock in ms for the guard (default `Date.now`);
 * - `holdUnscanned`: hold a message with parts that could hold text and were not read
 *   (`report.unscanned`: an archive, an unknown binary, a part past a limit), whatever the
 *   verdict (default `true`: a check that did not read a part cannot vouch for it);
 * - `onDecision`: called with `{ action, verdict, findings, reason, unscanned }` for every message.
 * Per message, `mail.sendguard = { context?, triggeredAt?, template?, fingerprint? }` is read
 * and removed before the message is built.
 */
export function sendguard({ engine = new Engine(), guard = null, context = 'generic', now = Date.now, holdUnscanned = true, onDecision } = {}) {
  return function sendguardCompile(mail, callback) {
    const data = mail.data;
    const meta = data.sendguard ?? {};
    delete data.sendguard;
    new MailComposer(data).compile().build((buildErr, raw) => {
      let decision;
      try {
        if (buildErr) throw buildErr;
        const ctx = meta.context ?? (typeof context === 'function' ? context(data) : context);
        const report = engine.scanBytes(raw, { format: 'eml', context: ctx });
        const findings = report.findings.map((f) => ({ ruleId: f.ruleId, part: f.part ?? null, line: f.line, column: f.column, action: f.action }));
        let action = report.verdict === 'block' ? 'hold' : 'send';
        let reason = report.verdict === 'block' ? 'the message is blocked' : 'within limits';
        let counts;
        if (guard) {
          const check = { recipient: firstRecipient(data), at: now(), verdict: report.verdict };
          if (meta.triggeredAt != null) check.triggeredAt = Number(meta.triggeredAt);
          if (meta.template) check.template = String(meta.template);
          if (meta.fingerprint) check.fingerprint = String(meta.fingerprint);
          const d = guard.check(check);
          // the guard never sends a blocked message; belt and braces
          action = report.verdict === 'block' && d.action === 'send' ? 'hold' : d.action;
          reason = d.reason;
          counts = d.counts;
        }
        const unscanned = (report.unscanned ?? []).map((u) => u.part);
        let heldUnscanned = false;
        if (holdUnscanned && unscanned.length && action === 'send') {
          action = 'hold';
          reason = `${unscanned.length} part(s) could not be read (${unscanned.join(', ')})`;
          heldUnscanned = true;
        }
        decision = { action, verdict: report.verdict, findings, reason, counts, unscanned, heldUnscanned };
      } catch (err) {
        // fail closed: a message that cannot be scanned or judged is not sent
        const why = err?.code ? `${err.code}: ${err.message}` : 'the message could not be checked';
        decision = { action: 'hold', verdict: null, findings: [], reason: `sendguard could not check the message (${why})`, failedClosed: true };
      }
      try {
        onDecision?.(decision);
      } catch {
        /* a logging hook must not decide */
      }
      if (decision.action === 'send') return callback();
      const blocking = decision.findings.filter((f) => f.action === 'block');
      const named = (blocking.length ? blocking : decision.findings).map(where);
      const what = decision.failedClosed
        ? 'held (fail closed)'
        : decision.verdict === 'block' ? `blocked by ${named.join(', ') || 'sendguard'}`
        : decision.heldUnscanned ? 'held: it has parts sendguard could not read' : `${decision.action} by the run guard`;
      callback(new SendguardRejected(`sendguard: message not sent, ${what}; ${decision.action}: ${decision.reason}`, decision));
    });
  };
}

export default sendguard;
