// Fail closed through the package (issue 17): templates in any encoding, parts that were
// not read, and the CLI's closed pipe. Each encoded template holds one made-up password and
// must block through `scanBytes`, with the finding's `start`/`end` pointing at the
// password's bytes in the input; native == wasm on every one. Failure messages show rule
// ids, offsets and redacted values only: never a secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeReports } from './native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Engine } = createRequire(import.meta.url)(join(root, 'pkg'));

const SECRET = 'Verano2024!';
const TEXT = `Hola Maria,\r\nContraseña: ${SECRET}\r\nSaludos\r\n`;

const utf16be = (s) => Buffer.from(s, 'utf16le').swap16();
const utf32le = (s) => Buffer.concat([...s].map((c) => { const b = Buffer.alloc(4); b.writeUInt32LE(c.codePointAt(0)); return b; }));
const latin1 = (s) => Buffer.from(s, 'latin1');

/** [name, bytes, the secret's bytes in that encoding]. */
const templates = [
  ['utf-16le with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]), Buffer.from(SECRET, 'utf16le')],
  ['utf-16be with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(TEXT)]), utf16be(SECRET)],
  ['utf-16le without BOM', Buffer.from(TEXT, 'utf16le'), Buffer.from(SECRET, 'utf16le')],
  ['utf-16be without BOM', utf16be(TEXT), utf16be(SECRET)],
  ['utf-32le with BOM', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le(TEXT)]), utf32le(SECRET)],
  ['utf-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), Buffer.from(SECRET)],
  ['windows-1252', latin1(TEXT), Buffer.from(SECRET)],
  ['windows-1252 HTML with <meta charset>', latin1(`<html><head><meta charset="windows-1252"></head><body><p>${TEXT}</p></body></html>`), Buffer.from(SECRET)],
  // Decoded by the host's TextDecoder in the wasm build (src/decode/charset.rs).
  [
    'Shift_JIS HTML with <meta http-equiv>',
    Buffer.concat([
      Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">\n'),
      Buffer.from([0x83, 0x70, 0x83, 0x58, 0x83, 0x8f, 0x81, 0x5b, 0x83, 0x68]), // パスワード
      Buffer.from(`: ${SECRET}\n`),
    ]),
    Buffer.from(SECRET),
  ],
];

let engine, scratch;

before(() => {
  engine = new Engine();
  scratch = mkdtempSync(join(tmpdir(), 'sendguard-encodings-'));
});

after(() => {
  engine?.free();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const shown = (r) =>
  JSON.stringify({
    verdict: r.verdict,
    findings: r.findings.map((f) => `${f.ruleId}/${f.category}@${f.start}-${f.end} line ${f.line} ${f.redacted}`),
    skipped: r.skipped.map((s) => s.part),
    unscanned: r.unscanned.map((s) => s.part),
  });

for (const [name, bytes, secret] of templates) {
  test(`${name}: blocks, with offsets into the bytes`, () => {
    for (const format of ['auto', 'text', 'html']) {
      const r = engine.scanBytes(bytes, { format });
      assert.equal(r.verdict, 'block', `${format}: ${shown(r)}`);
      const f = r.findings.find((x) => x.category === 'password');
      assert.ok(f, `${format}: no password finding: ${shown(r)}`);
      assert.ok(bytes.subarray(f.start, f.end).equals(secret), `${format}: ${f.start}..${f.end} is not the password's bytes: ${shown(r)}`);
      assert.ok(r.unscanned.length === 0, shown(r));
    }
  });
}

test('an ArrayBuffer and a Uint8Array read the same', () => {
  const [, bytes] = templates[0];
  const copy = new Uint8Array(bytes);
  assert.deepEqual(engine.scanBytes(copy.buffer), engine.scanBytes(bytes));
});

test('wasm reports equal native reports on every encoded template', () => {
  const files = templates.map(([, bytes], i) => {
    const path = join(scratch, `template${i}.txt`);
    writeFileSync(path, bytes);
    return path;
  });
  const native = nativeReports(files);
  assert.equal(native.length, files.length);
  native.forEach((expected, i) => {
    assert.deepEqual(engine.scanBytes(templates[i][1]), expected.bytes, `scanBytes() differs from native on ${templates[i][0]}`);
  });
});

test('media are skipped without effect; what could hold text and was not read is unscanned and never passes', () => {
  const png = engine.scanBytes(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  assert.equal(png.verdict, 'pass', shown(png));
  assert.deepEqual([png.skipped.length, png.unscanned.length], [1, 0], shown(png));
  const zip = engine.scanBytes(Buffer.from('PK\x03\x04 an archive'));
  assert.equal(zip.verdict, 'warn', shown(zip));
  assert.equal(zip.unscanned.length, 1, shown(zip));
  const eml = Buffer.from(
    'From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n' +
      '--b\r\nContent-Type: application/octet-stream; name="blob.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQoLDA0ODw==\r\n' +
      '--b\r\nContent-Type: image/png; name="logo.png"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n',
  );
  const r = engine.scanBytes(eml, { format: 'eml' });
  assert.equal(r.verdict, 'warn', shown(r));
  assert.deepEqual(r.unscanned.map((s) => s.part), ['attachment:blob.bin'], shown(r));
  assert.deepEqual(r.skipped.map((s) => s.part), ['attachment:logo.png'], shown(r));
  // The policy decides between warn and block; pass is refused.
  const strict = new Engine('extends = "default"\n[unscanned]\naction = "block"\n');
  assert.equal(strict.scanBytes(eml, { format: 'eml' }).verdict, 'block');
  strict.free();
  assert.throws(() => new Engine({ extends: 'default', unscanned: { action: 'pass' } }), (e) => e.code === 'policy' && /unknown variant `pass`/.test(e.message));
});

test('the CLI ends quietly when its reader closes the pipe (`policy default | head -1`)', async () => {
  const child = spawn('cargo', ['run', '--quiet', '--bin', 'sendguard', '--', 'policy', 'default'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Read the first chunk, then close the pipe with the rest unread.
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.stdout.destroy();
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.ok(!/panicked/.test(stderr), 'the CLI panicked on the closed pipe');
  assert.equal(code, 0, 'exit status');
});
