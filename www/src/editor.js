// The CodeMirror editor: HTML + template highlighting, and the engine's findings as lint
// diagnostics (underline, gutter marker, hover tooltip, quick fix).
import { Compartment, EditorState, StateEffect } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { html } from '@codemirror/lang-html';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { linter, lintGutter, lintKeymap, forceLinting, setDiagnosticsEffect } from '@codemirror/lint';
import { templateHighlight } from './placeholders.js';
import { categoryLabel } from './labels.js';

/** Dispatched when the scan settings (context, kind, format, policy) change: lint again now. */
const settingsChanged = StateEffect.define();

/** Debounce for slow scans (large documents): at most one scan per pause in typing. */
export const SLOW_DELAY = 150;
/** Scans averaging under this (ms) run on every keystroke with no debounce; over twice this, debounced. */
export const FAST_SCAN_MS = 4;

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
 * - `scan(text)` resolves to the scanner's `{ report | error, ms, where }`;
 * - `onResult(result, view)` runs when that result's diagnostics are on screen;
 * - `onAllow(view, finding, pos)` runs the quick fix.
 * `delay` is the debounce in ms, or `'auto'`: none while scans are fast (the author sees a
 * secret on the keystroke that completes it), `SLOW_DELAY` once a scan takes `FAST_SCAN_MS`.
 * Returns `{ view, rescan }`; `rescan()` lints again at once (after a settings change).
 */
export function createEditor({ parent, doc, scan, onResult, onAllow, delay = 'auto' }) {
  // The result belonging to each document version, picked up when its diagnostics land.
  const results = new WeakMap();

  const source = async (view) => {
    const state = view.state;
    const result = await scan(state.doc.toString());
    results.set(state.doc, result);
    if (delay === 'auto') {
      // A moving average with hysteresis, so one slow scan (a GC pause) does not flip the mode.
      scanAverage = 0.7 * scanAverage + 0.3 * result.ms;
      if (scanAverage >= 2 * FAST_SCAN_MS) adaptDelay(view, SLOW_DELAY);
      else if (scanAverage < FAST_SCAN_MS) adaptDelay(view, 0);
    }
    return result.report ? toDiagnostics(result.report, state.doc.length, onAllow) : [];
  };

  const lintDelay = new Compartment();
  let scanAverage = 0;
  let currentDelay = delay === 'auto' ? 0 : delay;
  const lintExtension = (ms) => linter(source, {
    delay: ms,
    needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(settingsChanged))),
  });
  // Reconfigured only when a scan crosses FAST_SCAN_MS, i.e. rarely; never during an update.
  const adaptDelay = (view, ms) => {
    if (ms === currentDelay) return;
    currentDelay = ms;
    setTimeout(() => view.dispatch({ effects: lintDelay.reconfigure(lintExtension(ms)) }));
  };

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        bracketMatching(),
        highlightActiveLine(),
        html(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        templateHighlight,
        EditorView.lineWrapping,
        lintGutter(),
        lintDelay.of(lintExtension(currentDelay)),
        keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Template source', spellcheck: 'false' }),
        EditorView.updateListener.of((update) => {
          // No debounce: lint right after this keystroke's update, before the browser paints,
          // so that the keystroke and its diagnostics reach the screen in the same frame.
          if (update.docChanged && currentDelay === 0) queueMicrotask(() => forceLinting(update.view));
          if (!update.transactions.some((tr) => tr.effects.some((e) => e.is(setDiagnosticsEffect)))) return;
          const result = results.get(update.state.doc);
          if (result) onResult(result, update.view);
        }),
      ],
    }),
  });

  const rescan = () => {
    view.dispatch({ effects: settingsChanged.of(null) });
    forceLinting(view);
  };
  return { view, rescan };
}
