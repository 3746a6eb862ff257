// The webhook service against a real server listening on 127.0.0.1 (in-process store).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Engine } from 'sendguard';
import { createService } from '../server.mjs';
import { MemoryStore } from '../store.mjs';
import { billingRun, inventPassword, rng } from '../../testkit/generate.mjs';
import { listen, call } from './helpers.mjs';

const engine = new Engine();
const TOKEN = 'test-token-' + 'x'.repeat(16);
const logs = [];
const limits = { maxBlocked: 0, maxPerMinute: 10_000, maxTriggerAgeDays: 7 };
const server = createService({ engine, limits, token: TOKEN, maxBody: 64 * 1024, clientClock: true, log: (e) => logs.push(JSON.stringify(e)) });
const base = await listen(server);
after(() => server.close());
const password = inventPassword(rng(5));

const clean = (run, extra = {}) => ({ run, message: { to: 'a@customers.example', subject: 'Invoice', html: '<p>Your invoice is ready.</p>', context: 'invoice', ...extra } });

test('healthz answers without a token', async () => {
  const r = await call(base, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual({ ok: r.body.ok, store: r.body.store }, { ok: true, store: 'memory' });
});

test('401 without the token or with a wrong one, on every /v1 route', async () => {
  for (const [method, path] of [['POST', '/v1/check'], ['GET', '/v1/runs/r1'], ['POST', '/v1/runs/r1/reset']]) {
    const none = await call(base, method, path, { body: clean('r1') });
    assert.equal(none.status, 401, `${method} ${path}`);
    assert.equal(none.body.action, 'hold');
    const wrong = await call(base, method, path, { body: clean('r1'), token: 'nope' });
    assert.equal(wrong.status, 401);
  }
});

test('400 on malformed JSON with a clear message that does not echo the body', async () => {
  const raw = Buffer.from(`{"run": "r2", "message": {"text": "Password: ${password}" ,,}`);
  const r = await call(base, 'POST', '/v1/check', { raw, token: TOKEN });
  assert.equal(r.status, 400);
  assert.equal(r.body.action, 'hold');
  assert.match(r.body.error, /^malformed JSON/);
  assert.equal(r.text.includes(password), false, 'the error echoes the secret');
  const empty = await call(base, 'POST', '/v1/check', { raw: Buffer.alloc(0), token: TOKEN });
  assert.equal(empty.status, 400);
  assert.match(empty.body.error, /empty/);
});

test('400 on a well-formed body of the wrong shape, naming the field', async () => {
  const cases = [
    [{ message: {} }, /`run`/],
    [{ run: 'r3', message: { to: 'a@b.example' } }, /exactly one of/],
    [{ run: 'r3', message: { to: 'a@b.example', text: 'hi', colour: 'red' } }, /message\.colour/],
    [{ run: 'r3', message: { to: 'a@b.example', text: 'hi', triggeredAt: 'yesterday' } }, /triggeredAt/],
    [{ run: 'r3', message: { to: 'a@b.example', text: 'hi', context: 'newsletter' } }, /context/],
    [{ run: 'bad run id!', message: { to: 'a@b.example', text: 'hi' } }, /`run`/],
  ];
  for (const [body, re] of cases) {
    const r = await call(base, 'POST', '/v1/check', { body, token: TOKEN });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error, re);
  }
});

test('413 on a body over the limit, declared or streamed', async () => {
  const huge = Buffer.from(JSON.stringify(clean('r4', { html: 'x'.repeat(200 * 1024) })));
  const r = await call(base, 'POST', '/v1/check', { raw: huge, token: TOKEN });
  assert.equal(r.status, 413);
  assert.equal(r.body.action, 'hold');
  // chunked, no content-length: counted while reading
  const status = await new Promise((resolve, reject) => {
    const req = request(`${base}/v1/check`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    for (let i = 0; i < 20; i++) req.write(Buffer.alloc(16 * 1024, 0x20));
    req.end();
  });
  assert.equal(status, 413);
  // the service still answers afterwards
  assert.equal((await call(base, 'POST', '/v1/check', { body: clean('r4'), token: TOKEN })).body.action, 'send');
});

test('a leaking message is held/halted with its rule and line, and the response carries only the redacted form', async () => {
  const r = await call(base, 'POST', '/v1/check', { token: TOKEN, body: { run: 'r5', message: { to: 'b@customers.example', subject: 'Welcome', text: `Hello,\nyour account is ready.\nPassword: ${password}\n`, context: 'welcome' } } });
  assert.equal(r.status, 200);
  assert.equal(r.body.action, 'halt');
  assert.equal(r.body.verdict, 'block');
  assert.ok(r.body.findings.some((f) => f.line === 3 && f.ruleId), JSON.stringify(r.body.findings.map((f) => [f.ruleId, f.line])));
  assert.equal(r.text.includes(password), false, 'the response carries the secret');
  const run = await call(base, 'GET', '/v1/runs/r5', { token: TOKEN });
  assert.equal(run.body.halted, true);
  assert.match(run.body.haltReason, /maxBlocked/);
  const next = await call(base, 'POST', '/v1/check', { body: clean('r5'), token: TOKEN });
  assert.equal(next.body.action, 'halt', 'halt is sticky');
  const reset = await call(base, 'POST', '/v1/runs/r5/reset', { token: TOKEN });
  assert.equal(reset.status, 200);
  assert.equal(reset.body.halted, false);
  assert.equal((await call(base, 'POST', '/v1/check', { body: clean('r5'), token: TOKEN })).body.action, 'send');
  assert.equal((await call(base, 'GET', '/v1/runs/nope', { token: TOKEN })).status, 404);
});

test('a raw .eml message is scanned part by part', async () => {
  const raw = `From: billing@acme.example\r\nTo: c@customers.example\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour invoice is attached.\r\nPortal password: ${password}\r\n`;
  const r = await call(base, 'POST', '/v1/check', { token: TOKEN, body: { run: 'r6', message: { to: 'c@customers.example', raw, context: 'invoice' } } });
  assert.equal(r.body.verdict, 'block');
  assert.notEqual(r.body.action, 'send');
});

test('a message with a part that could hold text and was not read is held, naming the part', async () => {
  const raw = 'From: a@example.com\r\nTo: b@customers.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    + '--b\r\nContent-Type: text/plain\r\n\r\nYour export is attached.\r\n'
    + '--b\r\nContent-Type: application/zip; name="export.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAIAA==\r\n--b--\r\n';
  const r = await call(base, 'POST', '/v1/check', { body: { run: 'unscanned', message: { to: 'b@customers.example', raw } }, token: TOKEN });
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.action, r.body.verdict, r.body.unscanned], ['hold', 'warn', ['attachment:export.zip']]);
  assert.match(r.body.reason, /could not be read \(attachment:export\.zip\)/);
});

test('concurrent requests from one run: exact counts, and nothing sent after the leak', async () => {
  const items = billingRun({ count: 300, leakFrom: Infinity, seed: 21 });
  const answers = await Promise.all(items.map((it) => call(base, 'POST', '/v1/check', { token: TOKEN, body: { run: 'r7', message: { to: it.to, subject: it.subject, html: it.html, context: 'invoice', at: it.at } } })));
  assert.ok(answers.every((a) => a.status === 200 && a.body.action === 'send'));
  const run = await call(base, 'GET', '/v1/runs/r7', { token: TOKEN });
  assert.deepEqual(run.body.counts, { checked: 300, sent: 300, held: 0, halted: 0, blocked: 0, warned: 0 });
  // a second wave with one leak among them: at most the ones judged before it are sent
  const wave = billingRun({ count: 100, leakFrom: 100, seed: 22 });
  const second = await Promise.all(wave.map((it) => call(base, 'POST', '/v1/check', { token: TOKEN, body: { run: 'r7', message: { to: it.to, html: it.html, context: 'invoice', at: it.at } } })));
  assert.notEqual(second[99].body.action, 'send');
  const after = await call(base, 'GET', '/v1/runs/r7', { token: TOKEN });
  assert.equal(after.body.counts.checked, 400);
  assert.equal(after.body.halted, true);
  const sentAfterHalt = second.filter((a) => a.body.action === 'send' && a.body.counts.checked > after.body.haltedAtCheck).length;
  assert.equal(sentAfterHalt, 0);
});

test('fails closed: an internal error answers hold with 500', async () => {
  const broken = createService({ engine, store: { check: async () => { throw new TypeError('bug'); }, health: async () => ({ ok: true }) }, log: () => {} });
  const b = await listen(broken);
  try {
    const r = await call(b, 'POST', '/v1/check', { body: clean('r8') });
    assert.equal(r.status, 500);
    assert.equal(r.body.action, 'hold');
    const throwingEngine = createService({ engine: { scan() { throw new RangeError('oops'); } }, store: new MemoryStore(), log: () => {} });
    const c = await listen(throwingEngine);
    const r2 = await call(c, 'POST', '/v1/check', { body: clean('r8') });
    assert.equal(r2.body.action, 'hold');
    throwingEngine.close();
  } finally {
    broken.close();
  }
});

test('logs are one JSON object per request and never contain the secret', () => {
  assert.ok(logs.length > 20);
  for (const line of logs) {
    const e = JSON.parse(line);
    assert.equal(typeof e.status, 'number');
  }
  assert.equal(logs.some((l) => l.includes(password)), false, 'a log line carries the secret');
  assert.equal(logs.some((l) => l.includes(TOKEN)), false, 'a log line carries the token');
});
