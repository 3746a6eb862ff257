// Which scans change what the editor shows, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeSet } from '@codemirror/state';
import { mapSpans, sameSpans, spansOf } from 'sendguard/codemirror';

const finding = (utf16Start, utf16End, extra = {}) => ({
  ruleId: 'password-label', action: 'block', category: 'password', source: 'literal', confidence: 'high',
  redacted: 'Xq******9L', message: 'Do not send passwords.', utf16Start, utf16End, ...extra,
});
const report = (...findings) => ({ findings });

test('spans are the findings clamped to the document', () => {
  const [a, b] = spansOf(report(finding(5, 15), finding(90, 120)), 100);
  assert.deepEqual([a.from, a.to, b.from, b.to], [5, 15, 90, 100]);
  assert.deepEqual(spansOf(null, 100), []);
});

test('a finding moved by an edit before it is the same finding', () => {
  const shown = spansOf(report(finding(10, 20)), 100);
  const typed = ChangeSet.of({ from: 3, insert: 'ab' }, 100);
  assert.ok(sameSpans(mapSpans(shown, typed), spansOf(report(finding(12, 22)), 102)));
  assert.ok(!sameSpans(mapSpans(shown, typed), spansOf(report(finding(10, 20)), 102)), 'not moved: changed');
});

test('text typed at either edge stays outside, as the underline does', () => {
  const shown = spansOf(report(finding(10, 20)), 100);
  const atEnd = mapSpans(shown, ChangeSet.of({ from: 20, insert: 'x' }, 100));
  const atStart = mapSpans(shown, ChangeSet.of({ from: 10, insert: 'x' }, 100));
  assert.deepEqual([atEnd[0].from, atEnd[0].to, atStart[0].from, atStart[0].to], [10, 20, 11, 21]);
  // The engine now finds a longer value: that is a change.
  assert.ok(!sameSpans(atEnd, spansOf(report(finding(10, 21)), 101)));
});

test('a different value, action or message at the same place is a change', () => {
  const shown = spansOf(report(finding(10, 20)), 100);
  for (const extra of [{ redacted: 'Xq******8L' }, { action: 'warn' }, { ruleId: 'other' }, { message: 'x' }]) {
    assert.ok(!sameSpans(shown, spansOf(report(finding(10, 20, extra)), 100)), JSON.stringify(Object.keys(extra)));
  }
  assert.ok(!sameSpans(shown, []), 'a finding gone');
  assert.ok(!sameSpans([], shown), 'a finding new');
  assert.ok(sameSpans([], []));
});

test('a deleted finding disappears from the mapped spans', () => {
  const shown = spansOf(report(finding(10, 20)), 100);
  assert.deepEqual(mapSpans(shown, ChangeSet.of({ from: 5, to: 25 }, 100)), []);
});

test('overlapping findings always count as changed', () => {
  const overlapping = spansOf(report(finding(10, 20), finding(15, 30, { ruleId: 'token' })), 100);
  assert.ok(!sameSpans(overlapping, overlapping));
});
