#!/usr/bin/env node
// Replays a run of rendered messages (a billing run, a mailbox sync) through the sendguard
// Engine and a RunGuard, exactly as the sending system would have: scan each message, ask the
// guard, send only on `send`. Prints what was sent, held and halted — never message content.
//
//   node replay.mjs --generate 400 --leak-from 250          # an invented billing run
//   node replay.mjs --scenario mailbox-sync                  # the 3,000-email sync
//   node replay.mjs --dir ./invoices --limits '{"maxBlocked":0}'
//
// A folder holds one rendered message per file (.html, .txt or .eml), replayed in name order.
import { readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine, RunGuard } from 'sendguard';
import { billingRun, mailboxSync } from '../../plugins/testkit/generate.mjs';

/** The limits a billing run is judged by when none are given. */
export const DEFAULT_LIMITS = { maxBlocked: 0, maxPerMinute: 120, maxTriggerAgeDays: 7, maxPerRecipient: 3 };

/** Scans one message; returns the engine's report (raw `.eml` bytes through `scanBytes`). */
export function scanMessage(engine, item) {
  const options = { context: item.context ?? 'generic' };
  if (item.raw != null) return engine.scanBytes(item.raw, { ...options, format: 'eml' });
  if (item.html != null) return engine.scan(item.html, { ...options, format: 'html' });
  return engine.scan(item.text ?? '', { ...options, format: 'text' });
}

/**
 * Replays `items` in order. Each result: `{ index, action, verdict, rules, reason }` —
 * rule ids and the guard's reason only, no content. Returns `{ results, summary }`.
 */
export function replay(items, { engine = new Engine(), guard, limits = DEFAULT_LIMITS, onResult } = {}) {
  const g = guard ?? new RunGuard(limits);
  const results = [];
  for (const item of items) {
    let report;
    let verdict;
    try {
      report = scanMessage(engine, item);
      verdict = report.verdict;
    } catch (err) {
      // fail closed: a message that cannot be scanned counts as blocked
      verdict = 'block';
      report = { findings: [], error: err.code ?? 'error' };
    }
    const decision = g.check({
      recipient: item.to,
      at: item.at,
      verdict,
      ...(item.triggeredAt != null ? { triggeredAt: item.triggeredAt } : {}),
      ...(item.template ? { template: item.template } : {}),
    });
    const result = {
      index: item.index,
      action: decision.action,
      verdict,
      rules: [...new Set(report.findings.map((f) => f.ruleId))],
      lines: report.findings.map((f) => f.line),
      reason: decision.reason,
    };
    results.push(result);
    onResult?.(result, item);
  }
  return { results, summary: g.summary() };
}

function parseArgs(argv) {
  const args = { scenario: 'billing', generate: 400, leakFrom: Infinity, limits: null, dir: null, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--generate') args.generate = Number(value());
    else if (a === '--leak-from') args.leakFrom = Number(value());
    else if (a === '--scenario') args.scenario = value();
    else if (a === '--limits') args.limits = JSON.parse(value());
    else if (a === '--dir') args.dir = value();
    else if (a === '--quiet') args.quiet = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return args;
}

function readFolder(dir) {
  const start = Date.now();
  return readdirSync(dir).filter((f) => ['.html', '.htm', '.txt', '.eml'].includes(extname(f).toLowerCase())).sort().map((file, i) => {
    const bytes = readFileSync(join(dir, file));
    const ext = extname(file).toLowerCase();
    const item = { index: i + 1, file, to: `recipient-${i + 1}@replay.invalid`, context: 'invoice', template: file, at: start + i * 1000 };
    if (ext === '.eml') item.raw = bytes;
    else if (ext === '.txt') item.text = bytes.toString('utf8');
    else item.html = bytes.toString('utf8');
    return item;
  });
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log('usage: replay.mjs [--generate N --leak-from K | --scenario billing|mailbox-sync | --dir FOLDER] [--limits JSON] [--quiet]');
    return 0;
  }
  const items = args.dir
    ? readFolder(args.dir)
    : args.scenario === 'mailbox-sync'
      ? mailboxSync({})
      : billingRun({ count: args.generate, leakFrom: args.leakFrom });
  const limits = args.limits ?? DEFAULT_LIMITS;
  console.log(`replaying ${items.length} messages with limits ${JSON.stringify(limits)}`);
  let shownHalts = 0;
  const { summary } = replay(items, {
    limits,
    onResult: (r) => {
      if (args.quiet) return;
      if (r.action === 'halt') {
        if (shownHalts++ > 0) return; // the rest say the same
      }
      const rules = r.rules.length ? ` rules=${r.rules.join(',')} lines=${r.lines.join(',')}` : '';
      console.log(`#${String(r.index).padStart(5)} ${r.action.padEnd(4)} verdict=${r.verdict}${rules}${r.action === 'send' ? '' : ` — ${r.reason}`}`);
    },
  });
  const c = summary.counts;
  console.log(`\nsent ${c.sent}, held ${c.held}, halted ${c.halted} (checked ${c.checked}; blocked ${c.blocked}, warned ${c.warned})`);
  if (summary.halted) console.log(`HALTED at check ${summary.haltedAtCheck}: ${summary.haltReason}`);
  return summary.halted ? 3 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.error(`replay: ${err.message}`);
    process.exitCode = 2;
  }
}
