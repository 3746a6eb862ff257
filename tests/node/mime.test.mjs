// Whole outbound messages through the package's `scanBytes`: the cases of tests/mime.rs
// (tests/fixtures/mime/*.eml, plus the 10,000-part and 40-deep messages generated here as
// there), and native == wasm on every one of them (native reports from the report_json
// example, as in corpus.test.mjs). pkg/ is installed by path into a scratch project, as a
// third party installs it. Failure messages show rule ids, parts, offsets and redacted
// values only: never a secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeReports } from './native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'tests', 'fixtures', 'mime');
const EML = { format: 'eml' };

// The same generators as tests/mime.rs (many_parts, deep), byte for byte.
function manyParts(n) {
  let m = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n';
  for (let i = 0; i < n; i++) m += `--b\r\nContent-Type: text/plain\r\n\r\nline ${i}\r\n`;
  return Buffer.from(m + '--b--\r\n');
}

function deep(levels) {
  let m = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n';
  for (let i = 0; i < levels; i++) m += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  m += 'Content-Type: text/plain\r\n\r\nPassword: Xq7#vB2m9L\r\n';
  for (let i = levels - 1; i >= 0; i--) m += `--b${i}--\r\n`;
  return Buffer.from(m);
}

let project, scratch, Engine, engine;
const generated = { 'many_parts_10000.eml': manyParts(10_000), 'deep_40.eml': deep(40), 'deep_5.eml': deep(5) };

before(() => {
  assert.ok(existsSync(join(root, 'pkg', 'package.json')), 'pkg/ is not built: run `make pkg`');
  project = mkdtempSync(join(tmpdir(), 'sendguard-mime-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync('npm', ['install', '--offline', '--install-links', '--no-audit', '--no-fund', '--loglevel=error', join(root, 'pkg')], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  ({ Engine } = createRequire(join(project, 'package.json'))('sendguard'));
  engine = new Engine();
  scratch = join(project, 'messages');
  mkdirSync(scratch);
  for (const [name, bytes] of Object.entries(generated)) writeFileSync(join(scratch, name), bytes);
});

after(() => {
  engine?.free();
  if (project) rmSync(project, { recursive: true, force: true });
});

const fixture = (name) => readFileSync(join(fixtures, name));

/** What a failure may show: rule, category, part, offsets and the redacted value. */
const shown = (report) =>
  JSON.stringify({
    verdict: report.verdict,
    findings: report.findings.map((f) => `${f.ruleId}/${f.category}@${f.part}:${f.start}-${f.end} ${f.redacted}`),
    skipped: report.skipped.map((s) => s.part),
    unscanned: report.unscanned.map((s) => s.part),
  });

/**
 * Scans through the package and times it: `ms` is the process's CPU time (user + system),
 * which other work on a shared machine does not inflate; `wallMs` is shown with it.
 */
function scan(bytes, options = EML) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const report = engine.scanBytes(bytes, options);
  const wallMs = performance.now() - t;
  const { user, system } = process.cpuUsage(cpu);
  return { report, ms: (user + system) / 1000, wallMs };
}

const took = ({ ms, wallMs }) => `scanBytes took ${ms.toFixed(0)} ms CPU (${wallMs.toFixed(0)} ms wall)`;

test('a password split by a quoted-printable soft break is found whole, in both alternatives', () => {
  const { report: r } = scan(fixture('qp_soft_break.eml'));
  assert.equal(r.verdict, 'block', shown(r));
  assert.ok(r.findings.length >= 1, shown(r));
  assert.ok(r.findings.every((f) => f.category === 'password' && Array.isArray(f.partRange)), shown(r));
  // 14 characters: both halves of the value, joined across the `=` line break.
  assert.ok(r.findings.every((f) => f.end - f.start === 14), shown(r));
  assert.deepEqual(r.findings.map((f) => f.part), ['1', '2'], shown(r));
});

test('a windows-1252 body with a non-ASCII label (Contraseña) is decoded and found', () => {
  const { report: r } = scan(fixture('windows1252.eml'));
  assert.equal(r.verdict, 'block', shown(r));
  assert.equal(r.findings[0].ruleId, 'password-label', shown(r));
  assert.equal(r.findings[0].part, '1', shown(r));
});

test('a token in a base64 CSV attachment is found in that attachment', () => {
  const { report: r } = scan(fixture('base64_csv.eml'));
  assert.equal(r.verdict, 'block', shown(r));
  assert.ok(r.findings.some((f) => f.category === 'token' && f.part === 'attachment:accounts.csv'), shown(r));
});

test('a clean multipart message with a PDF and a data: image passes', () => {
  const { report: r } = scan(fixture('clean_pdf_data_image.eml'));
  assert.equal(r.verdict, 'pass', shown(r));
  assert.equal(r.findings.length, 0, shown(r));
});

test('a truncated message whose boundary never closes is scanned up to the cut', () => {
  const { report: r } = scan(fixture('truncated.eml'));
  assert.equal(r.verdict, 'block', shown(r));
  // The secret is in part 2, the part that is cut off.
  assert.ok(r.findings.some((f) => f.category === 'password' && f.part === '2'), shown(r));
});

// Issue 17: each holds one made-up password found only when the structure is read right.
for (const [name, part] of [
  ['folded_boundary.eml', '1'],
  ['no_boundary.eml', '1.2'],
  ['wrong_boundary.eml', '1.1'],
  ['invalid_content_type.eml', '1'],
  ['message_news.eml', '2.1'],
  ['rfc2231_params.eml', 'attachment:cuentas de acceso.csv'],
  ['latin1_no_charset.eml', '1'],
]) {
  test(`${name}: the password is found in part ${part}, nothing left unscanned`, () => {
    const { report: r } = scan(fixture(name));
    assert.equal(r.verdict, 'block', shown(r));
    const f = r.findings.find((x) => x.category === 'password');
    assert.ok(f, shown(r));
    assert.equal(f.part, part, shown(r));
    assert.equal(f.end - f.start, 11, shown(r));
    assert.equal(r.unscanned.length, 0, shown(r));
  });
}

test('a message is recognised without a format', () => {
  const { report: r } = scan(fixture('qp_soft_break.eml'), undefined);
  assert.equal(r.format, 'eml');
  assert.equal(r.verdict, 'block', shown(r));
});

test('10,000 parts hit the part limit with a clear report, within a second', () => {
  const timed = scan(generated['many_parts_10000.eml']);
  const r = timed.report;
  assert.ok(timed.ms < 1000, took(timed));
  const limit = r.findings.find((f) => f.category === 'limit');
  assert.ok(limit, shown(r));
  assert.match(limit.message, /more than \d+ parts/, shown(r));
  assert.equal(r.verdict, 'warn', shown(r));
  assert.ok(r.unscanned.length > 0, shown(r));
});

test('40 levels of nesting hit the depth limit with a clear report, within a second', () => {
  const timed = scan(generated['deep_40.eml']);
  const r = timed.report;
  assert.ok(timed.ms < 1000, took(timed));
  const limit = r.findings.find((f) => f.category === 'limit');
  assert.ok(limit, shown(r));
  assert.match(limit.message, /deeper than \d+ levels/, shown(r));
  assert.ok(r.verdict === 'warn' || r.verdict === 'block', shown(r));
  assert.ok(r.unscanned.length > 0, shown(r));
  // Within the limit the same secret is found.
  const { report: shallow } = scan(generated['deep_5.eml']);
  assert.equal(shallow.verdict, 'block', shown(shallow));
});

test('wasm reports equal native reports on every message', () => {
  const files = [
    ...readdirSync(fixtures).filter((f) => f.endsWith('.eml')).sort().map((f) => join(fixtures, f)),
    ...Object.keys(generated).map((f) => join(scratch, f)),
  ];
  const native = nativeReports(files);
  assert.equal(native.length, files.length);
  for (const expected of native) {
    const bytes = readFileSync(expected.path);
    const name = expected.path.slice(expected.path.lastIndexOf('/') + 1);
    // report_json scans with default options: the format is sniffed, so these say `eml` too.
    assert.equal(expected.bytes.format, 'eml', `${name} is not read as a message natively`);
    // Reports hold redacted values only, so a diff here never shows a secret.
    assert.deepEqual(engine.scanBytes(bytes), expected.bytes, `scanBytes() differs from native on ${name}`);
    assert.deepEqual(engine.scanBytes(bytes, EML), expected.bytes, `scanBytes(eml) differs from native on ${name}`);
  }
});
