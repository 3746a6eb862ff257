// The inline-suppression quick fix, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Text } from '@codemirror/state';
import { allowChange, allowComment, cleanReason, looksLikeHtml } from 'sendguard/codemirror';

test('the comment has the rule, the separator and the reason', () => {
  assert.equal(allowComment('password-label', 'demo account', false), 'sendguard:allow password-label -- demo account');
  assert.equal(allowComment('password-label', 'demo account', true), '<!-- sendguard:allow password-label -- demo account -->');
});

test('a reason stays on one line and cannot close the HTML comment', () => {
  assert.equal(cleanReason('  two\nlines  '), 'two lines');
  assert.ok(!allowComment('r', 'evil --> <b>', true).slice(4, -3).includes('-->'));
  for (const end of ['*/', '}}', '%}', '#}', '--!>']) {
    assert.ok(!cleanReason(`a ${end} b`).includes(end), `${end} is removed`);
  }
});

test('inserted on its own line above the finding, with its indentation', () => {
  const doc = Text.of(['<table>', '    <td>{{ user.password }}</td>', '</table>']);
  const pos = doc.line(2).from + 10;
  const change = allowChange(doc, pos, 'password-placeholder', 'test fixture', true);
  assert.equal(change.from, doc.line(2).from);
  assert.equal(change.insert, '    <!-- sendguard:allow password-placeholder -- test fixture -->\n');
});

test('positions beyond the document are clamped', () => {
  const doc = Text.of(['one line']);
  assert.equal(allowChange(doc, 999, 'r', 'x', false).from, 0);
});

test('HTML is recognised from tags, or forced by the format picker', () => {
  assert.equal(looksLikeHtml('<p>Hello</p>'), true);
  assert.equal(looksLikeHtml('Hello {{ name }}, a < b'), false);
  assert.equal(looksLikeHtml('plain', 'html'), true);
  assert.equal(looksLikeHtml('<p>x</p>', 'text'), false);
});
