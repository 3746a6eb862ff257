// Invented test runs for the sendguard examples: a billing run of rendered invoices and a
// mailbox sync of stored emails. Deterministic (seeded), so replays and tests are exact.
// Plain JavaScript with no dependencies, shared by the examples and their tests.

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Maria', 'Jonas', 'Aiko', 'Deepa', 'Tomasz', 'Lucía', 'Emeka', 'Sofie', 'Ravi', 'Hanna', 'Omar', 'Grace'];
const LAST = ['Keller', 'Okafor', 'Tanaka', 'Iyer', 'Nowak', 'García', 'Berg', 'Haddad', 'Murphy', 'Rossi'];
const PW_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%&*?';

/** A password the way a customer might have chosen it: 10–14 mixed characters. */
export function inventPassword(next) {
  const len = 10 + Math.floor(next() * 5);
  let out = '';
  for (let i = 0; i < len; i++) out += PW_CHARS[Math.floor(next() * PW_CHARS.length)];
  // at least one digit, so it never reads like a word
  return out.slice(0, -1) + String(Math.floor(next() * 10));
}

function customer(next, i) {
  const first = FIRST[Math.floor(next() * FIRST.length)];
  const last = LAST[Math.floor(next() * LAST.length)];
  const email = `${first.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${last.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}${i}@customers.example`;
  return { first, last, email, password: inventPassword(next) };
}

/**
 * A monthly billing run of `count` rendered invoices, one per customer. From invoice number
 * `leakFrom` on (1-based; `Infinity` for none) the template change that caused the incident is
 * live: the invoice carries the customer's stored portal password. Each item says whether it
 * leaks (`leak`), so tests know the truth without reading the secret.
 */
export function billingRun({ count = 400, leakFrom = Infinity, seed = 7, start = Date.UTC(2026, 2, 1, 2, 0, 0), spacingMs = 1500 } = {}) {
  const next = rng(seed);
  const items = [];
  for (let i = 1; i <= count; i++) {
    const c = customer(next, i);
    const amount = (19 + Math.floor(next() * 480) + next()).toFixed(2);
    const number = `INV-2026-03-${String(i).padStart(5, '0')}`;
    const leak = i >= leakFrom;
    const portal = leak
      ? `<p>Portal login: ${c.email}<br>Your password: ${c.password}</p>`
      : `<p>Manage your account at https://portal.acme.example/account</p>`;
    const html = `<html><body><p>Dear ${c.first} ${c.last},</p>
<p>Your invoice ${number} for March 2026 is ready.</p>
<table><tr><td>Hosting, Business plan</td><td>EUR ${amount}</td></tr></table>
<p>Amount due: EUR ${amount}, payable by 2026-03-31.</p>
${portal}
<p>Kind regards,<br>Acme Hosting Billing</p></body></html>`;
    items.push({
      index: i,
      to: `${c.first} ${c.last} <${c.email}>`,
      subject: `Your invoice ${number}`,
      html,
      context: 'invoice',
      template: 'invoice-monthly',
      at: start + (i - 1) * spacingMs,
      leak,
    });
  }
  return items;
}

/**
 * A ticketing system's mailbox sync after a configuration change: `count` stored emails of
 * mixed age are imported within minutes, and each becomes a new ticket whose sender gets an
 * acknowledgement and a portal welcome. `oldShare` of them are older than `oldDays` days.
 * Each item carries `triggeredAt` (the stored email's date) and `ageDays`.
 */
export function mailboxSync({ count = 3000, oldShare = 0.8, oldDays = 7, seed = 11, start = Date.UTC(2026, 5, 15, 9, 0, 0), spacingMs = 200 } = {}) {
  const next = rng(seed);
  const items = [];
  let at = start;
  for (let i = 1; i <= count; i++) {
    const c = customer(next, i);
    const old = next() < oldShare;
    // old: 8 days to 3 years; recent: 0 to 6 days
    const ageDays = old ? oldDays + 1 + Math.floor(next() * 1000) : Math.floor(next() * oldDays);
    const triggeredAt = start - ageDays * 86_400_000 - Math.floor(next() * 3_600_000);
    const ticket = `T-${100000 + i}`;
    items.push({
      index: 2 * i - 1, email: i, to: c.email, subject: `[${ticket}] We received your request`,
      text: `Hello ${c.first},\n\nThanks for contacting Acme Support. Your ticket ${ticket} is open and an agent will reply soon.\n\nAcme Support`,
      context: 'ticket_ack', template: 'ticket-ack', at, triggeredAt, ageDays,
    });
    at += spacingMs;
    items.push({
      index: 2 * i, email: i, to: c.email, subject: 'Welcome to the Acme support portal',
      text: `Hello ${c.first},\n\nYou can follow ${ticket} in the support portal: https://support.acme.example/portal\nSign in with ${c.email} and choose "Forgot password" to set one.\n\nAcme Support`,
      context: 'welcome', template: 'portal-welcome', at, triggeredAt, ageDays,
    });
    at += spacingMs;
  }
  return items;
}
