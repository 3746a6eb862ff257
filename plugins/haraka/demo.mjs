#!/usr/bin/env node
// `make demo-smtp`: Haraka with haraka-plugin-sendguard on 127.0.0.1, forwarding to an SMTP
// sink; nodemailer sends one clean invoice and one whose template leaks the customer's
// password. Prints what each answer was and what reached the sink — never the secret.
import { answerTo, startRelay, startSink, transportTo } from './local.mjs';

const sink = await startSink();
const relay = await startRelay({ sinkPort: sink.port, sendguard: { limits: { maxBlocked: 0 } } });
console.log(`relay (Haraka + sendguard) on 127.0.0.1:${relay.port}, forwarding to the sink on 127.0.0.1:${sink.port}\n`);
const transport = transportTo(relay.port);
const mails = [
  ['clean invoice', '<p>Dear Maria,</p><p>Your invoice INV-2026-03-00001 for EUR 49.00 is ready.</p><p>Manage your account at https://portal.acme.example/account</p>'],
  ['leaking invoice', '<p>Dear Jonas,</p><p>Your invoice INV-2026-03-00002 for EUR 79.00 is ready.</p><p>Portal login: jonas@customers.example<br>Your password: Vq7!mRt2xK9p</p>'],
];
try {
  for (const [name, html] of mails) {
    const answer = await answerTo(transport, {
      from: 'billing@acme.example', to: 'customer@customers.example', subject: `Your invoice (${name})`, html,
      headers: { 'X-Sendguard-Run': 'demo-billing-run', 'X-Sendguard-Context': 'invoice' },
    });
    console.log(`${name}:\n  relay answered: ${answer.text}\n`);
  }
} finally {
  transport.close();
  await relay.stop();
  await sink.close();
}
console.log(`the sink received ${sink.messages.length} message(s):`);
for (const m of sink.messages) {
  const head = m.raw.toString('latin1').split(/\r?\n\r?\n/)[0];
  const subject = /^Subject: (.*)$/m.exec(head)?.[1] ?? '';
  const result = /^X-Sendguard: (.*)$/m.exec(head)?.[1] ?? '(no sendguard result)';
  console.log(`  to ${m.to.join(', ')}: "${subject}" — X-Sendguard: ${result}`);
}
console.log('\nthe relay logged (findings redacted):');
for (const c of relay.checks()) console.log(`  ${c.action} ${c.verdict} run=${c.run} ${c.findings.map((f) => `${f.ruleId} part ${f.part} line ${f.line} column ${f.column} value ${f.redacted}`).join('; ')} — ${c.reason}`);
