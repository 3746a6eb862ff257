// The page's way to ask for the reason of an allow-with-reason quick fix (sendguard/codemirror
// inserts the `sendguard:allow <rule> -- <reason>` comment itself).

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
