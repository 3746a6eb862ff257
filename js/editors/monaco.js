// sendguard/monaco: the engine's findings in a Monaco editor, as markers (squiggle, overview
// ruler, Problems), a hover with the rule's advice, and the allow-with-reason quick fix as a code
// action. The caller passes its `monaco` namespace: this module imports no editor code, so it
// works with any Monaco build the application bundles.
//
// Each content change is scanned at once while the scanner can (the engine is loaded, the text is
// not one for a worker), else asynchronously, the newest text only. Positions: Monaco's model
// offsets count UTF-16 code units, as the engine's `utf16Start`/`utf16End` do, so
// `model.getPositionAt` turns them into line/column with no arithmetic here.
import {
  allowLine, categoryLabel, findingMessage, looksLikeHtml, optionsOf, prepareRules, promptReason,
  scannerFrom, severityOf,
} from './core.js';

export { categoryLabel, severityOf, allowComment, cleanReason, looksLikeHtml, prepareRules } from './core.js';

/** The marker owner, and the code action's and markers' source. */
export const OWNER = 'sendguard';

let nextCommand = 1;

/** Monaco's severity for a policy action. */
function markerSeverity(monaco, action) {
  const s = severityOf(action);
  return s === 'error' ? monaco.MarkerSeverity.Error : s === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info;
}

/** The range of a finding in `model`, from the engine's UTF-16 offsets. */
export function findingRange(monaco, model, f) {
  const start = model.getPositionAt(f.utf16Start);
  const end = model.getPositionAt(f.utf16End);
  return new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column);
}

/** The markers of a report in `model`. */
export function toMarkers(monaco, model, report) {
  return report.findings.map((f) => {
    const r = findingRange(monaco, model, f);
    return {
      severity: markerSeverity(monaco, f.action),
      message: findingMessage(f),
      source: OWNER,
      code: f.ruleId,
      startLineNumber: r.startLineNumber,
      startColumn: r.startColumn,
      endLineNumber: r.endLineNumber,
      endColumn: r.endColumn,
    };
  });
}

/** The hover text of a finding (Markdown; every value from the engine is already redacted). */
function hoverMarkdown(f) {
  const code = (s) => `\`${String(s).replace(/`/g, "'")}\``;
  return [
    `**${categoryLabel(f.category)}** · ${f.action}`,
    f.message,
    `Rule ${code(f.ruleId)} · value ${code(f.redacted)} · ${f.source}, ${f.confidence} confidence`,
  ].map((value) => ({ value, isTrusted: false, supportHtml: false }));
}

/**
 * Lint `editor` (a `monaco.editor.IStandaloneCodeEditor`) with sendguard, on whatever model it
 * shows. Options as for `sendguard/codemirror`: `engine`, `policy` or `scanner`; `options`
 * (`ScanOptions` or a function returning them); `allow` (`true`: the browser's prompt asks for
 * the reason, `false`, or `{ askReason(finding) }`); `prepare`; `onResult(result)`.
 * Returns `{ rescan(), result(), dispose() }`.
 */
export function attachSendguard(monaco, editor, config = {}) {
  const { allow = true, prepare = true, onResult } = config;
  const scanner = scannerFrom(config);
  const scanOptions = () => optionsOf(config.options);
  const askReason = typeof allow === 'object' && allow.askReason ? allow.askReason : promptReason;
  /** The latest result and the model version it is for. */
  let latest = { result: null, model: null, version: -1 };
  let running = false;
  let wanted = false;
  let disposed = false;
  let cancelPrepare = null;
  const disposables = [];

  const show = (model, version, result) => {
    if (disposed || model.isDisposed() || model.getVersionId() !== version) return false;
    latest = { result, model, version };
    monaco.editor.setModelMarkers(model, OWNER, result.report ? toMarkers(monaco, model, result.report) : []);
    onResult?.(result);
    return true;
  };

  const startPrepare = () => {
    if (!prepare || !scanner.prepare) return;
    const text = typeof prepare === 'string' ? prepare : scanner.policyText?.();
    if (!text) return; // not loaded yet: the first result starts it
    cancelPrepare?.();
    cancelPrepare = prepareRules((piece) => scanner.prepare(piece), text);
  };

  const runAsync = async () => {
    wanted = true;
    if (running) return;
    while (wanted && !disposed) {
      wanted = false;
      const model = editor.getModel();
      if (!model) return;
      running = true;
      const version = model.getVersionId();
      const result = await scanner.scan(model.getValue(), scanOptions());
      running = false;
      show(model, version, result);
      if (cancelPrepare == null) startPrepare();
    }
  };

  const scanModel = () => {
    const model = editor.getModel();
    if (!model || disposed) return;
    const result = scanner.scanNow(model.getValue(), scanOptions());
    if (result) show(model, model.getVersionId(), result);
    else runAsync();
  };

  /** The finding under `position` in `model` from the latest result, if any. */
  const findingsAt = (model, range) => {
    const { result } = latest;
    if (latest.model !== model || model.getVersionId() !== latest.version || !result?.report) return [];
    return result.report.findings.filter((f) => {
      const r = findingRange(monaco, model, f);
      return r.intersectRanges(range) || r.containsPosition(range.getStartPosition());
    });
  };

  const allowFinding = async (finding) => {
    const model = editor.getModel();
    const reason = await askReason(finding);
    if (reason == null || !model || model.isDisposed()) return editor.focus();
    const line = model.getPositionAt(finding.utf16Start).lineNumber;
    const html = looksLikeHtml(model.getValue(), scanOptions()?.format);
    editor.executeEdits(OWNER, [{ range: new monaco.Range(line, 1, line, 1), text: allowLine(model.getLineContent(line), finding.ruleId, reason, html) }]);
    editor.pushUndoStop();
    editor.focus();
  };

  const commandId = `sendguard.allow.${nextCommand++}`;
  if (allow) disposables.push(monaco.editor.registerCommand(commandId, (_accessor, finding) => allowFinding(finding)));

  disposables.push(
    editor.onDidChangeModelContent(scanModel),
    editor.onDidChangeModel(scanModel),
    monaco.languages.registerHoverProvider('*', {
      provideHover(model, position) {
        if (model !== editor.getModel()) return null;
        const range = new monaco.Range(position.lineNumber, position.column, position.lineNumber, position.column);
        const found = findingsAt(model, range);
        if (!found.length) return null;
        return { range: findingRange(monaco, model, found[0]), contents: found.flatMap(hoverMarkdown) };
      },
    }),
  );
  if (allow) {
    disposables.push(monaco.languages.registerCodeActionProvider('*', {
      provideCodeActions(model, range) {
        if (model !== editor.getModel()) return { actions: [], dispose() {} };
        const actions = findingsAt(model, range).map((f) => ({
          title: `Allow ${f.ruleId} with reason…`,
          kind: 'quickfix',
          isPreferred: true,
          diagnostics: toMarkers(monaco, model, { findings: [f] }),
          command: { id: commandId, title: 'Allow with reason…', arguments: [f] },
        }));
        return { actions, dispose() {} };
      },
    }, { providedCodeActionKinds: ['quickfix'] }));
  }

  // The first scan: asynchronous, since the engine may still be loading.
  runAsync();

  return {
    /** Scan again now (after the scan options or the policy changed). */
    rescan() {
      scanModel();
      startPrepare();
    },
    /** The latest scan's `{ report | error, ms, where }`, or null. */
    result: () => latest.result,
    dispose() {
      disposed = true;
      cancelPrepare?.();
      for (const d of disposables) d.dispose();
      const model = editor.getModel();
      if (model && !model.isDisposed()) monaco.editor.setModelMarkers(model, OWNER, []);
    },
  };
}
