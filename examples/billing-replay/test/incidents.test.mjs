// Replays of the two incidents sendguard exists for, with invented runs (plugins/testkit).
// Assertions compare actions, indices and counts — never a secret value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine, RunGuard } from 'sendguard';
import { billingRun, mailboxSync } from '../../../plugins/testkit/generate.mjs';
import { replay, scanMessage } from '../replay.mjs';

const engine = new Engine();
const DAY = 86_400_000;

test('billing run: 420 invoices, the password leaks from #263 on — none sent, the run halts at the first', () => {
  const items = billingRun({ count: 420, leakFrom: 263 });
  const leaks = items.filter((i) => i.leak).length;
  assert.equal(leaks, 158);
  const { results, summary } = replay(items, { engine, limits: { maxBlocked: 0, maxPerMinute: 120, maxPerRecipient: 3 } });
  const byIndex = new Map(results.map((r) => [r.index, r]));
  for (const item of items) {
    const r = byIndex.get(item.index);
    if (item.leak) assert.notEqual(r.action, 'send', `leaking invoice #${item.index} was sent`);
    else if (item.index < 263) assert.equal(r.action, 'send', `clean invoice #${item.index}: ${r.action} (${r.reason})`);
  }
  assert.equal(byIndex.get(263).action, 'halt');
  assert.equal(byIndex.get(263).verdict, 'block');
  assert.ok(byIndex.get(263).rules.length > 0, 'the halting invoice names a rule');
  assert.ok(results.slice(262).every((r) => r.action === 'halt'), 'halt is sticky');
  assert.equal(summary.halted, true);
  assert.equal(summary.haltedAtCheck, 263);
  assert.deepEqual(
    { checked: summary.counts.checked, sent: summary.counts.sent, held: summary.counts.held, halted: summary.counts.halted },
    { checked: 420, sent: 262, held: 0, halted: 158 },
  );
  assert.match(summary.haltReason, /maxBlocked/);
});

test('billing run: every leaking invoice is blocked on its own and every clean one passes (no luck involved)', () => {
  const items = billingRun({ count: 420, leakFrom: 263 });
  let blocked = 0;
  for (const item of items) {
    const report = scanMessage(engine, item);
    if (item.leak) {
      assert.equal(report.verdict, 'block', `leaking invoice #${item.index} not blocked`);
      blocked++;
    } else {
      assert.equal(report.verdict, 'pass', `clean invoice #${item.index}: ${report.verdict} ${report.findings.map((f) => f.ruleId)}`);
    }
  }
  assert.equal(blocked, 158);
});

test('mailbox sync: 3,000 stored emails — no acknowledgement or welcome for mail older than 7 days, the burst halts the run', () => {
  const items = mailboxSync({ count: 3000, oldShare: 0.8, oldDays: 7 });
  assert.equal(items.length, 6000);
  const old = items.filter((i) => i.ageDays > 7).length;
  assert.ok(old > 4000, `expected most of the sync to be old mail, got ${old}`);
  const limits = { maxTriggerAgeDays: 7, maxPerMinute: 100 };
  const { results, summary } = replay(items, { engine, limits });
  let sentOld = 0;
  let sent = 0;
  items.forEach((item, k) => {
    if (results[k].action === 'send') {
      sent++;
      if (item.at - item.triggeredAt > 7 * DAY) sentOld++;
    }
  });
  assert.equal(sentOld, 0, 'an acknowledgement or welcome for old mail went out');
  assert.equal(summary.halted, true, 'the burst did not halt the run');
  assert.match(summary.haltReason, /maxPerMinute/);
  // 200 ms apart, so the 101st message inside one minute halts: check 101
  assert.equal(summary.haltedAtCheck, 101);
  assert.equal(summary.counts.sent + summary.counts.held, 100);
  assert.equal(summary.counts.sent, sent);
  assert.ok(results.slice(100).every((r) => r.action === 'halt'));
  assert.ok(summary.counts.held > 60, `old mail held: ${summary.counts.held}`);
});

test('mailbox sync without a rate limit: the age limit alone holds every old message and sends the recent ones', () => {
  const items = mailboxSync({ count: 3000, oldShare: 0.8, oldDays: 7 });
  const { results, summary } = replay(items, { engine, limits: { maxTriggerAgeDays: 7 } });
  items.forEach((item, k) => {
    const old = item.at - item.triggeredAt > 7 * DAY;
    assert.equal(results[k].action, old ? 'hold' : 'send', `message #${item.index} (${item.ageDays} days old): ${results[k].action}`);
  });
  assert.equal(summary.halted, false);
  assert.equal(summary.counts.checked, 6000);
});

test('mailbox sync with maxHeld: too many held messages halt the sync', () => {
  const items = mailboxSync({ count: 3000 });
  const { summary } = replay(items, { engine, limits: { maxTriggerAgeDays: 7, maxHeld: 25 } });
  assert.equal(summary.halted, true);
  assert.match(summary.haltReason, /maxHeld/);
  assert.equal(summary.counts.held, 25);
});

test('a guard restored from state() mid-run answers as the uninterrupted run', () => {
  const items = billingRun({ count: 300, leakFrom: 200 });
  const limits = { maxBlocked: 0, maxPerMinute: 50 };
  const whole = replay(items, { engine, limits }).results.map((r) => r.action);
  const first = new RunGuard(limits);
  const a = replay(items.slice(0, 150), { engine, guard: first }).results;
  const resumed = RunGuard.fromState(JSON.parse(JSON.stringify(first.state())));
  const b = replay(items.slice(150), { engine, guard: resumed }).results;
  assert.deepEqual([...a, ...b].map((r) => r.action), whole);
});

test('the replay script prints sent/held/halted and no secret, exit 3 on halt', () => {
  const script = fileURLToPath(new URL('../replay.mjs', import.meta.url));
  const out = spawnSync(process.execPath, [script, '--generate', '300', '--leak-from', '120'], { encoding: 'utf8' });
  assert.equal(out.status, 3, out.stderr);
  assert.match(out.stdout, /sent 119, held 0, halted 181/);
  assert.match(out.stdout, /HALTED at check 120/);
  const passwords = billingRun({ count: 300, leakFrom: 120 }).filter((i) => i.leak).map((i) => /Your password: (\S+)</.exec(i.html)[1]);
  assert.ok(passwords.every((p) => !out.stdout.includes(p)), 'a password appears in the replay output');
});
