// An application that uses sendguard's editor integrations as published: the package, its two
// editor modules, and the editors themselves from their own npm packages. The test drives it
// through `window.app`.
import { Engine } from 'sendguard';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { sendguard, rescan, scanResult } from 'sendguard/codemirror';
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/codeAction/browser/codeActionContributions';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { attachSendguard } from 'sendguard/monaco';
import { forEachDiagnostic } from '@codemirror/lint';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

/** Emoji and CJK before the secret: UTF-16 offsets differ from UTF-8 and from code points. */
const DOC = '<p>Grüße 👋🏽 你好</p>\n<p>Password: Xq7#vB2m9L</p>\n<p>Order {{ order.id }}</p>\n';

const engine = new Engine();
let context = 'welcome';
const reasons = [];
/** The quick fix's reason, as a dialog would give it (the test sets `nextReason`). */
const allow = { askReason: async (finding) => { reasons.push(finding.ruleId); return window.app.nextReason; } };

const results = { codemirror: 0, monaco: 0, policy: 0 };
const cm = new EditorView({
  parent: document.getElementById('codemirror'),
  state: EditorState.create({
    doc: DOC,
    extensions: [sendguard({ engine, options: () => ({ context }), allow, onResult: () => results.codemirror++ })],
  }),
});

// No engine given: the extension builds one of `policy` from the package, when first needed.
const cmPolicy = new EditorView({
  parent: document.getElementById('codemirror-policy'),
  state: EditorState.create({
    doc: DOC,
    extensions: [sendguard({ policy: 'extends = "default"\ndisable = ["password-label"]\n', onResult: () => results.policy++ })],
  }),
});

const editor = monaco.editor.create(document.getElementById('monaco'), {
  value: DOC, language: 'plaintext', automaticLayout: true, minimap: { enabled: false }, hover: { delay: 50 },
});
const mon = attachSendguard(monaco, editor, { engine, options: () => ({ context }), allow, onResult: () => results.monaco++ });

window.app = {
  DOC, engine, cm, cmPolicy, monaco, editor, mon, results, reasons, nextReason: null, scanResult, rescan,
  /** The diagnostics in the CodeMirror state: `[{ from, to, severity, source }]`. */
  diagnostics() {
    const out = [];
    forEachDiagnostic(cm.state, (d, from, to) => out.push({ from, to, severity: d.severity, source: d.source }));
    return out;
  },
  setContext(next) {
    context = next;
    rescan(cm);
    mon.rescan();
  },
};
