// sendguard/codemirror: the engine's findings in a CodeMirror 6 editor, as lint diagnostics
// (underline, gutter marker, hover with the rule's advice, the allow-with-reason quick fix), with
// template placeholders highlighted.
//
// The path of a keystroke: while scans are fast, the scan runs inside the keystroke's own
// transaction (a transaction extender adds the diagnostics to it), so the edit and its
// diagnostics reach the DOM in one update and the screen in one frame, with no debounce and no
// second transaction. Findings that only moved with the edit add nothing: the underlines and
// gutter markers already on screen are moved by CodeMirror and stay as they are. A scanner that
// is not ready, large documents and `rescan` take the asynchronous path: a scan after the update
// (in a worker or a later task), its result dispatched if the text is still the same.
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, MatchDecorator, ViewPlugin, keymap } from '@codemirror/view';
import { linter, lintGutter, lintKeymap, setDiagnosticsEffect } from '@codemirror/lint';
import {
  allowLine, categoryLabel, findingMessage, looksLikeHtml, optionsOf, prepareRules, promptReason,
  scannerFrom, severityOf,
} from './core.js';

export { categoryLabel, severityOf, allowComment, cleanReason, looksLikeHtml, prepareRules } from './core.js';

/** Carries a scan's `{ result, spans }` into the state (see `scanField`). */
const scanned = StateEffect.define();
/** Asks for a scan of the current text now (options or policy changed). */
const rescanRequested = StateEffect.define();

// ---- spans: which scans change what the editor shows --------------------------------------------

/** Everything the editor shows of a finding apart from its place (underline class, tooltip). */
function findingKey(f) {
  return `${f.ruleId}\u0000${f.action}\u0000${f.category}\u0000${f.source}\u0000${f.confidence}\u0000${f.redacted}\u0000${f.message}`;
}

/** `[{ from, to, key }]` of a report's findings: the engine's UTF-16 offsets, clamped to the doc. */
export function spansOf(report, docLength) {
  if (!report) return [];
  const clamp = (n) => Math.min(Math.max(n | 0, 0), docLength);
  return report.findings.map((f) => ({ from: clamp(f.utf16Start), to: clamp(f.utf16End), key: findingKey(f) }));
}

/**
 * Spans moved through a `ChangeSet` the way the lint underlines move: text typed at either
 * edge stays outside (non-inclusive marks); a span that becomes empty is dropped.
 */
export function mapSpans(spans, changes) {
  const out = [];
  for (const s of spans) {
    const from = changes.mapPos(s.from, 1);
    const to = changes.mapPos(s.to, -1);
    if (to > from) out.push({ from, to, key: s.key });
  }
  return out;
}

/** Spans in source order that share no character (overlapping ones are drawn as split pieces). */
function disjoint(spans) {
  for (let i = 1; i < spans.length; i++) if (spans[i].from < spans[i - 1].to) return false;
  return true;
}

/**
 * True when `next` shows exactly what `shown` shows. Overlapping findings always count as
 * changed: the lint extension splits them into pieces whose edges move differently.
 */
export function sameSpans(shown, next) {
  if (shown.length !== next.length || !disjoint(shown) || !disjoint(next)) return false;
  return shown.every((s, i) => s.from === next[i].from && s.to === next[i].to && s.key === next[i].key);
}

/**
 * The latest scan result and the spans of its findings as they are on screen now: moved
 * through every edit since the scan, so that the next scan can tell whether anything changed.
 */
const scanField = StateField.define({
  create: () => ({ result: null, spans: [] }),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(scanned)) return e.value;
    return tr.docChanged ? { result: value.result, spans: mapSpans(value.spans, tr.changes) } : value;
  },
});

/** The latest scan's `{ report | error, ms, where }` in `state`, or null before the first. */
export function scanResult(state) {
  return state.field(scanField, false)?.result ?? null;
}

// ---- placeholders ---------------------------------------------------------------------------------

/** `{{ }}` (Handlebars, Jinja, Liquid…), `{% %}`, `${ }`, `<%= %>` / `<% %>`. One line at most. */
export const PLACEHOLDER = /\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\$\{[^}\n]*\}|<%[^\n]*?%>/g;

const placeholderMark = Decoration.mark({ class: 'cm-tpl' });
const tagMark = Decoration.mark({ class: 'cm-tpl cm-tpl-tag' });
const decorator = new MatchDecorator({
  regexp: PLACEHOLDER,
  decoration: (match) => (match[0].startsWith('{%') || /^<%[^=-]/.test(match[0]) ? tagMark : placeholderMark),
});

/** Template placeholders and tags marked `cm-tpl` (tags also `cm-tpl-tag`). Visual only. */
export const templateHighlight = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = decorator.createDeco(view);
    }
    update(update) {
      this.decorations = decorator.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const baseTheme = EditorView.baseTheme({
  '.cm-tpl': { backgroundColor: 'rgba(80, 120, 200, 0.12)', borderRadius: '2px' },
  '.cm-tpl-tag': { fontStyle: 'italic' },
  '.sg-tip': { maxWidth: '28em', padding: '2px 0' },
  '.sg-tip-msg': { margin: '4px 0' },
  '.sg-tip-facts': { display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '0 8px', margin: '0' },
  '.sg-tip-facts dd': { margin: '0' },
});

// ---- diagnostics ------------------------------------------------------------------------------------

function h(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.append(...children);
  return el;
}

/** The hover body for one finding: category, action, the rule's advice, rule id, redacted value. */
export function renderFinding(f) {
  return h('div', 'sg-tip',
    h('div', 'sg-tip-head', h('strong', '', categoryLabel(f.category)), ' · ', h('span', `sg-action sg-action-${f.action}`, f.action)),
    h('div', 'sg-tip-msg', f.message),
    h('dl', 'sg-tip-facts',
      h('dt', '', 'Rule'), h('dd', '', h('code', '', f.ruleId)),
      h('dt', '', 'Value'), h('dd', '', h('code', '', f.redacted)),
      h('dt', '', 'Source'), h('dd', '', `${f.source}, ${f.confidence} confidence`)),
  );
}

/**
 * Diagnostics for a report: `from`/`to` are the engine's UTF-16 offsets (CodeMirror's positions),
 * clamped to the doc. `onAllow(view, finding, pos)`, when given, is the quick fix.
 */
export function toDiagnostics(report, docLength, onAllow) {
  const clamp = (n) => Math.min(Math.max(n | 0, 0), docLength);
  return report.findings.map((f) => ({
    from: clamp(f.utf16Start),
    to: clamp(f.utf16End),
    severity: severityOf(f.action),
    source: 'sendguard',
    message: findingMessage(f),
    renderMessage: () => renderFinding(f),
    actions: onAllow ? [{ name: 'Allow with reason…', apply: (view, from) => onAllow(view, f, from) }] : [],
  }));
}

/**
 * The change that inserts the suppression comment on its own line above the line holding `pos`,
 * with that line's indentation. `doc` is a CodeMirror `Text`.
 */
export function allowChange(doc, pos, ruleId, reason, html) {
  const line = doc.lineAt(Math.min(Math.max(pos, 0), doc.length));
  return { from: line.from, insert: allowLine(line.text, ruleId, reason, html) };
}

/** Scan the editor's text again now, e.g. after its scan options or the policy changed. */
export function rescan(view) {
  view.dispatch({ effects: rescanRequested.of(null) });
}

/**
 * The sendguard extension.
 * - `engine`: an `Engine` (or a promise of one); or `policy` (text or object) to build one from
 *   this package (absent: the default policy); or `scanner`, an application's own
 *   `{ scanNow(text, options), scan(text, options), prepare?(text) }` (e.g. with a worker).
 * - `options`: the `ScanOptions` (`context`, `kind`, `format`), or a function returning them.
 * - `delay`: `'auto'` (scan in the keystroke's transaction whenever the scanner can) or a
 *   debounce in ms: every scan then runs `delay` ms after the last edit.
 * - `allow`: the quick fix, `true` (ask with the browser's prompt), `false`, or
 *   `{ askReason(finding) }` resolving to the reason or null.
 * - `prepare`: build the rules in idle time after the first scan (default true), or the policy
 *   text to prepare with, when the engine was built from one the extension does not know.
 * - `placeholders`: highlight template placeholders (default true).
 * - `onResult(result, view)`: each scan's `{ report | error, ms, where }`, once its diagnostics
 *   are in the DOM.
 */
export function sendguard(config = {}) {
  const { delay = 'auto', allow = true, prepare = true, placeholders = true, onResult } = config;
  const scanner = scannerFrom(config);
  const sync = delay === 'auto';
  const asyncDelay = sync ? 0 : delay;
  const scanOptions = () => optionsOf(config.options);
  const askReason = typeof allow === 'object' && allow.askReason ? allow.askReason : promptReason;

  const onAllow = allow
    ? async (view, finding, pos) => {
      const reason = await askReason(finding);
      if (reason == null) return view.focus();
      const html = looksLikeHtml(view.state.doc.toString(), scanOptions()?.format);
      view.dispatch({ changes: allowChange(view.state.doc, pos, finding.ruleId, reason, html), userEvent: 'input.allow' });
      view.focus();
    }
    : null;

  /** The effects that show `result` for the text of `state` (after `changes`, when given). */
  const effectsFor = (state, result, changes = null) => {
    const docLength = changes ? changes.newLength : state.doc.length;
    const spans = spansOf(result.report, docLength);
    const previous = state.field(scanField);
    const shown = changes ? mapSpans(previous.spans, changes) : previous.spans;
    const effects = [scanned.of({ result, spans })];
    if (!sameSpans(shown, spans)) {
      effects.push(setDiagnosticsEffect.of(result.report ? toDiagnostics(result.report, docLength, onAllow) : []));
    }
    return effects;
  };

  // The keystroke path (and `rescan`): the scan's effects join the transaction itself.
  const scanOnEdit = EditorState.transactionExtender.of((tr) => {
    if (!sync || tr.effects.some((e) => e.is(scanned))) return null;
    if (!tr.docChanged && !tr.effects.some((e) => e.is(rescanRequested))) return null;
    const result = scanner.scanNow(tr.newDoc.toString(), scanOptions());
    return result ? { effects: effectsFor(tr.startState, result, tr.docChanged ? tr.changes : null) } : null;
  });

  // The asynchronous path: one scan in flight at a time, always of the latest text.
  const asyncScans = ViewPlugin.fromClass(class {
    constructor(view) {
      this.view = view;
      this.timer = -1;
      this.running = false;
      this.wanted = false;
      this.destroyed = false;
      this.cancelPrepare = null;
      this.request(); // the first scan (the engine may still be loading)
    }

    update(update) {
      const done = update.transactions.some((tr) => tr.effects.some((e) => e.is(scanned)));
      const asked = update.transactions.some((tr) => tr.effects.some((e) => e.is(rescanRequested)));
      if ((asked || update.docChanged) && !done) this.request();
      if (asked) this.startPrepare();
    }

    request() {
      this.wanted = true;
      if (this.running) return; // run() starts another one when this one is back
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), asyncDelay);
    }

    async run() {
      this.wanted = false;
      this.running = true;
      const { doc } = this.view.state;
      const result = await scanner.scan(doc.toString(), scanOptions());
      this.running = false;
      if (this.destroyed) return;
      // A result for an older text is dropped: the edit since then scanned in its own
      // transaction, or asked for another scan here (`wanted`).
      if (this.view.state.doc === doc) this.view.dispatch({ effects: effectsFor(this.view.state, result) });
      if (this.cancelPrepare == null) this.startPrepare();
      if (this.wanted) this.request();
    }

    /** After the first diagnostics (and each rescan): the policy's rules, in idle time. */
    startPrepare() {
      if (!prepare || !scanner.prepare) return;
      const text = typeof prepare === 'string' ? prepare : scanner.policyText?.();
      if (!text) return; // not loaded yet: the first result starts it
      this.cancelPrepare?.();
      this.cancelPrepare = prepareRules((piece) => scanner.prepare(piece), text);
    }

    destroy() {
      this.destroyed = true;
      clearTimeout(this.timer);
      this.cancelPrepare?.();
    }
  });

  return [
    linter(null), // the diagnostics machinery only; the scans above are the source
    lintGutter(),
    scanField,
    scanOnEdit,
    asyncScans,
    placeholders ? templateHighlight : [],
    baseTheme,
    keymap.of(lintKeymap),
    EditorView.updateListener.of((update) => {
      if (onResult && update.transactions.some((tr) => tr.effects.some((e) => e.is(scanned)))) {
        onResult(update.state.field(scanField).result, update.view);
      }
    }),
  ];
}
