// Human labels for the engine's snake_case values. The values are the engine's, the labels ours.

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

const CATEGORY_LABELS = {
  password: 'Password',
  token: 'Token / API key',
  private_key: 'Private key',
  connection_string: 'Credentials in a URL',
  payment_card: 'Card number',
  card_security: 'Card security code',
  pin: 'PIN',
  one_time_code: 'One-time code',
  reset_link: 'Reset / sign-in link',
  limit: 'Scan limit',
  suppression: 'Suppression',
};

/** A readable name for a finding category; unknown categories show as they are. */
export function categoryLabel(category) {
  return CATEGORY_LABELS[category] ?? String(category);
}

/** Fill a `<select>` with `[value, label]` options and select `initial`. */
export function fillSelect(select, options, initial) {
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value, false, value === initial)));
}
