// Inline suppression: `sendguard:allow <rule> -- <reason>` on the line above a finding.
// Pure functions (tested in Node) plus the small dialog that asks for the reason.

/** True when the document reads as HTML, so the suppression goes into an HTML comment. */
export function looksLikeHtml(text, format = 'auto') {
  if (format === 'html') return true;
  if (format === 'text') return false;
  return /<(?:!doctype|html|head|body|p|div|table|tr|td|br|a|span|h[1-6]|ul|ol|li)\b[^>]*>/i.test(text.slice(0, 20_000));
}

/**
 * The reason on one line, without anything that would end the comment early: the engine
 * stops reading a directive at `-->`, `*\/`, `}}`, `%}` or `#}`, and so does HTML at `--!>`.
 */
export function cleanReason(reason) {
  return String(reason).replace(/\s+/g, ' ').replace(/--+!?>|\*\/|\}\}|%\}|#\}/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** The suppression comment for `ruleId` with `reason`. */
export function allowComment(ruleId, reason, html) {
  const body = `sendguard:allow ${ruleId} -- ${cleanReason(reason)}`;
  return html ? `<!-- ${body} -->` : body;
}

/**
 * The change that inserts the comment on its own line above the line holding `pos`,
 * with that line's indentation. `doc` is a CodeMirror `Text`.
 */
export function allowChange(doc, pos, ruleId, reason, html) {
  const line = doc.lineAt(Math.min(Math.max(pos, 0), doc.length));
  const indent = /^[ \t]*/.exec(line.text)[0];
  return { from: line.from, insert: `${indent}${allowComment(ruleId, reason, html)}\n` };
}

/**
 * Ask for a reason in the page's `<dialog>`; resolves to the reason, or null when cancelled.
 * Falls back to `window.prompt` where `<dialog>` is missing.
 */
export function askReason(dialog, ruleId) {
  if (!dialog || typeof dialog.showModal !== 'function') {
    const answer = window.prompt(`Reason for allowing ${ruleId}:`);
    return Promise.resolve(answer && answer.trim() ? answer : null);
  }
  const input = dialog.querySelector('#allow-reason');
  for (const el of dialog.querySelectorAll('#allow-rule, #allow-rule-2')) el.textContent = ruleId;
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'allow' && input.value.trim() ? input.value : null),
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}
