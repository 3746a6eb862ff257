// Both incidents replayed through SMTP with the real parts on loopback: nodemailer sends to
// Haraka running haraka-plugin-sendguard, which forwards to an smtp-server sink; run guards are
// in a real redis-server. Assertions compare answers, counts and recipients — never a secret.
// A missing part (Haraka, smtp-server, redis-server, pkg/) fails the test; nothing is skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { billingRun, mailboxSync } from '../../testkit/generate.mjs';
import { startRedis } from '../../testkit/redis.mjs';
import { answerTo, requireParts, startRelay, startSink, transportTo } from '../local.mjs';

const DAY = 86_400_000;
let redis;
let sink;

before(async () => {
  requireParts();
  redis = await startRedis();
  sink = await startSink();
});
after(async () => {
  await sink?.close();
  await redis?.stop();
});

const send = answerTo;

/** What arrived at the sink for test item tags with `prefix`. */
function arrived(prefix) {
  return sink.messages.filter((m) => m.raw.includes(`X-Test-Item: ${prefix}`));
}

function invoiceMail(item, run) {
  return {
    from: 'billing@acme.example', to: item.to, subject: item.subject, html: item.html,
    headers: { 'X-Sendguard-Run': run, 'X-Sendguard-Context': 'invoice', 'X-Sendguard-Template': item.template, 'X-Test-Item': `billing-${item.index}` },
  };
}

test('billing run of 420 invoices, password leaks from #263: no leaking invoice reaches the sink, the run halts, and a restarted relay keeps the halt', async () => {
  const items = billingRun({ count: 420, leakFrom: 263 });
  const run = 'billing-2026-03';
  const sendguard = { limits: { maxBlocked: 0, maxPerRecipient: 3 }, store: { redis_url: redis.url } };
  let relay = await startRelay({ sinkPort: sink.port, sendguard });
  const dir = relay.dir;
  const answers = new Map();
  const outputs = [];
  try {
    // the billing job sends at full speed over 8 connections: the clean part of the run,
    // then the invoices rendered after the template change
    let transport = transportTo(relay.port, { pool: true, maxConnections: 8 });
    const sendAll = (batch) => Promise.all(batch.map(async (item) => answers.set(item.index, await send(transport, invoiceMail(item, run)))));
    await sendAll(items.slice(0, 262));
    await sendAll(items.slice(262, 300));
    transport.close();
    // the relay crashes in the middle of the run; a new one starts on the same Redis
    await relay.kill();
    outputs.push(relay.output.join(''));
    relay = await startRelay({ sinkPort: sink.port, sendguard, dir });
    transport = transportTo(relay.port, { pool: true, maxConnections: 8 });
    await sendAll(items.slice(300));
    // a clean invoice after the restart: the run is still halted
    const clean = billingRun({ count: 1, seed: 99 })[0];
    const afterRestart = await send(transport, invoiceMail({ ...clean, index: 'clean-after-restart' }, run));
    transport.close();
    assert.equal(afterRestart.code, 550, `a clean invoice after the restart was answered ${afterRestart.code}`);
    assert.match(afterRestart.text, /run billing-2026-03 is halted \(maxBlocked/);
    assert.match(afterRestart.text, /reset the run/);
  } finally {
    await relay.stop();
    outputs.push(relay.output.join(''));
    rmSync(dir, { recursive: true, force: true });
  }
  for (const item of items) {
    const a = answers.get(item.index);
    if (item.index < 263) assert.equal(a.code, 250, `clean invoice #${item.index} answered ${a.code}`);
    else assert.equal(a.code, 550, `leaking invoice #${item.index} answered ${a.code}`);
  }
  assert.match(answers.get(263).text, /^550 5\.7\.1 sendguard blocked this message: password-label in part 1 line \d+ column \d+\. Remove the secret/);
  assert.match(answers.get(263).text, /run billing-2026-03 is halted/);
  const got = arrived('billing-');
  assert.equal(got.length, 262, 'the sink got another number of invoices than the 262 clean ones');
  const leakingRecipients = new Set(items.filter((i) => i.leak).map((i) => /<(.*)>/.exec(i.to)[1]));
  assert.equal(got.filter((m) => m.to.some((r) => leakingRecipients.has(r))).length, 0, 'a leaking invoice reached the sink');
  assert.ok(got.every((m) => /^X-Sendguard: pass; run=billing-2026-03; findings=0/m.test(m.raw.toString('latin1'))), 'a relayed message carries no sendguard result');
  assert.ok(got.every((m) => !/^X-Sendguard-Run:/im.test(m.raw.toString('latin1'))), 'the run header was relayed');
  // the logs: redacted findings, never a password
  const passwords = items.filter((i) => i.leak).map((i) => /Your password: (\S+)</.exec(i.html)[1]);
  const log = outputs.join('');
  assert.ok(passwords.every((p) => !log.includes(p)), 'a password appears in the relay log');
  assert.ok(sink.messages.every((m) => passwords.every((p) => !m.raw.includes(p))), 'a password reached the sink');
  const checks = log.split('\n').filter((l) => l.includes('[sendguard] {"event":"check"')).map((l) => JSON.parse(l.slice(l.indexOf('{'))));
  const last = checks.at(-1);
  assert.equal(checks.length, 421);
  assert.deepEqual(last.counts, { checked: 421, sent: 262, held: 0, halted: 159, blocked: 1, warned: 0 });
  const first = checks.find((c) => c.action === 'halt');
  assert.equal(first.verdict, 'block');
  assert.match(first.reason, /maxBlocked: 1 blocked messages exceed the limit of 0 \(check #263, template `invoice-monthly`\)/);
  assert.equal(first.findings[0].ruleId, 'password-label');
  assert.match(first.findings[0].redacted, /^.{2}\*+.{2}$/);
});

test('mailbox sync of 3,000 stale messages: no acknowledgement for mail older than 7 days goes out and the burst halts the run', async (t) => {
  // 1,500 stored emails, each answered with an acknowledgement and a portal welcome
  const items = mailboxSync({ count: 1500, oldShare: 0.8, oldDays: 7 });
  assert.equal(items.length, 3000);
  const run = 'mailbox-sync-2026-06';
  const relay = await startRelay({ sinkPort: sink.port, sendguard: { main: { hold: 'quarantine' }, limits: { maxTriggerAgeDays: 7, maxPerMinute: 100 }, store: { redis_url: redis.url } } });
  const answers = [];
  let checks;
  let quarantined;
  try {
    const transport = transportTo(relay.port, { pool: true, maxConnections: 8 });
    const started = Date.now();
    // the stored email's age as the generator made it, relative to now (the relay's clock)
    await Promise.all(items.map(async (item, k) => {
      answers[k] = await send(transport, {
        from: 'support@acme.example', to: item.to, subject: item.subject, text: item.text,
        headers: {
          'X-Sendguard-Run': run, 'X-Sendguard-Context': item.context, 'X-Sendguard-Template': item.template,
          'X-Sendguard-Triggered-At': String(Date.now() - (item.at - item.triggeredAt)), 'X-Test-Item': `sync-${item.index}`,
        },
      });
    }));
    transport.close();
    assert.ok(Date.now() - started < 60_000, 'the sync took longer than a minute: the burst limit would not be tested');
    checks = relay.checks();
    quarantined = readdirSync(join(relay.dir, 'sendguard-quarantine'));
  } finally {
    await relay.stop();
  }
  const got = arrived('sync-');
  const byIndex = new Map(items.map((i) => [i.index, i]));
  const sentOld = got.filter((m) => byIndex.get(Number(/X-Test-Item: sync-(\d+)/.exec(m.raw.toString('latin1'))[1])).ageDays > 7);
  assert.equal(sentOld.length, 0, `${sentOld.length} acknowledgements or welcomes for mail older than 7 days reached the sink`);
  assert.equal(checks.length, 3000);
  const halts = checks.filter((c) => c.action === 'halt');
  assert.equal(halts.length, 2900, 'the burst did not halt the run at its 101st message');
  assert.match(halts.find((c) => c.counts.halted === 1).reason, /maxPerMinute/);
  const sent = checks.filter((c) => c.action === 'send').length;
  const held = checks.filter((c) => c.action === 'hold').length;
  assert.equal(sent + held, 100);
  assert.ok(held > 60, `old mail held: ${held}`);
  t.diagnostic(`sent ${sent}, held ${held} (quarantined), halted ${halts.length}`);
  assert.equal(got.length, sent, 'the sink got other messages than those the guard sent');
  // held messages were answered 250 and kept for review; everything after the halt was refused
  assert.equal(answers.filter((a) => a.code === 250 && /held this message of run mailbox-sync-2026-06 for review/.test(a.text)).length, held);
  assert.equal(answers.filter((a) => a.code === 550 && /run mailbox-sync-2026-06 is halted \(maxPerMinute/.test(a.text)).length, 2900);
  assert.equal(quarantined.filter((f) => f.endsWith('.eml')).length, held);
  assert.equal(quarantined.filter((f) => f.endsWith('.json')).length, held);
});
