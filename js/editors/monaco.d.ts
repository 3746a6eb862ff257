// sendguard/monaco: markers, hover and quick fix in a Monaco editor.
import type { Report } from '../index.js';
import type { ScanResult, SendguardConfig } from './core.js';

export type { ScanResult, Scanner, SendguardConfig } from './core.js';
export { categoryLabel, severityOf, allowComment, cleanReason, looksLikeHtml, prepareRules } from './core.js';

/** The marker owner and source: `'sendguard'`. */
export const OWNER: string;

export interface MonacoConfig extends SendguardConfig {
  /** Each scan's result, once its markers are set. */
  onResult?(result: ScanResult): void;
}

export interface SendguardMonaco {
  /** Scan again now (after the scan options or the policy changed). */
  rescan(): void;
  /** The latest scan's result, or null. */
  result(): ScanResult | null;
  /** Remove the markers, hover and code action. */
  dispose(): void;
}

/**
 * Lint `editor` with sendguard. `monaco` is the application's `monaco-editor` namespace
 * (typed loosely so that any Monaco build fits).
 */
export function attachSendguard(monaco: any, editor: any, config?: MonacoConfig): SendguardMonaco;
/** The markers of a report in `model` (`monaco.editor.IMarkerData[]`). */
export function toMarkers(monaco: any, model: any, report: Report): any[];
