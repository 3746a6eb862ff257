// Human labels for the engine's snake_case values. The values are the engine's, the labels ours
// (the finding categories' are sendguard/codemirror's `categoryLabel`).

/** Contexts the policy decides in, as `[value, label]`. */
export const CONTEXTS = [
  ['generic', 'Generic'],
  ['invoice', 'Invoice / statement'],
  ['ticket_ack', 'Ticket acknowledgement'],
  ['welcome', 'Welcome / account created'],
  ['password_reset', 'Password reset'],
  ['otp', 'One-time code'],
];

/** Document kinds: a template with placeholders, or what a recipient receives. */
export const KINDS = [
  ['template', 'Template'],
  ['rendered', 'Rendered mail'],
  ['auto', 'Auto-detect'],
];

/** Formats of the editor text. */
export const FORMATS = [
  ['auto', 'Auto-detect'],
  ['html', 'HTML'],
  ['text', 'Plain text'],
];

/** Fill a `<select>` with `[value, label]` options and select `initial`. */
export function fillSelect(select, options, initial) {
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value, false, value === initial)));
}
