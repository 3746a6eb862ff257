// The nodemailer plugin with nodemailer's own streamTransport and jsonTransport.
// Assertions never print a secret: they check booleans with messages that name no value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { Engine, RunGuard } from 'sendguard';
import { billingRun, inventPassword, rng } from '../../testkit/generate.mjs';
import { sendguard, SendguardRejected } from '../index.mjs';

const engine = new Engine();
const password = inventPassword(rng(99));

function transport(kind, options) {
  const t = nodemailer.createTransport(kind === 'stream' ? { streamTransport: true, buffer: true } : { jsonTransport: true });
  t.use('compile', sendguard({ engine, ...options }));
  return t;
}

const base = { from: 'Acme Billing <billing@acme.example>', to: 'Maria Keller <maria.keller@customers.example>', subject: 'Your invoice' };

test('a clean message goes through the stream transport unchanged', async () => {
  const info = await transport('stream').sendMail({ ...base, text: 'Hello Maria,\nyour invoice is attached.', html: '<p>Hello Maria, your invoice is attached.</p>' });
  assert.ok(Buffer.isBuffer(info.message));
  assert.match(info.message.toString(), /your invoice is attached/);
});

for (const [where, extra, part] of [
  ['text', { text: `Hello Maria,\nyour portal login is ready.\nPassword: ${password}\n` }, null],
  ['html', { html: `<p>Hello Maria,</p>\n<p>Your portal login is ready.</p>\n<p>Password: <b>${password}</b></p>` }, null],
  ['a text attachment', { text: 'Your account notes are attached.', attachments: [{ filename: 'account-notes.txt', content: `Account notes\nPortal password: ${password}\n` }] }, 'attachment:account-notes.txt'],
]) {
  for (const kind of ['stream', 'json']) {
    test(`a password in ${where} is rejected (${kind}Transport) with the rule and line, not the secret`, async () => {
      const t = transport(kind);
      await assert.rejects(t.sendMail({ ...base, ...extra }), (err) => {
        assert.ok(err instanceof SendguardRejected, `not a SendguardRejected: ${err.name}`);
        assert.equal(err.code, 'ESENDGUARD_BLOCKED');
        assert.equal(err.verdict, 'block');
        assert.ok(err.findings.length > 0);
        assert.match(err.message, /blocked by [a-z0-9-]+ \(.*line \d+, column \d+\)/);
        if (part) assert.ok(err.findings.some((f) => f.part === part), `no finding in ${part}: ${JSON.stringify(err.findings.map((f) => f.part))}`);
        const leaked = err.message.includes(password) || JSON.stringify(err.findings).includes(password) || (err.stack ?? '').includes(password);
        assert.equal(leaked, false, 'the error carries the secret');
        return true;
      });
    });
  }
}

test('a billing run through the plugin: one shared RunGuard halts the run at the first leak', async () => {
  const guard = new RunGuard({ maxBlocked: 0, maxPerMinute: 600 });
  const items = billingRun({ count: 120, leakFrom: 71, seed: 3 });
  let clock = 0;
  const t = transport('json', { guard, context: 'invoice', now: () => items[clock].at });
  const outcome = [];
  for (clock = 0; clock < items.length; clock++) {
    const item = items[clock];
    try {
      await t.sendMail({ from: base.from, to: item.to, subject: item.subject, html: item.html, sendguard: { template: item.template } });
      outcome.push('send');
    } catch (err) {
      assert.ok(err instanceof SendguardRejected, err.message);
      outcome.push(err.action);
    }
  }
  items.forEach((item, k) => { if (item.leak) assert.notEqual(outcome[k], 'send', `leaking invoice #${item.index} sent`); });
  assert.equal(outcome.filter((a) => a === 'send').length, 70);
  assert.equal(outcome[70], 'halt');
  assert.ok(outcome.slice(70).every((a) => a === 'halt'));
  const s = guard.summary();
  assert.equal(s.haltedAtCheck, 71);
  assert.equal(s.counts.checked, 120);
});

test('old mail: a held message fails with ESENDGUARD_HOLD and the run goes on', async () => {
  const guard = new RunGuard({ maxTriggerAgeDays: 7 });
  const now = Date.UTC(2026, 5, 1);
  const t = transport('json', { guard, context: 'ticket_ack', now: () => now });
  const msg = { ...base, subject: '[T-1] We received your request', text: 'Thanks, we received your request.' };
  await assert.rejects(t.sendMail({ ...msg, sendguard: { triggeredAt: now - 30 * 86_400_000 } }), (err) => err.code === 'ESENDGUARD_HOLD' && /maxTriggerAgeDays/.test(err.message));
  const info = await t.sendMail({ ...msg, sendguard: { triggeredAt: now - 86_400_000 } });
  assert.ok(info.message);
  assert.equal(guard.summary().counts.held, 1);
  assert.equal(guard.summary().counts.sent, 1);
});

test('a message with an attachment that could hold text and was not read is held, naming it', async () => {
  const zip = Buffer.from('504b0304140000000800', 'hex');
  const extra = { text: 'Your export is attached.', attachments: [{ filename: 'export.zip', content: zip }] };
  await assert.rejects(transport('json').sendMail({ ...base, ...extra }), (err) => {
    assert.equal(err.code, 'ESENDGUARD_HOLD');
    assert.deepEqual(err.unscanned, ['attachment:export.zip']);
    assert.match(err.message, /could not be read \(attachment:export\.zip\)/);
    return true;
  });
  // An image holds no text: listed as skipped by the engine, the message goes.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  await transport('json').sendMail({ ...base, text: 'Our logo.', attachments: [{ filename: 'logo.png', content: png }] });
  // Opting out sends it.
  await transport('json', { holdUnscanned: false }).sendMail({ ...base, ...extra });
});

test('fails closed: an engine that throws holds the message', async () => {
  const broken = { scanBytes() { throw Object.assign(new Error('boom'), { code: 'internal' }); } };
  const t = nodemailer.createTransport({ jsonTransport: true });
  t.use('compile', sendguard({ engine: broken }));
  await assert.rejects(t.sendMail({ ...base, text: 'hello' }), (err) => err.code === 'ESENDGUARD_HOLD' && /could not check/.test(err.message));
});
