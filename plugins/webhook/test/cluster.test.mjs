// One run guard across three service instances, shared through a real redis-server on a
// loopback port. Fails (never skips) when redis-server is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { billingRun } from '../../testkit/generate.mjs';
import { startCluster, call, checkBody, waitHealthy, requireRedisServer } from '../cluster.mjs';

const limits = { maxBlocked: 0, maxTriggerAgeDays: 7 };
let cluster;

before(async () => {
  requireRedisServer(); // throws: a missing redis-server is a failure
  cluster = await startCluster({ count: 3, limits });
});
after(async () => { await cluster?.stop(); });

const rr = (k) => cluster.instances[k % 3];

test('round-robin billing run with a leak in the middle: nothing after the first leak is sent by any instance', async () => {
  const items = billingRun({ count: 300, leakFrom: 151, seed: 31 });
  const actions = [];
  for (const [k, item] of items.entries()) {
    const r = await call(rr(k).base, 'POST', '/v1/check', checkBody('rr-run', item));
    assert.equal(r.status, 200);
    actions.push(r.body.action);
  }
  assert.ok(actions.slice(0, 150).every((a) => a === 'send'), 'a clean invoice before the leak was not sent');
  assert.equal(actions[150], 'halt');
  assert.equal(actions.slice(150).filter((a) => a === 'send').length, 0, 'an instance sent after the first leak');
  for (const inst of cluster.instances) {
    const s = (await call(inst.base, 'GET', '/v1/runs/rr-run')).body;
    assert.equal(s.haltedAtCheck, 151, `instance ${inst.name} sees another run state`);
    assert.deepEqual({ checked: s.counts.checked, sent: s.counts.sent, halted: s.counts.halted }, { checked: 300, sent: 150, halted: 150 });
  }
});

test('exact counts under 600 concurrent requests spread over three instances', async () => {
  const items = billingRun({ count: 600, seed: 32 });
  const answers = await Promise.all(items.map((item, k) => call(rr(k).base, 'POST', '/v1/check', checkBody('concurrent-run', item))));
  assert.ok(answers.every((a) => a.status === 200 && a.body.action === 'send'), JSON.stringify(answers.find((a) => a.body.action !== 'send')?.body));
  // every check saw a distinct count: the steps were serialised across instances
  const seen = new Set(answers.map((a) => a.body.counts.checked));
  assert.equal(seen.size, 600);
  const s = (await call(rr(1).base, 'GET', '/v1/runs/concurrent-run')).body;
  assert.deepEqual(s.counts, { checked: 600, sent: 600, held: 0, halted: 0, blocked: 0, warned: 0 });
});

test('concurrent requests with a leak among them: no send is judged after the halt', async () => {
  const items = billingRun({ count: 300, leakFrom: 300, seed: 33 });
  // the leaking invoice goes out in the middle of the burst
  const order = [...items.slice(0, 150), items[299], ...items.slice(150, 299)];
  const answers = await Promise.all(order.map((item, k) => call(rr(k).base, 'POST', '/v1/check', checkBody('concurrent-leak', item))));
  const s = (await call(rr(0).base, 'GET', '/v1/runs/concurrent-leak')).body;
  assert.equal(s.halted, true);
  assert.equal(s.counts.checked, 300);
  assert.equal(s.counts.sent, s.haltedAtCheck - 1);
  assert.equal(answers.filter((a) => a.body.action === 'send').length, s.counts.sent);
  assert.ok(answers.every((a) => a.body.action !== 'send' || a.body.counts.checked < s.haltedAtCheck));
  assert.notEqual(answers[150].body.action, 'send');
});

test('killing Redis mid-run yields holds, not sends; the service recovers and the halt survives', async () => {
  const halted = billingRun({ count: 3, leakFrom: 2, seed: 34 });
  for (const [k, item] of halted.entries()) await call(rr(k).base, 'POST', '/v1/check', checkBody('halted-before-kill', item));
  const items = billingRun({ count: 120, seed: 35 });
  const actions = [];
  for (let k = 0; k < 40; k++) actions.push((await call(rr(k).base, 'POST', '/v1/check', checkBody('kill-run', items[k]))).body.action);
  assert.ok(actions.every((a) => a === 'send'));
  await cluster.killRedis();
  const during = [];
  for (let k = 40; k < 80; k++) during.push(await call(rr(k).base, 'POST', '/v1/check', checkBody('kill-run', items[k])));
  assert.equal(during.filter((r) => r.body.action === 'send').length, 0, 'an instance sent while Redis was down');
  assert.ok(during.every((r) => r.status === 503 && r.body.action === 'hold' && /guard store unavailable/.test(r.body.reason)), JSON.stringify(during[0].body));
  assert.equal((await call(rr(0).base, 'GET', '/healthz')).status, 503);
  await cluster.restartRedis();
  await waitHealthy(cluster.instances);
  for (let k = 80; k < 120; k++) {
    const r = await call(rr(k).base, 'POST', '/v1/check', checkBody('kill-run', items[k]));
    assert.equal(r.body.action, 'send', JSON.stringify(r.body));
  }
  const s = (await call(rr(2).base, 'GET', '/v1/runs/kill-run')).body;
  assert.deepEqual({ checked: s.counts.checked, sent: s.counts.sent }, { checked: 80, sent: 80 }, 'checks answered hold during the outage were not counted');
  const again = await call(rr(0).base, 'POST', '/v1/check', checkBody('halted-before-kill', halted[0]));
  assert.equal(again.body.action, 'halt', 'the halt was lost with the Redis restart');
});

test('logs of the cluster are JSON lines without any invoice password', () => {
  const secrets = [31, 33, 34].flatMap((seed) => billingRun({ count: 300, leakFrom: 1, seed }).map((i) => /Your password: (\S+)</.exec(i.html)[1]));
  assert.ok(cluster.logs.length > 1000);
  let bad = 0;
  for (const line of cluster.logs) {
    JSON.parse(line);
    if (secrets.some((s) => line.includes(s))) bad++;
  }
  assert.equal(bad, 0, `${bad} log lines carry a password`);
});
