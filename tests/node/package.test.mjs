// pkg/ used exactly as a third party uses it: a scratch npm project in a temp dir
// installs it by path, then loads it with `require` and with `import`.
// Assertions compare booleans, codes and verdicts only: never print a secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = join(root, 'pkg');
let project;

// The checks each entry point runs; prints a JSON summary with no secret in it.
const checks = `
const secret = 'Xq7#vB2m9L';
const out = {};
const engine = new Engine();
out.verdict = engine.scan('Password: ' + secret).verdict;
out.version = version();
function code(fn) { try { fn(); return 'no error'; } catch (e) { return [e instanceof Error, e.name, e.code].join(':'); } }
out.badPolicy = code(() => new Engine('rules = [ not toml'));
out.badContext = code(() => engine.scan('hello', { context: 'nope' }));
out.badText = code(() => engine.scan(42));
out.afterError = engine.scan('Password: ' + secret).verdict;
const texts = [
  '👋🏽 Hola 世界 🎉\\nContraseña: ' + secret + '\\n¡Gracias! 😀',
  'パスワードの変更 🔐\\n\\nPassword: ' + secret + ' 🙂',
];
out.slices = texts.map((t) => {
  const f = engine.scan(t).findings[0];
  return f !== undefined && t.slice(f.utf16Start, f.utf16End) === secret;
});
out.bytes = engine.scanBytes(new TextEncoder().encode('Password: ' + secret), { format: 'text' }).verdict;
out.buffer = engine.scanBytes(Buffer.from('Password: ' + secret), { format: 'text' }).verdict;
out.policyObject = new Engine({ extends: 'default' }).scan('Password: ' + secret).verdict;
out.defaultPolicy = new Engine(Engine.defaultPolicy()).scan('Password: ' + secret).verdict;
out.rules = engine.rules().length > 0;
const guard = new RunGuard({ maxBlocked: 0 });
out.guard = [
  guard.check({ recipient: 'a@example.com', at: 1, verdict: 'pass' }).action,
  guard.check({ recipient: 'b@example.com', at: 2, verdict: 'block' }).action,
  RunGuard.fromState(guard.state()).check({ recipient: 'c@example.com', at: 3, verdict: 'pass' }).action,
];
engine.free();
console.log(JSON.stringify(out));
`;

const expected = {
  verdict: 'block',
  badPolicy: 'true:SendguardError:policy',
  badContext: 'true:SendguardError:input',
  badText: 'true:SendguardError:input',
  afterError: 'block',
  slices: [true, true],
  bytes: 'block',
  buffer: 'block',
  policyObject: 'block',
  defaultPolicy: 'block',
  rules: true,
  guard: ['send', 'halt', 'halt'],
};

before(() => {
  assert.ok(existsSync(join(pkg, 'package.json')), 'pkg/ is not built: run `make pkg`');
  project = mkdtempSync(join(tmpdir(), 'sendguard-consumer-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // --install-links copies the package as `npm pack` would, so `files` and `exports` count.
  execFileSync('npm', ['install', '--offline', '--install-links', '--no-audit', '--no-fund', '--loglevel=error', pkg], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
});

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function run(file, source) {
  writeFileSync(join(project, file), source);
  const output = execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop());
}

test('require("sendguard") works synchronously', () => {
  const out = run('check.cjs', `const { Engine, RunGuard, version } = require('sendguard');\n${checks}`);
  assert.match(out.version, /^\d+\.\d+\.\d+/);
  delete out.version;
  assert.deepEqual(out, expected);
});

test('import { Engine } from "sendguard" works without init()', () => {
  const out = run('check.mjs', `import { Engine, RunGuard, version } from 'sendguard';\n${checks}`);
  delete out.version;
  assert.deepEqual(out, expected);
});

test('require and import share one instance in one process', () => {
  const out = run(
    'same.mjs',
    `import { createRequire } from 'node:module';
     import * as esm from 'sendguard';
     const cjs = createRequire(import.meta.url)('sendguard');
     console.log(JSON.stringify({ same: esm.Engine === cjs.Engine }));`,
  );
  assert.deepEqual(out, { same: true });
});

test('the package declares its browser entry and types', () => {
  const out = run(
    'manifest.cjs',
    `const m = require('sendguard/package.json');
     const fs = require('fs'), path = require('path');
     const dir = path.dirname(require.resolve('sendguard/package.json'));
     const e = m.exports['.'];
     console.log(JSON.stringify({
       name: m.name,
       browser: e.browser, types: e.types,
       files: [e.browser, e.types, e.node.import, e.node.require, './web/sendguard_bg.wasm', './node/sendguard_bg.wasm']
         .every((f) => fs.existsSync(path.join(dir, f))),
       urlLoad: fs.readFileSync(path.join(dir, e.browser), 'utf8').includes("new URL('./sendguard_bg.wasm', import.meta.url)"),
     }));`,
  );
  assert.deepEqual(out, { name: 'sendguard', browser: './web/index.js', types: './index.d.ts', files: true, urlLoad: true });
});
