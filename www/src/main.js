// Wires the page: editor, pickers, findings list, verdict, policy panel, quick fix.
import './style.css';
import { EditorSelection } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { categoryLabel } from 'sendguard/codemirror';
import { createEditor } from './editor.js';
import { Scanner, WORKER_THRESHOLD, describeError } from './scanner.js';
import { SAMPLES } from './samples.js';
import { CONTEXTS, KINDS, FORMATS, fillSelect } from './labels.js';
import { askReason } from './allow.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
/** By default each keystroke is scanned in its own transaction (see createEditor); `?delay=150` debounces instead. */
const delay = params.has('delay') ? numberParam('delay', 150) : 'auto';
const workerThreshold = numberParam('workerThreshold', WORKER_THRESHOLD);
/** Findings listed at most in the panel (the editor shows them all). */
const MAX_LISTED = 500;

function numberParam(name, fallback) {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) && v >= 0 ? v : fallback;
}

const sample = SAMPLES[0];
fillSelect($('sample'), SAMPLES.map((s) => [s.id, s.label]), sample.id);
fillSelect($('context'), CONTEXTS, sample.context);
fillSelect($('kind'), KINDS, 'template');
fillSelect($('format'), FORMATS, 'auto');

const options = () => ({ context: $('context').value, kind: $('kind').value, format: $('format').value });

// The engine loads in the background; the editor is usable at once and lints when it is ready.
let scanner = null;
const ready = import('sendguard').then(
  (mod) => {
    scanner = new Scanner(mod, { workerThreshold });
    $('policy-text').value = mod.Engine.defaultPolicy();
    $('policy-name').textContent = '(default)';
    const version = typeof mod.version === 'function' ? mod.version() : mod.version;
    setEngineStatus(version ? `engine ${version}` : 'engine ready');
    return scanner;
  },
  (e) => {
    const { message } = describeError(e);
    setEngineStatus(`The engine failed to load: ${message}`, true);
    return null;
  },
);

// sendguard/codemirror scans through the page's Scanner (main thread or worker), once it is loaded.
const pageScanner = {
  scanNow: (text, opts) => scanner?.scanNow(text, opts) ?? null,
  scan: async (text, opts) => {
    const s = await ready;
    if (!s) return { error: { code: 'load', message: 'engine not loaded' }, ms: 0, where: '' };
    return s.scan(text, opts);
  },
  prepare: (text) => scanner?.prepare(text),
  // The policy's own rules and the default's (which `extends = "default"` brings).
  policyText: () => (scanner ? [scanner.policyText, scanner.mod.Engine.defaultPolicy()].filter(Boolean).join('\n') : null),
};

const { view, rescan } = createEditor({
  parent: $('editor'),
  doc: sample.doc,
  delay,
  scanner: pageScanner,
  options,
  onResult: showResult,
  allow: { askReason: (finding) => askReason($('allow-dialog'), finding.ruleId) },
});

// Tests and the benchmark reach the editor through this (read-only use).
window.sendguard = { view, ready, get scanner() { return scanner; } };

for (const id of ['context', 'kind', 'format']) $(id).addEventListener('change', rescan);

$('sample').addEventListener('change', () => {
  const s = SAMPLES.find((x) => x.id === $('sample').value);
  if (!s) return;
  $('context').value = s.context;
  // Scanned with the new context as part of this change (or asynchronously when it must be).
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s.doc }, selection: { anchor: 0 } });
});

// ---- result display -------------------------------------------------------------------------

let listedKey = '';
let suppressedKey = '';

function showResult(result) {
  // For the benchmark: fired when this result's diagnostics are in the editor's DOM.
  window.dispatchEvent(new CustomEvent('sendguard:result', { detail: { ms: result.ms, where: result.where } }));
  // Written only when they change: every write costs style and layout in the keystroke's frame.
  setText('scan-ms', `${result.ms.toFixed(2)} ms`);
  setText('scan-where', result.where ? `(${result.where})` : '');
  const chars = view.state.doc.length;
  setText('doc-size', chars >= 1000 ? `${(chars / 1000).toFixed(1)}k chars` : `${chars} chars`);
  if (result.error) {
    setEngineStatus(`Scan failed (${result.error.code}): ${result.error.message}`, true);
    return;
  }
  if ($('engine-status').classList.contains('error') && scanner) setEngineStatus('engine ready');
  const { report } = result;
  setVerdict(report.verdict);
  listFindings(report);
  listSuppressed(report);
}

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function setEngineStatus(text, isError = false) {
  const el = $('engine-status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function setVerdict(verdict) {
  const el = $('verdict');
  if (el.textContent === verdict) return; // no repeated announcement while typing
  el.textContent = verdict;
  el.className = `verdict verdict-${verdict}`;
}

function listFindings(report) {
  const findings = report.findings;
  // What the list shows; the offsets change with every edit above a finding and are only
  // data attributes (where a click jumps to), so they are updated in place, without a rebuild.
  const key = findings.map((f) => `${f.ruleId}:${f.action}:${f.category}:${f.line}:${f.column}:${f.redacted}:${f.message}`).join('|') + `|${report.truncated}`;
  if (key === listedKey) {
    const items = $('findings').children;
    for (let i = 0; i < Math.min(findings.length, MAX_LISTED); i++) {
      // Only the findings after the edit moved: the others are left untouched.
      const { dataset } = items[i];
      const from = String(findings[i].utf16Start);
      const to = String(findings[i].utf16End);
      if (dataset.from !== from) dataset.from = from;
      if (dataset.to !== to) dataset.to = to;
    }
    return; // unchanged: keep the DOM (and focus) as it is
  }
  listedKey = key;
  const n = findings.length + (report.truncated || 0);
  $('findings-count').textContent = n ? `(${n})` : '';
  $('no-findings').hidden = n > 0;
  const items = findings.slice(0, MAX_LISTED).map((f) => {
    const li = document.createElement('li');
    li.className = `finding finding-${f.action}`;
    li.dataset.from = f.utf16Start;
    li.dataset.to = f.utf16End;
    li.dataset.rule = f.ruleId;
    li.dataset.action = f.action;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'finding-button';
    const badge = document.createElement('span');
    badge.className = `sg-action sg-action-${f.action}`;
    badge.textContent = f.action;
    const where = document.createElement('span');
    where.className = 'finding-where';
    where.textContent = `${f.line}:${f.column}`;
    const what = document.createElement('span');
    what.className = 'finding-what';
    what.textContent = `${categoryLabel(f.category)} — ${f.ruleId}`;
    const value = document.createElement('code');
    value.className = 'finding-value';
    value.textContent = f.redacted;
    button.append(badge, where, what, value);
    button.title = f.message;
    li.append(button);
    return li;
  });
  const more = findings.length - items.length + (report.truncated || 0);
  if (more > 0) {
    const li = document.createElement('li');
    li.className = 'finding-more muted';
    li.textContent = `… and ${more} more (see the editor gutter)`;
    items.push(li);
  }
  $('findings').replaceChildren(...items);
}

function listSuppressed(report) {
  const list = report.suppressed || [];
  const lines = list.slice(0, MAX_LISTED).map(({ finding, by, reason }) => `${finding.line}:${finding.column} ${finding.ruleId} — by ${by}${reason ? `: ${reason}` : ''}`);
  const key = `${list.length}\n${lines.join('\n')}`;
  if (key === suppressedKey) return;
  suppressedKey = key;
  $('suppressed-box').hidden = list.length === 0;
  $('suppressed-count').textContent = `(${list.length})`;
  $('suppressed').replaceChildren(...lines.map((line) => {
    const li = document.createElement('li');
    li.textContent = line;
    return li;
  }));
}

// Click (or Enter on) a finding → select it in the editor and scroll it into view.
$('findings').addEventListener('click', (event) => {
  const li = event.target.closest('li[data-from]');
  if (!li) return;
  const len = view.state.doc.length;
  const from = Math.min(Number(li.dataset.from), len);
  const to = Math.min(Number(li.dataset.to), len);
  view.dispatch({
    selection: EditorSelection.single(from, to),
    effects: EditorView.scrollIntoView(from, { y: 'center' }),
  });
  view.focus();
});

// ---- policy panel -------------------------------------------------------------------------------

$('policy-apply').addEventListener('click', async () => {
  const s = await ready;
  if (!s) return;
  const text = $('policy-text').value;
  try {
    s.setPolicy(text);
  } catch (e) {
    const { message } = describeError(e);
    $('policy-error').textContent = `Policy not applied: ${message}\nThe previous policy is still in force.`;
    $('policy-status').textContent = '';
    return;
  }
  $('policy-error').textContent = '';
  $('policy-status').textContent = 'Policy applied.';
  $('policy-name').textContent = '(edited)';
  rescan();
});

$('policy-reset').addEventListener('click', async () => {
  const s = await ready;
  if (!s) return;
  s.setPolicy(null);
  $('policy-text').value = s.mod.Engine.defaultPolicy();
  $('policy-error').textContent = '';
  $('policy-status').textContent = 'Default policy restored.';
  $('policy-name').textContent = '(default)';
  rescan();
});
