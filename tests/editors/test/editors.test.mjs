// sendguard/codemirror and sendguard/monaco in a real Chromium, in an application that installs
// the package as a copy (.npmrc) and the editors from their npm packages: diagnostics and markers
// at the engine's UTF-16 offsets, hover, the allow-with-reason quick fix, rescans.
// `make test-editors` builds dist/ first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './browser.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** The made-up password of the app's document; the tests compare offsets, never print it. */
const SECRET = 'Xq7#vB2m9L';
let server;
let browser;
let page;
const errors = [];

before(async () => {
  assert.ok(existsSync(`${DIST}index.html`), 'tests/editors/dist is missing: run `make test-editors`');
  server = await serve(DIST);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.app && window.app.results.codemirror > 0 && window.app.results.monaco > 0, null, { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** `{ expected, found }`: the secret's JS string offset and the engine's findings' UTF-16 offsets. */
const offsets = (secret) => page.evaluate((s) => {
  const { app } = window;
  const text = app.cm.state.doc.toString();
  const report = app.scanResult(app.cm.state).report;
  return { expected: text.indexOf(s), utf8: new TextEncoder().encode(text.slice(0, text.indexOf(s))).length, findings: report.findings.map((f) => [f.ruleId, f.utf16Start, f.utf16End, f.start]) };
}, secret);

test('CodeMirror: diagnostics at the engine\'s UTF-16 offsets, past emoji and CJK', async () => {
  const { expected, utf8, findings } = await offsets(SECRET);
  assert.ok(utf8 > expected, 'the document has non-ASCII text before the secret');
  const password = findings.find(([id]) => id === 'password-label');
  assert.ok(password, 'the password is found');
  assert.deepEqual(password.slice(1), [expected, expected + SECRET.length, utf8]);
  const diagnostics = await page.evaluate(() => window.app.diagnostics());
  assert.deepEqual(diagnostics.map((d) => [d.from, d.to, d.severity, d.source]), findings.map(([, from, to]) => [from, to, 'error', 'sendguard']));
  // What is underlined on screen is the secret: its length, and not a character around it.
  const underlined = await page.locator('#codemirror .cm-lintRange-error').first().evaluate((el) => el.textContent.length);
  assert.equal(underlined, SECRET.length);
  const placeholders = await page.locator('#codemirror .cm-tpl').count();
  assert.equal(placeholders, 1, 'the {{ }} placeholder is highlighted');
});

test('CodeMirror: the offsets follow an edit before the finding', async () => {
  await page.evaluate(() => window.app.cm.dispatch({ changes: { from: 3, insert: '🎉 ' } }));
  const { expected, findings } = await offsets(SECRET);
  const diagnostics = await page.evaluate(() => window.app.diagnostics());
  assert.deepEqual(diagnostics.map((d) => d.from), [expected]);
  assert.equal(findings[0][1], expected);
});

test('CodeMirror: hover shows the rule and the redacted value; the quick fix allows with a reason', async () => {
  await page.locator('#codemirror .cm-lintRange-error').first().hover();
  const tip = page.locator('.cm-tooltip-hover .sg-tip');
  await tip.waitFor({ timeout: 5000 });
  const text = await tip.textContent();
  assert.match(text, /Password/);
  assert.match(text, /password-label/);
  assert.match(text, /Xq\*+9L/);
  assert.ok(!text.includes(SECRET), 'the tooltip shows the redacted value only');
  await page.evaluate(() => { window.app.nextReason = 'made-up test fixture'; });
  await page.locator('.cm-tooltip-hover .cm-diagnosticAction', { hasText: 'Allow with reason' }).click();
  await page.waitForFunction(() => window.app.scanResult(window.app.cm.state).report.suppressed.length === 1);
  const line = await page.evaluate(() => window.app.cm.state.doc.line(2).text);
  assert.equal(line, '<!-- sendguard:allow password-label -- made-up test fixture -->');
  const report = await page.evaluate(() => window.app.scanResult(window.app.cm.state).report);
  assert.equal(report.verdict, 'pass');
  assert.deepEqual(await page.evaluate(() => window.app.diagnostics()), []);
});

test('CodeMirror: `policy` builds the engine from the package, with that policy', async () => {
  await page.waitForFunction(() => window.app.results.policy > 0);
  const report = await page.evaluate(() => window.app.scanResult(window.app.cmPolicy.state).report);
  assert.ok(report, 'the engine loaded and scanned');
  assert.deepEqual(report.findings.map((f) => f.ruleId).filter((id) => id === 'password-label'), []);
});

test('Monaco: markers at the engine\'s UTF-16 offsets (model offsets), with severity and rule', async () => {
  const got = await page.evaluate((s) => {
    const { monaco, editor, mon } = window.app;
    const model = editor.getModel();
    const text = model.getValue();
    const markers = monaco.editor.getModelMarkers({ owner: 'sendguard' });
    return {
      expected: text.indexOf(s),
      findings: mon.result().report.findings.map((f) => [f.ruleId, f.utf16Start, f.utf16End]),
      markers: markers.map((m) => [m.code, model.getOffsetAt({ lineNumber: m.startLineNumber, column: m.startColumn }), model.getOffsetAt({ lineNumber: m.endLineNumber, column: m.endColumn }), m.severity === monaco.MarkerSeverity.Error, m.source]),
    };
  }, SECRET);
  assert.ok(got.expected > 0);
  assert.deepEqual(got.findings, [['password-label', got.expected, got.expected + SECRET.length]]);
  assert.deepEqual(got.markers, [['password-label', got.expected, got.expected + SECRET.length, true, 'sendguard']]);
});

test('Monaco: markers follow an edit; hover shows the rule\'s advice', async () => {
  const moved = await page.evaluate((s) => {
    const { monaco, editor } = window.app;
    editor.executeEdits('test', [{ range: new monaco.Range(1, 4, 1, 4), text: '🎉 ' }]);
    const model = editor.getModel();
    const [m] = monaco.editor.getModelMarkers({ owner: 'sendguard' });
    return [model.getValue().indexOf(s), model.getOffsetAt({ lineNumber: m.startLineNumber, column: m.startColumn })];
  }, SECRET);
  assert.equal(moved[1], moved[0]);
  await page.evaluate(() => {
    const { editor, mon } = window.app;
    const f = mon.result().report.findings[0];
    editor.setPosition(editor.getModel().getPositionAt(f.utf16Start + 2));
    editor.focus();
    editor.trigger('test', 'editor.action.showHover', {});
  });
  const hover = page.locator('#monaco .monaco-hover', { hasText: 'password-label' });
  await hover.first().waitFor({ timeout: 5000 });
  const text = await hover.first().textContent();
  assert.match(text, /Password/);
  assert.match(text, /Xq\*+9L/);
  assert.ok(!text.includes(SECRET), 'the hover shows the redacted value only');
});

test('Monaco: the quick fix inserts the allow comment with the reason', async () => {
  await page.keyboard.press('Escape');
  await page.evaluate(() => {
    const { editor, mon } = window.app;
    window.app.nextReason = 'made-up test fixture';
    const f = mon.result().report.findings[0];
    editor.setPosition(editor.getModel().getPositionAt(f.utf16Start + 2));
    editor.focus();
    editor.trigger('test', 'editor.action.quickFix', {});
  });
  const item = page.locator('.action-widget .action-item, .action-widget [role=option]', { hasText: 'Allow password-label' });
  await item.first().waitFor({ timeout: 5000 });
  await item.first().click();
  await page.waitForFunction(() => window.app.mon.result().report.suppressed.length === 1);
  const got = await page.evaluate(() => ({ line: window.app.editor.getModel().getLineContent(2), markers: window.app.monaco.editor.getModelMarkers({ owner: 'sendguard' }).length }));
  assert.deepEqual(got, { line: '<!-- sendguard:allow password-label -- made-up test fixture -->', markers: 0 });
});

test('both: a rescan applies new scan options; no page errors', async () => {
  const before = await page.evaluate(() => ({ ...window.app.results }));
  await page.evaluate(() => window.app.setContext('invoice'));
  await page.waitForFunction((b) => window.app.results.codemirror > b.codemirror && window.app.results.monaco > b.monaco, before);
  assert.deepEqual(errors, []);
});
