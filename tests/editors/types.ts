// Type-checked by `make test-editors` (tsc --noEmit): the editor modules' .d.ts, as an
// application's TypeScript sees the installed package; the marked misuses must not compile.
import { Engine } from "sendguard";
import type { Finding } from "sendguard";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { sendguard, rescan, scanResult, toDiagnostics, prepareRules } from "sendguard/codemirror";
import type { ScanResult } from "sendguard/codemirror";
import { attachSendguard } from "sendguard/monaco";
import type { SendguardMonaco } from "sendguard/monaco";

const engine = new Engine();
const askReason = async (finding: Finding): Promise<string | null> => (finding.ruleId ? "reason" : null);
const view = new EditorView({
  state: EditorState.create({
    extensions: [
      sendguard({ engine, options: () => ({ context: "invoice" }), allow: { askReason }, delay: 150 }),
      sendguard({ policy: 'extends = "default"', prepare: false, placeholders: false, onResult: (r: ScanResult) => r.ms }),
    ],
  }),
});
rescan(view);
const result = scanResult(view.state);
if (result?.report) toDiagnostics(result.report, view.state.doc.length, null);
if (result?.error) result.error.code.toUpperCase();
const cancel: () => void = prepareRules((piece) => engine.scan(piece), Engine.defaultPolicy());
cancel();

declare const monaco: unknown;
declare const editor: unknown;
const lint: SendguardMonaco = attachSendguard(monaco, editor, { engine: Promise.resolve(engine), options: { context: "welcome" } });
lint.rescan();
lint.result()?.ms.toFixed(1);
lint.dispose();

// @ts-expect-error: `delay` is 'auto' or a number
sendguard({ engine, delay: "fast" });
// @ts-expect-error: the scan options are ScanOptions
sendguard({ engine, options: { context: "nowhere" } });
// @ts-expect-error: `allow` is a boolean or { askReason }
attachSendguard(monaco, editor, { allow: "yes" });
