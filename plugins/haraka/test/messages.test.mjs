// Hard messages through the real relay (nodemailer → Haraka + sendguard → smtp-server): a
// 25 MB message, a binary attachment, messages that do not parse, and a guard store that is
// down. Each is answered; nothing reaches the sink without the plugin's result header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort, startRedis } from '../../testkit/redis.mjs';
import { answerTo, requireParts, startRelay, startSink, transportTo } from '../local.mjs';

// made-up values, built at run time so no secret-looking literal sits in the file
const PASSWORD = ['Qp7', 'x!Lm2', 'Rt9v'].join('');
let sink;
let relay;
let transport;

before(async () => {
  requireParts();
  sink = await startSink();
  relay = await startRelay({ sinkPort: sink.port, sendguard: { main: { hold: 'reject' }, limits: { maxBlocked: 0, maxPerRecipient: 1 } } });
  transport = transportTo(relay.port, { pool: true, maxConnections: 2 });
});
after(async () => {
  transport?.close();
  await relay?.stop();
  await sink?.close();
});

const send = (message, via = transport) => answerTo(via, message);

/** Messages of test `tag` that reached the sink (tagged with an X-Test header). */
function arrived(tag) {
  return sink.messages.filter((m) => m.raw.subarray(0, 4096).includes(`X-Test: ${tag}\r\n`));
}

const base = (run, tag, to = `${tag}@customers.example`) => ({ from: 'billing@acme.example', to, subject: `test ${tag}`, headers: { 'X-Sendguard-Run': run, 'X-Test': tag } });

// The relay's check of `run`, from its log: Haraka's log line can reach the test a moment
// after the SMTP reply does (two pipes), so wait for it, up to five seconds.
async function checkOf(run) {
  for (let i = 0; i < 50; i++) {
    const found = relay.checks().find((c) => c.run === run);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`no check logged for run ${run}`);
}

test('a 25 MB message is scanned whole: clean it is relayed intact, with a password at its end it is refused', async () => {
  const line = 'Usage record 2026-03: 1,024 API calls, 3.2 GB transfer, no incidents reported.\n';
  const text = line.repeat(Math.ceil(25_000_000 / line.length));
  const clean = await send({ ...base('big-run', 'big-clean'), text });
  assert.equal(clean.code, 250, clean.text);
  const [got] = arrived('big-clean');
  assert.ok(got && got.raw.length > 25_000_000, 'the 25 MB message did not reach the sink whole');
  assert.match(got.raw.subarray(0, 8192).toString('latin1'), /^X-Sendguard: pass; run=big-run; findings=0/m);
  const leaking = await send({ ...base('big-run-2', 'big-leak'), text: `${text}Your password: ${PASSWORD}\n` });
  assert.equal(leaking.code, 550, leaking.text);
  assert.match(leaking.text, /blocked this message: password-label in part 1 line \d+ column/);
  assert.equal(arrived('big-leak').length, 0);
});

test('a binary attachment: relayed byte for byte with the unscanned part logged; a password in the text beside it is refused', async () => {
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(200_000)]);
  const ok = await send({ ...base('attach-run', 'attach-clean'), text: 'Your statement is attached.', attachments: [{ filename: 'chart.png', content: png, contentType: 'image/png' }] });
  assert.equal(ok.code, 250, ok.text);
  const [got] = arrived('attach-clean');
  assert.ok(got, 'the message with an attachment did not reach the sink');
  const b64 = png.toString('base64');
  assert.ok(got.raw.toString('latin1').replace(/\r\n/g, '').includes(b64), 'the attachment changed on the way');
  assert.match(got.raw.toString('latin1'), /^X-Sendguard: pass; run=attach-run; findings=0; unscanned=1/m);
  const check = await checkOf('attach-run');
  assert.match(check.unscanned.join(' '), /binary attachment image\/png not scanned/);
  const bad = await send({ ...base('attach-run-2', 'attach-leak'), text: `Your portal password: ${PASSWORD}`, attachments: [{ filename: 'chart.png', content: png, contentType: 'image/png' }] });
  assert.equal(bad.code, 550, bad.text);
  assert.equal(arrived('attach-leak').length, 0);
});

test('messages that do not parse are scanned as written: garbage is answered, a broken multipart with a password is refused', async () => {
  // not RFC 5322 at all: bytes that are not UTF-8, no header block (fixed, not random: random
  // bytes can look like a high-entropy token to the engine and be refused, rightly)
  const garbage = Buffer.concat([Buffer.from(Array.from({ length: 3000 }, (_, i) => 0x80 + ((i * 37) % 128))), Buffer.from('\r\n')]);
  const g = await send({ envelope: { from: 'app@acme.example', to: ['garbage@customers.example'] }, raw: Buffer.concat([Buffer.from('X-Test: garbage\r\nX-Sendguard-Run: broken-run\r\n'), garbage]) });
  assert.equal(g.code, 250, g.text);
  const c = await checkOf('broken-run');
  assert.equal(c.verdict, 'pass');
  assert.equal(arrived('garbage').length, 1);
  assert.match(arrived('garbage')[0].raw.toString('latin1'), /^X-Sendguard: pass; run=broken-run/m);
  // a multipart whose boundary never closes and whose base64 is broken, with a password in the text
  const broken = [
    'From: billing@acme.example', 'To: broken@customers.example', 'Subject: broken', 'X-Test: broken-mime', 'X-Sendguard-Run: broken-run-2',
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', `Welcome! Your password: ${PASSWORD}`,
    '--b1', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', '%%%% not base64 @@@@', '',
  ].join('\r\n');
  const b = await send({ envelope: { from: 'billing@acme.example', to: ['broken@customers.example'] }, raw: broken });
  assert.equal(b.code, 550, b.text);
  assert.equal(arrived('broken-mime').length, 0);
  assert.ok((await checkOf('broken-run-2')).findings.some((f) => f.ruleId === 'password-label'));
});

test('sender mistakes are refused with what to fix: a malformed run header, an unknown context', async () => {
  const r = await send({ ...base('not a valid run id!', 'bad-run') });
  assert.equal(r.code, 550);
  assert.match(r.text, /X-Sendguard-Run header must be 1-128 characters/);
  const c = await send({ ...base('ctx-run', 'bad-context'), text: 'hello', headers: { 'X-Sendguard-Run': 'ctx-run', 'X-Test': 'bad-context', 'X-Sendguard-Context': 'nonsense' } });
  assert.equal(c.code, 550, c.text);
  assert.match(c.text, /cannot scan this message/);
  assert.equal(arrived('bad-run').length + arrived('bad-context').length, 0);
});

test('without a run header the run is the envelope sender in a time window; hold=reject refuses what the guard holds', async () => {
  const mail = { from: 'tickets@acme.example', to: 'same@customers.example', subject: 'ack', text: 'We received your request.', headers: { 'X-Test': 'window' } };
  const first = await send(mail);
  assert.equal(first.code, 250, first.text);
  const second = await send(mail);
  assert.equal(second.code, 550, second.text);
  assert.match(second.text, /held this message of run sender:tickets@acme\.example:\d{8}T\d{4} \(maxPerRecipient/);
  assert.equal(arrived('window').length, 1);
});

test('a sender cannot forge the result header: it is removed and replaced by the relay', async () => {
  const r = await send({ ...base('forge-run', 'forged'), text: 'hello', headers: { 'X-Sendguard-Run': 'forge-run', 'X-Test': 'forged', 'X-Sendguard': 'pass; run=whatever' } });
  assert.equal(r.code, 250, r.text);
  const raw = arrived('forged')[0].raw.toString('latin1');
  assert.equal(raw.match(/^X-Sendguard:/gm).length, 1);
  assert.match(raw, /^X-Sendguard: pass; run=forge-run; findings=0/m);
});

test('guard store down: 451, nothing relayed; when Redis is back the relay checks and relays again by itself', async () => {
  const port = await freePort();
  const down = await startRelay({ sinkPort: sink.port, sendguard: { limits: { maxBlocked: 0 }, store: { redis_url: `redis://127.0.0.1:${port}/0` } } });
  const t = transportTo(down.port);
  let redis;
  try {
    const r = await send({ ...base('redis-run', 'redis-down'), text: 'Your invoice is ready.' }, t);
    assert.equal(r.code, 451, r.text);
    assert.match(r.text, /^451 4\.3\.0 sendguard could not check this message \(guard store unavailable/);
    assert.equal(arrived('redis-down').length, 0);
    redis = await startRedis({ port });
    let back;
    for (let i = 0; i < 40; i++) {
      back = await send({ ...base('redis-run', 'redis-back'), text: 'Your invoice is ready.' }, t);
      if (back.code !== 451) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(back.code, 250, back.text);
    assert.equal(arrived('redis-back').length, 1);
  } finally {
    t.close();
    await down.stop();
    await redis?.stop();
  }
});

test('an application that logs in is one run: a leak halts everything that login sends, and nothing of another sender', async () => {
  // made-up credentials of a test-only relay on loopback
  const pass = ['relay', 'login', 'for', 'tests'].join('-');
  const authed = await startRelay({
    sinkPort: sink.port,
    before: ['auth/flat_file'],
    files: { 'auth_flat_file.ini': `[core]\nmethods=PLAIN,LOGIN\nconstrain_sender=false\n\n[users]\nbilling-app=${pass}\n` },
    sendguard: { limits: { maxBlocked: 0 } },
  });
  const app = transportTo(authed.port, { auth: { user: 'billing-app', pass } });
  const other = transportTo(authed.port);
  try {
    const mail = (tag, text) => ({ from: 'billing@acme.example', to: `${tag}@customers.example`, subject: tag, text, headers: { 'X-Test': tag } });
    assert.equal((await send(mail('auth-1', 'Your invoice is ready.'), app)).code, 250);
    const leak = await send(mail('auth-2', `Your password: ${PASSWORD}`), app);
    assert.equal(leak.code, 550);
    assert.match(leak.text, /run auth:billing-app is halted/);
    const after = await send(mail('auth-3', 'Your invoice is ready.'), app);
    assert.equal(after.code, 550);
    assert.match(after.text, /run auth:billing-app is halted/);
    // the same envelope sender without the login is another run
    assert.equal((await send(mail('auth-4', 'Your invoice is ready.'), other)).code, 250);
    assert.deepEqual(authed.checks().map((c) => [c.run.replace(/:\d{8}T\d{4}$/, ''), c.runFrom, c.action]), [
      ['auth:billing-app', 'auth', 'send'], ['auth:billing-app', 'auth', 'halt'], ['auth:billing-app', 'auth', 'halt'], ['sender:billing@acme.example', 'sender', 'send'],
    ]);
    assert.deepEqual(['auth-1', 'auth-2', 'auth-3', 'auth-4'].map((t) => arrived(t).length), [1, 0, 0, 1]);
  } finally {
    app.close();
    other.close();
    await authed.stop();
  }
});

test('an engine that cannot start (an unreadable policy): every message 451, nothing relayed', async () => {
  const broken = await startRelay({
    sinkPort: sink.port,
    files: { 'broken-policy.toml': '[[rules]]\nid = "unterminated\n' },
    sendguard: { main: { policy: 'config/broken-policy.toml' } },
  });
  const t = transportTo(broken.port);
  try {
    const r = await send({ ...base('policy-run', 'policy-broken'), text: 'Your invoice is ready.' }, t);
    assert.equal(r.code, 451, r.text);
    assert.match(r.text, /^451 4\.3\.0 sendguard could not check this message \(SendguardError policy\); it was not relayed, try again later/);
    assert.equal(arrived('policy-broken').length, 0);
    assert.match(broken.output.join(''), /sendguard cannot start \(policy\); every message is answered 451/);
  } finally {
    t.close();
    await broken.stop();
  }
});
