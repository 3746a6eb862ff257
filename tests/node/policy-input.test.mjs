// How the package reads policies, options and guard input (TOML, JSON text, plain objects):
// the wasm build has its own reader for both syntaxes (src/policy/tree.rs), so check here
// that its errors still name the field and the place. No secret appears in these inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Engine, RunGuard } = createRequire(import.meta.url)(join(root, 'pkg'));

/** The thrown error's code and message. */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return { code: e.code, message: e.message };
  }
  assert.fail('no error thrown');
}

test('policy errors name the field and say where', () => {
  let e = thrown(() => new Engine('nonsense = true\n'));
  assert.equal(e.code, 'policy');
  assert.match(e.message, /^policy TOML at byte 0: unknown field `nonsense`/);

  e = thrown(() => new Engine('[[rules]]\nid = "r"\ncategory = "tokn"\npattern = "x"\n'));
  assert.match(e.message, /^policy TOML at byte 30: unknown variant `tokn`/);

  e = thrown(() => new Engine('{\n  "rules": [{"id": "r", "category": "tokn", "pattern": "x"}]\n}'));
  assert.equal(e.code, 'policy');
  assert.match(e.message, /^policy JSON, line 2 column 37: unknown variant `tokn`/);

  e = thrown(() => new Engine('{\n  "extends": "default",\n  "disable": ["a",]\n}'));
  assert.match(e.message, /^policy JSON, line 3 column 19: expected value/);

  e = thrown(() => new Engine({ extends: 'default', noSuchField: true }));
  assert.equal(e.code, 'policy');
  assert.match(e.message, /unknown field `noSuchField`/);
});

test('options and guard input: unknown keys refused, null means absent', () => {
  const engine = new Engine();
  let e = thrown(() => engine.scan('hello', { contxt: 'invoice' }));
  assert.equal(e.code, 'input');
  assert.match(e.message, /^scan options: unknown field `contxt`/);
  assert.equal(engine.scan('hello', { context: 'invoice', path: null }).context, 'invoice');

  e = thrown(() => new RunGuard({ maxBloked: 1 }));
  assert.equal(e.code, 'input');
  assert.match(e.message, /^RunGuard limits: unknown field `maxBloked`/);
  e = thrown(() => new RunGuard({ maxBlocked: 1.5 }));
  assert.match(e.message, /^RunGuard limits: invalid type: floating point, expected u64 at line 1 column 15$/);

  const guard = new RunGuard({ maxBlocked: 0, maxPerHour: null });
  const check = { recipient: 'a@example.com', at: 1_700_000_000_000, verdict: 'pass', triggeredAt: null, template: undefined };
  assert.equal(guard.check(check).action, 'send');
  assert.equal(RunGuard.fromState(JSON.parse(JSON.stringify(guard.state()))).summary().counts.checked, 1);
});
