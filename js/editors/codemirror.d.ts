// sendguard/codemirror: a CodeMirror 6 extension.
import type { ChangeSet, EditorState, Extension, Text, ChangeSpec } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { Diagnostic } from '@codemirror/lint';
import type { Finding, Report } from '../index.js';
import type { ScanResult, SendguardConfig } from './core.js';

export type { ScanResult, Scanner, SendguardConfig } from './core.js';
export { categoryLabel, severityOf, allowComment, cleanReason, looksLikeHtml, prepareRules } from './core.js';

export interface CodeMirrorConfig extends SendguardConfig {
  /** `'auto'` (default): scan in the keystroke's transaction when possible; a number: debounce in ms. */
  delay?: 'auto' | number;
  /** Highlight template placeholders (`{{ }}`, `{% %}`, `${ }`, `<% %>`); default true. */
  placeholders?: boolean;
  /** Each scan's result, once its diagnostics are in the editor's DOM. */
  onResult?(result: ScanResult, view: EditorView): void;
}

/** Lint diagnostics, gutter markers, hover and quick fix for the engine's findings. */
export function sendguard(config?: CodeMirrorConfig): Extension;
/** Scan again now (after the scan options or the policy changed). */
export function rescan(view: EditorView): void;
/** The latest scan's result in `state`, or null before the first. */
export function scanResult(state: EditorState): ScanResult | null;
/** Diagnostics at the engine's UTF-16 offsets, clamped to `docLength`. */
export function toDiagnostics(report: Report, docLength: number, onAllow?: ((view: EditorView, finding: Finding, pos: number) => void) | null): Diagnostic[];
/** The insertion of the suppression comment above the line holding `pos`. */
export function allowChange(doc: Text, pos: number, ruleId: string, reason: string, html: boolean): ChangeSpec;
/** The hover body of a finding. */
export function renderFinding(finding: Finding): HTMLElement;
/** The placeholder highlighting alone. */
export const templateHighlight: Extension;
export const PLACEHOLDER: RegExp;
export interface Span { from: number; to: number; key: string }
export function spansOf(report: Report | null, docLength: number): Span[];
export function mapSpans(spans: Span[], changes: ChangeSet): Span[];
export function sameSpans(shown: Span[], next: Span[]): boolean;
