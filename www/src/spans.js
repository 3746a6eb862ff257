// The findings of a scan as spans of the editor text, so that a new scan whose findings are
// the old ones (moved by the edit in between) leaves the diagnostics on screen as they are:
// no new decorations, gutter markers or tooltip closing on keystrokes that change nothing.
// Pure functions, tested in Node.

/** Everything the editor shows of a finding apart from its place (underline class, tooltip). */
function findingKey(f) {
  return `${f.ruleId}\u0000${f.action}\u0000${f.category}\u0000${f.source}\u0000${f.confidence}\u0000${f.redacted}\u0000${f.message}`;
}

/** `[{ from, to, key }]` of a report's findings: the engine's UTF-16 offsets, clamped to the doc. */
export function spansOf(report, docLength) {
  if (!report) return [];
  const clamp = (n) => Math.min(Math.max(n | 0, 0), docLength);
  return report.findings.map((f) => ({ from: clamp(f.utf16Start), to: clamp(f.utf16End), key: findingKey(f) }));
}

/**
 * Spans moved through a CodeMirror `ChangeSet` the way the lint underlines move: text typed
 * at either edge stays outside (non-inclusive marks); a span that becomes empty is dropped.
 */
export function mapSpans(spans, changes) {
  const out = [];
  for (const s of spans) {
    const from = changes.mapPos(s.from, 1);
    const to = changes.mapPos(s.to, -1);
    if (to > from) out.push({ from, to, key: s.key });
  }
  return out;
}

/** Spans in source order that share no character (overlapping ones are drawn as split pieces). */
function disjoint(spans) {
  for (let i = 1; i < spans.length; i++) if (spans[i].from < spans[i - 1].to) return false;
  return true;
}

/**
 * True when `next` shows exactly what `shown` shows. Overlapping findings always count as
 * changed: the lint extension splits them into pieces whose edges move differently.
 */
export function sameSpans(shown, next) {
  if (shown.length !== next.length || !disjoint(shown) || !disjoint(next)) return false;
  return shown.every((s, i) => s.from === next[i].from && s.to === next[i].to && s.key === next[i].key);
}
