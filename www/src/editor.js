// The CodeMirror editor: HTML + template highlighting, and the engine's findings as lint
// diagnostics (underline, gutter marker, hover tooltip, quick fix).
//
// The path of a keystroke: while scans are fast, the scan runs inside the keystroke's own
// transaction (a transaction extender adds the diagnostics to it), so the edit and its
// diagnostics reach the DOM in one update and the screen in one frame, with no debounce and no
// second transaction. Findings that only moved with the edit add nothing: the underlines and
// gutter markers already on screen are moved by CodeMirror and stay as they are. Large
// documents, slow scans and settings changes take the asynchronous path: a scan after the
// update (in the worker or a later task), its result dispatched if the text is still the same.
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import {
  EditorView, ViewPlugin, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { html } from '@codemirror/lang-html';
import { HighlightStyle, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { linter, lintGutter, lintKeymap, setDiagnosticsEffect } from '@codemirror/lint';
import { templateHighlight } from './placeholders.js';
import { bracketMatchingWhenPaused } from './brackets.js';
import { categoryLabel } from './labels.js';
import { mapSpans, sameSpans, spansOf } from './spans.js';

/** Carries a scan's `{ result, spans }` into the state (see `scanField`). */
const scanned = StateEffect.define();
/** Asks for a scan of the current text off the keystroke path (settings changed, sync refused). */
const rescanRequested = StateEffect.define();

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

/**
 * CodeMirror's default highlighting with its three lightest colours darkened: every token stays
 * 4.5:1 (WCAG AA) on the active line and on a finding's tinted background (#085 was 3.7:1 there,
 * #e40 3.2:1, #f00 3.3:1). Checked by tests/contrast.test.mjs.
 */
const READABLE = { '#085': '#006a43', '#e40': '#b83000', '#f00': '#c80000' };
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (READABLE[spec.color] ? { ...spec, color: READABLE[spec.color] } : spec)),
);

/** Lint severity for a policy action. */
export function severityOf(action) {
  return action === 'block' ? 'error' : action === 'warn' ? 'warning' : 'info';
}

function h(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.append(...children);
  return el;
}

/** The hover tooltip body for one finding: rule, category, message, redacted value. */
function renderFinding(f) {
  return h('div', 'sg-tip',
    h('div', 'sg-tip-head', h('strong', '', categoryLabel(f.category)), ' · ', h('span', `sg-action sg-action-${f.action}`, f.action)),
    h('div', 'sg-tip-msg', f.message),
    h('dl', 'sg-tip-facts',
      h('dt', '', 'Rule'), h('dd', '', h('code', '', f.ruleId)),
      h('dt', '', 'Value'), h('dd', '', h('code', '', f.redacted)),
      h('dt', '', 'Source'), h('dd', '', `${f.source}, ${f.confidence} confidence`)),
  );
}

/** Diagnostics for a report; positions are the engine's UTF-16 offsets, clamped to the doc. */
export function toDiagnostics(report, docLength, onAllow) {
  const clamp = (n) => Math.min(Math.max(n | 0, 0), docLength);
  return report.findings.map((f) => ({
    from: clamp(f.utf16Start),
    to: clamp(f.utf16End),
    severity: severityOf(f.action),
    message: `${categoryLabel(f.category)} (${f.ruleId}, ${f.redacted}): ${f.message}`,
    renderMessage: () => renderFinding(f),
    actions: onAllow ? [{ name: 'Allow with reason…', apply: (view, from) => onAllow(view, f, from) }] : [],
  }));
}

/**
 * Build the editor in `parent`.
 * - `scanNow(text)` returns the scanner's `{ report | error, ms, where }` now, or null when
 *   this text must be scanned off the main thread (or the engine is not loaded yet);
 * - `scan(text)` resolves to such a result, wherever the scanner runs it;
 * - `onResult(result, view)` runs when that result's diagnostics are in the editor's DOM;
 * - `onAllow(view, finding, pos)` runs the quick fix.
 * `delay` is `'auto'` (scan in the keystroke's transaction whenever `scanNow` can) or a fixed
 * debounce in ms: every scan then takes the asynchronous path, `delay` ms after the last edit.
 * Returns `{ view, rescan }`; `rescan()` scans again at once (after a settings change).
 */
export function createEditor({ parent, doc, scanNow, scan, onResult, onAllow, delay = 'auto' }) {
  const sync = delay === 'auto';
  const asyncDelay = sync ? 0 : delay;

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

  // The keystroke path: the scan's effects join the edit's own transaction.
  const scanOnEdit = EditorState.transactionExtender.of((tr) => {
    if (!sync || !tr.docChanged || tr.effects.some((e) => e.is(scanned))) return null;
    const result = scanNow(tr.newDoc.toString());
    return result ? { effects: effectsFor(tr.startState, result, tr.changes) } : null;
  });

  // The asynchronous path: one scan in flight at a time, always of the latest text.
  const asyncScans = ViewPlugin.fromClass(class {
    constructor(view) {
      this.view = view;
      this.timer = -1;
      this.running = false;
      this.wanted = false;
      this.destroyed = false;
      this.request(); // the first scan (the engine may still be loading)
    }

    update(update) {
      const done = update.transactions.some((tr) => tr.effects.some((e) => e.is(scanned)));
      const asked = update.transactions.some((tr) => tr.effects.some((e) => e.is(rescanRequested)));
      if (asked || (update.docChanged && !done)) this.request();
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
      const result = await scan(doc.toString());
      this.running = false;
      if (this.destroyed) return;
      // A result for an older text is dropped: the edit since then scanned in its own
      // transaction, or asked for another scan here (`wanted`).
      if (this.view.state.doc === doc) this.view.dispatch({ effects: effectsFor(this.view.state, result) });
      if (this.wanted) this.request();
    }

    destroy() {
      this.destroyed = true;
      clearTimeout(this.timer);
    }
  });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        // No drawSelection(): the browser's own caret and selection. CodeMirror's drawn cursor
        // restarts a CSS blink animation on every keystroke (a style recalc with an animation
        // in the key's task, a new compositor animation in its frame) and measures the cursor in
        // every frame: ~3 ms of main-thread CPU per keystroke at 50 KB, ~2 ms at 1 KB. Its one
        // gain, several selections, is not used here.
        bracketMatchingWhenPaused,
        highlightActiveLine(),
        html(),
        syntaxHighlighting(highlightStyle, { fallback: true }),
        templateHighlight,
        EditorView.lineWrapping,
        linter(null), // the diagnostics machinery only; the scans above are the source
        lintGutter(),
        scanField,
        scanOnEdit,
        asyncScans,
        keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Template source', spellcheck: 'false' }),
        EditorView.updateListener.of((update) => {
          if (update.transactions.some((tr) => tr.effects.some((e) => e.is(scanned)))) {
            onResult(update.state.field(scanField).result, update.view);
          }
        }),
      ],
    }),
  });

  const rescan = () => {
    const result = sync ? scanNow(view.state.doc.toString()) : null;
    view.dispatch({ effects: result ? effectsFor(view.state, result) : rescanRequested.of(null) });
  };
  return { view, rescan };
}
