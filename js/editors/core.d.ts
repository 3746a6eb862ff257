// Types shared by sendguard/codemirror and sendguard/monaco.
import type { Engine, Finding, PolicyInput, Report, ScanOptions } from '../index.js';

/** One scan's outcome: the report, or the engine's error; `ms` the scan's time, `where` where it ran. */
export type ScanResult =
  | { report: Report; error?: undefined; ms: number; where: string }
  | { report?: undefined; error: { code: string; message: string }; ms: number; where: string };

/** An application's own scanner (e.g. one that moves large documents to a worker). */
export interface Scanner {
  /** The result now, or null when this text is scanned asynchronously (or nothing is loaded yet). */
  scanNow(text: string, options?: ScanOptions): ScanResult | null;
  /** A promise of the result; never rejects. */
  scan(text: string, options?: ScanOptions): Promise<ScanResult>;
  /** Scan `text` and forget the result: builds the rules it names (see `prepare`). */
  prepare?(text: string): void;
  /** The policy's text, which `prepare` scans in pieces in idle time. */
  policyText?(): string | null;
}

/** Options of both integrations. */
export interface SendguardConfig {
  /** The engine to scan with, or a promise of one. */
  engine?: Engine | Promise<Engine>;
  /** Without `engine`: the policy of the engine built from this package (absent: the default). */
  policy?: PolicyInput | null;
  /** Instead of `engine`/`policy`: an application's own scanner. */
  scanner?: Scanner;
  /** The scan options (`context`, `kind`, `format`), or a function returning them for each scan. */
  options?: ScanOptions | (() => ScanOptions | undefined);
  /** The allow-with-reason quick fix: `true` (default: the browser's prompt asks), `false`, or how to ask. */
  allow?: boolean | { askReason(finding: Finding): Promise<string | null> };
  /** Build the policy's rules in idle time after the first scan (default true), or the policy text to use. */
  prepare?: boolean | string;
}

export function categoryLabel(category: string): string;
export function severityOf(action: string): 'error' | 'warning' | 'info';
export function allowComment(ruleId: string, reason: string, html: boolean): string;
export function cleanReason(reason: string): string;
export function looksLikeHtml(text: string, format?: string): boolean;
/**
 * Scan `text` (a policy) in pieces, one idle period at a time, with `prepare(piece)`: builds the
 * rules it names before the author types. Returns a function that cancels the rest.
 */
export function prepareRules(prepare: (piece: string) => void, text: string | null): () => void;
