'use strict';
// Held messages are kept for a person to look at: the raw message as it would have been
// relayed (`<time>-<uuid>.eml`) and why it was held (`.json`, findings redacted). Only held
// messages come here — a message that leaks is refused, never stored — and both files are
// readable by the relay's user only.

const fs = require('node:fs/promises');
const path = require('node:path');

/** Writes a held message and its record; resolves the path of the `.eml`. */
async function quarantine(dir, uuid, raw, record) {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  const base = path.join(dir, `${stamp}-${String(uuid).replace(/[^A-Za-z0-9.-]/g, '_')}`);
  // the record first: an .eml without its .json would be a message nobody knows why it is there
  await fs.writeFile(`${base}.json`, JSON.stringify({ heldAt: new Date().toISOString(), ...record }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  await fs.writeFile(`${base}.eml`, raw, { mode: 0o600, flag: 'wx' });
  return `${base}.eml`;
}

module.exports = { quarantine };
